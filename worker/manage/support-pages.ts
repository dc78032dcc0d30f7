import { html } from "hono/html";
import { currencyDecimals, isCurrencyCode } from "../core/currencies";
import type { Language } from "../core/languages";
import { formatMoney } from "../core/money";
import { longDate, nextPaymentAt, PAUSE_MONTHS, pauseEnd, switchedAmount } from "../core/self-service";
import type { Html } from "../platform/html";
import { readerPage } from "../platform/page";
import type { Support } from "./support";

/**
 * The supporter's own page at /manage/support and its cancel and save-offer steps: plain HTML
 * forms (no scripts), each carrying the session's subscription id and a one-time nonce. Pure:
 * everything shown comes from `Support` (Stripe and the ledger) and `now`.
 */

/** The reasons a supporter may give, as Stripe's `cancellation_details.feedback` names them. */
export const CANCEL_REASONS = ["too_expensive", "unused", "low_quality", "other"] as const;
export type CancelReason = (typeof CANCEL_REASONS)[number];

/** What the page says after each change (`?done=`). */
export const DONE = ["amount", "frequency", "pause", "resume", "cancel", "keep", "card"] as const;
export type Done = (typeof DONE)[number];

const COPY = {
  en: {
    title: "Your support",
    amount: "Amount",
    perMonth: (m: string) => `${m} a month`,
    perYear: (m: string) => `${m} a year`,
    withFee: (gift: string, fee: string) => `your ${gift} gift and ${fee} to cover processing fees`,
    next: "Next payment",
    pausedUntil: (until: string, next: string) => `Paused until ${until}; then on ${next}`,
    pausedOpen: "Paused",
    ends: (date: string) => `None: your support ends on ${date}`,
    paymentsSoFar: "Payments so far",
    payments: (n: number, total: string) =>
      n === 0 ? "None yet" : `${n} ${n === 1 ? "payment" : "payments"}, ${total} in total`,
    changeAmount: "Change the amount",
    newAmount: (f: "monthly" | "annual", currency: string) =>
      `New amount per ${f === "annual" ? "year" : "month"} (${currency})`,
    amountHint: (min: string, max: string, next: string | null) =>
      `Between ${min} and ${max}. ${next ? `It applies from your next payment on ${next}; nothing is charged now.` : "It applies from your next payment; nothing is charged now."}`,
    saveAmount: "Change the amount",
    coverNote: (fee: string) => `You also cover processing fees (${fee} now); that part follows the new amount.`,
    howOften: "How often",
    youGive: (f: "monthly" | "annual") => (f === "annual" ? "You give once a year." : "You give every month."),
    switchAmount: (to: "monthly" | "annual", currency: string) =>
      `Amount per ${to === "annual" ? "year" : "month"} (${currency})`,
    switchHint: (to: "monthly" | "annual", next: string | null) =>
      `${to === "annual" ? "Yearly" : "Monthly"} payments start with your next payment${next ? ` on ${next}` : ""}; nothing is charged now.`,
    switchTo: (to: "monthly" | "annual") => (to === "annual" ? "Switch to annual" : "Switch to monthly"),
    pause: "Take a break",
    pauseLegend: "Pause payments for",
    pauseOption: (months: number, next: string | null) =>
      `${months} ${months === 1 ? "month" : "months"}${next ? ` (next payment on ${next})` : ""}`,
    pauseButton: "Pause payments",
    pausedNote: (until: string) => `Your payments are paused until ${until}.`,
    annualBreak: (next: string) =>
      `Breaks are for monthly support: annual support is paid once a year, next on ${next}. To skip it, switch to monthly and pause, or cancel before then.`,
    resume: "Resume payments now",
    card: "Payment card",
    cardNote: "Change the card your support is paid with, on Stripe's secure page.",
    cardButton: "Update my card",
    stop: "Stop supporting",
    endsNote: (date: string) => `Your support ends on ${date}. No further payments will be taken.`,
    keep: "Keep my support",
    cancelLink: "Cancel my support",
    statement: "Your yearly statement",
    signOut: "Sign out",
    ended: "Your support has ended",
    endedBody: (site: string) => `Thank you for supporting ${site}. Nothing more will be charged.`,
    done: {
      amount: (amount: string, next: string | null) =>
        `Done. From your next payment${next ? ` on ${next}` : ""} you give ${amount}. Nothing is charged now. We've emailed you a confirmation.`,
      frequency: (amount: string, next: string | null) =>
        `Done. From your next payment${next ? ` on ${next}` : ""} you give ${amount}. Nothing is charged now. We've emailed you a confirmation.`,
      pause: (until: string, next: string | null) =>
        `Done. Your payments are paused until ${until}.${next ? ` Your next payment is on ${next}.` : ""} We've emailed you a confirmation.`,
      resume: (next: string | null) =>
        `Done. Your payments are back on.${next ? ` Your next payment is on ${next}.` : ""} We've emailed you a confirmation.`,
      cancel: (end: string, site: string) =>
        `Your support ends on ${end}; no further payments will be taken. Thank you for supporting ${site}. We've emailed you a confirmation.`,
      keep: (next: string | null) =>
        `Done. Your support continues.${next ? ` Your next payment is on ${next}.` : ""} We've emailed you a confirmation.`,
      card: "If you saved a new card, your next payment will use it.",
    },
    cancelTitle: "Cancel your support",
    cancelIntro: (end: string | null) =>
      end
        ? `Your support continues until ${end}, the end of the period you paid for. No payments are taken after that.`
        : "No payments are taken after you cancel.",
    reasonLegend: "Why are you cancelling? (optional)",
    reasons: {
      too_expensive: "It costs too much for me right now",
      unused: "I don't read enough",
      low_quality: "I'm not happy with the journalism",
      other: "Another reason",
    } satisfies Record<CancelReason, string>,
    comment: "Anything you'd like to tell us? (optional)",
    continue: "Continue",
    back: "Keep my support and go back",
    offerTitle: "Before you go",
    offerIntro: (n: number) => `Would ${n > 1 ? "one of these" : "this"} suit you better? Nothing is charged now.`,
    offerReduce: (amount: string) => `Give ${amount} instead`,
    offerReduceHint: (next: string | null) => `From your next payment${next ? ` on ${next}` : ""}.`,
    offerPause: (months: number) => `Pause for ${months} ${months === 1 ? "month" : "months"}`,
    offerPauseHint: (next: string | null) => (next ? `Your next payment would be on ${next}.` : ""),
    offerDecline: "No thanks, cancel my support",
    errorTitle: "That didn't work",
    returnedTitle: "Back from Stripe",
    returned: "If you saved a new card, your next payment will use it.",
    backToSupport: "Back to your support",
  },
  ru: {
    title: "Ваша поддержка",
    amount: "Сумма",
    perMonth: (m: string) => `${m} в месяц`,
    perYear: (m: string) => `${m} в год`,
    withFee: (gift: string, fee: string) => `ваш взнос ${gift} и ${fee} на покрытие комиссии`,
    next: "Следующий платёж",
    pausedUntil: (until: string, next: string) => `Приостановлено до ${until}; затем ${next}`,
    pausedOpen: "Приостановлено",
    ends: (date: string) => `Нет: поддержка завершится ${date}`,
    paymentsSoFar: "Платежей уже",
    payments: (n: number, total: string) => (n === 0 ? "Пока нет" : `${n}, всего ${total}`),
    changeAmount: "Изменить сумму",
    newAmount: (f: "monthly" | "annual", currency: string) =>
      `Новая сумма ${f === "annual" ? "в год" : "в месяц"} (${currency})`,
    amountHint: (min: string, max: string, next: string | null) =>
      `От ${min} до ${max}. ${next ? `Новая сумма действует со следующего платежа ${next}; сейчас ничего не списывается.` : "Новая сумма действует со следующего платежа; сейчас ничего не списывается."}`,
    saveAmount: "Изменить сумму",
    coverNote: (fee: string) => `Вы также покрываете комиссию (сейчас ${fee}); она пересчитается от новой суммы.`,
    howOften: "Как часто",
    youGive: (f: "monthly" | "annual") =>
      f === "annual" ? "Вы поддерживаете раз в год." : "Вы поддерживаете каждый месяц.",
    switchAmount: (to: "monthly" | "annual", currency: string) =>
      `Сумма ${to === "annual" ? "в год" : "в месяц"} (${currency})`,
    switchHint: (to: "monthly" | "annual", next: string | null) =>
      `${to === "annual" ? "Ежегодные" : "Ежемесячные"} платежи начнутся со следующего платежа${next ? ` ${next}` : ""}; сейчас ничего не списывается.`,
    switchTo: (to: "monthly" | "annual") => (to === "annual" ? "Перейти на ежегодную" : "Перейти на ежемесячную"),
    pause: "Сделать перерыв",
    pauseLegend: "Приостановить платежи на",
    pauseOption: (months: number, next: string | null) =>
      `${months} ${months === 1 ? "месяц" : "месяца"}${next ? ` (следующий платёж ${next})` : ""}`,
    pauseButton: "Приостановить платежи",
    pausedNote: (until: string) => `Платежи приостановлены до ${until}.`,
    annualBreak: (next: string) =>
      `Перерыв возможен для ежемесячной поддержки: ежегодная оплачивается раз в год, следующий платёж — ${next}. Чтобы его пропустить, перейдите на ежемесячную поддержку и сделайте перерыв или отмените поддержку до этой даты.`,
    resume: "Возобновить платежи сейчас",
    card: "Карта",
    cardNote: "Смените карту для платежей на защищённой странице Stripe.",
    cardButton: "Сменить карту",
    stop: "Прекратить поддержку",
    endsNote: (date: string) => `Поддержка завершится ${date}. Больше платежей не будет.`,
    keep: "Продолжить поддержку",
    cancelLink: "Отменить поддержку",
    statement: "Годовая выписка",
    signOut: "Выйти",
    ended: "Ваша поддержка завершена",
    endedBody: (site: string) => `Спасибо, что поддерживали ${site}. Больше ничего не спишется.`,
    done: {
      amount: (amount: string, next: string | null) =>
        `Готово. Со следующего платежа${next ? ` ${next}` : ""} вы поддерживаете на ${amount}. Сейчас ничего не списывается. Мы отправили вам подтверждение.`,
      frequency: (amount: string, next: string | null) =>
        `Готово. Со следующего платежа${next ? ` ${next}` : ""} вы поддерживаете на ${amount}. Сейчас ничего не списывается. Мы отправили вам подтверждение.`,
      pause: (until: string, next: string | null) =>
        `Готово. Платежи приостановлены до ${until}.${next ? ` Следующий платёж — ${next}.` : ""} Мы отправили вам подтверждение.`,
      resume: (next: string | null) =>
        `Готово. Платежи возобновлены.${next ? ` Следующий платёж — ${next}.` : ""} Мы отправили вам подтверждение.`,
      cancel: (end: string, site: string) =>
        `Поддержка завершится ${end}; больше платежей не будет. Спасибо, что поддерживаете ${site}. Мы отправили вам подтверждение.`,
      keep: (next: string | null) =>
        `Готово. Поддержка продолжается.${next ? ` Следующий платёж — ${next}.` : ""} Мы отправили вам подтверждение.`,
      card: "Если вы сохранили новую карту, следующий платёж пройдёт по ней.",
    },
    cancelTitle: "Отмена поддержки",
    cancelIntro: (end: string | null) =>
      end
        ? `Поддержка продолжится до ${end} — до конца оплаченного периода. После этого платежей не будет.`
        : "После отмены платежей не будет.",
    reasonLegend: "Почему вы отменяете? (необязательно)",
    reasons: {
      too_expensive: "Сейчас это слишком дорого для меня",
      unused: "Я мало читаю",
      low_quality: "Мне не нравится журналистика",
      other: "Другая причина",
    } satisfies Record<CancelReason, string>,
    comment: "Хотите что-нибудь нам сказать? (необязательно)",
    continue: "Продолжить",
    back: "Оставить поддержку и вернуться",
    offerTitle: "Прежде чем уйти",
    offerIntro: (n: number) =>
      `Может быть, вам подойдёт ${n > 1 ? "один из этих вариантов" : "такой вариант"}? Сейчас ничего не списывается.`,
    offerReduce: (amount: string) => `Поддерживать на ${amount}`,
    offerReduceHint: (next: string | null) => `Со следующего платежа${next ? ` ${next}` : ""}.`,
    offerPause: (months: number) => `Приостановить на ${months} ${months === 1 ? "месяц" : "месяца"}`,
    offerPauseHint: (next: string | null) => (next ? `Следующий платёж будет ${next}.` : ""),
    offerDecline: "Нет, спасибо, отменить поддержку",
    errorTitle: "Не получилось",
    returnedTitle: "Вы вернулись со страницы Stripe",
    returned: "Если вы сохранили новую карту, следующий платёж пройдёт по ней.",
    backToSupport: "Вернуться к поддержке",
  },
} satisfies Record<Language, unknown>;

