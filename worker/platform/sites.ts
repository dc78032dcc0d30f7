import type { DemoOrigins } from "../core/origins";
import { parseSites, type SiteConfig } from "../core/site-config";
import { sites as configured } from "../sites.config";
import { configuredOrigin, demoPageEnabled, isDevelopment, type WorkerEnv } from "./env";

/** The publisher's sites, validated once when the worker starts (a bad file fails loudly here). */
export const SITES: readonly SiteConfig[] = parseSites(configured);

const byId = new Map(SITES.map((site) => [site.id, site]));

/** The site with this id, or undefined. */
export const findSite = (id: string | undefined | null) => (id ? byId.get(id) : undefined);

/**
 * What the demo site accepts besides its configured origins in this deployment: the worker's
 * own origin while /demo is served, and any local origin in development.
 */
export const demoOrigins = (env: WorkerEnv): DemoOrigins => ({
  own: demoPageEnabled(env) ? configuredOrigin(env) : null,
  anyLocal: isDevelopment(env),
});

const versions = new Map<string, Promise<string>>();

/**
 * The version of a site's settings: answers built from them (the ask's config) are cached under it
 * (config/cache.ts), so a new version means new answers at once. Here the settings are the
 * validated `sites.config.ts`, fixed for a deployment, and the version is a hash of them, computed
 * once per isolate. Settings edited at run time would answer with the version stored beside them.
 */
export function settingsVersion(_env: WorkerEnv, siteId: string): Promise<string> | undefined {
  const site = findSite(siteId);
  if (!site) return undefined;
  let version = versions.get(site.id);
  if (!version) {
    version = crypto.subtle
      .digest("SHA-256", new TextEncoder().encode(JSON.stringify(site)))
      .then((hash) => [...new Uint8Array(hash, 0, 8)].map((b) => b.toString(16).padStart(2, "0")).join(""));
    versions.set(site.id, version);
  }
  return version;
}
