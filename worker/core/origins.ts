import type { SiteConfig } from "./site-config";

/**
 * What the demo site accepts besides its configured origins: the worker's own origin while the
 * demo article is served there (`own`), and in development any http://localhost:* and
 * http://127.0.0.1:* (`anyLocal`). Every other site accepts exactly its `allowedOrigins`.
 */
export type DemoOrigins = { own: string | null; anyLocal: boolean };

/** No extra origins at all. */
export const NO_DEMO_ORIGINS: DemoOrigins = { own: null, anyLocal: false };

/** Whether `origin` may embed the site's ask, call its API and receive readers back. */
export function isAllowedOrigin(site: SiteConfig, origin: string | null | undefined, demo: DemoOrigins): boolean {
  if (!origin) return false;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  if (site.allowedOrigins.some((allowed) => new URL(allowed).origin === parsed.origin)) return true;
  if (site.id !== "demo") return false;
  if (demo.own !== null && parsed.origin === demo.own) return true;
  return (
    demo.anyLocal && parsed.protocol === "http:" && (parsed.hostname === "localhost" || parsed.hostname === "127.0.0.1")
  );
}
