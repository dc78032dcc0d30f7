import type { Frequency } from "./frequencies";

/**
 * The money figures of a set of payments in one currency, as the staff view shows them. Every
 * figure is integer minor units of that one currency; nothing is ever summed across currencies.
 */
export type MoneyFigures = {
  /** Everything readers paid (gift + fee cover). */
  gross: number;
  /** Refunds whose money left or is leaving (requires_action, pending, succeeded). */
  refunded: number;
  /** Disputes lost (the amount is gone). */
  disputed: number;
  /** Chargebacks still open: Stripe has withdrawn the amount and may reinstate it. */
  disputedOpen: number;
  /** Stripe's processing fees on the payments and their refunds (from balance transactions). */
  stripeFees: number;
  /** Dispute fees Stripe charged (less any it returned), from the disputes' balance transactions. */
  disputeFees: number;
};

/** One currency's money for a range (`/admin/api/summary`). Never summed across currencies. */
export type CurrencySummary = MoneyFigures & {
  currency: string;
  /** What Stripe pays out for these payments: `netOf`. */
  net: number;
  /** Part of gross readers added to cover fees. */
  feesCovered: number;
  /** Payments whose balance transaction Stripe has not settled yet: their fees are pending, not zero. */
  feesPending: number;
  /** Payments Stripe converted to another currency: their fees are in that currency, not here. */
  feesElsewhere: number;
  payments: number;
  supporters: number;
  byFrequency: Record<Frequency, { net: number; payments: number }>;
};

export type RecurringSummary = {
  currency: string;
  active: number;
  monthly: number;
  annual: number;
  monthlyEquivalent: number;
};

/** Rows per (currency, frequency) as the query returns them. */
export type MoneyRow = MoneyFigures & {
  currency: string;
  frequency: Frequency;
  feesCovered: number;
  feesPending: number;
  feesElsewhere: number;
  payments: number;
};

/**
 * The rule every money figure of the staff view follows — net as Stripe pays it out:
 * gross − refunds − lost disputes − open chargebacks (withdrawn until decided) − Stripe's fees −
 * dispute fees. Inquiries, prevented and won disputes take nothing; failed and canceled refunds
 * take nothing. The dashboard, the CSV export, the roll-up triggers' tests and the reconciliation
 * all use this one function.
 */
export const netOf = (m: MoneyFigures) =>
  m.gross - m.refunded - m.disputed - m.disputedOpen - m.stripeFees - m.disputeFees;

/** Folds per-frequency rows into per-currency summaries (net by `netOf`). */
export function summarizeMoney(rows: MoneyRow[], supportersByCurrency: Map<string, number>): CurrencySummary[] {
  const byCurrency = new Map<string, CurrencySummary>();
  for (const row of rows) {
    let s = byCurrency.get(row.currency);
    if (!s) {
      s = {
        currency: row.currency,
        gross: 0,
        refunded: 0,
        disputed: 0,
        disputedOpen: 0,
        stripeFees: 0,
        disputeFees: 0,
        net: 0,
        feesCovered: 0,
        feesPending: 0,
        feesElsewhere: 0,
        payments: 0,
        supporters: supportersByCurrency.get(row.currency) ?? 0,
        byFrequency: {
          once: { net: 0, payments: 0 },
          monthly: { net: 0, payments: 0 },
          annual: { net: 0, payments: 0 },
        },
      };
      byCurrency.set(row.currency, s);
    }
    const net = netOf(row);
    s.gross += row.gross;
    s.refunded += row.refunded;
    s.disputed += row.disputed;
    s.disputedOpen += row.disputedOpen;
    s.stripeFees += row.stripeFees;
    s.disputeFees += row.disputeFees;
    s.feesCovered += row.feesCovered;
    s.feesPending += row.feesPending;
    s.feesElsewhere += row.feesElsewhere;
    s.net += net;
    s.payments += row.payments;
    s.byFrequency[row.frequency].net += net;
    s.byFrequency[row.frequency].payments += row.payments;
  }
  return [...byCurrency.values()].sort((a, b) => a.currency.localeCompare(b.currency));
}

/** Active recurring pledges per (currency, frequency) as the query returns them. */
export type RecurringRow = { currency: string; frequency: "monthly" | "annual"; n: number; total: number };

/** Folds recurring rows into per-currency supporters and their monthly value, sorted by currency. */
export function summarizeRecurring(rows: RecurringRow[]): RecurringSummary[] {
  const out = new Map<string, { monthly: number; annual: number; monthlyTotal: number; annualTotal: number }>();
  for (const r of rows) {
    const s = out.get(r.currency) ?? { monthly: 0, annual: 0, monthlyTotal: 0, annualTotal: 0 };
    if (r.frequency === "monthly") [s.monthly, s.monthlyTotal] = [r.n, r.total];
    else [s.annual, s.annualTotal] = [r.n, r.total];
    out.set(r.currency, s);
  }
  return [...out.entries()]
    .map(([currency, s]) => ({
      currency,
      active: s.monthly + s.annual,
      monthly: s.monthly,
      annual: s.annual,
      monthlyEquivalent: monthlyEquivalent(s.monthlyTotal, s.annualTotal),
    }))
    .sort((a, b) => a.currency.localeCompare(b.currency));
}

/**
 * Monthly value of recurring support: monthly amounts plus annual amounts / 12,
 * rounded half up once per currency (integer minor units).
 */
export function monthlyEquivalent(monthlyTotal: number, annualTotal: number): number {
  return monthlyTotal + Math.floor((annualTotal * 2 + 12) / 24);
}

/** Parses YYYY-MM-DD range bounds into [fromMs, toMsExclusive) in UTC; null when invalid. */
export function parseRange(from?: string, to?: string): { from: number; to: number } | null {
  const day = /^\d{4}-\d{2}-\d{2}$/;
  if ((from && !day.test(from)) || (to && !day.test(to))) return null;
  const start = from ? Date.parse(`${from}T00:00:00Z`) : 0;
  const end = to ? Date.parse(`${to}T00:00:00Z`) + 86_400_000 : 8_640_000_000_000_000;
  if (Number.isNaN(start) || Number.isNaN(end) || end <= start) return null;
  return { from: start, to: end };
}
