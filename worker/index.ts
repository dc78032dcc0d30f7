import { app } from "./app";
import type { Env } from "./env";

/** The worker: HTTP through Hono. */
export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;

export { EventCounter } from "./events/counter";
