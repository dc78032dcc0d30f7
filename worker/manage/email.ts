import { currencyDecimals, isCurrencyCode } from "../core/currencies";
import type { Language } from "../core/languages";
import { formatMoney } from "../core/money";
import { emailButton, emailHtml, emailParagraph, emailSmallPrint } from "../platform/mail/layout";
import type { RecurringSupport } from "./store";

const COPY = {
  en: {
    subject: (site: string) => `Manage your support for ${site}`,
    greeting: "Hello,",
    intro: (site: string) =>
      `Someone — we hope you — asked for a link to manage your recurring support for ${site}. Open it to change the amount or how often you give, take a break, update your card, or cancel:`,
    each: (what: string) => `Manage ${what}`,
    monthly: (money: string) => `${money} a month`,
    annual: (money: string) => `${money} a year`,
    expiry: "The link works once and for 30 minutes. You can always ask for a new one.",
    ignore: "If you did not ask for this, you can ignore this email: nothing changes.",
  },
  ru: {
    subject: (site: string) => `Управление поддержкой ${site}`,
    greeting: "Здравствуйте!",
    intro: (site: string) =>
      `Кто-то — надеемся, вы — запросил ссылку для управления регулярной поддержкой ${site}. По ней можно изменить сумму или периодичность, сделать перерыв, сменить карту или отменить поддержку:`,
    each: (what: string) => `Управлять: ${what}`,
    monthly: (money: string) => `${money} в месяц`,
    annual: (money: string) => `${money} в год`,
    expiry: "Ссылка действует один раз и 30 минут. Новую можно запросить в любой момент.",
    ignore: "Если вы ничего не запрашивали, просто проигнорируйте это письмо: ничего не изменится.",
  },
} satisfies Record<Language, unknown>;

/** The "manage your support" email: one link per recurring support. Pure. */
export function renderManageEmail(input: {
  lang: Language;
  siteName: string;
  links: { support: RecurringSupport; url: string }[];
}) {
  const t = COPY[input.lang] ?? COPY.en;
  const describe = (s: RecurringSupport) => {
    const money = formatMoney(
      s.amount,
      s.currency,
      input.lang,
      isCurrencyCode(s.currency) ? currencyDecimals(s.currency) : 2,
    );
    return s.frequency === "annual" ? t.annual(money) : t.monthly(money);
  };
  const subject = t.subject(input.siteName);
  const text = [
    t.greeting,
    "",
    t.intro(input.siteName),
    "",
    ...input.links.flatMap((l) => [`${t.each(describe(l.support))}:`, l.url, ""]),
    t.expiry,
    t.ignore,
    "",
  ].join("\n");
  const html = emailHtml(input.lang, subject, [
    emailParagraph(t.greeting),
    emailParagraph(t.intro(input.siteName)),
    ...input.links.map((l) => emailButton(l.url, t.each(describe(l.support)))),
    emailSmallPrint(t.expiry),
    emailSmallPrint(t.ignore),
  ]);
  return { subject, text, html, headers: {} as Record<string, string> };
}
