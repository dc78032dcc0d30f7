import type { Context } from "hono";
import { isDevelopment } from "../platform/env";
import { jsonError } from "../platform/http";
import type { AdminEnv } from "./auth";

/**
 * The moment a staff-triggered run acts at (reminders, renewal notices): now, or in development
 * only `?now=2030-01-01T09:00:00Z` to try a future date. A 400 answer when `now` is refused.
 */
export function runAt(c: Context<AdminEnv>): { now: number } | { refused: Response } {
  const param = c.req.query("now");
  if (param === undefined) return { now: Date.now() };
  if (!isDevelopment(c.env))
    return { refused: jsonError(c, 400, "now_not_allowed", "now can only be set in development.", "now") };
  const now = Date.parse(param);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(param) || Number.isNaN(now))
    return { refused: jsonError(c, 400, "invalid_now", "now must be an ISO-8601 date and time.", "now") };
  return { now };
}
