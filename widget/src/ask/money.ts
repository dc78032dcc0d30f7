import { parseAmount } from "../../../worker/core/widget-contract";
import { fill } from "../i18n";
import { extrasStrings } from "../i18n/extras";

/** Amount rules of the ask, from the config. */
export type AmountRules = { currency: string; decimals: number; min: number; max: number };

/**
 * Formats minor units with Intl: whole amounts without decimals ("$10") unless `exact`
 * ("$1.00" reads more precisely for a limit). Same output as worker/core/money's formatMoney.
 */
export function formatMoney(amount: number, currency: string, locale: string, decimals: number, exact?: boolean) {
  const major = amount / 10 ** decimals;
  return new Intl.NumberFormat(locale, {
    style: "currency",
    currency,
    minimumFractionDigits: exact || !Number.isInteger(major) ? decimals : 0,
    maximumFractionDigits: decimals,
  }).format(major);
}

/** A chosen amount in minor units, or the reason there is none. */
export type Checked = { amount: number; error?: undefined } | { amount?: undefined; error: string };

/**
 * Checks what a reader typed in "Other": the amount in minor units, or a message in
 * words ("Enter at least $1.00", "Enter at most $10,000"). Only the extras chunk uses it.
 */
export function checkAmount(text: string, rules: AmountRules, locale: string): Checked {
  const { currency, decimals, min, max } = rules;
  const t = extrasStrings(locale);
  const amount = parseAmount(text, decimals);
  if (text.trim() && amount === null) return { error: fill(t.notAmount, { example: decimals ? "12.50" : "1200" }) };
  if (!amount || amount < min)
    return { error: fill(t.tooLow, { min: formatMoney(min, currency, locale, decimals, true) }) };
  if (amount > max) return { error: fill(t.tooHigh, { max: formatMoney(max, currency, locale, decimals) }) };
  return { amount };
}
