import { html } from "hono/html";
import type { Language } from "../core/languages";
import type { Html } from "../platform/html";
import { readerPage } from "../platform/page";

/**
 * The reader pages behind the supporters' emails: the yearly statement form, the card-update
 * link of a failed renewal and the abandoned checkout's link. Plain HTML, no scripts; a GET only
 * shows a button (mail scanners open every link), the POST acts.
 */

const COPY = {
  en: {
    statementTitle: "A statement of your support",
    statementIntro: (site: string) =>
      `Enter the email address you support ${site} with, and choose a year. We will email you every payment you made that year, with any refunds.`,
    email: "Email address",
    year: "Year",
    statementHint: "Only that address receives the statement.",
    statementSubmit: "Email me my statement",
    invalid: "Enter an email address like name@example.com, and one of the years offered.",
    statementSentTitle: "Check your inbox",
    statementSent: (year: number) =>
      `If this address made payments to us in ${year}, a statement is on its way. It lists each one, with any refunds.`,
    statementAgain: "Ask for another year",
    manageLink: "Change your card or your support, or cancel it",
    statementLink: "Ask for a statement of a year's gifts",
    tooMany: "Too many requests",
    tooManyBody: "Please wait a minute and try again.",
    unknownSite: "This page needs a site",
    unknownSiteBody: "Open it from the link on the newsroom's site or in one of our emails.",
    cardTitle: "Update your card",
    cardBody:
      "This opens Stripe's secure page where you can enter a new card. The failed payment is then tried again with it.",
    cardButton: "Update my card",
    used: "This link was already used",
    expired: "This link has expired",
    invalidLink: "This link does not work",
    cardDead: "You can still update your card from the page where you manage your support:",
    stripeFailed: "We could not reach the payment provider",
    retry: "Please try again in a moment. Your link still works.",
    cardDoneTitle: "Thank you: your card is updated",
    cardDone: "The payment will be tried again with your new card. We will email you when it goes through.",
    back: "Back to the site",
    giveTitle: "Continue your support",
    giveBody: (site: string, choice: string) =>
      `You chose to give ${choice} to ${site}. This opens Stripe's secure payment page with the same choice.`,
    giveButton: "Continue to payment",
    giveDead: "You can still give from the site itself:",
    givenTitle: "Thank you: this support is in place",
    given: "You already completed this payment. There is nothing more to do.",
  },
  ru: {
    statementTitle: "Выписка о вашей поддержке",
    statementIntro: (site: string) =>
      `Введите адрес почты, с которым вы поддерживаете ${site}, и выберите год. Мы пришлём список всех ваших платежей за этот год и возвратов по ним.`,
    email: "Адрес почты",
    year: "Год",
    statementHint: "Выписку получит только этот адрес.",
    statementSubmit: "Прислать выписку",
    invalid: "Введите адрес почты, например name@example.com, и выберите один из предложенных годов.",
    statementSentTitle: "Проверьте почту",
    statementSent: (year: number) =>
      `Если с этого адреса были платежи в ${year} году, выписка уже в пути. В ней каждый платёж и возвраты по ним.`,
    statementAgain: "Запросить другой год",
    manageLink: "Сменить карту, изменить или отменить поддержку",
    statementLink: "Запросить выписку о пожертвованиях за год",
    tooMany: "Слишком много запросов",
    tooManyBody: "Подождите минуту и попробуйте снова.",
    unknownSite: "Не указан сайт",
    unknownSiteBody: "Откройте эту страницу по ссылке на сайте редакции или в одном из наших писем.",
    cardTitle: "Обновите карту",
    cardBody:
      "Откроется защищённая страница Stripe, где можно указать новую карту. Затем неудавшийся платёж будет повторён с неё.",
    cardButton: "Обновить карту",
    used: "Эта ссылка уже использована",
    expired: "Срок действия ссылки истёк",
    invalidLink: "Эта ссылка не работает",
    cardDead: "Обновить карту по-прежнему можно на странице управления поддержкой:",
    stripeFailed: "Не удалось связаться с платёжной системой",
    retry: "Попробуйте ещё раз через минуту. Ссылка по-прежнему действует.",
    cardDoneTitle: "Спасибо! Карта обновлена",
    cardDone: "Платёж будет повторён с новой карты. Мы напишем вам, когда он пройдёт.",
    back: "Вернуться на сайт",
    giveTitle: "Продолжить поддержку",
    giveBody: (site: string, choice: string) =>
      `Вы выбрали поддержать ${site}: ${choice}. Откроется защищённая страница оплаты Stripe с тем же выбором.`,
    giveButton: "Перейти к оплате",
    giveDead: "Поддержать нас по-прежнему можно на самом сайте:",
    givenTitle: "Спасибо! Поддержка уже оформлена",
    given: "Этот платёж вы уже совершили. Больше ничего делать не нужно.",
  },
} satisfies Record<Language, unknown>;

export type PageContext = { lang: Language; siteId: string; siteName: string };

const page = (ctx: PageContext, title: string, body: Html) =>
  readerPage({ lang: ctx.lang, siteName: ctx.siteName, title, body: html`<h1>${title}</h1>\n${body}` });

const query = (ctx: PageContext) => `site=${encodeURIComponent(ctx.siteId)}&lang=${ctx.lang}`;

