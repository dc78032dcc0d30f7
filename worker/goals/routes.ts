import { Hono } from "hono";
import type { ProgressResponse } from "../core/contract";
import type { SiteConfig } from "../core/site-config";
import { database } from "../platform/db";
import type { AppContext, WorkerEnv } from "../platform/env";
import { jsonError } from "../platform/http";
import { findSite, settingsVersionOf } from "../platform/sites";
import { raisedFor } from "./store";

const DAY = 86_400_000;
/** Each isolate reads a campaign's progress from D1 at most once a minute. */
export const PROGRESS_TTL_MS = 60_000;

const cache = new Map<string, { at: number; value: ProgressResponse }>();

/** A campaign's progress toward its goal, from the ledger (cached per isolate for a minute). */
export async function progressOf(env: WorkerEnv, site: SiteConfig, campaign: string, now = Date.now()) {
  const goal = site.goals[campaign];
  if (!goal) return null;
  const key = `${site.id}|${campaign}|${settingsVersionOf(site.id)}`;
  const hit = cache.get(key);
  if (hit && now - hit.at < PROGRESS_TTL_MS) return hit.value;
  const since = goal.startsOn ? Date.parse(`${goal.startsOn}T00:00:00Z`) : 0;
  const until = Date.parse(`${goal.endsOn}T00:00:00Z`) + DAY;
  const raised = await raisedFor(database(env.DB), { site: site.id, campaign, currency: goal.currency, since, until });
  const value: ProgressResponse = {
    campaign,
    currency: goal.currency,
    amount: goal.amount,
    raised: Math.max(0, raised.gross - raised.refunded),
    supporters: raised.supporters,
    endsOn: goal.endsOn,
  };
  if (cache.size > 500) cache.clear();
  cache.set(key, { at: now, value });
  return value;
}

/**
 * `GET /api/progress?site=ID&campaign=NAME`: what a campaign with a goal has raised, in the goal's
 * currency (payments less refunds, from the ledger). Public like the config: the ask shows it.
 */
export const progressRoutes = new Hono<AppContext>().get("/", async (c) => {
  const site = findSite(c.req.query("site"));
  if (!site) return jsonError(c, 404, "unknown_site", "No site has this id.", "site");
  const campaign = c.req.query("campaign") ?? "";
  const goal = site.goals[campaign];
  if (!goal?.show) return jsonError(c, 404, "no_goal", "This campaign has no goal to show.", "campaign");
  const value = await progressOf(c.env, site, campaign);
  c.header("Cache-Control", "public, max-age=60");
  c.header("Access-Control-Allow-Origin", "*");
  return c.json(value);
});
