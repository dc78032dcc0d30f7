import { Hono } from "hono";
import { type ReminderResponse, reminderRequestSchema } from "../core/contract";
import { firstLanguage, type Language } from "../core/languages";
import { isAllowedOrigin } from "../core/origins";
import { webhooksForReminder } from "../outgoing/deliver";
import { readerCors } from "../platform/cors";
import { database } from "../platform/db";
import { type AppContext, configuredOrigin } from "../platform/env";
import { clientIp, clientKey, jsonBody, jsonError, readJson, validationError } from "../platform/http";
import { mailCanReachReaders } from "../platform/mail/transports";
import { readerPageHeaders } from "../platform/page";
import { allSites, demoOrigins, findSite } from "../platform/sites";
import { verifyTurnstile } from "../platform/turnstile";
import { forgetHash } from "./forget";
import { isConfirmToken, isForgetToken } from "./links";
import { confirmDonePage, confirmFailedPage, confirmPage, forgetConfirmPage, forgetDonePage } from "./pages";
import { confirmHash, requestReminder } from "./request";
import { reminderDueAt, sendOnDate } from "./schedule";
import { confirmRequest, findUnconfirmed, forgetByHash } from "./store";

export type { ReminderResponse };

/**
 * `POST /api/reminders`: "Remind me later" by email, with double opt-in. The answer is always
 * the same 202 once the request is well-formed and allowed: the confirmation email is sent
 * after it (so its timing says nothing about the address), at most three a day per address.
 */
export const reminderRoutes = new Hono<AppContext>().use(readerCors).post("/", jsonBody(8192), async (c) => {
  const { success } = await c.env.FORM_LIMITER.limit({ key: `reminders:${clientKey(c)}` });
  if (!success) {
    c.header("Retry-After", "60");
    return jsonError(c, 429, "rate_limited", "Too many requests from this network. Try again in a minute.");
  }
  const body = await readJson(c);
  if (!body.ok) return jsonError(c, 400, "invalid_json", "The body must be a JSON object of at most 8 KB.");
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
  if (!mailCanReachReaders(c.env) || !configuredOrigin(c.env))
    return jsonError(c, 503, "mail_unavailable", "This site cannot send email right now.");
  if (c.env.TURNSTILE_SECRET_KEY) {
    const human = await verifyTurnstile(c.env.TURNSTILE_SECRET_KEY, input.turnstileToken, clientIp(c));
    if (!human) return jsonError(c, 403, "turnstile_failed", "We could not confirm this request came from a person.");
  }
  const now = Date.now();
  c.executionCtx.waitUntil(
    requestReminder(
      c.env,
      { site, email: input.email, lang: input.lang, when: input.when, pageUrl: input.pageUrl },
      now,
    ).catch((error) => console.error("reminders: request failed", error)),
  );
  const answer: ReminderResponse = {
    status: "confirmation_sent",
    when: input.when,
    sendOn: sendOnDate(reminderDueAt(input.when, now)),
  };
  return c.json(answer, 202);
});

/**
 * `GET|POST /r/confirm/:token`: the link in the confirmation email. A GET only shows a button
 * (mail scanners open every link); the POST confirms, once.
 */
export const confirmRoutes = new Hono<AppContext>()
  .use(readerPageHeaders())
  .get("/:token", (c) => {
    const { lang, siteName } = pageContext(c.req.query("site"), c.req.query("lang"));
    const action = `/r/confirm/${encodeURIComponent(c.req.param("token"))}?${new URL(c.req.url).searchParams}`;
    return c.html(confirmPage(lang, siteName, action));
  })
  .post("/:token", async (c) => {
    const { lang, siteName } = pageContext(c.req.query("site"), c.req.query("lang"));
    const token = c.req.param("token");
    const db = database(c.env.DB);
    const now = Date.now();
    const request = isConfirmToken(token) ? await findUnconfirmed(db, await confirmHash(token), now) : undefined;
    if (!request?.email) return c.html(confirmFailedPage(lang, siteName), 410);
    const dueAt = reminderDueAt(request.remindIn, now);
    const confirmed = await confirmRequest(
      db,
      { id: request.id, site: request.site, email: request.email },
      dueAt,
      now,
    );
    if (!confirmed) return c.html(confirmFailedPage(lang, siteName), 410);
    await webhooksForReminder(
      c.env,
      { ...request, email: request.email, remindOn: sendOnDate(dueAt) },
      (p) => c.executionCtx.waitUntil(p),
      now,
    );
    return c.html(confirmDonePage(lang, siteName, sendOnDate(dueAt)));
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
  const site = findSite(siteId) ?? allSites()[0];
  return { lang: firstLanguage(lang) ?? site?.defaultLanguage ?? "en", siteName: site?.name ?? "Reader Support" };
}
