/**
 * The widget's own UI strings (the site's copy comes from the config). English labels
 * are exactly the ones in the issue: Once, Monthly, Annual, Continue, Remind me later.
 * `{x}` placeholders are filled by `fill`.
 */
import { en, type Strings } from "./i18n/en";
import { ru } from "./i18n/ru";

export type { Strings };
export type Lang = "en" | "ru";

declare const __LANG__: string | undefined;

/**
 * The string tables in this build. The published bundles are built once per language
 * (ask.js for English, ask.ru.js for Russian) so a reader downloads one table only;
 * tests and type checks see both.
 */
const STRINGS: Partial<Record<Lang, Strings>> =
  typeof __LANG__ === "undefined" ? { en, ru } : __LANG__ === "ru" ? { ru } : { en };

/** The UI strings of a language (English for anything else). */
export const strings = (lang: string): Strings => (STRINGS[lang as Lang] ?? STRINGS.en ?? STRINGS.ru)!;

/** Replaces `{name}` placeholders with values; unknown placeholders are left as they are. */
export function fill(text: string, values: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (m, k: string) => (k in values ? String(values[k]) : m));
}
