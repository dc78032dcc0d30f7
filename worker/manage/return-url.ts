import { isAllowedOrigin } from "../core/origins";
import type { SiteConfig } from "../core/site-config";

/**
 * Where the billing portal sends the reader back: the page they came from when it is on the
 * site's allowed origins (no open redirects), else the site's first origin. Outside production
 * the demo site falls back to this worker's /demo, since its configured origin is fictional.
 */
export function resolveReturnUrl(
  site: SiteConfig,
  candidate: string | undefined | null,
  development: boolean,
  workerOrigin: string,
): string {
  if (candidate && candidate.length <= 2000 && /^https?:\/\//.test(candidate)) {
    try {
      const url = new URL(candidate);
      if (isAllowedOrigin(site, url.origin, development)) return url.toString();
    } catch {
      // not a URL: fall through
    }
  }
  if (development && site.id === "demo") return `${workerOrigin}/demo`;
  return `${new URL(site.allowedOrigins[0] ?? workerOrigin).origin}/`;
}
