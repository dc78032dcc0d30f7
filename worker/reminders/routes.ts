import { Hono } from "hono";
import { reminderRequestSchema } from "../core/contract";
import { firstLanguage, type Language } from "../core/languages";
import { isAllowedOrigin } from "../core/origins";
import { readerCors } from "../platform/cors";
import { normalizeEmail } from "../platform/crypto";
import { database } from "../platform/db";
import { type AppContext, publicOrigin } from "../platform/env";
import { clientKey, jsonBody, jsonError, readJson, validationError } from "../platform/http";
import { readerPageHeaders } from "../platform/page";
import { demoOrigins, findSite, SITES } from "../platform/sites";
import { forgetHash, forgetToken } from "./forget";
import { isForgetToken } from "./links";
import { forgetConfirmPage, forgetDonePage } from "./pages";
import { reminderDueAt, sendOnDate } from "./schedule";
import { forgetByHash, upsertReminder } from "./store";

/** Response of `POST /api/reminders`: what the form tells the reader (one email, on this date). */
export type ReminderResponse = { status: "scheduled"; when: "next_week" | "next_month"; sendOn: string };

/** `POST /api/reminders`: "Remind me later" by email. */
export const reminderRoutes = new Hono<AppContext>().use(readerCors).post("/", jsonBody(4096), async (c) => {
  const { success } = await c.env.FORM_LIMITER.limit({ key: `reminders:${clientKey(c)}` });
  if (!success) {
    c.header("Retry-After", "60");
    return jsonError(c, 429, "rate_limited", "Too many requests from this network. Try again in a minute.");
  }
  const body = await readJson(c);
  if (!body.ok) return jsonError(c, 400, "invalid_json", "The body must be a JSON object of at most 4 KB.");
  const parsed = reminderRequestSchema.safeParse(body.value);
  if (!parsed.success) return validationError(c, parsed.error);
  const input = parsed.data;
  const site = findSite(input.site);
  if (!site) return jsonError(c, 400, "unknown_site", "No site has this id.", "site");
  const demo = demoOrigins(c.env);
  if (!isAllowedOrigin(site, c.req.header("origin"), demo))
    return jsonError(c, 403, "origin_not_allowed", "This page's origin may not ask for reminders for this site.");
  if (!isAllowedOrigin(site, input.pageUrl, demo))
    return jsonError(c, 400, "foreign_page_url", "pageUrl must be a page of this site.", "pageUrl");
  if (!site.reminders.enabled)
    return jsonError(c, 403, "reminders_disabled", "This site does not send reminder emails.");

  const now = Date.now();
  const email = normalizeEmail(input.email);
  const token = await forgetToken(c.env, site.id, email);
  const { dueAt } = await upsertReminder(database(c.env.DB), {
    site: site.id,
    email,
    lang: input.lang,
    remindIn: input.when,
    pageUrl: input.pageUrl,
    baseUrl: publicOrigin(c.env),
    forgetHash: await forgetHash(token),
    dueAt: reminderDueAt(input.when, now),
    now,
  });
  return c.json({ status: "scheduled", when: input.when, sendOn: sendOnDate(dueAt) } satisfies ReminderResponse, 201);
});

/**
 * `GET|POST /r/forget/:token`: the forget-me page linked from the reminder email and its
 * List-Unsubscribe header. A GET only shows a button, so mail scanners change nothing.
 */
export const forgetRoutes = new Hono<AppContext>()
  .use(readerPageHeaders())
  .get("/:token", (c) => {
    const { lang, siteName } = pageContext(c.req.query("site"), c.req.query("lang"));
    const token = c.req.param("token");
    const action = `/r/forget/${encodeURIComponent(token)}?${new URL(c.req.url).searchParams}`;
    return c.html(forgetConfirmPage(lang, siteName, action));
  })
  // The confirmation form and RFC 8058 one-click unsubscribe (body `List-Unsubscribe=One-Click`) both land here.
  .post("/:token", async (c) => {
    const { lang, siteName } = pageContext(c.req.query("site"), c.req.query("lang"));
    const token = c.req.param("token");
    if (isForgetToken(token)) await forgetByHash(database(c.env.DB), await forgetHash(token), Date.now());
    // The same answer whether or not anything was pending: the page reveals nothing about the address.
    return c.html(forgetDonePage(lang, siteName));
  });

function pageContext(siteId: string | undefined, lang: string | undefined): { lang: Language; siteName: string } {
  const site = findSite(siteId) ?? SITES[0];
  return { lang: firstLanguage(lang) ?? site?.defaultLanguage ?? "en", siteName: site?.name ?? "Reader Support" };
}
