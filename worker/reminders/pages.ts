import { html } from "hono/html";
import type { Language } from "../core/languages";
import { readerPage } from "../platform/page";

const CONFIRM = {
  en: {
    title: "Confirm your reminder",
    ask: (site: string) =>
      `Press the button to confirm that you want ${site} to send you one reminder by email. Nothing is sent otherwise.`,
    button: "Confirm my reminder",
    doneTitle: "Your reminder is confirmed",
    done: (site: string, date: string) =>
      `${site} will email you once, around ${date}. Your address is deleted as soon as that email is sent.`,
    failedTitle: "This link does not work",
    failed:
      "It was already used, or it is more than 48 hours old. To be reminded, choose “Remind me later” on the article again.",
  },
  ru: {
    title: "Подтвердите напоминание",
    ask: (site: string) =>
      `Нажмите кнопку, чтобы подтвердить: вы хотите получить от ${site} одно напоминание по почте. Без подтверждения мы ничего не пришлём.`,
    button: "Подтвердить напоминание",
    doneTitle: "Напоминание подтверждено",
    done: (site: string, date: string) =>
      `${site} напишет вам один раз, около ${date}. Сразу после отправки письма мы удалим ваш адрес.`,
    failedTitle: "Эта ссылка не работает",
    failed:
      "Ею уже воспользовались, или ей больше 48 часов. Чтобы получить напоминание, снова выберите «Напомнить позже» под статьёй.",
  },
} satisfies Record<Language, unknown>;

/** A page with one question and one button that posts to `action`: the GET of an emailed link does nothing. */
function buttonPage(
  lang: Language,
  siteName: string,
  t: { title: string; ask: (site: string) => string; button: string },
  action: string,
): string {
  return readerPage({
    lang,
    siteName,
    title: t.title,
    body: html`<h1>${t.title}</h1>
<p>${t.ask(siteName)}</p>
<form method="post" action="${action}">
<button type="submit">${t.button}</button>
</form>`,
  });
}

/** The confirmation link's page: a GET shows only this button, so mail scanners confirm nothing. */
export function confirmPage(lang: Language, siteName: string, action: string): string {
  const t = CONFIRM[lang];
  return buttonPage(lang, siteName, t, action);
}

/** After confirming: the day the one email comes (`sendOn`, YYYY-MM-DD), in the reader's language. */
export function confirmDonePage(lang: Language, siteName: string, sendOn: string): string {
  const t = CONFIRM[lang];
  const date = new Intl.DateTimeFormat(lang, {
    day: "numeric",
    month: "long",
    year: "numeric",
    timeZone: "UTC",
  }).format(new Date(`${sendOn}T00:00:00Z`));
  return readerPage({
    lang,
    siteName,
    title: t.doneTitle,
    body: html`<h1>${t.doneTitle}</h1>
<p class="status" role="status">${t.done(siteName, date)}</p>`,
  });
}

/** A used, expired or made-up confirmation link. */
export function confirmFailedPage(lang: Language, siteName: string): string {
  const t = CONFIRM[lang];
  return readerPage({
    lang,
    siteName,
    title: t.failedTitle,
    body: html`<h1>${t.failedTitle}</h1>
<p class="status warn" role="alert">${t.failed}</p>`,
  });
}

const COPY = {
  en: {
    title: "Forget my address",
    ask: (site: string) =>
      `Press the button to delete your address from ${site}'s reminder list. We will not send you any reminder after that.`,
    button: "Forget my address",
    doneTitle: "Your address is forgotten",
    done: (site: string) =>
      `${site} holds no reminder for your address any more. If you ask for a reminder again, we will keep your address only until that one email is sent.`,
  },
  ru: {
    title: "Забыть мой адрес",
    ask: (site: string) =>
      `Нажмите кнопку, чтобы удалить ваш адрес из списка напоминаний ${site}. После этого мы не пришлём вам ни одного напоминания.`,
    button: "Забыть мой адрес",
    doneTitle: "Ваш адрес забыт",
    done: (site: string) =>
      `У ${site} больше нет напоминаний для вашего адреса. Если вы снова попросите напомнить, мы сохраним адрес только до отправки этого письма.`,
  },
} satisfies Record<Language, unknown>;

/**
 * The forget-me confirmation. A GET only shows this page; the POST does the forgetting, so a
 * mail scanner that opens every link changes nothing.
 */
export function forgetConfirmPage(lang: Language, siteName: string, action: string): string {
  const t = COPY[lang];
  return buttonPage(lang, siteName, t, action);
}

/** The answer after forgetting: the same whether or not anything was pending. */
export function forgetDonePage(lang: Language, siteName: string): string {
  const t = COPY[lang];
  return readerPage({
    lang,
    siteName,
    title: t.doneTitle,
    body: html`<h1>${t.doneTitle}</h1>
<p class="status" role="status">${t.done(siteName)}</p>`,
  });
}
