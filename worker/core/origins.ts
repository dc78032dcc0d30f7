import type { SiteConfig } from "./site-config";

/**
 * Whether `origin` may embed the site's ask, call its API and receive readers back.
 * Outside production the demo site also accepts any http://localhost:* and http://127.0.0.1:*.
 */
export function isAllowedOrigin(site: SiteConfig, origin: string | null | undefined, development: boolean): boolean {
  if (!origin) return false;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  if (site.allowedOrigins.some((allowed) => new URL(allowed).origin === parsed.origin)) return true;
  return (
    development &&
    site.id === "demo" &&
    parsed.protocol === "http:" &&
    (parsed.hostname === "localhost" || parsed.hostname === "127.0.0.1")
  );
}
