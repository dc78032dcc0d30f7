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
