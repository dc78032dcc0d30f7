import { secureHeaders } from "hono/secure-headers";

/**
 * The headers every answer of the worker carries (Hono's secureHeaders), unless a router set its
 * own: HTTPS only from now on (HSTS), no content sniffing, no referrer, and a CSP that forbids
 * framing. The HTML routers (staff, reader pages, demo) set their own fuller CSP and referrer
 * policy; `overwrite: false` keeps theirs.
 */
export const baselineHeaders = secureHeaders({
  overwrite: false,
  contentSecurityPolicy: { frameAncestors: ["'none'"] },
  strictTransportSecurity: true,
  xContentTypeOptions: true,
  referrerPolicy: "no-referrer",
  crossOriginResourcePolicy: false,
  crossOriginOpenerPolicy: false,
  originAgentCluster: false,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xFrameOptions: false,
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false,
});
