import { Hono } from "hono";
import { eventsRequestSchema } from "../core/contract";
import { isAllowedOrigin } from "../core/origins";
import type { AppContext } from "../platform/env";
import { completeResponse, headerSet } from "../platform/headers";
import { clientKey, jsonBody, jsonError, readJson, validationError } from "../platform/http";
import { demoOrigins, findSite } from "../platform/sites";
import { bufferCounts } from "./buffer";

/** The answer to counters taken: no body, its headers computed once. */
const NO_CONTENT = headerSet();
const accepted = () => completeResponse(null, 204, NO_CONTENT);

/**
 * `POST /api/events`: the ask's counters, sent with `navigator.sendBeacon` (a text/plain body,
 * so no preflight; browsers send `Origin` with every POST). Only a page of the site may send
 * them, each client a limited number a minute. Counted per day, site, placement, campaign,
 * variant and type; names the site does not know are counted as `other` (events/names.ts);
 * nothing else is kept.
 */
export const eventRoutes = new Hono<AppContext>().post("/", jsonBody(4096), async (c) => {
  const { success } = await c.env.EVENTS_LIMITER.limit({ key: `events:${clientKey(c)}` });
  if (!success) {
    c.header("Retry-After", "60");
    return jsonError(c, 429, "rate_limited", "Too many counters from this network. Try again in a minute.");
  }
  const body = await readJson(c);
  if (!body.ok) return jsonError(c, 400, "invalid_json", "The body must be JSON of at most 4 KB.");
  const parsed = eventsRequestSchema.safeParse(body.value);
  if (!parsed.success) return validationError(c, parsed.error);
  const site = findSite(parsed.data.site);
  if (!site) return jsonError(c, 404, "unknown_site", "No site has this id.", "site");
  if (!isAllowedOrigin(site, c.req.header("origin"), demoOrigins(c.env)))
    return jsonError(c, 403, "origin_not_allowed", "Only this site's own pages may send its counters.");
  const day = new Date().toISOString().slice(0, 10);
  const counts = new Map<string, number>();
  for (const e of parsed.data.events) {
    const key = [day, site.id, e.placement, e.campaign ?? "", e.variant ?? "", e.type].join("|");
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  // Beacons gather in this isolate for a second, then go to the site's counter object in one call.
  bufferCounts(c.env, c.executionCtx, site.id, counts);
  return accepted();
});
