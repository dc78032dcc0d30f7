import { Hono } from "hono";
import { askConfig, pickCurrency, pickLanguage, targetsCountries } from "../core/ask-config";
import type { AppContext } from "../platform/env";
import { jsonError } from "../platform/http";
import { mailCanReachReaders } from "../platform/mail/transports";
import { findSite, liveSites, settingsVersion } from "../platform/sites";
import { answerWith, preparedAnswer } from "./cache";

/**
 * `GET /api/config?site=ID[&currency=XXX][&lang=xx][&thanks=1]`: the ask's configuration for this
 * visitor (`thanks=1` on the way back from Stripe adds what only the thank-you needs). Each answer
 * is built once per isolate and settings version (config/cache.ts) and served from memory after.
 */
export const configRoutes = new Hono<AppContext>().get("/", (c) => {
  const query = new URL(c.req.url).searchParams;
  const site = findSite(query.get("site"));
  const version = site && settingsVersion(site.id);
  if (!site || !version) return jsonError(c, 404, "unknown_site", "No site has this id.", "site");
  const country = (c.req.raw.cf as { country?: string } | undefined)?.country;
  const visitor = {
    currency: query.get("currency") ?? undefined,
    lang: query.get("lang") ?? undefined,
    country,
    thanks: query.get("thanks") === "1",
  };
  const turnstileKey = c.env.TURNSTILE_SITE_KEY ?? null;
  // Without a way to email readers, the ask offers no reminder form.
  const reminders = mailCanReachReaders(c.env);
  // With a currency in the URL the answer is the same for everyone: shared caches may keep it.
  // Without one it depends on the visitor's country, which most shared caches cannot key on
  // (Cloudflare's ignores Vary), so only the reader's own browser keeps it.
  // A site whose targets name countries carries the visitor's country in every answer.
  const byCountry = targetsCountries(site);
  const shared = visitor.currency !== undefined && !byCountry;
  const lang = pickLanguage(site, visitor.lang);
  const currency = pickCurrency(site, visitor.currency, country);
  const key = [
    site.id,
    version,
    lang,
    currency,
    byCountry ? (country ?? "") : "",
    visitor.thanks,
    shared,
    reminders,
    turnstileKey,
  ].join("\n");
  const prepared = preparedAnswer(key, () => {
    const config = askConfig(site, visitor, turnstileKey, liveSites().allocations.get(site.id)?.weights);
    if (!reminders) config.reminders = false;
    return {
      body: JSON.stringify(config),
      headers: {
        "Content-Type": "application/json",
        "Access-Control-Allow-Origin": "*",
        ...(shared
          ? { "Cache-Control": "public, max-age=60, s-maxage=300, stale-while-revalidate=600" }
          : { "Cache-Control": "private, max-age=60", Vary: "CF-IPCountry" }),
      },
    };
  });
  return answerWith(prepared, c.req.header("if-none-match"));
});
