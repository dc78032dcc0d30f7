import type { Lang } from "./i18n";

/** The ask's language: `data-lang`, else `<html lang>`, else English. Only en and ru ship. */
export function pickLang(...candidates: (string | null | undefined)[]): Lang {
  for (const c of candidates) {
    const base = (c || "").slice(0, 2).toLowerCase();
    if (base === "en" || base === "ru") return base;
  }
  return "en";
}
