import { Hono } from "hono";
import { askConfig } from "../core/ask-config";
import type { AppContext } from "../platform/env";
import { jsonError } from "../platform/http";
import { mailCanReachReaders } from "../platform/mail/transports";
import { findSite } from "../platform/sites";

/** `GET /api/config?site=ID[&currency=XXX][&lang=xx]`: the ask's configuration for this visitor. */
export const configRoutes = new Hono<AppContext>().get("/", (c) => {
  const site = findSite(c.req.query("site"));
  if (!site) return jsonError(c, 404, "unknown_site", "No site has this id.", "site");
  const country = (c.req.raw.cf as { country?: string } | undefined)?.country;
  const config = askConfig(
    site,
    { currency: c.req.query("currency"), lang: c.req.query("lang"), country },
    c.env.TURNSTILE_SITE_KEY ?? null,
  );
  // Without a way to email readers, the ask offers no reminder form.
  if (!mailCanReachReaders(c.env)) config.reminders = false;
  // With a currency in the URL the answer is the same for everyone: shared caches may keep it.
  // Without one it depends on the visitor's country, which most shared caches cannot key on
  // (Cloudflare's ignores Vary), so only the reader's own browser keeps it.
  if (c.req.query("currency"))
    c.header("Cache-Control", "public, max-age=60, s-maxage=300, stale-while-revalidate=600");
  else {
    c.header("Cache-Control", "private, max-age=60");
    c.header("Vary", "CF-IPCountry");
  }
  c.header("Access-Control-Allow-Origin", "*");
  return c.json(config);
});
