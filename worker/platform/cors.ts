import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import { isAllowedOrigin } from "../core/origins";
import type { AppContext } from "./env";
import { allSites, demoOrigins } from "./sites";

/**
 * CORS for the reader-facing POST routes (Hono's `cors`): only an origin some site allows gets
 * `Access-Control-Allow-Origin`; any other origin's browser refuses the call. Each route still
 * checks the origin against the specific site named in the body.
 */
export const readerCors: MiddlewareHandler<AppContext> = cors({
  origin: (origin, c) =>
    origin && allSites().some((site) => isAllowedOrigin(site, origin, demoOrigins(c.env))) ? origin : null,
  allowMethods: ["POST", "OPTIONS"],
  allowHeaders: ["Content-Type", "Idempotency-Key"],
  maxAge: 86400,
});
