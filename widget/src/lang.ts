import type { Lang } from "./i18n";

/** The ask's language: `data-lang`, else `<html lang>`, else English. Only en and ru ship. */
export function pickLang(...candidates: (string | null | undefined)[]): Lang {
  for (const c of candidates) {
    // By prefix, in any case ("ru-RU", "EN"); a missing one reads as "undefined" or "null".
    if (/^ru/i.test(c as string)) return "ru";
    if (/^en/i.test(c as string)) return "en";
  }
  return "en";
}
