import { html } from "hono/html";
import type { Language } from "../core/languages";
import type { Html } from "../platform/html";
import { readerPage } from "../platform/page";
import { statementLink } from "../supporter-mail/pages";

const COPY = {
  en: {
    title: "Manage your support",
    intro: (site: string) =>
      `Enter the email address you used when you started supporting ${site}. We will email you a link to a page where you can change the amount or how often you give, take a break, update your card or cancel.`,
    label: "Email address",
    hint: "The link works once, for 30 minutes.",
    submit: "Email me a link",
    invalidEmail: "Enter an email address like name@example.com.",
    sentTitle: "Check your inbox",
    sent: "If we know this address, a link is on its way. It works once, for 30 minutes.",
    sentNote: "Nothing arrived after a few minutes? Check your spam folder, or ask again.",
    again: "Ask for another link",
    confirmTitle: "Manage your support",
    confirm:
      "This opens a page where you can see your support and change the amount, switch between monthly and annual, take a break, update your card or cancel. It works for 30 minutes.",
    open: "Open my support",
    expired: "This link has expired",
    used: "This link was already used",
    invalid: "This link does not work",
    newLink: "Links work once and for 30 minutes. Ask for a new one:",
    stripeFailed: "We could not reach the payment provider",
    retry: "Please try again in a moment. Your link still works.",
    tooMany: "Too many requests",
    tooManyBody: "Please wait a minute and try again.",
    unknownSite: "This page needs a site",
    unknownSiteBody: "Open it from the link on the newsroom's site or in your receipt.",
  },
  ru: {
    title: "Управление поддержкой",
    intro: (site: string) =>
      `Введите адрес почты, с которым вы начали поддерживать ${site}. Мы пришлём ссылку на страницу, где можно изменить сумму или периодичность, сделать перерыв, сменить карту или отменить поддержку.`,
    label: "Адрес почты",
    hint: "Ссылка действует один раз и 30 минут.",
    submit: "Прислать ссылку",
    invalidEmail: "Введите адрес почты, например name@example.com.",
    sentTitle: "Проверьте почту",
    sent: "Если этот адрес нам известен, ссылка уже в пути. Она действует один раз и 30 минут.",
    sentNote: "Письмо не пришло за несколько минут? Проверьте папку «Спам» или запросите ещё раз.",
    again: "Запросить другую ссылку",
    confirmTitle: "Управление поддержкой",
    confirm:
      "Откроется страница вашей поддержки: там можно изменить сумму, перейти на ежемесячную или ежегодную поддержку, сделать перерыв, сменить карту или отменить поддержку. Она работает 30 минут.",
    open: "Открыть мою поддержку",
    expired: "Срок действия ссылки истёк",
    used: "Эта ссылка уже использована",
    invalid: "Эта ссылка не работает",
    newLink: "Ссылка действует один раз и 30 минут. Запросите новую:",
    stripeFailed: "Не удалось связаться с платёжной системой",
    retry: "Попробуйте ещё раз через минуту. Ссылка по-прежнему действует.",
    tooMany: "Слишком много запросов",
    tooManyBody: "Подождите минуту и попробуйте снова.",
    unknownSite: "Не указан сайт",
    unknownSiteBody: "Откройте эту страницу по ссылке на сайте редакции или в квитанции.",
  },
} satisfies Record<Language, unknown>;

type Ctx = { lang: Language; siteId: string; siteName: string; returnUrl: string };

/** The email form (also shown under an expired or used link). */
function requestForm(ctx: Ctx, options: { email?: string; error?: boolean } = {}): Html {
  const t = COPY[ctx.lang];
  const describedBy = options.error ? "email-error email-hint" : "email-hint";
  return html`<form method="post" action="/manage" novalidate>
<input type="hidden" name="site" value="${ctx.siteId}">
<input type="hidden" name="lang" value="${ctx.lang}">
<input type="hidden" name="return" value="${ctx.returnUrl}">
<label for="email">${t.label}</label>
${options.error ? html`<p id="email-error" class="status warn" role="alert">${t.invalidEmail}</p>` : ""}
<input id="email" name="email" type="email" autocomplete="email" required maxlength="254" spellcheck="false"
  value="${options.email ?? ""}" aria-describedby="${describedBy}"${options.error ? html` aria-invalid="true" autofocus` : ""}>
<p id="email-hint" class="hint">${t.hint}</p>
<button type="submit">${t.submit}</button>
</form>`;
}

