import { app } from "./app";
import type { Env } from "./env";
import { runScheduled } from "./reminders/scheduled";

/** The worker: HTTP through Hono; the Cron Trigger sends due reminders. */
export default {
  fetch: app.fetch,
  scheduled: (controller, env, ctx) => ctx.waitUntil(runScheduled(env, controller.scheduledTime)),
} satisfies ExportedHandler<Env>;

export { EventCounter } from "./events/counter";
