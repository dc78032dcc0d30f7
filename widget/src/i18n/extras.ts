/**
 * Strings of the "Other" amount field, the reminder form, the Turnstile check, and the
 * thank-you's "Manage your support" and monthly offer. They ship only in the extras chunk (widget/build.mjs),
 * loaded when the reader first reaches for the form or comes back from Stripe, so the
 * first ask does not carry them.
 */
const en = {
  otherLabel: "Other amount in {currency}",
  tooLow: "Enter at least {min}",
  tooHigh: "Enter at most {max}",
  notAmount: "Enter an amount in numbers, like {example}",
  remindOffer: "Want a reminder? We'll send one email on the date you pick, and nothing else.",
  email: "Email address",
  when: "When should we remind you?",
  nextWeek: "Next week",
  nextMonth: "Next month",
  send: "Email me a reminder",
  sending: "Saving…",
  badEmail: "Enter an email address like name@example.com",
  reminderSet:
    "Almost done: check your inbox and confirm with the link we've just sent. Then we'll email you once, around {date}.",
  reminderSetNoDate: "Almost done: check your inbox and confirm with the link we've just sent.",
  humanCheckFailed: "We couldn't complete the security check. Please try again.",
  manage: "Manage your support",
  thanksOffer: "Would you like to give {monthly} every month too? You can change or cancel it at any time.",
  thanksOfferButton: "Give {monthly} a month",
};

/** The shape every language provides. */
export type ExtrasStrings = typeof en;

const ru: ExtrasStrings = {
  otherLabel: "Другая сумма, {currency}",
  tooLow: "Введите не меньше {min}",
  tooHigh: "Введите не больше {max}",
  notAmount: "Введите сумму цифрами, например {example}",
  remindOffer: "Напомнить? Мы пришлём одно письмо в выбранный день — и больше ничего.",
  email: "Адрес электронной почты",
  when: "Когда напомнить?",
  nextWeek: "Через неделю",
  nextMonth: "Через месяц",
  send: "Напомнить по почте",
  sending: "Сохраняем…",
  badEmail: "Введите адрес вида name@example.com",
  reminderSet:
    "Почти готово: проверьте почту и подтвердите напоминание по ссылке из письма. Тогда мы напишем вам один раз, около {date}.",
  reminderSetNoDate: "Почти готово: проверьте почту и подтвердите напоминание по ссылке из письма.",
  humanCheckFailed: "Не удалось пройти проверку безопасности. Попробуйте ещё раз.",
  manage: "Управление поддержкой",
  thanksOffer: "Хотите поддерживать нас на {monthly} каждый месяц? Изменить или отменить это можно в любой момент.",
  thanksOfferButton: "Поддерживать на {monthly} в месяц",
};

declare const __LANG__: string | undefined;

/** Both tables in tests; one per published chunk (the build defines `__LANG__`). */
export const EXTRAS_STRINGS: Partial<Record<string, ExtrasStrings>> =
  typeof __LANG__ === "undefined" ? { en, ru } : __LANG__ === "ru" ? { ru } : { en };

/** The extras strings of a language (English for anything else). */
export const extrasStrings = (lang: string): ExtrasStrings =>
  (EXTRAS_STRINGS[lang] ?? EXTRAS_STRINGS.en ?? EXTRAS_STRINGS.ru)!;
