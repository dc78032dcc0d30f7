/**
 * Strings of the banner's own controls. They ship only in the banner chunk (widget/build.mjs),
 * loaded when a banner is due, so the in-article ask does not carry them.
 */
const en = {
  closeBanner: "Close this message",
  supportUs: "Support us",
};

/** The shape every language provides. */
export type BannerStrings = typeof en;

const ru: BannerStrings = {
  closeBanner: "Закрыть это сообщение",
  supportUs: "Поддержать",
};

declare const __LANG__: string | undefined;

/** Both tables in tests; one per published chunk (the build defines `__LANG__`). */
export const BANNER_STRINGS: Partial<Record<string, BannerStrings>> =
  typeof __LANG__ === "undefined" ? { en, ru } : __LANG__ === "ru" ? { ru } : { en };

/** The banner's strings in a language (English for anything else). */
export const bannerStrings = (lang: string): BannerStrings =>
  (BANNER_STRINGS[lang] ?? BANNER_STRINGS.en ?? BANNER_STRINGS.ru)!;