/** `GET /manage`: what this is and the email form. */
export function requestPage(ctx: Ctx, options: { email?: string; error?: boolean } = {}): string {
  const t = COPY[ctx.lang];
  return readerPage({
    lang: ctx.lang,
    siteName: ctx.siteName,
    title: t.title,
    body: html`<h1>${t.title}</h1>
<p>${t.intro(ctx.siteName)}</p>
${requestForm(ctx, options)}
${statementLink(ctx.lang, ctx.siteId)}`,
  });
}

/** The one answer to every well-formed request, known address or not. */
export function sentPage(ctx: Ctx): string {
  const t = COPY[ctx.lang];
  const again = `/manage?site=${encodeURIComponent(ctx.siteId)}&lang=${ctx.lang}&return=${encodeURIComponent(ctx.returnUrl)}`;
  return readerPage({
    lang: ctx.lang,
    siteName: ctx.siteName,
    title: t.sentTitle,
    body: html`<h1>${t.sentTitle}</h1>
<p class="status" role="status">${t.sent}</p>
<p class="note">${t.sentNote}</p>
<p><a href="${again}">${t.again}</a></p>
${statementLink(ctx.lang, ctx.siteId)}`,
  });
}

/** `GET /manage/open/:token` for a live link: a button, because mail scanners open every GET link (and must use nothing). */
export function confirmPage(ctx: Ctx, action: string): string {
  const t = COPY[ctx.lang];
  return readerPage({
    lang: ctx.lang,
    siteName: ctx.siteName,
    title: t.confirmTitle,
    body: html`<h1>${t.confirmTitle}</h1>
<p>${t.confirm}</p>
<form method="post" action="${action}">
<button type="submit">${t.open}</button>
</form>`,
  });
}

/** An expired, used or broken link: say which, and offer a new one. */
export function deadLinkPage(ctx: Ctx, reason: "expired" | "used" | "invalid"): string {
  const t = COPY[ctx.lang];
  const title = t[reason];
  return readerPage({
    lang: ctx.lang,
    siteName: ctx.siteName,
    title,
    body: html`<h1>${title}</h1>
<p>${t.newLink}</p>
${requestForm(ctx)}`,
  });
}

/** Stripe did not answer; the link was given back, so the same button may be pressed again. */
export function stripeFailedPage(ctx: Ctx, action: string): string {
  const t = COPY[ctx.lang];
  return readerPage({
    lang: ctx.lang,
    siteName: ctx.siteName,
    title: t.stripeFailed,
    body: html`<h1>${t.stripeFailed}</h1>
<p class="status warn" role="alert">${t.retry}</p>
<form method="post" action="${action}">
<button type="submit">${t.open}</button>
</form>`,
  });
}

/** The per-client rate limit answer. */
export function tooManyPage(ctx: Ctx): string {
  const t = COPY[ctx.lang];
  return readerPage({
    lang: ctx.lang,
    siteName: ctx.siteName,
    title: t.tooMany,
    body: html`<h1>${t.tooMany}</h1>\n<p class="status warn" role="alert">${t.tooManyBody}</p>`,
  });
}

/** `/manage` without a known site. */
export function unknownSitePage(lang: Language): string {
  const t = COPY[lang];
  return readerPage({
    lang,
    siteName: "Reader Support",
    title: t.unknownSite,
    body: html`<h1>${t.unknownSite}</h1>\n<p>${t.unknownSiteBody}</p>`,
  });
}

export type { Ctx as ManagePageContext };
