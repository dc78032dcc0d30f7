import { app } from "./app";
import type { WorkerEnv } from "./platform/env";
import { runScheduled } from "./scheduled";

/** The worker: HTTP through Hono; the Cron Triggers send due reminders and reconcile with Stripe daily. */
export default {
  fetch: app.fetch,
  scheduled: (controller, env, ctx) => ctx.waitUntil(runScheduled(env, controller.scheduledTime, controller.cron)),
} satisfies ExportedHandler<WorkerEnv>;

export { EventCounter } from "./events/counter";
