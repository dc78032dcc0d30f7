import { type Context, Hono } from "hono";
import { deleteCookie, getCookie } from "hono/cookie";
import { csrf } from "hono/csrf";
import { html } from "hono/html";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { firstLanguage, type Language } from "../core/languages";
import {
  checkNewAmount,
  longDate,
  PAUSE_MONTHS,
  type PauseMonths,
  type RecurringFrequency,
} from "../core/self-service";
import { reducedAmount } from "../core/upsell";
import { linkSecret, randomToken } from "../platform/crypto";
import { database } from "../platform/db";
import { type AppContext, publicOrigin } from "../platform/env";
import { clientKey, jsonError } from "../platform/http";
import { fromHeader } from "../platform/mail/message";
import { sendMail } from "../platform/mail/send";
import { mailFrom, transportFor } from "../platform/mail/transports";
import type { ReaderPageEnv } from "../platform/page";
import { findSite } from "../platform/sites";
import { type ChangeKind, renderChangeEmail } from "./change-email";
import { MANAGE_COOKIE, MANAGE_COOKIE_OPTIONS, type ManageSession, readManageSession } from "./session";
import { applyChange, cardUpdateUrl, loadSupport, type Support, type SupportChange } from "./support";
import {
  CANCEL_REASONS,
  type CancelReason,
  cancelPage,
  cardReturnPage,
  DONE,
  type Done,
  manageErrorPage,
  perPeriod,
  saveOfferPage,
  supportPage,
} from "./support-pages";

type Env = AppContext & ReaderPageEnv;
type Ctx = Context<Env>;

const COPY = {
  en: {
    noSession: "Your session has ended",
    noSessionBody:
      "For your security, this page works for 30 minutes after you open the link we emailed. Ask for a new link:",
    newLink: "Ask for a new link",
    notYours: "This is not your support",
    notYoursBody: "This page can only change the support the emailed link opened. Nothing was changed.",
    unknownSite: "This page needs a site",
    unknownSiteBody: "The site of this support is not configured here any more. Nothing was changed.",
    stripeFailed: "We could not reach the payment provider",
    stripeFailedBody: "Nothing was changed. Please try again in a moment.",
    ended: "This support has ended; there is nothing left to change.",
    badForm: "This form is out of date. Reload the page and try again.",
    badFrequency: "Choose monthly or annual support.",
    badMonths: "Choose a pause of 1, 2 or 3 months.",
    badReason: "Choose one of the reasons offered, or none.",
    longComment: "Keep your note under 500 characters.",
    noOffer: "This offer is not available for your support.",
    tooMany: "Too many changes from this network. Please wait a minute.",
    monthlyOnly: "Breaks are for monthly support; annual support is paid once a year.",
  },
  ru: {
    noSession: "Сеанс завершён",
    noSessionBody:
      "Для вашей безопасности эта страница работает 30 минут после перехода по ссылке из письма. Запросите новую ссылку:",
    newLink: "Запросить новую ссылку",
    notYours: "Это не ваша поддержка",
    notYoursBody:
      "На этой странице можно изменить только ту поддержку, которую открыла ссылка из письма. Ничего не изменилось.",
    unknownSite: "Не указан сайт",
    unknownSiteBody: "Сайт этой поддержки здесь больше не настроен. Ничего не изменилось.",
    stripeFailed: "Не удалось связаться с платёжной системой",
    stripeFailedBody: "Ничего не изменилось. Попробуйте ещё раз через минуту.",
    ended: "Эта поддержка завершена; менять больше нечего.",
    badForm: "Форма устарела. Обновите страницу и попробуйте снова.",
    badFrequency: "Выберите ежемесячную или ежегодную поддержку.",
    badMonths: "Выберите перерыв на 1, 2 или 3 месяца.",
    badReason: "Выберите одну из предложенных причин или не выбирайте ни одной.",
    longComment: "Сократите комментарий до 500 символов.",
    noOffer: "Это предложение недоступно для вашей поддержки.",
    tooMany: "Слишком много изменений из этой сети. Подождите минуту.",
    monthlyOnly: "Перерыв возможен только для ежемесячной поддержки; ежегодная оплачивается раз в год.",
  },
} satisfies Record<Language, unknown>;

const wantsJson = (c: Ctx) => (c.req.header("accept") ?? "").includes("application/json");
const langOf = (c: Ctx, form?: Record<string, unknown>) =>
  firstLanguage(typeof form?.lang === "string" ? form.lang : c.req.query("lang"), c.req.header("accept-language"));

/**
 * A refusal: JSON `{error}` for clients that ask for JSON, else the page in words — the support
 * page with the message announced when the support is known, a short page otherwise.
 */
