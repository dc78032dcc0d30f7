import { html } from "hono/html";
import type { Language } from "../core/languages";
import { readerPage } from "../platform/page";

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
