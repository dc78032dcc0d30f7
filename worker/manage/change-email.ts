import type { Language } from "../core/languages";
import { emailButton, emailHtml, emailParagraph, emailSmallPrint } from "../platform/mail/layout";

/**
 * The email that confirms each change a supporter made at /manage: what changed, from when, and
 * what was not charged. Pure: the caller words the amounts and dates (the page's own words).
 */

export type ChangeKind = "amount" | "frequency" | "pause" | "resume" | "cancel" | "keep";

export type ChangeFacts = {
  /** "$5 a month". */
  amount: string;
  /** Dates in the reader's language, when they apply. */
  next: string | null;
  resumes: string | null;
  ends: string | null;
};

const COPY = {
  en: {
    subject: {
      amount: (site: string) => `Your support for ${site} has a new amount`,
      frequency: (site: string) => `Your support for ${site} has a new schedule`,
      pause: (site: string) => `Your support for ${site} is paused`,
      resume: (site: string) => `Your support for ${site} is back on`,
      cancel: (site: string) => `Your support for ${site} will end`,
      keep: (site: string) => `Your support for ${site} continues`,
    },
    greeting: "Hello,",
    what: {
      amount: (f: ChangeFacts) =>
        `You changed your support: from your next payment${f.next ? ` on ${f.next}` : ""} you give ${f.amount}. Nothing was charged now.`,
      frequency: (f: ChangeFacts) =>
        `You changed your support: from your next payment${f.next ? ` on ${f.next}` : ""} you give ${f.amount}. Nothing was charged now.`,
      pause: (f: ChangeFacts) =>
        `You paused your support: no payment is taken until ${f.resumes ?? "you resume it"}.${f.next ? ` Your next payment is on ${f.next} (${f.amount}).` : ""}`,
      resume: (f: ChangeFacts) =>
        `You resumed your support (${f.amount}).${f.next ? ` Your next payment is on ${f.next}.` : ""}`,
      cancel: (f: ChangeFacts) =>
        `You cancelled your support. It ends on ${f.ends ?? "the end of the period you paid for"}, and no further payments will be taken. Thank you for everything you gave.`,
      keep: (f: ChangeFacts) =>
        `You kept your support (${f.amount}).${f.next ? ` Your next payment is on ${f.next}.` : ""} Thank you.`,
    },
    manage: "See or change your support",
    notYou: "If you did not make this change, ask for a new link on this page and undo it, or reply to this email.",
  },
  ru: {
    subject: {
      amount: (site: string) => `Новая сумма поддержки ${site}`,
      frequency: (site: string) => `Новый график поддержки ${site}`,
      pause: (site: string) => `Поддержка ${site} приостановлена`,
      resume: (site: string) => `Поддержка ${site} возобновлена`,
      cancel: (site: string) => `Поддержка ${site} будет завершена`,
      keep: (site: string) => `Поддержка ${site} продолжается`,
    },
    greeting: "Здравствуйте!",
    what: {
      amount: (f: ChangeFacts) =>
        `Вы изменили поддержку: со следующего платежа${f.next ? ` ${f.next}` : ""} — ${f.amount}. Сейчас ничего не списано.`,
      frequency: (f: ChangeFacts) =>
        `Вы изменили поддержку: со следующего платежа${f.next ? ` ${f.next}` : ""} — ${f.amount}. Сейчас ничего не списано.`,
      pause: (f: ChangeFacts) =>
        `Вы приостановили поддержку: до ${f.resumes ?? "возобновления"} платежей не будет.${f.next ? ` Следующий платёж — ${f.next} (${f.amount}).` : ""}`,
      resume: (f: ChangeFacts) =>
        `Вы возобновили поддержку (${f.amount}).${f.next ? ` Следующий платёж — ${f.next}.` : ""}`,
      cancel: (f: ChangeFacts) =>
        `Вы отменили поддержку. Она завершится ${f.ends ?? "в конце оплаченного периода"}, больше платежей не будет. Спасибо за всё, что вы сделали.`,
      keep: (f: ChangeFacts) =>
        `Вы сохранили поддержку (${f.amount}).${f.next ? ` Следующий платёж — ${f.next}.` : ""} Спасибо.`,
    },
    manage: "Посмотреть или изменить поддержку",
    notYou:
      "Если это сделали не вы, запросите новую ссылку на этой странице и отмените изменение или ответьте на это письмо.",
  },
} satisfies Record<Language, unknown>;

/** The confirmation of one change. `manageUrl` starts with the worker's public origin. */
export function renderChangeEmail(input: {
  lang: Language;
  siteName: string;
  kind: ChangeKind;
  facts: ChangeFacts;
  manageUrl: string;
}) {
  const t = COPY[input.lang] ?? COPY.en;
  const subject = t.subject[input.kind](input.siteName);
  const what = t.what[input.kind](input.facts);
  const text = [t.greeting, "", what, "", `${t.manage}:`, input.manageUrl, "", t.notYou, ""].join("\n");
  const html = emailHtml(input.lang, subject, [
    emailParagraph(t.greeting),
    emailParagraph(what),
    emailButton(input.manageUrl, t.manage),
    emailSmallPrint(t.notYou),
  ]);
  return { subject, text, html, headers: {} as Record<string, string> };
}