/** The statement form. */
function statementForm(ctx: PageContext, years: number[], o: { email?: string; year?: number; error?: boolean }): Html {
  const t = COPY[ctx.lang];
  const described = o.error ? "statement-error statement-hint" : "statement-hint";
  return html`<form method="post" action="/manage/statement" novalidate>
<input type="hidden" name="site" value="${ctx.siteId}">
<input type="hidden" name="lang" value="${ctx.lang}">
${o.error ? html`<p id="statement-error" class="status warn" role="alert">${t.invalid}</p>` : ""}
<label for="email">${t.email}</label>
<input id="email" name="email" type="email" autocomplete="email" required maxlength="254" spellcheck="false"
  value="${o.email ?? ""}" aria-describedby="${described}"${o.error ? html` aria-invalid="true" autofocus` : ""}>
<label for="year" class="spaced">${t.year}</label>
<select id="year" name="year">
${years.map((y) => html`<option value="${y}"${y === (o.year ?? years[1] ?? years[0]) ? html` selected` : ""}>${y}</option>\n`)}</select>
<p id="statement-hint" class="hint">${t.statementHint}</p>
<button type="submit">${t.statementSubmit}</button>
</form>`;
}

/** `GET /manage/statement`: what this is and the form. */
export function statementPage(
  ctx: PageContext,
  years: number[],
  o: { email?: string; year?: number; error?: boolean } = {},
): string {
  const t = COPY[ctx.lang];
  return page(
    ctx,
    t.statementTitle,
    html`<p>${t.statementIntro(ctx.siteName)}</p>
${statementForm(ctx, years, o)}
<p class="note"><a href="/manage?${query(ctx)}">${t.manageLink}</a></p>`,
  );
}

/** The one answer to every well-formed statement request, whatever the address. */
export function statementSentPage(ctx: PageContext, year: number): string {
  const t = COPY[ctx.lang];
  return page(
    ctx,
    t.statementSentTitle,
    html`<p class="status" role="status">${t.statementSent(year)}</p>
<p><a href="/manage/statement?${query(ctx)}">${t.statementAgain}</a></p>`,
  );
}

/** The link to the statement form that the manage pages carry. */
export function statementLink(lang: Language, siteId: string): Html {
  return html`<p class="note"><a href="/manage/statement?site=${encodeURIComponent(siteId)}&amp;lang=${lang}">${COPY[lang].statementLink}</a></p>`;
}

export function tooManyPage(ctx: PageContext): string {
  const t = COPY[ctx.lang];
  return page(ctx, t.tooMany, html`<p class="status warn" role="alert">${t.tooManyBody}</p>`);
}

export function unknownSitePage(lang: Language): string {
  const t = COPY[lang];
  return page({ lang, siteId: "", siteName: "Reader Support" }, t.unknownSite, html`<p>${t.unknownSiteBody}</p>`);
}

/** A live card-update link: a button, so a mail scanner opening the link uses nothing. */
export function cardConfirmPage(ctx: PageContext, action: string): string {
  const t = COPY[ctx.lang];
  return page(
    ctx,
    t.cardTitle,
    html`<p>${t.cardBody}</p>
<form method="post" action="${action}">
<button type="submit">${t.cardButton}</button>
</form>`,
  );
}

/** A used, expired or broken card-update link: say which, and where the card can still be changed. */
export function cardDeadPage(ctx: PageContext, reason: "used" | "expired" | "invalid"): string {
  const t = COPY[ctx.lang];
  const title = reason === "invalid" ? t.invalidLink : t[reason];
  return page(ctx, title, html`<p>${t.cardDead}</p>\n<p><a href="/manage?${query(ctx)}">${t.manageLink}</a></p>`);
}

/** Stripe did not answer; the link was given back (card update) or still works (checkout). */
export function stripeFailedPage(ctx: PageContext, action: string, button: "card" | "give"): string {
  const t = COPY[ctx.lang];
  return page(
    ctx,
    t.stripeFailed,
    html`<p class="status warn" role="alert">${t.retry}</p>
<form method="post" action="${action}">
<button type="submit">${button === "card" ? t.cardButton : t.giveButton}</button>
</form>`,
  );
}

/** After a completed card update (Stripe's redirect). */
export function cardDonePage(ctx: PageContext, backUrl: string): string {
  const t = COPY[ctx.lang];
  return page(
    ctx,
    t.cardDoneTitle,
    html`<p class="status" role="status">${t.cardDone}</p>\n<p><a href="${backUrl}">${t.back}</a></p>`,
  );
}

/** A live recovery link: the choice, and a button that starts the checkout. */
export function giveConfirmPage(ctx: PageContext, choice: string, action: string): string {
  const t = COPY[ctx.lang];
  return page(
    ctx,
    t.giveTitle,
    html`<p>${t.giveBody(ctx.siteName, choice)}</p>
<form method="post" action="${action}">
<button type="submit">${t.giveButton}</button>
</form>`,
  );
}

/** An expired or broken recovery link. */
export function giveDeadPage(ctx: PageContext, reason: "expired" | "invalid", backUrl: string | null): string {
  const t = COPY[ctx.lang];
  const title = reason === "invalid" ? t.invalidLink : t.expired;
  return page(ctx, title, backUrl ? html`<p>${t.giveDead}</p>\n<p><a href="${backUrl}">${t.back}</a></p>` : html``);
}

/** The checkout this link started was paid: no second one. */
export function givenPage(ctx: PageContext, backUrl: string): string {
  const t = COPY[ctx.lang];
  return page(
    ctx,
    t.givenTitle,
    html`<p class="status" role="status">${t.given}</p>\n<p><a href="${backUrl}">${t.back}</a></p>`,
  );
}