export type SupportPageContext = { lang: Language; nonce: string; now: number };

const moneyIn = (support: Pick<Support, "currency">, lang: Language) => (n: number) =>
  formatMoney(n, support.currency, lang, isCurrencyCode(support.currency) ? currencyDecimals(support.currency) : 2);

/** "$10 a month" / "$120 a year" of a support's whole charge per period. */
export function perPeriod(support: Pick<Support, "currency" | "frequency">, amount: number, lang: Language): string {
  const t = COPY[lang];
  const money = moneyIn(support, lang)(amount);
  return support.frequency === "annual" ? t.perYear(money) : t.perMonth(money);
}

/** The fields every form of the page carries: the subscription it is about, a one-time nonce, the language. */
const hidden = (support: Support, ctx: SupportPageContext) =>
  html`<input type="hidden" name="subscription" value="${support.session.subscriptionId}">
<input type="hidden" name="nonce" value="${ctx.nonce}">
<input type="hidden" name="lang" value="${ctx.lang}">`;

const action = (path: string) => `/manage/support${path}`;

function doneMessage(support: Support, done: Done, lang: Language): string {
  const t = COPY[lang];
  const date = (ms: number | null) => (ms === null ? null : longDate(ms, lang));
  switch (done) {
    case "amount":
    case "frequency":
      return t.done[done](perPeriod(support, support.total, lang), date(support.nextPayment));
    case "pause":
      return t.done.pause(date(support.resumesAt) ?? "", date(support.nextPayment));
    case "resume":
      return t.done.resume(date(support.nextPayment));
    case "cancel":
      return t.done.cancel(date(support.cancelAt) ?? "", support.site.name);
    case "keep":
      return t.done.keep(date(support.nextPayment));
    case "card":
      return t.done.card;
  }
}

