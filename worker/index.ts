import { app } from "./app";
import type { WorkerEnv } from "./platform/env";
import { runScheduled } from "./scheduled";

/** The worker: HTTP through Hono; the Cron Trigger sends due reminders. */
export default {
  fetch: app.fetch,
  scheduled: (controller, env, ctx) => ctx.waitUntil(runScheduled(env, controller.scheduledTime)),
} satisfies ExportedHandler<WorkerEnv>;

export { EventCounter } from "./events/counter";
