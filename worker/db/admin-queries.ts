import type { Frequency } from "../core/frequencies";
import {
  type CurrencySummary,
  type MoneyRow,
  type RecurringRow,
  summarizeMoney,
  summarizeRecurring,
} from "../core/summary";

/**
 * The staff view's reads (issue #4). Money, supporters and cancellations come from the exact
 * daily roll-ups that triggers keep beside the ledger (migrations/0002_admin.sql), so a site with
 * a million payments is summed from a few thousand rows. Days are UTC `YYYY-MM-DD`;
 * `fromDay` is inclusive ('' = from the start), `toDay` exclusive.
 */
export type DayBounds = { fromDay: string; toDay: string };

/** Distinct supporters (pledges with a payment in range) and first payments, per currency and frequency. */
type PayerRow = { currency: string; frequency: Frequency; supporters: number; first: number };

const moneySql = `SELECT currency, frequency, sum(gross) AS gross, sum(payments) AS payments, sum(fees_covered) AS feesCovered,
         sum(refunded) AS refunded, sum(disputed) AS disputed, sum(disputed_open) AS disputedOpen, 0 AS supporters
  FROM admin_daily_money WHERE site = ?1 AND day >= ?2 AND day < ?3 GROUP BY currency, frequency HAVING sum(payments) <> 0`;

// A payment starts a supporter's run in the range when the pledge's previous payment is before it (or there is none).
const payersSql = `SELECT currency, frequency, sum(n) AS supporters, sum(CASE WHEN prev_day = '' THEN n ELSE 0 END) AS first
  FROM admin_daily_payers WHERE site = ?1 AND day >= ?2 AND day < ?3 AND (prev_day = '' OR prev_day < ?2)
  GROUP BY currency, frequency`;

const recurringSql = `SELECT currency, frequency, count(*) AS n, sum(amount + fee_amount) AS total
  FROM pledges WHERE site = ?1 AND status = 'active' AND frequency IN ('monthly', 'annual') GROUP BY currency, frequency`;

function foldMoney(money: MoneyRow[], payers: PayerRow[]): CurrencySummary[] {
  const supporters = new Map<string, number>();
  for (const r of payers) supporters.set(r.currency, (supporters.get(r.currency) ?? 0) + r.supporters);
  return summarizeMoney(money, supporters);
}

const rows = <T>(result: D1Result | undefined) => (result?.results ?? []) as T[];

/** `/admin/api/summary`: per-currency money for the range and active recurring support, in one round trip. */
export async function staffSummary(db: D1Database, site: string, days: DayBounds) {
  const [money, payers, recurring] = await db.batch([
    db.prepare(moneySql).bind(site, days.fromDay, days.toDay),
    db.prepare(payersSql).bind(site, days.fromDay, days.toDay),
    db.prepare(recurringSql).bind(site),
  ]);
  return {
    currencies: foldMoney(rows<MoneyRow>(money), rows<PayerRow>(payers)),
    recurring: summarizeRecurring(rows<RecurringRow>(recurring)),
  };
}

export type DailyNet = { day: string; currency: string; frequency: Frequency; net: number };
export type FunnelCount = { placement: string; campaign: string; variant: string; type: string; count: number };
export type PaidCount = { campaign: string; variant: string; paid: number };
export type PaidByPlacement = { placement: string; paid: number };
export type RecentPledge = {
  id: string;
  createdAt: number;
  amount: number;
  feeAmount: number;
  currency: string;
  frequency: Frequency;
  status: string;
  pageUrl: string | null;
  campaign: string | null;
  variant: string | null;
  email: string | null;
};