/** The page of a support: what it is, and a form for each change. `error` is announced at the top. */
export function supportPage(
  support: Support,
  ctx: SupportPageContext & { done?: Done | undefined; error?: { message: string; field?: string | undefined } },
): string {
  const { lang } = ctx;
  const t = COPY[lang];
  const money = moneyIn(support, lang);
  const date = (ms: number | null) => (ms === null ? null : longDate(ms, lang));
  const statement = `/manage/statement?site=${encodeURIComponent(support.site.id)}&lang=${lang}`;
  const footer = html`<p class="links"><a href="${statement}">${t.statement}</a></p>
<form method="post" action="${action("/sign-out")}" class="inline">${hidden(support, ctx)}<button type="submit" class="linkish">${t.signOut}</button></form>`;
  if (support.ended) {
    return readerPage({
      lang,
      siteName: support.site.name,
      title: t.ended,
      body: html`<h1>${t.ended}</h1>
<p>${t.endedBody(support.site.name)}</p>
${footer}`,
    });
  }
  const settings = support.site.currencies[support.currency];
  const next = date(support.nextPayment);
  const nextLine = support.cancelAtPeriodEnd
    ? t.ends(date(support.cancelAt) ?? "")
    : support.paused
      ? support.resumesAt !== null && next
        ? t.pausedUntil(date(support.resumesAt) ?? "", next)
        : t.pausedOpen
      : (next ?? "—");
  const amountLine = html`${perPeriod(support, support.total, lang)}${
    support.fee > 0 ? html`<br><span class="hint">${t.withFee(money(support.gift), money(support.fee))}</span>` : ""
  }`;
  const status = ctx.done ? html`<p class="status" role="status">${doneMessage(support, ctx.done, lang)}</p>` : "";
  const alert = ctx.error
    ? html`<div class="status warn" role="alert"><p><strong>${t.errorTitle}</strong></p><p>${ctx.error.message}</p></div>`
    : "";
  const amountInvalid = ctx.error?.field === "amount";
  const other = support.frequency === "annual" ? "monthly" : "annual";
  const majorValue = (n: number) =>
    String(n / 10 ** (isCurrencyCode(support.currency) ? currencyDecimals(support.currency) : 2));

  // No break to take once the support is ending.
  const pauseSection = support.cancelAtPeriodEnd
    ? null
    : !support.paused && support.frequency === "annual"
      ? html`<p>${t.annualBreak(next ?? "—")}</p>`
      : support.paused
        ? html`<p>${t.pausedNote(date(support.resumesAt) ?? "")}</p>
<form method="post" action="${action("/resume")}">${hidden(support, ctx)}<button type="submit">${t.resume}</button></form>`
        : html`<form method="post" action="${action("/pause")}">${hidden(support, ctx)}
<fieldset><legend>${t.pauseLegend}</legend>
${PAUSE_MONTHS.map((m) => {
  const after = nextPaymentAt({
    periodEnd: support.periodEnd,
    frequency: support.frequency,
    paused: true,
    resumesAt: pauseEnd(support.periodEnd, m),
    cancelAt: support.cancelAt,
  });
  return html`<label class="choice"><input type="radio" name="months" value="${m}"${m === 1 ? html` checked` : ""}> ${t.pauseOption(m, date(after))}</label>
`;
})}</fieldset>
<button type="submit">${t.pauseButton}</button>
</form>`;

  const stopSection = support.cancelAtPeriodEnd
    ? html`<p>${t.endsNote(date(support.cancelAt) ?? "")}</p>
<form method="post" action="${action("/keep")}">${hidden(support, ctx)}<button type="submit">${t.keep}</button></form>`
    : html`<p><a href="${action(`/cancel?lang=${lang}`)}">${t.cancelLink}</a></p>`;

  const body: Html = html`<h1>${t.title}</h1>
${status}${alert}
<dl class="summary">
<dt>${t.amount}</dt><dd data-figure="amount">${amountLine}</dd>
<dt>${t.next}</dt><dd data-figure="next">${nextLine}</dd>
<dt>${t.paymentsSoFar}</dt><dd data-figure="payments">${t.payments(support.payments.count, money(support.payments.total))}</dd>
</dl>
<section aria-labelledby="amount-h">
<h2 id="amount-h">${t.changeAmount}</h2>
<form method="post" action="${action("/amount")}" novalidate>${hidden(support, ctx)}
<label for="amount">${t.newAmount(support.frequency, support.currency)}</label>
<input id="amount" name="amount" type="text" inputmode="decimal" autocomplete="off" required value="${majorValue(support.gift)}" aria-describedby="amount-hint"${amountInvalid ? html` aria-invalid="true"` : ""}>
<p id="amount-hint" class="hint">${t.amountHint(money(settings?.min ?? 0), money(settings?.max ?? 0), next)}${support.fee > 0 ? ` ${t.coverNote(money(support.fee))}` : ""}</p>
<button type="submit">${t.saveAmount}</button>
</form>
</section>
${
  support.site.frequencies.includes(other)
    ? html`<section aria-labelledby="often-h">
<h2 id="often-h">${t.howOften}</h2>
<p>${t.youGive(support.frequency)}</p>
<form method="post" action="${action("/frequency")}" novalidate>${hidden(support, ctx)}
<input type="hidden" name="frequency" value="${other}">
<label for="switch-amount">${t.switchAmount(other, support.currency)}</label>
<input id="switch-amount" name="amount" type="text" inputmode="decimal" autocomplete="off" required value="${majorValue(switchedAmount(support.site, support.currency, support.gift, other))}" aria-describedby="switch-hint">
<p id="switch-hint" class="hint">${t.switchHint(other, next)}</p>
<button type="submit">${t.switchTo(other)}</button>
</form>
</section>`
    : ""
}
${
  pauseSection
    ? html`<section aria-labelledby="pause-h">
<h2 id="pause-h">${t.pause}</h2>
${pauseSection}
</section>`
    : ""
}
<section aria-labelledby="card-h">
<h2 id="card-h">${t.card}</h2>
<p>${t.cardNote}</p>
<form method="post" action="${action("/card")}">${hidden(support, ctx)}<button type="submit" class="secondary">${t.cardButton}</button></form>
</section>
<section aria-labelledby="stop-h">
<h2 id="stop-h">${t.stop}</h2>
${stopSection}
</section>
${footer}`;
  return readerPage({ lang, siteName: support.site.name, title: t.title, body });
}

