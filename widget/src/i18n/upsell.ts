/**
 * Strings of the monthly upsell the chooser offers after a one-off choice (ask/Upsell.tsx). They
 * ship in the ask bundle, so the offer shows the moment the reader presses Continue; only the
 * upsell imports them, so `npm run size` can weigh the upsell as a whole.
 */
const en = {
  upsellTitle: "Could you make it monthly?",
  upsellBody:
    "A monthly gift of {monthly} does even more than {once} once: it lets us plan our reporting. You can change or cancel it at any time.",
  upsellYes: "Make it {monthly} a month",
  upsellNo: "Keep my {once} one-off gift",
};

/** The shape every language provides. */
export type UpsellStrings = typeof en;

const ru: UpsellStrings = {
  upsellTitle: "Может быть, ежемесячно?",
  upsellBody:
    "Ежемесячный взнос {monthly} помогает даже больше, чем {once} один раз: он позволяет планировать работу редакции. Изменить или отменить его можно в любой момент.",
  upsellYes: "Да, {monthly} в месяц",
  upsellNo: "Оставить разовый взнос {once}",
};

declare const __LANG__: string | undefined;

/** Both tables in tests; one per published bundle (the build defines `__LANG__`). */
export const UPSELL_STRINGS: Partial<Record<string, UpsellStrings>> =
  typeof __LANG__ === "undefined" ? { en, ru } : __LANG__ === "ru" ? { ru } : { en };

/** The upsell's strings in a language (English for anything else). */
export const upsellStrings = (lang: string): UpsellStrings =>
  (UPSELL_STRINGS[lang] ?? UPSELL_STRINGS.en ?? UPSELL_STRINGS.ru)!;
