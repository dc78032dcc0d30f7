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
 * so no preflight; browsers send `Origin` with every POST; the browser never reads the answer).
 * Only a page of the site may send them: a body that is not valid, an unknown site or a foreign
 * origin is refused at once. Everything else is answered 204 at once, and each client's beacons
 * count up to a limit a minute per site (`EVENTS_PER_CLIENT_MINUTE`, by `clientKey`: an IPv6
 * client's /64): the limit is applied where the beacons are aggregated (buffer.ts, then the
 * counter object that holds the client's tally), not on the answer's path, and beacons over it
 * are dropped silently, the answer the same 204, so a caller learns nothing of its limit.
 * Counted per day, site, placement, campaign, variant and type; names the site does not know are
 * counted as `other` (events/names.ts); nothing else is kept.
 */
export const eventRoutes = new Hono<AppContext>().post("/", jsonBody(4096), async (c) => {
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
  // Beacons gather in this isolate for a second, then go to the site's counter objects, one call
  // per shard, where each client's beacons are taken up to its limit.
  bufferCounts(c.env, c.executionCtx, site.id, clientKey(c), counts);
  return accepted();
});
