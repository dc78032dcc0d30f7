import type { Lang } from "./i18n";

/** The ask's language: `data-lang`, else `<html lang>`, else English. Only en and ru ship. */
export function pickLang(...candidates: (string | null | undefined)[]): Lang {
  for (const c of candidates) {
    // A missing one reads as "undefined" or "null", which matches nothing.
    const base = /^(en|ru)/i.exec(c as string);
    if (base) return base[1]!.toLowerCase() as Lang;
  }
  return "en";
}
