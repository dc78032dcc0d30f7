/**
 * Currencies the emulator accepts, Stripe's zero-decimal set, and Stripe's minimum charge
 * amounts (https://docs.stripe.com/currencies#minimum-and-maximum-charge-amounts), in the
 * currency's smallest unit.
 */

/** Minimum charge per supported currency, in minor units (JPY is zero-decimal: 50 = ¥50). */
export const MINIMUM_CHARGE: Readonly<Record<string, number>> = {
  usd: 50,
  eur: 50,
  gbp: 30,
  jpy: 50,
  cad: 50,
  aud: 50,
  chf: 50,
  nzd: 50,
  sgd: 50,
  hkd: 400,
  sek: 300,
  nok: 300,
  dkk: 250,
  pln: 200,
  czk: 1500,
  huf: 17500,
  ron: 200,
  bgn: 100,
  mxn: 1000,
  brl: 50,
  inr: 50,
  aed: 200,
  thb: 1000,
  myr: 200,
};

/** Currencies Stripe treats as zero-decimal (amounts are whole units). */
export const ZERO_DECIMAL = new Set([
  "bif",
  "clp",
  "djf",
  "gnf",
  "jpy",
  "kmf",
  "krw",
  "mga",
  "pyg",
  "rwf",
  "ugx",
  "vnd",
  "vuv",
  "xaf",
  "xof",
  "xpf",
]);

/** Maximum amount Stripe accepts for a charge (8 digits), in minor units. */
export const MAXIMUM_AMOUNT = 99_999_999;

/** True if the emulator supports this (lowercase) currency. */
export function isSupportedCurrency(currency: string): boolean {
  return Object.hasOwn(MINIMUM_CHARGE, currency);
}

/** Minor units → a human amount string (`1050, 'usd'` → `$10.50`; `500, 'jpy'` → `¥500`). */
export function formatAmount(amount: number, currency: string, locale = "en-US"): string {
  const zero = ZERO_DECIMAL.has(currency);
  const value = zero ? amount : amount / 100;
  try {
    return new Intl.NumberFormat(locale, {
      style: "currency",
      currency: currency.toUpperCase(),
      minimumFractionDigits: zero ? 0 : 2,
      maximumFractionDigits: zero ? 0 : 2,
    }).format(value);
  } catch {
    return `${value.toFixed(zero ? 0 : 2)} ${currency.toUpperCase()}`;
  }
}

/** Stripe's wording for a minimum, e.g. `$0.50 usd`, `¥50 jpy`. */
export function describeMinimum(currency: string): string {
  return `${formatAmount(MINIMUM_CHARGE[currency] ?? 50, currency)} ${currency}`;
}
