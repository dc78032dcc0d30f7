import { Hono } from "hono";

type Limiter = { limit(options: { key: string }): Promise<{ success: boolean }> };

/**
 * The baseline for `npm run bench`: the smallest Hono worker on the same runtime.
 * GET answers a word; POST reads the body (as the real routes must) and answers 204. Behind the
 * product's Workers Assets routing (wrangler-assets.toml) it also has a Workers rate limiter, and
 * `POST /api/limited` asks it once per request, as `POST /api/events` once did (it now limits each
 * client where the counts are aggregated, not per request): what a per-request platform rate
 * limit costs on its own.
 * The product's routes are reported as a ratio to this, because the machine is shared and noisy.
 */
const app = new Hono<{ Bindings: { EVENTS_LIMITER?: Limiter } }>()
  .post("/api/limited", async (c) => {
    await c.req.text();
    const limiter = c.env.EVENTS_LIMITER;
    if (!limiter) return c.text("this hello has no rate limiter", 500);
    const { success } = await limiter.limit({ key: `events:${c.req.header("cf-connecting-ip") ?? "local"}` });
    return c.body(null, success ? 204 : 429);
  })
  .get("*", (c) => c.text("hello"))
  .post("*", async (c) => {
    await c.req.text();
    return c.body(null, 204);
  });

export default app;