/** Everything the dashboard shows for one site and range, in one D1 round trip. */
export async function dashboardData(
  db: D1Database,
  site: string,
  days: DayBounds,
  ms: { from: number; to: number },
  recentLimit = 20,
) {
  const [money, payers, recurring, daily, cancellations, funnel, paid, recent, span, paidByPlacement] = await db.batch([
    db.prepare(moneySql).bind(site, days.fromDay, days.toDay),
    db.prepare(payersSql).bind(site, days.fromDay, days.toDay),
    db.prepare(recurringSql).bind(site),
    db
      .prepare(
        `SELECT day, currency, frequency, gross - refunded - disputed AS net FROM admin_daily_money
         WHERE site = ?1 AND day >= ?2 AND day < ?3 AND payments <> 0 ORDER BY day`,
      )
      .bind(site, days.fromDay, days.toDay),
    db
      .prepare(
        `SELECT currency, frequency, sum(n) AS n FROM admin_daily_cancellations
         WHERE site = ?1 AND day >= ?2 AND day < ?3 GROUP BY currency, frequency`,
      )
      .bind(site, days.fromDay, days.toDay),
    db
      .prepare(
        `SELECT placement, campaign, variant, type, sum(count) AS count FROM ask_event_counts
         WHERE site = ?1 AND day >= ?2 AND day < ?3 GROUP BY placement, campaign, variant, type`,
      )
      .bind(site, days.fromDay, days.toDay),
    db
      .prepare(
        `SELECT campaign, variant, sum(n) AS paid FROM admin_daily_payers
         WHERE site = ?1 AND day >= ?2 AND day < ?3 AND prev_day = '' GROUP BY campaign, variant`,
      )
      .bind(site, days.fromDay, days.toDay),
    db
      .prepare(
        `SELECT id, created_at AS createdAt, amount, fee_amount AS feeAmount, currency, frequency, status,
                page_url AS pageUrl, campaign, variant, email
         FROM pledges WHERE site = ?1 AND created_at >= ?2 AND created_at < ?3 ORDER BY created_at DESC LIMIT ?4`,
      )
      .bind(site, ms.from, ms.to, recentLimit),
    db
      .prepare(
        "SELECT min(day) AS first, max(day) AS last FROM admin_daily_money WHERE site = ?1 AND day >= ?2 AND day < ?3",
      )
      .bind(site, days.fromDay, days.toDay),
    // Pledges the ask started per placement whose first payment arrived in the range (as "paid" per campaign).
    db
      .prepare(
        `SELECT placement, count(*) AS paid FROM pledges pl
         WHERE site = ?1 AND placement IS NOT NULL AND created_at < ?3
           AND (SELECT min(paid_at) FROM payments WHERE pledge_id = pl.id) >= ?2
           AND (SELECT min(paid_at) FROM payments WHERE pledge_id = pl.id) < ?3
         GROUP BY placement`,
      )
      .bind(site, ms.from, ms.to),
  ]);
  const payerRows = rows<PayerRow>(payers);
  const firstSpan = rows<{ first: string | null; last: string | null }>(span)[0];
  return {
    currencies: foldMoney(rows<MoneyRow>(money), payerRows),
    recurring: summarizeRecurring(rows<RecurringRow>(recurring)),
    /** First payments of recurring pledges in range (new supporters), per currency and frequency. */
    newRecurring: payerRows
      .filter((r) => r.frequency !== "once")
      .map((r) => ({ currency: r.currency, frequency: r.frequency, n: r.first })),
    cancelled: rows<{ currency: string; frequency: Frequency; n: number }>(cancellations),
    daily: rows<DailyNet>(daily),
    funnel: rows<FunnelCount>(funnel),
    paid: rows<PaidCount>(paid),
    paidByPlacement: rows<PaidByPlacement>(paidByPlacement),
    recent: rows<RecentPledge>(recent),
    dataSpan: { first: firstSpan?.first ?? null, last: firstSpan?.last ?? null },
  };
}

export type DashboardData = Awaited<ReturnType<typeof dashboardData>>;

/** One payment as the CSV export writes it. */
export type ExportRow = {
  id: string;
  paidAt: number;
  currency: string;
  frequency: Frequency;
  amount: number;
  feeAmount: number;
  refunded: number;
  disputed: number;
  disputeStatus: string | null;
  campaign: string | null;
  variant: string | null;
  pledgeId: string;
  pledgeStatus: string | null;
  pageUrl: string | null;
  email: string | null;
  paymentIntentId: string | null;
};

/** A page of payments after the cursor, in (paid_at, id) order: keyset pagination over an index. */
export async function paymentsPage(
  db: D1Database,
  site: string,
  ms: { from: number; to: number },
  after: { paidAt: number; id: string } | null,
  limit: number,
): Promise<ExportRow[]> {
  const cursor = after ?? { paidAt: ms.from - 1, id: "" };
  const { results } = await db
    .prepare(
      `SELECT p.id, p.paid_at AS paidAt, p.currency, p.frequency, p.amount, p.fee_amount AS feeAmount,
              (SELECT coalesce(sum(amount_refunded), 0) FROM charge_refunds r
                WHERE r.payment_intent_id = p.payment_intent_id AND r.currency = p.currency) AS refunded,
              (SELECT coalesce(sum(CASE WHEN status = 'lost' THEN amount ELSE 0 END), 0) FROM disputes d
                WHERE d.payment_intent_id = p.payment_intent_id AND d.currency = p.currency) AS disputed,
              (SELECT status FROM disputes d WHERE d.payment_intent_id = p.payment_intent_id
                ORDER BY updated_at DESC LIMIT 1) AS disputeStatus,
              p.campaign, p.variant, p.pledge_id AS pledgeId, pl.status AS pledgeStatus, pl.page_url AS pageUrl,
              pl.email, p.payment_intent_id AS paymentIntentId
       FROM payments p LEFT JOIN pledges pl ON pl.id = p.pledge_id
       WHERE p.site = ?1 AND p.paid_at >= ?2 AND p.paid_at < ?3
         AND (p.paid_at > ?4 OR (p.paid_at = ?4 AND p.id > ?5))
       ORDER BY p.paid_at, p.id LIMIT ?6`,
    )
    .bind(site, ms.from, ms.to, cursor.paidAt, cursor.id, limit)
    .all<ExportRow>();
  return results;
}
