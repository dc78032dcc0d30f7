import { parseAmount } from "../../../worker/core/widget-contract";
import { fill } from "../i18n";
import { extrasStrings } from "../i18n/extras";
import { formatMoney } from "./money";

/** Amount rules of the ask, from the config. */
export type AmountRules = { currency: string; decimals: number; min: number; max: number };

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
