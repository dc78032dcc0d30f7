/** The languages the kit ships: every string readers or supporters see exists in each. */
export const LANGUAGES = ["en", "ru"] as const;
export type Language = (typeof LANGUAGES)[number];

/**
 * The first candidate that names a language we ship, if any. A candidate may be a bare code
 * ("ru"), a tag ("ru-RU") or an Accept-Language header ("ru-RU,ru;q=0.9,en;q=0.8": its first entry).
 */
export function firstLanguage(...candidates: (string | null | undefined)[]): Language | undefined {
  for (const candidate of candidates) {
    const code = candidate?.split(",")[0]?.trim().slice(0, 2).toLowerCase();
    const lang = LANGUAGES.find((l) => l === code);
    if (lang) return lang;
  }
  return undefined;
}
