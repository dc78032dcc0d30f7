import { parseSites, type SiteConfig } from "../core/site-config";
import { sites as configured } from "../sites.config";

/** The publisher's sites, validated once when the worker starts (a bad file fails loudly here). */
export const SITES: readonly SiteConfig[] = parseSites(configured);

const byId = new Map(SITES.map((site) => [site.id, site]));

/** The site with this id, or undefined. */
export const findSite = (id: string | undefined | null) => (id ? byId.get(id) : undefined);
