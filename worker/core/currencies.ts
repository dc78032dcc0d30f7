/**
 * Currencies the kit can take, with the facts money handling depends on:
 * how many minor units a major unit has (JPY has none) and Stripe's minimum
 * charge, in minor units (https://docs.stripe.com/currencies#minimum-and-maximum-charge-amounts).
 */
export const CURRENCIES = {
  USD: { decimals: 2, stripeMinimum: 50 },
  EUR: { decimals: 2, stripeMinimum: 50 },
  GBP: { decimals: 2, stripeMinimum: 30 },
  JPY: { decimals: 0, stripeMinimum: 50 },
  CAD: { decimals: 2, stripeMinimum: 50 },
  AUD: { decimals: 2, stripeMinimum: 50 },
  CHF: { decimals: 2, stripeMinimum: 50 },
  SEK: { decimals: 2, stripeMinimum: 300 },
  NOK: { decimals: 2, stripeMinimum: 300 },
  DKK: { decimals: 2, stripeMinimum: 250 },
  PLN: { decimals: 2, stripeMinimum: 200 },
  CZK: { decimals: 2, stripeMinimum: 1500 },
} as const;

export type CurrencyCode = keyof typeof CURRENCIES;

export const CURRENCY_CODES = Object.keys(CURRENCIES) as CurrencyCode[];

/** True when `code` is a currency this kit supports (upper-case ISO 4217). */
export function isCurrencyCode(code: string): code is CurrencyCode {
  return Object.hasOwn(CURRENCIES, code);
}

/** Number of decimal places of a currency's major unit (2 for USD, 0 for JPY). */
export function currencyDecimals(code: CurrencyCode): number {
  return CURRENCIES[code].decimals;
}
