import type { MiddlewareHandler } from "hono";
import { fieldName } from "../core/settings-diff";
import { type SiteConfig, siteSchema } from "../core/site-config";
import { database } from "../platform/db";
import type { WorkerEnv } from "../platform/env";
import { FILE_SITES, type LiveAllocation, liveSites, replaceLiveSites } from "../platform/sites";
import { allAllocations, latestVersions, settingsOf } from "./store";
import { messageOf } from "./validate";

/**
 * Published settings reach every isolate within `LIVE_TTL_MS` (plus one D1 read): each isolate asks
 * D1 for the newest version numbers (and the variants' allocations) at most that often, reads and
 * validates only the settings that changed, and serves them from memory in between. A publish or
 * rollback in this isolate is live at once (`refreshLiveSites(env, { force: true })`).
 */
export const LIVE_TTL_MS = 30_000;

/** Reloads under way in this isolate (each in the request that started it). */
let reloading = 0;
/** Reloads started, and the newest whose snapshot is in place: one that started earlier and ends later is dropped. */
let started = 0;
let applied = 0;

/**
 * Stored settings as the site runs them: validated by the same schema as the sites file, with
 * the file's id and allowed origins (those are the deployment's, not the editors'). Throws a
 * readable error naming each bad field.
 */
export function storedSite(file: SiteConfig, json: string): SiteConfig {
  const parsed = siteSchema.safeParse({ ...JSON.parse(json), id: file.id, allowedOrigins: file.allowedOrigins });
  if (parsed.success) return parsed.data;
  throw new Error(parsed.error.issues.map((i) => `${fieldName(i.path)}: ${messageOf(i)}`).join("; "));
}

/** Reads what changed since the snapshot and replaces it. */
async function reload(env: WorkerEnv, now: number): Promise<void> {
  const generation = ++started;
  const db = database(env.DB);
  const before = liveSites();
  const [versions, allocations] = await Promise.all([latestVersions(db), allAllocations(db)]);
  const known = new Map(FILE_SITES.map((s) => [s.id, s]));
  const wanted = versions.filter((v) => known.has(v.site) && before.versions.get(v.site) !== v.version);
  const fetched = new Map((await settingsOf(db, wanted)).map((r) => [r.site, r]));
  const sites = new Map<string, SiteConfig>();
  const siteVersions = new Map<string, number>();
  const problems = new Map<string, string>();
  for (const file of FILE_SITES) {
    const version = versions.find((v) => v.site === file.id)?.version ?? 0;
    const row = fetched.get(file.id);
    if (version === 0) sites.set(file.id, file);
    else if (!row) {
      // Unchanged since the last load: keep what was parsed (or the problem found) then.
      sites.set(file.id, before.sites.get(file.id) ?? file);
      const problem = before.problems.get(file.id);
      if (problem) problems.set(file.id, problem);
    } else {
      try {
        sites.set(file.id, storedSite(file, row.settings));
      } catch (error) {
        // The schema changed under stored settings (a deploy tightened a rule): run the file, say why.
        const why = error instanceof Error ? error.message : String(error);
        console.error(`settings: ${file.id} version ${version} no longer validates; serving the sites file`, why);
        sites.set(file.id, file);
        problems.set(
          file.id,
          `Published version ${version} no longer passes the checks (${why}); the site runs on worker/sites.config.ts until a new version is published.`,
        );
      }
    }
    siteVersions.set(file.id, version);
  }
  const liveAllocations = new Map<string, LiveAllocation>();
  for (const a of allocations) {
    try {
      liveAllocations.set(a.site, {
        weights: JSON.parse(a.weights) as Record<string, number>,
        computedAt: a.computedAt,
        settingsVersion: a.settingsVersion,
      });
    } catch {
      // A damaged row: the configured weights apply.
    }
  }
  if (generation < applied) return;
  applied = generation;
  replaceLiveSites({ sites, versions: siteVersions, allocations: liveAllocations, problems, loadedAt: now });
}

/**
 * Makes sure this isolate's snapshot is at most `LIVE_TTL_MS` old (or fresh, with `force`). When
 * D1 cannot be read, the last snapshot stays.
 *
 * A request never waits on a reload another request started: in Workers, what follows such a wait
 * runs in the other request's context, where this request's own I/O (reading its body) fails with
 * "Cannot perform I/O on behalf of a different request". So while one request reloads, the others
 * serve the snapshot they have (at most one D1 read past the TTL), unless none was ever loaded:
 * then each loads its own. A forced reload always reads D1 itself, after the change that forced
 * it; a reload that started before it and ends after it is dropped (`applied`).
 */
export async function refreshLiveSites(env: WorkerEnv, options: { now?: number; force?: boolean } = {}): Promise<void> {
  const now = options.now ?? Date.now();
  const { loadedAt } = liveSites();
  if (!options.force && (now - loadedAt < LIVE_TTL_MS || (reloading > 0 && loadedAt > 0))) return;
  reloading++;
  try {
    await reload(env, now);
  } catch (error) {
    console.error("settings: could not read the live settings; keeping the last ones", error);
  } finally {
    reloading--;
  }
}

/** Every request sees settings at most `LIVE_TTL_MS` old. */
export const liveSettings: MiddlewareHandler<{ Bindings: WorkerEnv }> = async (c, next) => {
  await refreshLiveSites(c.env);
  await next();
};
