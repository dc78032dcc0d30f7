import type { MiddlewareHandler } from "hono";
import { isAllowedOrigin } from "../core/origins";
import { type AppContext, isDevelopment } from "../env";
import { SITES } from "../sites";

/**
 * CORS for the reader-facing POST routes: a preflight is answered only for an origin some
 * site allows, and responses carry `Access-Control-Allow-Origin` only for such origins.
 * (Each route still checks the origin against the specific site in the body.)
 */
export const readerCors: MiddlewareHandler<AppContext> = async (c, next) => {
  const origin = c.req.header("origin");
  const allowed = !!origin && SITES.some((site) => isAllowedOrigin(site, origin, isDevelopment(c.env)));
  if (c.req.method === "OPTIONS") {
    if (!allowed) return c.body(null, 403);
    return c.body(null, 204, {
      "Access-Control-Allow-Origin": origin,
      "Access-Control-Allow-Methods": "POST, OPTIONS",
      "Access-Control-Allow-Headers": "Content-Type, Idempotency-Key",
      "Access-Control-Max-Age": "86400",
      Vary: "Origin",
    });
  }
  await next();
  if (allowed) {
    c.res.headers.set("Access-Control-Allow-Origin", origin);
    c.res.headers.append("Vary", "Origin");
  }
};
