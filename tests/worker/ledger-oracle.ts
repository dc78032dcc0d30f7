import {
  type MoneyRow,
  type RecurringRow,
  type RecurringSummary,
  summarizeMoney,
  summarizeRecurring,
} from "../../worker/core/summary";

/**
 * The test oracle for the staff figures: computed straight from the ledger tables, with no
 * roll-ups, so tests can prove the dashboard's roll-ups (migrations/0002_admin.sql,
 * 0004_ledger_truth.sql) exact. Payments in the range, each with whatever has since been
 * refunded on it (refunds whose money left or is leaving), lost or withdrawn in disputes, and
 * Stripe's fees and dispute fees from its balance transactions — all joined on the payment intent
 * and in the payment's own currency, so currencies never mix. A payment with no balance
 * transaction of its charge counts as fees pending; one settled in another currency, elsewhere.
 */
export async function moneySummary(db: D1Database, site: string, range: { from: number; to: number }) {
  const [money, supporters] = await db.batch([
    db
      .prepare(
        `SELECT p.currency AS currency, p.frequency AS frequency,
                sum(p.amount) AS gross, count(*) AS payments, sum(p.fee_amount) AS feesCovered,
                coalesce(sum((SELECT sum(amount) FROM refunds r WHERE r.payment_intent_id = p.payment_intent_id
                               AND r.currency = p.currency AND r.status IN ('requires_action', 'pending', 'succeeded'))), 0) AS refunded,
                coalesce(sum((SELECT sum(amount) FROM disputes d WHERE d.payment_intent_id = p.payment_intent_id
                               AND d.currency = p.currency AND d.phase = 'lost')), 0) AS disputed,
                coalesce(sum((SELECT sum(amount) FROM disputes d WHERE d.payment_intent_id = p.payment_intent_id
                               AND d.currency = p.currency AND d.phase = 'open')), 0) AS disputedOpen,
                coalesce(sum((SELECT sum(fee) FROM balance_transactions b WHERE b.payment_intent_id = p.payment_intent_id
                               AND b.currency = p.currency AND b.use IN ('payment', 'refund'))), 0) AS stripeFees,
                coalesce(sum((SELECT sum(fee) FROM balance_transactions b WHERE b.payment_intent_id = p.payment_intent_id
                               AND b.currency = p.currency AND b.use = 'dispute')), 0) AS disputeFees,
                sum(NOT EXISTS (SELECT 1 FROM balance_transactions b WHERE b.payment_intent_id = p.payment_intent_id
                               AND b.use = 'payment')) AS feesPending,
                sum((SELECT count(*) FROM balance_transactions b WHERE b.payment_intent_id = p.payment_intent_id
                               AND b.use = 'payment' AND b.currency <> p.currency)) AS feesElsewhere
         FROM payments p
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
