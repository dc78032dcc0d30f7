/**
 * Money is always an integer count of a currency's minor unit (cents; yen for JPY).
 * These helpers are pure and small enough for the widget to import.
 */

/** Formats minor units for people, e.g. (1050, "USD", "en") → "$10.50", (500, "JPY") → "¥500". */
export function formatMoney(amount: number, currency: string, locale = "en", decimals = 2): string {
  const major = amount / 10 ** decimals;
  const whole = Number.isInteger(major);
  return new Intl.NumberFormat(locale, {
    style: "currency",
    currency,
    // Whole amounts read better without ".00" in an ask ("$10", not "$10.00").
    minimumFractionDigits: whole ? 0 : decimals,
    maximumFractionDigits: decimals,
  }).format(major);
}

/**
 * Parses what a reader typed ("10", "10.5", "1,000.50", "10,50") into minor units,
 * or null when it is not a plain positive amount with at most `decimals` decimals.
 */
export function parseAmount(input: string, decimals = 2): number | null {
  let text = input.trim().replace(/[\s\u00a0'’]/g, "");
  if (!text) return null;
  // A single comma followed by 1–2 digits at the end is a decimal comma ("10,50").
  if (/^\d+,\d{1,2}$/.test(text)) text = text.replace(",", ".");
  else text = text.replace(/,(?=\d{3}(\D|$))/g, "");
  const match = /^(\d{1,12})(?:\.(\d+))?$/.exec(text);
  if (!match) return null;
  const fraction = match[2] ?? "";
  if (fraction.length > decimals) return null;
  return Number(match[1]) * 10 ** decimals + Number(fraction.padEnd(decimals, "0") || "0");
}
