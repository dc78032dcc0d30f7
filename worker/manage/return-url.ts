import { type DemoOrigins, isAllowedOrigin } from "../core/origins";
import type { SiteConfig } from "../core/site-config";

/**
 * Where the billing portal sends the reader back: the page they came from when it is on the
 * site's allowed origins (no open redirects), else the site's first origin. While the worker
 * serves the demo article, the demo site falls back to it, since its configured origin is fictional.
 */
export function resolveReturnUrl(site: SiteConfig, candidate: string | undefined | null, demo: DemoOrigins): string {
  if (candidate && candidate.length <= 2000 && /^https?:\/\//.test(candidate)) {
    try {
      const url = new URL(candidate);
      if (isAllowedOrigin(site, url.origin, demo)) return url.toString();
    } catch {
      // not a URL: fall through
    }
  }
  if (site.id === "demo" && demo.own !== null) return `${demo.own}/demo`;
  return `${new URL(site.allowedOrigins[0] as string).origin}/`;
}
