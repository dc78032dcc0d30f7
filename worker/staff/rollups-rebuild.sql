-- Rebuilds the staff view's roll-ups from the ledger tables: what the triggers of
-- migrations/0002_admin.sql, 0004_ledger_truth.sql, 0009_active_recurring.sql and
-- 0011_first_payments.sql keep up to date row by row, computed here
-- in one pass. `npm run seed` runs it after a bulk load (with the triggers dropped for speed), and
-- a worker test checks that it gives exactly what the triggers give.
DELETE FROM admin_daily_money;
INSERT INTO admin_daily_money (site, day, currency, frequency, gross, payments, fees_covered, refunded, disputed, disputed_open,
                               stripe_fees, dispute_fees, fees_pending, fees_elsewhere)
SELECT p.site, date(p.paid_at / 1000, 'unixepoch'), p.currency, p.frequency, sum(p.amount), count(*), sum(p.fee_amount),
  coalesce(sum(r.refunded), 0), coalesce(sum(d.lost), 0), coalesce(sum(d.open), 0),
  coalesce(sum(b.stripe_fees), 0), coalesce(sum(b.dispute_fees), 0),
  sum(CASE WHEN pb.n IS NULL THEN 1 ELSE 0 END), coalesce(sum(pb.n - coalesce(pbc.n, 0)), 0)
FROM payments p
LEFT JOIN (SELECT payment_intent_id, currency,
                  sum(CASE WHEN status IN ('requires_action', 'pending', 'succeeded') THEN amount ELSE 0 END) AS refunded
           FROM refunds GROUP BY payment_intent_id, currency) r
  ON r.payment_intent_id = p.payment_intent_id AND r.currency = p.currency
LEFT JOIN (SELECT payment_intent_id, currency, sum(CASE WHEN phase = 'lost' THEN amount ELSE 0 END) AS lost,
                  sum(CASE WHEN phase = 'open' THEN amount ELSE 0 END) AS open FROM disputes GROUP BY payment_intent_id, currency) d
  ON d.payment_intent_id = p.payment_intent_id AND d.currency = p.currency
LEFT JOIN (SELECT payment_intent_id, currency, sum(CASE WHEN use IN ('payment', 'refund') THEN fee ELSE 0 END) AS stripe_fees,
                  sum(CASE WHEN use = 'dispute' THEN fee ELSE 0 END) AS dispute_fees
           FROM balance_transactions GROUP BY payment_intent_id, currency) b
  ON b.payment_intent_id = p.payment_intent_id AND b.currency = p.currency
LEFT JOIN (SELECT payment_intent_id, count(*) AS n FROM balance_transactions WHERE use = 'payment' GROUP BY payment_intent_id) pb
  ON pb.payment_intent_id = p.payment_intent_id
LEFT JOIN (SELECT payment_intent_id, currency, count(*) AS n FROM balance_transactions WHERE use = 'payment'
           GROUP BY payment_intent_id, currency) pbc
  ON pbc.payment_intent_id = p.payment_intent_id AND pbc.currency = p.currency
GROUP BY 1, 2, 3, 4;
DELETE FROM admin_daily_payers;
INSERT INTO admin_daily_payers (site, day, currency, frequency, campaign, variant, prev_day, n)
SELECT site, day, currency, frequency, campaign, variant, prev_day, count(*) FROM (
  SELECT site, date(paid_at / 1000, 'unixepoch') AS day, currency, frequency, coalesce(campaign, '') AS campaign, coalesce(variant, '') AS variant,
    coalesce(date(lag(paid_at) OVER (PARTITION BY pledge_id, currency ORDER BY paid_at, id) / 1000, 'unixepoch'), '') AS prev_day
  FROM payments)
GROUP BY 1, 2, 3, 4, 5, 6, 7;
DELETE FROM admin_daily_cancellations;
INSERT INTO admin_daily_cancellations (site, day, currency, frequency, n)
SELECT site, date(updated_at / 1000, 'unixepoch'), currency, frequency, count(*) FROM pledges
WHERE status = 'canceled' AND frequency <> 'once' GROUP BY 1, 2, 3, 4;
DELETE FROM admin_active_recurring;
INSERT INTO admin_active_recurring (site, currency, frequency, n, total)
SELECT site, currency, frequency, count(*), sum(amount + fee_amount) FROM pledges
WHERE status = 'active' AND frequency IN ('monthly', 'annual') GROUP BY 1, 2, 3;
DELETE FROM admin_daily_first_payments;
INSERT INTO admin_daily_first_payments (site, day, created_day, placement, upsell, campaign, variant, n)
SELECT site, date(first / 1000, 'unixepoch'), date(created_at / 1000, 'unixepoch'), coalesce(placement, ''), coalesce(upsell, ''),
  coalesce(campaign, ''), coalesce(variant, ''), count(*)
FROM (SELECT p.site, p.created_at, p.placement, p.upsell, p.campaign, p.variant,
        (SELECT min(paid_at) FROM payments WHERE pledge_id = p.id) AS first
      FROM pledges p WHERE p.placement IS NOT NULL OR p.upsell IS NOT NULL)
WHERE first IS NOT NULL
GROUP BY 1, 2, 3, 4, 5, 6, 7;
