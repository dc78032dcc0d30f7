import { CURRENCIES, type CurrencyCode, isCurrencyCode } from "./currencies";
import { coverFee } from "./fees";
import { formatMoney, parseAmount } from "./money";
import type { SiteConfig } from "./site-config";

/**
 * The rules of a supporter's own changes at /manage: amounts within the site's bounds, what a
 * period charges with the fee cover, when a pause ends and when the next payment falls. Pure:
 * `now` and the subscription's dates are passed in (unix ms).
 */

export type RecurringFrequency = "monthly" | "annual";
export type Violation = { code: string; field: string; message: string };

/** Adds calendar months in UTC, keeping the day (clamped to the month's end), as Stripe's billing does. */
export function addMonths(ms: number, months: number): number {
  const d = new Date(ms);
  const target = new Date(
    Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()),
  );
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d.getUTCDate(), lastDay));
  return target.getTime();
}

const monthsOf = (f: RecurringFrequency) => (f === "annual" ? 12 : 1);

/**
 * The amount a supporter typed (in major units: "7", "7.50", "1 000") as minor units within the
 * site's bounds for the currency, or the violation in words.
 */
export function checkNewAmount(
  site: SiteConfig,
  currency: string,
  typed: string,
): { ok: true; amount: number } | { ok: false; error: Violation } {
  const settings = site.currencies[currency];
  if (!settings || !isCurrencyCode(currency))
    return {
      ok: false,
      error: {
        code: "currency_not_offered",
        field: "amount",
        message: `${currency} is not a currency ${site.name} takes.`,
      },
    };
  const decimals = CURRENCIES[currency].decimals;
  const money = (n: number) => formatMoney(n, currency, "en", decimals);
  const amount = parseAmount(typed.slice(0, 40), decimals);
  if (amount === null)
    return {
      ok: false,
      error: { code: "invalid_amount", field: "amount", message: "Enter the amount in numbers, like 7 or 7.50." },
    };
  if (amount < settings.min)
    return {
      ok: false,
      error: {
        code: "amount_too_small",
        field: "amount",
        message: `The amount must be at least ${money(settings.min)}.`,
      },
    };
  if (amount > settings.max)
    return {
      ok: false,
      error: {
        code: "amount_too_large",
        field: "amount",
        message: `The amount must be at most ${money(settings.max)}.`,
      },
    };
  return { ok: true, amount };
}

/** The fee cover for a gift when the supporter covers fees (0 when they do not, or the site stopped offering it). */
export function feeCoverFor(site: SiteConfig, currency: string, gift: number, covers: boolean): number {
  if (!covers || !site.feeCoverage) return 0;
  return coverFee(gift, { percentBps: site.feeCoverage.percentBps, fixed: site.feeCoverage.fixed[currency] ?? 0 });
}

/**
 * The amount a supporter is offered when switching: the same money per month, rounded to a whole
 * major unit (12 × a monthly amount; an annual amount / 12), within the site's bounds.
 */
export function switchedAmount(site: SiteConfig, currency: string, gift: number, to: RecurringFrequency): number {
  const settings = site.currencies[currency];
  const raw = to === "annual" ? gift * 12 : Math.round(gift / 12);
  const step = isCurrencyCode(currency) && CURRENCIES[currency as CurrencyCode].decimals === 0 ? 1 : 100;
  const rounded = Math.max(step, Math.round(raw / step) * step);
  return settings ? Math.min(settings.max, Math.max(settings.min, rounded)) : rounded;
}

/** Pauses last 1, 2 or 3 months. */
export const PAUSE_MONTHS = [1, 2, 3] as const;
export type PauseMonths = (typeof PAUSE_MONTHS)[number];

/**
 * When a pause of `months` ends (Stripe voids the invoices due before it): monthly support skips that
 * many payments, and the pause ends a day after the last one skipped. Counted from the end of the
 * period already paid for, so pressing the button twice asks Stripe for the same thing. (Annual
 * support is not paused: a pause over its renewal would skip a whole year.)
 */
export const pauseEnd = (periodEnd: number, months: number): number => addMonths(periodEnd, months - 1) + 86_400_000;

/**
 * The next payment: the end of the paid period, or after a pause the first period end on or after
 * the pause's end (Stripe voids the invoices before it). Null when the support ends first.
 */
export function nextPaymentAt(sub: {
  periodEnd: number;
  frequency: RecurringFrequency;
  resumesAt: number | null;
  paused: boolean;
  cancelAt: number | null;
}): number | null {
  let next = sub.periodEnd;
  if (sub.paused) {
    if (sub.resumesAt === null) return null;
    for (let i = 1; next < sub.resumesAt && i < 100; i++) next = addMonths(sub.periodEnd, monthsOf(sub.frequency) * i);
  }
  if (sub.cancelAt !== null && sub.cancelAt <= next) return null;
  return next;
}

/** The day a unix ms time falls on, in the reader's language ("3 June 2031", "3 июня 2031 г."). */
export const longDate = (ms: number, lang: string) =>
  new Intl.DateTimeFormat(lang, { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" }).format(ms);
