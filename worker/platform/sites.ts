import type { DemoOrigins } from "../core/origins";
import { parseSites, type SiteConfig } from "../core/site-config";
import { sites as configured } from "../sites.config";
import { configuredOrigin, demoPageEnabled, isDevelopment, type WorkerEnv } from "./env";

/**
 * The publisher's sites. `worker/sites.config.ts` is validated once when the worker starts (a
 * bad file fails loudly here): it lists the sites, fixes each one's id and allowed origins, and is
 * the settings of every site nobody has published settings for in /admin. Published settings
 * (settings/live.ts) replace a site's entry in this isolate's snapshot, so every reader of
 * `findSite` sees the live settings without a deploy.
 */
export const FILE_SITES: readonly SiteConfig[] = parseSites(configured);

/** Automatic allocation's current weights for a site (per mille by variant id). */
export type LiveAllocation = { weights: Record<string, number>; computedAt: number; settingsVersion: number };

/** What this isolate currently serves. */
export type LiveSites = {
  sites: ReadonlyMap<string, SiteConfig>;
  /** The published settings version each site runs (0: the sites file). */
  versions: ReadonlyMap<string, number>;
  allocations: ReadonlyMap<string, LiveAllocation>;
  /** Sites whose stored settings no longer pass the schema (they run the sites file): why. */
  problems: ReadonlyMap<string, string>;
  loadedAt: number;
};

const fromFile = (): LiveSites => ({
  sites: new Map(FILE_SITES.map((site) => [site.id, site])),
  versions: new Map(),
  allocations: new Map(),
  problems: new Map(),
  loadedAt: 0,
});

let live: LiveSites = fromFile();

/** The snapshot this isolate serves. */
export const liveSites = (): LiveSites => live;

/** Replaces the snapshot (settings/live.ts, after reading D1). */
export function replaceLiveSites(next: LiveSites): void {
  live = next;
}

/** Back to the sites file alone (tests). */
export function resetLiveSites(): void {
  live = fromFile();
}

/** The site with this id, with its live settings, or undefined. */
export const findSite = (id: string | undefined | null): SiteConfig | undefined =>
  id ? live.sites.get(id) : undefined;

/** Every site, in the sites file's order, with its live settings. */
export const allSites = (): SiteConfig[] => FILE_SITES.map((site) => live.sites.get(site.id) ?? site);

/** The settings version a site runs (0: the sites file). */
export const settingsVersionOf = (id: string): number => live.versions.get(id) ?? 0;

/**
 * What the demo site accepts besides its configured origins in this deployment: the worker's
 * own origin while /demo is served, and any local origin in development.
 */
export const demoOrigins = (env: WorkerEnv): DemoOrigins => ({
  own: demoPageEnabled(env) ? configuredOrigin(env) : null,
  anyLocal: isDevelopment(env),
});

/**
 * The version of what a site's config answer is built from: the published settings version (0: the
 * sites file, fixed for a deployment) and the time of automatic allocation's current weights. The
 * config's answers are cached under it (config/cache.ts), so a publish, a rollback or a new
 * allocation means new answers at once; the snapshot it reads is at most settings/live.ts's
 * LIVE_TTL_MS old. Undefined for an unknown site.
 */
export function settingsVersion(siteId: string): string | undefined {
  if (!findSite(siteId)) return undefined;
  return `${settingsVersionOf(siteId)}.${live.allocations.get(siteId)?.computedAt ?? 0}`;
}