function refuse(
  c: Ctx,
  status: ContentfulStatusCode,
  code: string,
  message: string,
  options: { field?: string; support?: Support; lang?: Language; title?: string } = {},
) {
  if (wantsJson(c)) return jsonError(c, status, code, message, options.field);
  const lang = options.lang ?? "en";
  if (options.support)
    return c.html(
      supportPage(options.support, {
        lang,
        nonce: randomToken(16),
        now: Date.now(),
        error: { message, field: options.field },
      }),
      status,
    );
  const t = COPY[lang];
  const again = html`<p><a href="/manage?lang=${lang}">${t.newLink}</a></p>`;
  return c.html(manageErrorPage(lang, "Reader Support", options.title ?? message, message, again), status);
}

/** The session of the request, or the refusal to answer with. */
async function sessionOf(c: Ctx, lang: Language): Promise<ManageSession | Response> {
  const read = await readManageSession(linkSecret(c.env), getCookie(c, MANAGE_COOKIE), Date.now());
  if (read.ok) return read.session;
  const t = COPY[lang];
  const site = findSite(c.req.query("site"));
  const link = `/manage?${new URLSearchParams({ ...(site ? { site: site.id } : {}), lang })}`;
  const body = html`<p>${t.noSessionBody}</p><p><a href="${link}">${t.newLink}</a></p>`;
  if (wantsJson(c))
    return jsonError(
      c,
      401,
      read.reason === "expired" ? "session_expired" : "session_required",
      `${t.noSession}: ask for a new link.`,
    );
  return c.html(manageErrorPage(lang, site?.name ?? "Reader Support", t.noSession, t.noSession, body), 401);
}

/** The session's support, or the refusal to answer with. */
async function supportOf(c: Ctx, lang: Language): Promise<Support | Response> {
  const session = await sessionOf(c, lang);
  if (session instanceof Response) return session;
  const t = COPY[lang];
  const support = await loadSupport(c.env, session);
  if ("problem" in support) {
    if (support.problem === "unknown_site")
      return refuse(c, 404, "unknown_site", t.unknownSiteBody, { lang, title: t.unknownSite });
    if (support.problem === "not_yours")
      return refuse(c, 403, "not_your_subscription", t.notYoursBody, { lang, title: t.notYours });
    return refuse(c, 502, "payment_provider_unavailable", t.stripeFailedBody, { lang, title: t.stripeFailed });
  }
  return support;
}

const supportUrl = (lang: Language, done?: Done) =>
  `/manage/support?${new URLSearchParams({ lang, ...(done ? { done } : {}) })}`;

/** The change confirmation, sent once per form (its nonce), with the support as Stripe now has it. */
async function confirmByEmail(c: Ctx, session: ManageSession, kind: ChangeKind, lang: Language, nonce: string) {
  const support = await loadSupport(c.env, session);
  if ("problem" in support) return;
  if (!support.email) return console.error("manage: no address to confirm a change to", session.pledgeId);
  const date = (ms: number | null) => (ms === null ? null : longDate(ms, lang));
  const origin = publicOrigin(c.env);
  const message = renderChangeEmail({
    lang,
    siteName: support.site.name,
    kind,
    facts: {
      amount: perPeriod(support, support.total, lang),
      next: date(support.nextPayment),
      resumes: date(support.resumesAt),
      ends: date(support.cancelAt),
    },
    manageUrl: `${origin}/manage?${new URLSearchParams({ site: support.site.id, lang })}`,
  });
  const db = database(c.env.DB);
  const outcome = await sendMail(
    db,
    transportFor(c.env),
    {
      kind: "change",
      site: support.site.id,
      from: fromHeader(support.site.name, mailFrom(c.env)),
      to: support.email,
      ...message,
    },
    `change:${session.subscriptionId}:${nonce}`,
    Date.now(),
  );
  if (outcome.status === "failed") console.error("manage: change email failed", outcome.error);
}

const KIND_OF: Record<SupportChange["kind"], ChangeKind> = {
  amount: "amount",
  frequency: "frequency",
  pause: "pause",
  resume: "resume",
  cancel: "cancel",
  keep: "keep",
};

/**
 * Makes one change through Stripe and answers with the page that says so (303); then emails the
 * confirmation. Stripe failing changes nothing here and says so (502).
 */
