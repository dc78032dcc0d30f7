import { html } from "hono/html";
import { currencyDecimals, isCurrencyCode } from "../core/currencies";
import type { Frequency } from "../core/frequencies";
import type { Language } from "../core/languages";
import type { SiteConfig } from "../core/site-config";
import type { Html } from "../platform/html";
import { emailButton, emailHtml, emailParagraph, emailSmallPrint } from "../platform/mail/layout";

/**
 * The emails supporters receive after Stripe's events, and the yearly statement: one pure renderer
 * per kind, in each language, with a plain-text part, through the one email layout. Amounts are
 * minor units formatted with Intl in the currency's own decimals; dates are UTC days.
 */

/** Who writes: the site's name and its publisher's legal identity (site config `emails`). */
export type Publisher = {
  siteName: string;
  legalName: string;
  address: string[];
  legalNote: string | null;
  /** What a gift supports, in the email's language. */
  supports: string;
  replyTo: string | null;
};

/** One line of a yearly statement: a payment, or a refund of one (its amount positive). */
export type StatementEntry = {
  at: number;
  type: "payment" | "refund";
  frequency: Frequency;
  amount: number;
  currency: string;
  reference: string;
};

/** A statement's sums in one currency (never added across currencies). */
export type StatementTotal = { currency: string; payments: number; paid: number; refunded: number };

/** What each email says, by kind. */
export type SupporterMail =
  | {
      kind: "receipt" | "payment_recovered";
      frequency: Frequency;
      amount: number;
      currency: string;
      paidAt: number;
      reference: string;
      nextChargeAt: number | null;
      manageUrl: string;
      statementUrl: string;
    }
  | {
      kind: "payment_failed" | "payment_failed_again";
      frequency: Frequency;
      amount: number;
      currency: string;
      nextAttemptAt: number | null;
      cardUrl: string;
      cardLinkExpiresAt: number;
      manageUrl: string;
    }
  | { kind: "renewal_notice"; amount: number; currency: string; chargeAt: number; manageUrl: string }
  | {
      kind: "checkout_recovery";
      frequency: Frequency;
      amount: number;
      currency: string;
      giveUrl: string;
      linkExpiresAt: number;
    }
  | {
      kind: "statement";
      year: number;
      entries: StatementEntry[];
      totals: StatementTotal[];
      manageUrl: string;
    };

export type RenderedMail = { subject: string; text: string; html: string; headers: Record<string, string> };

/** Minor units with the currency's decimals and its code: "$10.00 (USD)", "¥5,000 (JPY)". */
export function mailMoney(amount: number, currency: string, lang: Language): string {
  const decimals = isCurrencyCode(currency) ? currencyDecimals(currency) : 2;
  const formatted = new Intl.NumberFormat(lang, {
    style: "currency",
    currency,
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
  }).format(amount / 10 ** decimals);
  return `${formatted} (${currency})`;
}

/** A UTC day in words: "14 May 2026", "14 мая 2026" (without Intl's "г.", which would end a sentence twice). */
export function mailDate(ms: number, lang: Language): string {
  return new Intl.DateTimeFormat(lang === "en" ? "en-GB" : lang, {
    day: "numeric",
    month: "long",
    year: "numeric",
    timeZone: "UTC",
  })
    .format(new Date(ms))
    .replace(/\s*г\.$/, "");
}

const capital = (text: string) => `${text.charAt(0).toUpperCase()}${text.slice(1)}`;

