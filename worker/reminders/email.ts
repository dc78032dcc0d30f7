import type { Language } from "../core/site-config";
import { escapeHtml } from "../mail/message";

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
  const e = escapeHtml;
  const html = `<!doctype html>
<html lang="${input.lang}">
<head><meta charset="utf-8"><title>${e(subject)}</title></head>
<body style="margin:0;padding:24px;background:#f6f5f1;color:#1d1d1b;font:16px/1.5 Georgia,'Times New Roman',serif">
<div style="max-width:560px;margin:0 auto;background:#fff;padding:24px;border-radius:6px">
<p>${e(t.greeting)}</p>
<p>${e(t.asked(input.siteName))}</p>
<p><a href="${e(input.articleUrl)}" style="display:inline-block;background:#1d1d1b;color:#fff;padding:10px 18px;border-radius:4px;text-decoration:none;font-family:Arial,sans-serif">${e(t.cta)}</a></p>
<p>${e(t.how)}</p>
<p style="color:#555;font-size:14px">${e(t.only)}</p>
<p style="color:#555;font-size:14px">${e(t.forget)} <a href="${e(input.forgetUrl)}" style="color:#555">${e(t.forgetLink)}</a></p>
</div>
</body>
</html>`;
  return {
    subject,
    text,
    html,
    headers: {
      "List-Unsubscribe": `<${input.forgetUrl}>`,
      "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    },
  };
}