async function change(
  c: Ctx,
  support: Support,
  what: SupportChange,
  lang: Language,
  nonce: string,
  done: Done,
): Promise<Response> {
  try {
    await applyChange(c.env, support, what, Date.now());
  } catch (error) {
    console.error("manage: Stripe refused a change", error instanceof Error ? error.message : error);
    return refuse(c, 502, "payment_provider_unavailable", COPY[lang].stripeFailedBody, { lang, support });
  }
  c.executionCtx.waitUntil(
    confirmByEmail(c, support.session, KIND_OF[what.kind], lang, nonce).catch((error) =>
      console.error("manage: change email failed", error),
    ),
  );
  return c.redirect(supportUrl(lang, done), 303);
}

/** What every change form carries, checked before anything else. */
async function formOf(c: Ctx) {
  const form = (await c.req.parseBody().catch(() => ({}))) as Record<string, unknown>;
  const str = (key: string) => (typeof form[key] === "string" ? (form[key] as string) : undefined);
  return { form, str, lang: langOf(c, form) ?? "en" };
}

/**
 * `/manage/support`: the supporter's page after an emailed link opened their session, and one POST
 * route per change. Each POST must come from our own page (Hono's `csrf`), carry the session's
 * cookie and name the session's subscription; anything else is refused with a 4xx and changes
 * nothing. Pages answer in words; clients that send `Accept: application/json` get `{error}`.
 */