const COPY = {
  en: {
    hello: "Hello,",
    kindOf: { once: "One-time gift", monthly: "Monthly support", annual: "Annual support" },
    /** What was received, in a sentence: "We received your gift." */
    received: { once: "your gift", monthly: "your monthly support", annual: "your annual support" },
    /** One payment of a support, in a sentence: "We tried to take your monthly support payment". */
    paymentOf: { once: "your payment", monthly: "your monthly support payment", annual: "your annual support payment" },
    /** "€10.00 a month": the choice in a checkout. */
    choice: {
      once: (money: string) => `${money} as a one-time gift`,
      monthly: (money: string) => `${money} a month`,
      annual: (money: string) => `${money} a year`,
    },
    supportsDefault: (site: string) => `the journalism of ${site}`,
    facts: {
      amount: "Amount",
      date: "Date",
      type: "Type",
      supports: "Supports",
      reference: "Reference",
      next: "Next payment",
    },
    manage: "Manage your support",
    manageLine: "Change your card or your support, or cancel it, at any time:",
    statementLine: "A statement of a year's gifts, for your records or your tax return:",
    replies: "Questions? Reply to this email.",
    receipt: {
      subject: (site: string) => `Thank you: your receipt from ${site}`,
      thanks: (site: string) => `Thank you for supporting ${site}.`,
      body: (what: string, supports: string) => `We received ${what}. It pays for ${supports}. Here is your receipt:`,
    },
    recovered: {
      subject: (site: string) => `Thank you: your payment to ${site} went through`,
      thanks:
        "Good news: the payment went through after all, so your support continues. Thank you for staying with us.",
      body: "Here is your receipt:",
    },
    failed: {
      subject: (site: string) => `Your payment to ${site} didn't go through`,
      body: (payment: string, money: string) =>
        `We tried to take ${payment} of ${money}, but the bank or card declined it.`,
      retry: (date: string) => `Our payment provider, Stripe, will try again on ${date}.`,
      ask: "If your card has changed or expired, you can update it in a minute, and your support carries on as before:",
      button: "Update my card",
      expiry: (date: string) => `The button works once, until ${date}.`,
      instead: "To change your support or cancel it instead:",
    },
    failedAgain: {
      subject: (site: string) => `Your support for ${site} is about to lapse`,
      body: (payment: string, money: string) => `${capital(payment)} of ${money} still has not gone through.`,
      retry: (date: string) => `Stripe will make its last try on ${date}. If that fails too, your support ends.`,
      noRetry: "Stripe will not try again on its own. Unless the card is updated, your support ends.",
    },
    renewal: {
      subject: (site: string, date: string) => `Your annual support for ${site} renews on ${date}`,
      thanks: (site: string) => `Thank you for a year of supporting ${site}.`,
      body: (date: string, money: string) =>
        `On ${date} your annual support renews, and ${money} is charged to your card.`,
      nothing:
        "Nothing to do if you would like to continue. To change your card or your support, or to cancel before then:",
    },
    recovery: {
      subject: (site: string) => `Your support for ${site}: pick up where you left off`,
      body: (site: string, choice: string) =>
        `You started to give ${choice} to ${site}, but the payment page closed before it was done.`,
      ask: "If you would still like to, this button starts again with the same choice:",
      button: "Continue to payment",
      expiry: (date: string) => `The button works until ${date}.`,
      why: (site: string) =>
        `You receive this one email because you agreed on the payment page to hear from ${site}. We will not write again about it.`,
    },
    statement: {
      subject: (site: string, year: number) => `Your ${year} statement from ${site}`,
      body: (site: string, year: number) =>
        `Here is every payment you made to ${site} in ${year}, with any refunds, as our records show them.`,
      columns: { date: "Date", what: "What", reference: "Reference", amount: "Amount" },
      refund: "Refund",
      totals: "In total",
      paid: (n: number) => `Paid (${n} ${n === 1 ? "payment" : "payments"})`,
      refunded: "Refunded",
      net: "Net",
      asked: "You receive this because someone — we hope you — asked for it on our site.",
    },
  },
  ru: {
    hello: "Здравствуйте!",
    kindOf: { once: "Разовое пожертвование", monthly: "Ежемесячная поддержка", annual: "Ежегодная поддержка" },
    received: { once: "ваше пожертвование", monthly: "ваш ежемесячный платёж", annual: "ваш ежегодный платёж" },
    paymentOf: { once: "платёж", monthly: "ежемесячный платёж", annual: "ежегодный платёж" },
    choice: {
      once: (money: string) => `${money} разово`,
      monthly: (money: string) => `${money} в месяц`,
      annual: (money: string) => `${money} в год`,
    },
    supportsDefault: (site: string) => `журналистику ${site}`,
    facts: {
      amount: "Сумма",
      date: "Дата",
      type: "Вид",
      supports: "На что",
      reference: "Номер",
      next: "Следующий платёж",
    },
    manage: "Управлять поддержкой",
    manageLine: "Сменить карту или сумму поддержки или отменить её можно в любой момент:",
    statementLine: "Выписка о пожертвованиях за год — для ваших записей или налоговой декларации:",
    replies: "Есть вопросы? Просто ответьте на это письмо.",
    receipt: {
      subject: (site: string) => `Спасибо! Квитанция от ${site}`,
      thanks: (site: string) => `Спасибо, что поддерживаете ${site}.`,
      body: (what: string, supports: string) => `Мы получили ${what}. Эти деньги идут на ${supports}. Ваша квитанция:`,
    },
    recovered: {
      subject: (site: string) => `Спасибо! Платёж в пользу ${site} прошёл`,
      thanks: "Хорошие новости: платёж всё-таки прошёл, и ваша поддержка продолжается. Спасибо, что остаётесь с нами.",
      body: "Ваша квитанция:",
    },
    failed: {
      subject: (site: string) => `Платёж в пользу ${site} не прошёл`,
      body: (payment: string, money: string) =>
        `Мы попытались списать ${payment} на сумму ${money}, но банк или карта его отклонили.`,
      retry: (date: string) => `Наша платёжная система Stripe попробует ещё раз ${date}.`,
      ask: "Если карта сменилась или срок её действия истёк, обновить её можно за минуту — и поддержка продолжится как прежде:",
      button: "Обновить карту",
      expiry: (date: string) => `Кнопка срабатывает один раз, до ${date}.`,
      instead: "Изменить поддержку или отменить её:",
    },
    failedAgain: {
      subject: (site: string) => `Ваша поддержка ${site} вот-вот прервётся`,
      body: (payment: string, money: string) => `${capital(payment)} на сумму ${money} так и не прошёл.`,
      retry: (date: string) =>
        `Stripe сделает последнюю попытку ${date}. Если и она не удастся, поддержка прекратится.`,
      noRetry: "Stripe больше не будет пытаться сам. Если не обновить карту, поддержка прекратится.",
    },
    renewal: {
      subject: (site: string, date: string) => `Ваша ежегодная поддержка ${site} продлится ${date}`,
      thanks: (site: string) => `Спасибо за год поддержки ${site}.`,
      body: (date: string, money: string) =>
        `${date} ваша ежегодная поддержка продлится, и с карты будет списано ${money}.`,
      nothing:
        "Если вы хотите продолжить, ничего делать не нужно. Сменить карту или сумму поддержки или отменить её до этого дня можно здесь:",
    },
    recovery: {
      subject: (site: string) => `Ваша поддержка ${site}: можно продолжить`,
      body: (site: string, choice: string) =>
        `Вы начали оформлять поддержку ${site} — ${choice}, но страница оплаты закрылась раньше, чем платёж прошёл.`,
      ask: "Если вы всё ещё хотите поддержать нас, эта кнопка откроет оплату с тем же выбором:",
      button: "Перейти к оплате",
      expiry: (date: string) => `Кнопка действует до ${date}.`,
      why: (site: string) =>
        `Вы получили это единственное письмо, потому что на странице оплаты согласились получать новости от ${site}. Больше мы об этом не напишем.`,
    },
    statement: {
      subject: (site: string, year: number) => `Выписка о поддержке ${site} за ${year} год`,
      body: (site: string, year: number) =>
        `Здесь все ваши платежи в пользу ${site} за ${year} год и возвраты по ним — так, как они записаны у нас.`,
      columns: { date: "Дата", what: "Что", reference: "Номер", amount: "Сумма" },
      refund: "Возврат",
      totals: "Итого",
      paid: (n: number) => `Оплачено (платежей: ${n})`,
      refunded: "Возвращено",
      net: "Итого за вычетом возвратов",
      asked: "Вы получили это письмо, потому что кто-то — надеемся, вы — запросил его на нашем сайте.",
    },
  },
} satisfies Record<Language, unknown>;