/** The first cancel step: the end date, an optional reason and comment. */
export function cancelPage(support: Support, ctx: SupportPageContext & { error?: string }): string {
  const { lang } = ctx;
  const t = COPY[lang];
  const end = support.nextPayment ?? support.periodEnd;
  return readerPage({
    lang,
    siteName: support.site.name,
    title: t.cancelTitle,
    body: html`<h1>${t.cancelTitle}</h1>
${ctx.error ? html`<p class="status warn" role="alert">${ctx.error}</p>` : ""}
<p>${t.cancelIntro(longDate(end, lang))}</p>
<form method="post" action="${action("/cancel")}" novalidate>${hidden(support, ctx)}
<fieldset><legend>${t.reasonLegend}</legend>
${CANCEL_REASONS.map((r) => html`<label class="choice"><input type="radio" name="reason" value="${r}"> ${t.reasons[r]}</label>\n`)}</fieldset>
<label for="comment">${t.comment}</label>
<textarea id="comment" name="comment" rows="3" maxlength="500"></textarea>
<button type="submit">${t.continue}</button>
</form>
<p><a href="${action(`?lang=${lang}`)}">${t.back}</a></p>`,
  });
}

/** The one offer before a cancellation takes effect: give less, or pause, or cancel after all. */
export function saveOfferPage(
  support: Support,
  ctx: SupportPageContext & {
    reduceTo: number | null;
    pauseMonths: number | null;
    reason: string | null;
    comment: string | null;
  },
): string {
  const { lang } = ctx;
  const t = COPY[lang];
  const date = (ms: number | null) => (ms === null ? null : longDate(ms, lang));
  const afterPause =
    ctx.pauseMonths === null
      ? null
      : nextPaymentAt({
          periodEnd: support.periodEnd,
          frequency: support.frequency,
          paused: true,
          resumesAt: pauseEnd(support.periodEnd, ctx.pauseMonths),
          cancelAt: null,
        });
  return readerPage({
    lang,
    siteName: support.site.name,
    title: t.offerTitle,
    body: html`<h1>${t.offerTitle}</h1>
<p>${t.offerIntro((ctx.reduceTo !== null ? 1 : 0) + (ctx.pauseMonths !== null ? 1 : 0))}</p>
${
  ctx.reduceTo !== null
    ? html`<form method="post" action="${action("/offer")}">${hidden(support, ctx)}
<input type="hidden" name="choice" value="reduce">
<button type="submit" aria-describedby="reduce-hint">${t.offerReduce(perPeriod(support, ctx.reduceTo, lang))}</button>
<p id="reduce-hint" class="hint">${t.offerReduceHint(date(support.nextPayment))}</p>
</form>`
    : ""
}
${
  ctx.pauseMonths !== null
    ? html`<form method="post" action="${action("/offer")}">${hidden(support, ctx)}
<input type="hidden" name="choice" value="pause">
<button type="submit" aria-describedby="pause-hint">${t.offerPause(ctx.pauseMonths)}</button>
<p id="pause-hint" class="hint">${t.offerPauseHint(date(afterPause))}</p>
</form>`
    : ""
}
<form method="post" action="${action("/cancel")}">${hidden(support, ctx)}
<input type="hidden" name="step" value="confirm">
<input type="hidden" name="reason" value="${ctx.reason ?? ""}">
<input type="hidden" name="comment" value="${ctx.comment ?? ""}">
<button type="submit" class="secondary">${t.offerDecline}</button>
</form>`,
  });
}

/** A refusal before any support could be shown (no session, another customer's, unknown site). */
export function manageErrorPage(
  lang: Language,
  siteName: string,
  title: string,
  message: string,
  extra?: Html,
): string {
  return readerPage({
    lang,
    siteName,
    title,
    body: html`<h1>${title}</h1>
<p class="status warn" role="alert">${message}</p>
${extra ?? ""}`,
  });
}

/** Back from Stripe's card page (no session needed): what happened, and the way back to the support. */
export function cardReturnPage(lang: Language, siteName: string, back: string): string {
  const t = COPY[lang];
  return readerPage({
    lang,
    siteName,
    title: t.returnedTitle,
    body: html`<h1>${t.returnedTitle}</h1>
<p class="status" role="status">${t.returned}</p>
<p><a href="${back}">${t.backToSupport}</a></p>`,
  });
}