export const supportRoutes = new Hono<Env>()
  .use(csrf())
  .get("/", async (c) => {
    const lang = langOf(c) ?? "en";
    const support = await supportOf(c, lang);
    if (support instanceof Response) return support;
    const done = c.req.query("done");
    c.set("formLeavesSite", true);
    return c.html(
      supportPage(support, {
        lang,
        nonce: randomToken(16),
        now: Date.now(),
        done: (DONE as readonly string[]).includes(done ?? "") ? (done as Done) : undefined,
      }),
    );
  })
  // Back from Stripe's card page: a cross-site navigation, which never carries the SameSite=Strict
  // cookie, so this page needs no session; its link back is same-site, and the cookie comes along.
  .get("/returned", (c) => {
    const lang = langOf(c) ?? "en";
    return c.html(
      cardReturnPage(lang, findSite(c.req.query("site"))?.name ?? "Reader Support", supportUrl(lang, "card")),
    );
  })
  .get("/cancel", async (c) => {
    const lang = langOf(c) ?? "en";
    const support = await supportOf(c, lang);
    if (support instanceof Response) return support;
    if (support.ended || support.cancelAtPeriodEnd) return c.redirect(supportUrl(lang), 303);
    return c.html(cancelPage(support, { lang, nonce: randomToken(16), now: Date.now() }));
  })
  .post("/sign-out", async (c) => {
    const { lang } = await formOf(c);
    const session = await readManageSession(linkSecret(c.env), getCookie(c, MANAGE_COOKIE), Date.now());
    deleteCookie(c, MANAGE_COOKIE, MANAGE_COOKIE_OPTIONS);
    const site = session.ok ? session.session.site : undefined;
    return c.redirect(`/manage?${new URLSearchParams({ ...(site ? { site } : {}), lang })}`, 303);
  })
  .post("/:action{amount|frequency|pause|resume|cancel|offer|keep|card}", async (c) => {
    const { str, lang } = await formOf(c);
    const t = COPY[lang];
    const support = await supportOf(c, lang);
    if (support instanceof Response) return support;
    // A form names the subscription it was made for: only the session's own may be changed.
    if (str("subscription") !== support.session.subscriptionId)
      return refuse(c, 403, "not_your_subscription", t.notYoursBody, {
        lang,
        title: t.notYours,
        field: "subscription",
      });
    const nonce = str("nonce") ?? "";
    if (!/^[A-Za-z0-9_-]{16,64}$/.test(nonce)) return refuse(c, 400, "invalid_form", t.badForm, { lang, support });
    const { success } = await c.env.FORM_LIMITER.limit({ key: `manage-change:${clientKey(c)}` });
    if (!success) return refuse(c, 429, "rate_limited", t.tooMany, { lang, support });
    if (support.ended) return refuse(c, 409, "support_ended", t.ended, { lang, support });
    const site = support.site;

    switch (c.req.param("action")) {
      case "amount": {
        const checked = checkNewAmount(site, support.currency, str("amount") ?? "");
        if (!checked.ok)
          return refuse(c, 400, checked.error.code, checked.error.message, { lang, support, field: "amount" });
        // The same amount again (a second press) changes nothing.
        if (checked.amount === support.gift) return c.redirect(supportUrl(lang, "amount"), 303);
        return change(c, support, { kind: "amount", gift: checked.amount }, lang, nonce, "amount");
      }
      case "frequency": {
        const to = str("frequency");
        if ((to !== "monthly" && to !== "annual") || !site.frequencies.includes(to))
          return refuse(c, 400, "invalid_frequency", t.badFrequency, { lang, support, field: "frequency" });
        const checked = checkNewAmount(site, support.currency, str("amount") ?? "");
        if (!checked.ok)
          return refuse(c, 400, checked.error.code, checked.error.message, { lang, support, field: "amount" });
        if (to === support.frequency && checked.amount === support.gift)
          return c.redirect(supportUrl(lang, "frequency"), 303);
        return change(
          c,
          support,
          { kind: "frequency", frequency: to as RecurringFrequency, gift: checked.amount },
          lang,
          nonce,
          "frequency",
        );
      }
      case "pause": {
        const months = Number(str("months"));
        if (!(PAUSE_MONTHS as readonly number[]).includes(months))
          return refuse(c, 400, "invalid_months", t.badMonths, { lang, support, field: "months" });
        if (support.paused) return c.redirect(supportUrl(lang, "pause"), 303);
        if (support.frequency !== "monthly")
          return refuse(c, 409, "pause_monthly_only", t.monthlyOnly, { lang, support, field: "months" });
        return change(c, support, { kind: "pause", months: months as PauseMonths }, lang, nonce, "pause");
      }
      case "resume":
        if (!support.paused) return c.redirect(supportUrl(lang, "resume"), 303);
        return change(c, support, { kind: "resume" }, lang, nonce, "resume");
      case "keep":
        if (!support.cancelAtPeriodEnd) return c.redirect(supportUrl(lang, "keep"), 303);
        return change(c, support, { kind: "keep" }, lang, nonce, "keep");
      case "cancel": {
        const reason = str("reason") || null;
        if (reason !== null && !(CANCEL_REASONS as readonly string[]).includes(reason))
          return refuse(c, 400, "invalid_reason", t.badReason, { lang, support, field: "reason" });
        const comment = (str("comment") ?? "").trim() || null;
        if (comment !== null && comment.length > 500)
          return refuse(c, 400, "comment_too_long", t.longComment, { lang, support, field: "comment" });
        if (support.cancelAtPeriodEnd) return c.redirect(supportUrl(lang, "cancel"), 303);
        const offer = saveOfferFor(support);
        // One offer to give less or pause, before the cancellation takes effect.
        if (str("step") !== "confirm" && (offer.reduceTo !== null || offer.pauseMonths !== null))
          return c.html(
            saveOfferPage(support, {
              lang,
              nonce: randomToken(16),
              now: Date.now(),
              ...offer,
              reason: reason as CancelReason | null,
              comment,
            }),
          );
        const offered = str("step") === "confirm" && (offer.reduceTo !== null || offer.pauseMonths !== null);
        return change(c, support, { kind: "cancel", reason, comment, offered }, lang, nonce, "cancel");
      }
      case "offer": {
        const offer = saveOfferFor(support);
        const choice = str("choice");
        if (choice === "reduce" && offer.reduceTo !== null)
          return change(
            c,
            support,
            { kind: "amount", gift: offer.reduceTo, saveOffer: "accepted_reduce" },
            lang,
            nonce,
            "amount",
          );
        if (choice === "pause" && offer.pauseMonths !== null)
          return change(
            c,
            support,
            { kind: "pause", months: offer.pauseMonths as PauseMonths, saveOffer: "accepted_pause" },
            lang,
            nonce,
            "pause",
          );
        return refuse(c, 400, "offer_not_available", t.noOffer, { lang, support, field: "choice" });
      }
      case "card": {
        const back = `${publicOrigin(c.env)}/manage/support/returned?${new URLSearchParams({ site: site.id, lang })}`;
        try {
          return c.redirect(await cardUpdateUrl(c.env, support, back, lang), 303);
        } catch (error) {
          console.error("manage: card portal failed", error instanceof Error ? error.message : error);
          return refuse(c, 502, "payment_provider_unavailable", t.stripeFailedBody, { lang, support });
        }
      }
    }
    return refuse(c, 404, "not_found", "There is nothing at this address.", { lang });
  });

/** What the site's save offer holds for this support: a smaller gift and/or a pause of monthly support (null: not offered). */
export function saveOfferFor(support: Support): { reduceTo: number | null; pauseMonths: number | null } {
  const rule = support.site.saveOffer;
  const settings = support.site.currencies[support.currency];
  const reduceTo =
    rule.reduce && settings ? reducedAmount(support.gift, rule.reducePercent, settings.min, settings.max) : null;
  return {
    reduceTo,
    pauseMonths: rule.pause && !support.paused && support.frequency === "monthly" ? rule.pauseMonths : null,
  };
}
