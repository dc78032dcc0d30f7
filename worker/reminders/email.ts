import { html } from "hono/html";
import type { Language } from "../core/languages";
import { emailButton, emailHtml, emailParagraph, emailSmallPrint } from "../platform/mail/layout";

/** The words of the reminder email, per language. */
const COPY = {
  en: {
    subject: (site: string) => `Your reminder: support ${site}`,
    greeting: "Hello,",
    asked: (site: string) =>
      `You asked ${site} to remind you about supporting its journalism. Here is the article you were reading:`,
    cta: "Back to the article",
    how: "If our reporting is useful to you, you can support it from that page — once, monthly or annually. It takes a minute.",
    only: "This is the only reminder we will send. Now that it is on its way, your address has been deleted from our reminder list.",
    forget: "Don't want reminders from us?",
    forgetLink: "Forget my address",
  },
  ru: {
    subject: (site: string) => `Напоминание: поддержите ${site}`,
    greeting: "Здравствуйте!",
    asked: (site: string) => `Вы просили ${site} напомнить о поддержке редакции. Вот статья, которую вы читали:`,
    cta: "Вернуться к статье",
    how: "Если наша журналистика вам полезна, поддержать её можно на этой странице — разово, ежемесячно или ежегодно. Это займёт минуту.",
    only: "Это единственное напоминание. Мы удалили ваш адрес из списка напоминаний, как только отправили это письмо.",
    forget: "Не хотите напоминаний?",
    forgetLink: "Забыть мой адрес",
  },
} satisfies Record<Language, unknown>;

/** The words of the confirmation email, per language. */
const CONFIRM = {
  en: {
    subject: (site: string) => `Confirm your reminder from ${site}`,
    greeting: "Hello,",
    asked: (site: string, when: string) =>
      `Someone — we hope you — asked ${site} to send one reminder to this address ${when}. Nothing is sent until you confirm:`,
    next_week: "next week",
    next_month: "next month",
    cta: "Confirm my reminder",
    expiry: "The link works for 48 hours.",
    ignore:
      "If you did not ask for this, ignore this email: we will send you nothing, and your address is deleted in 48 hours.",
  },
  ru: {
    subject: (site: string) => `Подтвердите напоминание от ${site}`,
    greeting: "Здравствуйте!",
    asked: (site: string, when: string) =>
      `Кто-то — надеемся, вы — попросил ${site} прислать на этот адрес одно напоминание ${when}. Пока вы не подтвердите, мы ничего не пришлём:`,
    next_week: "через неделю",
    next_month: "через месяц",
    cta: "Подтвердить напоминание",
    expiry: "Ссылка действует 48 часов.",
    ignore:
      "Если вы ничего не просили, просто проигнорируйте это письмо: мы ничего не пришлём, а адрес удалим через 48 часов.",
  },
} satisfies Record<Language, unknown>;

/**
 * The confirmation email of a reminder request. It carries only our own words and the link:
 * nothing the requester typed (not even the article's address) reaches a stranger's inbox. Pure.
 */
export function renderConfirmationEmail(input: {
  lang: Language;
  siteName: string;
  when: "next_week" | "next_month";
  confirmUrl: string;
}) {
  const t = CONFIRM[input.lang] ?? CONFIRM.en;
  const subject = t.subject(input.siteName);
  const asked = t.asked(input.siteName, t[input.when]);
  const text = [t.greeting, "", asked, "", input.confirmUrl, "", t.expiry, t.ignore, ""].join("\n");
  const htmlPart = emailHtml(input.lang, subject, [
    emailParagraph(t.greeting),
    emailParagraph(asked),
    emailButton(input.confirmUrl, t.cta),
    emailSmallPrint(t.expiry),
    emailSmallPrint(t.ignore),
  ]);
  return { subject, text, html: htmlPart, headers: {} as Record<string, string> };
}

/** Subject, plain text, simple HTML and list headers of one reminder. Pure. */
export function renderReminderEmail(input: {
  lang: Language;
  siteName: string;
  articleUrl: string;
  forgetUrl: string;
}) {
  const t = COPY[input.lang] ?? COPY.en;
  const subject = t.subject(input.siteName);
  const text = [
    t.greeting,
    "",
    t.asked(input.siteName),
    "",
    input.articleUrl,
    "",
    t.how,
    "",
    t.only,
    "",
    `${t.forget} ${t.forgetLink}: ${input.forgetUrl}`,
    "",
  ].join("\n");
  const htmlPart = emailHtml(input.lang, subject, [
    emailParagraph(t.greeting),
    emailParagraph(t.asked(input.siteName)),
    emailButton(input.articleUrl, t.cta),
    emailParagraph(t.how),
    emailSmallPrint(t.only),
    emailSmallPrint(html`${t.forget} <a href="${input.forgetUrl}" style="color:#555">${t.forgetLink}</a>`),
  ]);
  return {
    subject,
    text,
    html: htmlPart,
    headers: {
      "List-Unsubscribe": `<${input.forgetUrl}>`,
      "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    },
  };
}
