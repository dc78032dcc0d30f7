import type { Movement } from "./ledger";
import { monthlyEquivalent } from "./summary";

/**
 * Recurring revenue movements per currency and month, as the staff view shows them. Pure: the
 * rows are sums of `recurring_changes` per currency, month and movement (staff/queries.ts), from
 * the first month on, so each month's opening figure is everything before it.
 *
 * Recurring revenue is monthly-equivalent: monthly amounts plus a twelfth of annual ones
 * (`monthlyEquivalent`: rounded half up once per figure), in integer minor units of one currency.
 * Nothing is ever summed across currencies.
 */

/** One sum of movements as the query returns it. */
export type MovementRow = {
  currency: string;
  /** `YYYY-MM`. */
  month: string;
  movement: Movement;
  /** Sums of the changes of monthly and of annual amounts. */
  monthly: number;
  annual: number;
  /** How many changes (for new and churned: how many supporters started or ended). */
  n: number;
};

export type MonthFigures = {
  month: string;
  /** Recurring revenue when the month began and when it ended (or now, for this month). */
  opening: number;
  closing: number;
  new: number;
  expansion: number;
  contraction: number;
  paused: number;
  resumed: number;
  churned: number;
  /** Recurring supporters when the month began (paused ones included), and those who started and ended in it. */
  supportersAtStart: number;
  started: number;
  ended: number;
  /** Supporters who ended / supporters at the start, in basis points; null without supporters at the start. */
  churnRateBps: number | null;
  /** Recurring revenue lost to endings / opening revenue, in basis points; null without opening revenue. */
  revenueChurnRateBps: number | null;
};

export type CurrencyMovements = { currency: string; months: MonthFigures[] };

const KINDS = ["new", "expansion", "contraction", "paused", "resumed", "churned"] as const;

/** `YYYY-MM` months from `first` to `last`, inclusive. */
export function monthsBetween(first: string, last: string): string[] {
  const out: string[] = [];
  let [y, m] = first.split("-").map(Number) as [number, number];
  const [ly, lm] = last.split("-").map(Number) as [number, number];
  while (y < ly || (y === ly && m <= lm)) {
    out.push(`${y}-${String(m).padStart(2, "0")}`);
    if (++m > 12) [y, m] = [y + 1, 1];
    if (out.length > 1200) break;
  }
  return out;
}

const rate = (part: number, whole: number) => (whole > 0 ? Math.round((part * 10_000) / whole) : null);

/**
 * Figures per currency for the months `first`…`last` (rows from earlier months make the opening
 * figures). Currencies with no row up to `last` are left out; sorted by currency.
 */
export function summarizeMovements(rows: MovementRow[], first: string, last: string): CurrencyMovements[] {
  const months = monthsBetween(first, last);
  const currencies = [...new Set(rows.filter((r) => r.month <= last).map((r) => r.currency))].sort();
  return currencies.map((currency) => {
    const mine = rows.filter((r) => r.currency === currency);
    const total = { monthly: 0, annual: 0 };
    let supporters = 0;
    for (const r of mine) {
      if (r.month >= first) continue;
      total.monthly += r.monthly;
      total.annual += r.annual;
      if (r.movement === "new") supporters += r.n;
      if (r.movement === "churned") supporters -= r.n;
    }
    return {
      currency,
      months: months.map((month) => {
        const opening = monthlyEquivalent(total.monthly, total.annual);
        const supportersAtStart = supporters;
        const byKind = Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<(typeof KINDS)[number], number>;
        let started = 0;
        let ended = 0;
        for (const r of mine) {
          if (r.month !== month) continue;
          byKind[r.movement] += monthlyEquivalent(r.monthly, r.annual);
          total.monthly += r.monthly;
          total.annual += r.annual;
          if (r.movement === "new") started += r.n;
          if (r.movement === "churned") ended += r.n;
        }
        supporters += started - ended;
        return {
          month,
          opening,
          closing: monthlyEquivalent(total.monthly, total.annual),
          ...byKind,
          supportersAtStart,
          started,
          ended,
          churnRateBps: rate(ended, supportersAtStart),
          revenueChurnRateBps: rate(-byKind.churned, opening),
        };
      }),
    };
  });
}
