import { Hono } from "hono";

/**
 * The baseline for `npm run bench`: the smallest Hono worker on the same runtime.
 * GET answers a word; POST reads the body (as the real routes must) and answers 204.
 * The product's routes are reported as a ratio to this, because the machine is shared and noisy.
 */
const app = new Hono()
  .get("*", (c) => c.text("hello"))
  .post("*", async (c) => {
    await c.req.text();
    return c.body(null, 204);
  });

export default app;
