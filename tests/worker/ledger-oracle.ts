import {
  type MoneyRow,
  type RecurringRow,
  type RecurringSummary,
  summarizeMoney,
  summarizeRecurring,
} from "../../worker/core/summary";

/**
 * The test oracle for the staff figures: computed straight from the ledger tables, with no
 * roll-ups, so tests can prove the dashboard's roll-ups (migrations/0002_admin.sql) exact.
 * Staff figures straight from the ledger. Payments in the range, each net of whatever has
 * been refunded on it or lost in a dispute since (refunds and disputes join on the payment
 * intent and must share the payment's currency, so currencies never mix).
 */
export async function moneySummary(db: D1Database, site: string, range: { from: number; to: number }) {
  const [money, supporters] = await db.batch([
    db
      .prepare(
        `SELECT p.currency AS currency, p.frequency AS frequency,
                sum(p.amount) AS gross, count(*) AS payments, sum(p.fee_amount) AS feesCovered,
                count(DISTINCT p.pledge_id) AS supporters,
                coalesce(sum(r.amount_refunded), 0) AS refunded,
                coalesce(sum(d.lost), 0) AS disputed,
                coalesce(sum(d.open), 0) AS disputedOpen
         FROM payments p
         LEFT JOIN (SELECT payment_intent_id, currency, sum(amount_refunded) AS amount_refunded
                    FROM charge_refunds GROUP BY payment_intent_id, currency) r
           ON r.payment_intent_id = p.payment_intent_id AND r.currency = p.currency
         LEFT JOIN (SELECT payment_intent_id, currency,
                           sum(CASE WHEN status = 'lost' THEN amount ELSE 0 END) AS lost,
                           sum(CASE WHEN final = 0 THEN amount ELSE 0 END) AS open
                    FROM disputes GROUP BY payment_intent_id, currency) d
           ON d.payment_intent_id = p.payment_intent_id AND d.currency = p.currency
         WHERE p.site = ?1 AND p.paid_at >= ?2 AND p.paid_at < ?3
         GROUP BY p.currency, p.frequency`,
      )
      .bind(site, range.from, range.to),
    db
      .prepare(
        `SELECT currency, count(DISTINCT pledge_id) AS supporters FROM payments
         WHERE site = ?1 AND paid_at >= ?2 AND paid_at < ?3 GROUP BY currency`,
      )
      .bind(site, range.from, range.to),
  ]);
  const supportersByCurrency = new Map(
    ((supporters?.results ?? []) as { currency: string; supporters: number }[]).map((r) => [r.currency, r.supporters]),
  );
  return summarizeMoney((money?.results ?? []) as MoneyRow[], supportersByCurrency);
}

/** Active recurring supporters per currency and what they give per month. */
export async function recurringSummary(db: D1Database, site: string): Promise<RecurringSummary[]> {
  const { results } = await db
    .prepare(
      `SELECT currency, frequency, count(*) AS n, sum(amount + fee_amount) AS total
       FROM pledges WHERE site = ?1 AND status = 'active' AND frequency IN ('monthly', 'annual')
       GROUP BY currency, frequency`,
    )
    .bind(site)
    .all<RecurringRow>();
  return summarizeRecurring(results);
}