/** The publisher as a site's config describes it, in one language. */
export function publisherOf(site: SiteConfig, lang: Language): Publisher {
  const e = site.emails;
  return {
    siteName: e.fromName ?? site.name,
    legalName: e.legalName ?? site.name,
    address: e.address,
    legalNote: e.legalNote[lang] ?? e.legalNote[site.defaultLanguage] ?? null,
    supports: e.supports[lang] ?? COPY[lang].supportsDefault(site.name),
    replyTo: e.replyTo ?? null,
  };
}

const CELL = "padding:6px 12px 6px 0;border-bottom:1px solid #e6e1d6;vertical-align:top;text-align:left";
const NUMERIC =
  "padding:6px 0 6px 12px;border-bottom:1px solid #e6e1d6;vertical-align:top;text-align:right;white-space:nowrap";

/** Label–value rows (a receipt's facts) as a small table. */
function factsTable(rows: [string, string][]): Html {
  return html`<table role="presentation" style="border-collapse:collapse;width:100%;margin:0 0 16px;font-family:Arial,sans-serif;font-size:15px">
${rows.map(([label, value]) => html`<tr><th scope="row" style="${CELL};color:#555;font-weight:normal;width:40%">${label}</th><td style="${CELL}">${value}</td></tr>\n`)}</table>\n`;
}

