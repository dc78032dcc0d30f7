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