/** The same rows as plain text ("Amount: $10.00 (USD)"). */
const factsText = (rows: [string, string][]) => rows.map(([label, value]) => `${label}: ${value}`);

/** The publisher's block under every email: legal name, address, note, replies. */
function footer(p: Publisher, lang: Language): { html: Html[]; text: string[] } {
  const t = COPY[lang];
  const lines = [p.legalName, ...p.address];
  return {
    html: [
      ...(p.replyTo ? [emailSmallPrint(t.replies)] : []),
      emailSmallPrint(html`${lines.map((line, i) => html`${i ? html`<br>` : ""}${line}`)}`),
      ...(p.legalNote ? [emailSmallPrint(p.legalNote)] : []),
    ],
    text: ["--", ...(p.replyTo ? [t.replies, ""] : []), ...lines, ...(p.legalNote ? ["", p.legalNote] : [])],
  };
}

/** Subject, plain text, HTML and headers (Reply-To) of one email. Pure. */
export function renderSupporterMail(mail: SupporterMail, lang: Language, p: Publisher): RenderedMail {
  const t = COPY[lang] ?? COPY.en;
  const money = (amount: number, currency: string) => mailMoney(amount, currency, lang);
  const date = (ms: number) => mailDate(ms, lang);
  const blocks: Html[] = [emailParagraph(t.hello)];
  const text: string[] = [t.hello, ""];
  const para = (line: string) => {
    blocks.push(emailParagraph(line));
    text.push(line, "");
  };
  const button = (url: string, label: string) => {
    blocks.push(emailButton(url, label));
    text.push(`${label}: ${url}`, "");
  };
  const small = (line: string) => {
    blocks.push(emailSmallPrint(line));
    text.push(line, "");
  };
  /** Small print ending with a link that shows its address (mail apps, and readers, check where it goes). */
  const smallLink = (line: string, url: string) => {
    blocks.push(emailSmallPrint(html`${line} <a href="${url}" style="color:#555">${url}</a>`));
    text.push(`${line} ${url}`, "");
  };
  const facts = (rows: [string, string][]) => {
    blocks.push(factsTable(rows));
    text.push(...factsText(rows), "");
  };
  let subject: string;

  switch (mail.kind) {
    case "receipt":
    case "payment_recovered": {
      const rows: [string, string][] = [
        [t.facts.amount, money(mail.amount, mail.currency)],
        [t.facts.date, date(mail.paidAt)],
        [t.facts.type, t.kindOf[mail.frequency]],
        [t.facts.supports, p.supports],
        [t.facts.reference, mail.reference],
        ...(mail.nextChargeAt !== null && mail.frequency !== "once"
          ? [[t.facts.next, date(mail.nextChargeAt)] as [string, string]]
          : []),
      ];
      if (mail.kind === "receipt") {
        subject = t.receipt.subject(p.siteName);
        para(t.receipt.thanks(p.siteName));
        para(t.receipt.body(t.received[mail.frequency], p.supports));
      } else {
        subject = t.recovered.subject(p.siteName);
        para(t.recovered.thanks);
        para(t.recovered.body);
      }
      facts(rows);
      if (mail.frequency !== "once") {
        para(t.manageLine);
        button(mail.manageUrl, t.manage);
      }
      smallLink(t.statementLine, mail.statementUrl);
      break;
    }
    case "payment_failed":
    case "payment_failed_again": {
      const what = t.paymentOf[mail.frequency];
      const amount = money(mail.amount, mail.currency);
      if (mail.kind === "payment_failed") {
        subject = t.failed.subject(p.siteName);
        para(t.failed.body(what, amount));
        if (mail.nextAttemptAt !== null) para(t.failed.retry(date(mail.nextAttemptAt)));
      } else {
        subject = t.failedAgain.subject(p.siteName);
        para(t.failedAgain.body(what, amount));
        para(mail.nextAttemptAt !== null ? t.failedAgain.retry(date(mail.nextAttemptAt)) : t.failedAgain.noRetry);
      }
      para(t.failed.ask);
      button(mail.cardUrl, t.failed.button);
      small(t.failed.expiry(date(mail.cardLinkExpiresAt)));
      smallLink(t.failed.instead, mail.manageUrl);
      break;
    }
    case "renewal_notice": {
      const when = date(mail.chargeAt);
      subject = t.renewal.subject(p.siteName, when);
      para(t.renewal.thanks(p.siteName));
      para(t.renewal.body(when, money(mail.amount, mail.currency)));
      para(t.renewal.nothing);
      button(mail.manageUrl, t.manage);
      break;
    }
    case "checkout_recovery": {
      subject = t.recovery.subject(p.siteName);
      para(t.recovery.body(p.siteName, t.choice[mail.frequency](money(mail.amount, mail.currency))));
      para(t.recovery.ask);
      button(mail.giveUrl, t.recovery.button);
      small(t.recovery.expiry(date(mail.linkExpiresAt)));
      small(t.recovery.why(p.siteName));
      break;
    }
    case "statement": {
      const s = t.statement;
      subject = s.subject(p.siteName, mail.year);
      para(s.body(p.siteName, mail.year));
      const what = (e: StatementEntry) =>
        e.type === "refund" ? `${s.refund}: ${t.kindOf[e.frequency]}` : t.kindOf[e.frequency];
      const signed = (e: StatementEntry) => `${e.type === "refund" ? "−" : ""}${money(e.amount, e.currency)}`;
      blocks.push(html`<table style="border-collapse:collapse;width:100%;margin:0 0 16px;font-family:Arial,sans-serif;font-size:14px">
<thead><tr><th scope="col" style="${CELL}">${s.columns.date}</th><th scope="col" style="${CELL}">${s.columns.what}</th><th scope="col" style="${CELL}">${s.columns.reference}</th><th scope="col" style="${NUMERIC}">${s.columns.amount}</th></tr></thead>
<tbody>
${mail.entries.map((e) => html`<tr><td style="${CELL};white-space:nowrap">${date(e.at)}</td><td style="${CELL}">${what(e)}</td><td style="${CELL};color:#555;font-size:12px">${e.reference}</td><td style="${NUMERIC}">${signed(e)}</td></tr>\n`)}</tbody>
</table>\n`);
      text.push(...mail.entries.map((e) => `${date(e.at)}  ${what(e)}  ${signed(e)}  (${e.reference})`), "");
      for (const total of mail.totals) {
        para(`${s.totals}, ${total.currency}:`);
        facts([
          [s.paid(total.payments), money(total.paid, total.currency)],
          [s.refunded, money(total.refunded, total.currency)],
          [s.net, money(total.paid - total.refunded, total.currency)],
        ]);
      }
      smallLink(t.manageLine, mail.manageUrl);
      small(s.asked);
      break;
    }
  }
  const end = footer(p, lang);
  blocks.push(...end.html);
  text.push(...end.text, "");
  return {
    subject,
    text: text.join("\n"),
    html: emailHtml(lang, subject, blocks),
    headers: p.replyTo ? { "Reply-To": p.replyTo } : {},
  };
}
