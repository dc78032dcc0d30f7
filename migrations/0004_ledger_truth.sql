CREATE TABLE `balance_transactions` (
	`id` text PRIMARY KEY NOT NULL,
	`use` text NOT NULL,
	`source` text NOT NULL,
	`payment_intent_id` text NOT NULL,
	`type` text NOT NULL,
	`reporting_category` text,
	`currency` text NOT NULL,
	`amount` integer NOT NULL,
	`fee` integer NOT NULL,
	`net` integer NOT NULL,
	`exchange_rate` real,
	`created` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `balance_transactions_intent` ON `balance_transactions` (`payment_intent_id`,`use`,`currency`);--> statement-breakpoint
CREATE TABLE `reconciliation_differences` (
	`run_id` text NOT NULL,
	`seq` integer NOT NULL,
	`kind` text NOT NULL,
	`object_id` text NOT NULL,
	`payment_intent_id` text,
	`currency` text,
	`stripe_value` text,
	`ledger_value` text,
	`repaired` integer DEFAULT 0 NOT NULL,
	`detail` text NOT NULL,
	PRIMARY KEY(`run_id`, `seq`)
);
--> statement-breakpoint
CREATE TABLE `reconciliation_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`trigger` text NOT NULL,
	`since` integer NOT NULL,
	`until` integer NOT NULL,
	`started_at` integer NOT NULL,
	`finished_at` integer,
	`status` text NOT NULL,
	`events_seen` integer DEFAULT 0 NOT NULL,
	`events_replayed` integer DEFAULT 0 NOT NULL,
	`charges_checked` integer DEFAULT 0 NOT NULL,
	`differences` integer DEFAULT 0 NOT NULL,
	`error` text
);
--> statement-breakpoint
CREATE INDEX `reconciliation_runs_started` ON `reconciliation_runs` (`started_at`);--> statement-breakpoint
CREATE TABLE `refunds` (
	`id` text PRIMARY KEY NOT NULL,
	`charge_id` text NOT NULL,
	`payment_intent_id` text NOT NULL,
	`currency` text NOT NULL,
	`amount` integer NOT NULL,
	`status` text NOT NULL,
	`status_key` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `refunds_intent` ON `refunds` (`payment_intent_id`,`currency`);--> statement-breakpoint
CREATE INDEX `refunds_charge` ON `refunds` (`charge_id`);--> statement-breakpoint
DROP INDEX `disputes_intent`;--> statement-breakpoint
ALTER TABLE `disputes` ADD `phase` text DEFAULT 'open' NOT NULL;--> statement-breakpoint
ALTER TABLE `disputes` ADD `status_key` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `disputes` ADD `created_at` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `disputes_intent` ON `disputes` (`payment_intent_id`,`currency`);--> statement-breakpoint
ALTER TABLE `admin_daily_money` ADD `stripe_fees` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `admin_daily_money` ADD `dispute_fees` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `admin_daily_money` ADD `fees_pending` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `admin_daily_money` ADD `fees_elsewhere` integer DEFAULT 0 NOT NULL;
--> statement-breakpoint
-- Refund totals kept per charge become one succeeded refund per charge (`legacy_<charge>`);
-- when a charge's refunds are next listed from Stripe (charge.refunded, reconciliation) the
-- real refunds replace it.
INSERT INTO refunds (id, charge_id, payment_intent_id, currency, amount, status, status_key, created_at, updated_at)
SELECT 'legacy_' || charge_id, charge_id, payment_intent_id, currency, amount_refunded, 'succeeded',
  3000000000000 + updated_at / 1000, updated_at, updated_at FROM charge_refunds WHERE amount_refunded > 0;
--> statement-breakpoint
-- Disputes: the phase of their status (core/ledger.ts disputePhase) and their ordering key.
UPDATE disputes SET
  phase = CASE status
    WHEN 'warning_needs_response' THEN 'inquiry' WHEN 'warning_under_review' THEN 'inquiry'
    WHEN 'warning_closed' THEN 'inquiry_closed' WHEN 'won' THEN 'won' WHEN 'lost' THEN 'lost'
    WHEN 'prevented' THEN 'prevented' ELSE 'open' END,
  status_key = (updated_at / 1000) * 16 + CASE status
    WHEN 'warning_needs_response' THEN 1 WHEN 'warning_under_review' THEN 2 WHEN 'warning_closed' THEN 3
    WHEN 'needs_response' THEN 4 WHEN 'under_review' THEN 5 WHEN 'prevented' THEN 6 WHEN 'lost' THEN 7
    WHEN 'appeal_needs_response' THEN 8 WHEN 'appeal_under_review' THEN 9 WHEN 'won' THEN 10 ELSE 0 END,
  created_at = updated_at;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `admin_payments_insert`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `admin_payments_delete`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `admin_payments_intent`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `admin_refunds_insert`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `admin_refunds_update`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `admin_refunds_delete`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `admin_disputes_insert`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `admin_disputes_update`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `admin_disputes_delete`;
--> statement-breakpoint
-- A payment's row counts, besides its gross, whatever refunds, disputes and balance transactions
-- already name its payment intent (they may arrive first).
CREATE TRIGGER `admin_payments_insert` AFTER INSERT ON `payments` BEGIN
  INSERT INTO admin_daily_money (site, day, currency, frequency, gross, payments, fees_covered, refunded, disputed, disputed_open,
                                 stripe_fees, dispute_fees, fees_pending, fees_elsewhere)
  VALUES (new.site, date(new.paid_at / 1000, 'unixepoch'), new.currency, new.frequency, new.amount, 1, new.fee_amount,
    (SELECT coalesce(sum(amount), 0) FROM refunds WHERE payment_intent_id = new.payment_intent_id AND currency = new.currency AND status IN ('requires_action', 'pending', 'succeeded')),
    (SELECT coalesce(sum(amount), 0) FROM disputes WHERE payment_intent_id = new.payment_intent_id AND currency = new.currency AND phase = 'lost'),
    (SELECT coalesce(sum(amount), 0) FROM disputes WHERE payment_intent_id = new.payment_intent_id AND currency = new.currency AND phase = 'open'),
    (SELECT coalesce(sum(fee), 0) FROM balance_transactions WHERE payment_intent_id = new.payment_intent_id AND currency = new.currency AND use IN ('payment', 'refund')),
    (SELECT coalesce(sum(fee), 0) FROM balance_transactions WHERE payment_intent_id = new.payment_intent_id AND currency = new.currency AND use = 'dispute'),
    (SELECT CASE WHEN EXISTS (SELECT 1 FROM balance_transactions WHERE payment_intent_id = new.payment_intent_id AND use = 'payment') THEN 0 ELSE 1 END),
    (SELECT count(*) FROM balance_transactions WHERE payment_intent_id = new.payment_intent_id AND use = 'payment' AND currency <> new.currency))
  ON CONFLICT (site, day, currency, frequency) DO UPDATE SET
    gross = gross + excluded.gross, payments = payments + 1, fees_covered = fees_covered + excluded.fees_covered,
    refunded = refunded + excluded.refunded, disputed = disputed + excluded.disputed, disputed_open = disputed_open + excluded.disputed_open,
    stripe_fees = stripe_fees + excluded.stripe_fees, dispute_fees = dispute_fees + excluded.dispute_fees,
    fees_pending = fees_pending + excluded.fees_pending, fees_elsewhere = fees_elsewhere + excluded.fees_elsewhere;
  -- This payment, linked to the pledge's previous one.
  INSERT INTO admin_daily_payers (site, day, currency, frequency, campaign, variant, prev_day, n)
  VALUES (new.site, date(new.paid_at / 1000, 'unixepoch'), new.currency, new.frequency, coalesce(new.campaign, ''), coalesce(new.variant, ''),
    coalesce((SELECT date(paid_at / 1000, 'unixepoch') FROM payments
              WHERE pledge_id = new.pledge_id AND currency = new.currency AND id <> new.id
                AND (paid_at < new.paid_at OR (paid_at = new.paid_at AND id < new.id))
              ORDER BY paid_at DESC, id DESC LIMIT 1), ''), 1)
  ON CONFLICT (site, day, currency, frequency, campaign, variant, prev_day) DO UPDATE SET n = n + 1;
  -- The pledge's next payment (if this one arrived late) now follows this one instead.
  INSERT INTO admin_daily_payers (site, day, currency, frequency, campaign, variant, prev_day, n)
  SELECT x.site, date(x.paid_at / 1000, 'unixepoch'), x.currency, x.frequency, coalesce(x.campaign, ''), coalesce(x.variant, ''), v.prev_day, v.n
  FROM payments x,
    (SELECT coalesce((SELECT date(paid_at / 1000, 'unixepoch') FROM payments
              WHERE pledge_id = new.pledge_id AND currency = new.currency AND id <> new.id
                AND (paid_at < new.paid_at OR (paid_at = new.paid_at AND id < new.id))
              ORDER BY paid_at DESC, id DESC LIMIT 1), '') AS prev_day, -1 AS n
     UNION ALL SELECT date(new.paid_at / 1000, 'unixepoch'), 1) v
  WHERE x.id = (SELECT id FROM payments WHERE pledge_id = new.pledge_id AND currency = new.currency AND id <> new.id
                  AND (paid_at > new.paid_at OR (paid_at = new.paid_at AND id > new.id))
                ORDER BY paid_at, id LIMIT 1)
  ON CONFLICT (site, day, currency, frequency, campaign, variant, prev_day) DO UPDATE SET n = n + excluded.n;
END;
--> statement-breakpoint
CREATE TRIGGER `admin_payments_delete` AFTER DELETE ON `payments` BEGIN
  UPDATE admin_daily_money SET gross = gross - old.amount, payments = payments - 1, fees_covered = fees_covered - old.fee_amount,
    refunded = refunded - (SELECT coalesce(sum(amount), 0) FROM refunds WHERE payment_intent_id = old.payment_intent_id AND currency = old.currency AND status IN ('requires_action', 'pending', 'succeeded')),
    disputed = disputed - (SELECT coalesce(sum(amount), 0) FROM disputes WHERE payment_intent_id = old.payment_intent_id AND currency = old.currency AND phase = 'lost'),
    disputed_open = disputed_open - (SELECT coalesce(sum(amount), 0) FROM disputes WHERE payment_intent_id = old.payment_intent_id AND currency = old.currency AND phase = 'open'),
    stripe_fees = stripe_fees - (SELECT coalesce(sum(fee), 0) FROM balance_transactions WHERE payment_intent_id = old.payment_intent_id AND currency = old.currency AND use IN ('payment', 'refund')),
    dispute_fees = dispute_fees - (SELECT coalesce(sum(fee), 0) FROM balance_transactions WHERE payment_intent_id = old.payment_intent_id AND currency = old.currency AND use = 'dispute'),
    fees_pending = fees_pending - (SELECT CASE WHEN EXISTS (SELECT 1 FROM balance_transactions WHERE payment_intent_id = old.payment_intent_id AND use = 'payment') THEN 0 ELSE 1 END),
    fees_elsewhere = fees_elsewhere - (SELECT count(*) FROM balance_transactions WHERE payment_intent_id = old.payment_intent_id AND use = 'payment' AND currency <> old.currency)
  WHERE site = old.site AND day = date(old.paid_at / 1000, 'unixepoch') AND currency = old.currency AND frequency = old.frequency;
  UPDATE admin_daily_payers SET n = n - 1
  WHERE site = old.site AND day = date(old.paid_at / 1000, 'unixepoch') AND currency = old.currency AND frequency = old.frequency
    AND campaign = coalesce(old.campaign, '') AND variant = coalesce(old.variant, '')
    AND prev_day = coalesce((SELECT date(paid_at / 1000, 'unixepoch') FROM payments
              WHERE pledge_id = old.pledge_id AND currency = old.currency
                AND (paid_at < old.paid_at OR (paid_at = old.paid_at AND id < old.id))
              ORDER BY paid_at DESC, id DESC LIMIT 1), '');
  -- The next payment now follows the one before the deleted one.
  INSERT INTO admin_daily_payers (site, day, currency, frequency, campaign, variant, prev_day, n)
  SELECT x.site, date(x.paid_at / 1000, 'unixepoch'), x.currency, x.frequency, coalesce(x.campaign, ''), coalesce(x.variant, ''), v.prev_day, v.n
  FROM payments x,
    (SELECT date(old.paid_at / 1000, 'unixepoch') AS prev_day, -1 AS n
     UNION ALL SELECT coalesce((SELECT date(paid_at / 1000, 'unixepoch') FROM payments
              WHERE pledge_id = old.pledge_id AND currency = old.currency
                AND (paid_at < old.paid_at OR (paid_at = old.paid_at AND id < old.id))
              ORDER BY paid_at DESC, id DESC LIMIT 1), ''), 1) v
  WHERE x.id = (SELECT id FROM payments WHERE pledge_id = old.pledge_id AND currency = old.currency
                  AND (paid_at > old.paid_at OR (paid_at = old.paid_at AND id > old.id))
                ORDER BY paid_at, id LIMIT 1)
  ON CONFLICT (site, day, currency, frequency, campaign, variant, prev_day) DO UPDATE SET n = n + excluded.n;
END;
--> statement-breakpoint
-- An invoice's payment intent can be learned after the payment row: what names it then counts.
CREATE TRIGGER `admin_payments_intent` AFTER UPDATE OF `payment_intent_id` ON `payments`
WHEN old.payment_intent_id IS NOT new.payment_intent_id BEGIN
  UPDATE admin_daily_money SET
    refunded = refunded - (SELECT coalesce(sum(amount), 0) FROM refunds WHERE payment_intent_id = old.payment_intent_id AND currency = old.currency AND status IN ('requires_action', 'pending', 'succeeded')) + (SELECT coalesce(sum(amount), 0) FROM refunds WHERE payment_intent_id = new.payment_intent_id AND currency = new.currency AND status IN ('requires_action', 'pending', 'succeeded')),
    disputed = disputed - (SELECT coalesce(sum(amount), 0) FROM disputes WHERE payment_intent_id = old.payment_intent_id AND currency = old.currency AND phase = 'lost') + (SELECT coalesce(sum(amount), 0) FROM disputes WHERE payment_intent_id = new.payment_intent_id AND currency = new.currency AND phase = 'lost'),
    disputed_open = disputed_open - (SELECT coalesce(sum(amount), 0) FROM disputes WHERE payment_intent_id = old.payment_intent_id AND currency = old.currency AND phase = 'open') + (SELECT coalesce(sum(amount), 0) FROM disputes WHERE payment_intent_id = new.payment_intent_id AND currency = new.currency AND phase = 'open'),
    stripe_fees = stripe_fees - (SELECT coalesce(sum(fee), 0) FROM balance_transactions WHERE payment_intent_id = old.payment_intent_id AND currency = old.currency AND use IN ('payment', 'refund')) + (SELECT coalesce(sum(fee), 0) FROM balance_transactions WHERE payment_intent_id = new.payment_intent_id AND currency = new.currency AND use IN ('payment', 'refund')),
    dispute_fees = dispute_fees - (SELECT coalesce(sum(fee), 0) FROM balance_transactions WHERE payment_intent_id = old.payment_intent_id AND currency = old.currency AND use = 'dispute') + (SELECT coalesce(sum(fee), 0) FROM balance_transactions WHERE payment_intent_id = new.payment_intent_id AND currency = new.currency AND use = 'dispute'),
    fees_pending = fees_pending - (SELECT CASE WHEN EXISTS (SELECT 1 FROM balance_transactions WHERE payment_intent_id = old.payment_intent_id AND use = 'payment') THEN 0 ELSE 1 END) + (SELECT CASE WHEN EXISTS (SELECT 1 FROM balance_transactions WHERE payment_intent_id = new.payment_intent_id AND use = 'payment') THEN 0 ELSE 1 END),
    fees_elsewhere = fees_elsewhere - (SELECT count(*) FROM balance_transactions WHERE payment_intent_id = old.payment_intent_id AND use = 'payment' AND currency <> old.currency) + (SELECT count(*) FROM balance_transactions WHERE payment_intent_id = new.payment_intent_id AND use = 'payment' AND currency <> new.currency)
  WHERE site = new.site AND day = date(new.paid_at / 1000, 'unixepoch') AND currency = new.currency AND frequency = new.frequency;
END;
--> statement-breakpoint
-- Refunds count while their money is leaving or left (requires_action, pending, succeeded); a
-- refund that fails or is canceled takes its amount back out.
CREATE TRIGGER `admin_refunds_insert` AFTER INSERT ON `refunds` BEGIN
  UPDATE admin_daily_money SET refunded = refunded + CASE WHEN new.status IN ('requires_action', 'pending', 'succeeded') THEN new.amount ELSE 0 END
  WHERE (site, day, currency, frequency) = (SELECT site, date(paid_at / 1000, 'unixepoch'), currency, frequency FROM payments
                                           WHERE payment_intent_id = new.payment_intent_id AND currency = new.currency);
END;
--> statement-breakpoint
CREATE TRIGGER `admin_refunds_update` AFTER UPDATE ON `refunds` BEGIN
  UPDATE admin_daily_money SET refunded = refunded - CASE WHEN old.status IN ('requires_action', 'pending', 'succeeded') THEN old.amount ELSE 0 END
  WHERE (site, day, currency, frequency) = (SELECT site, date(paid_at / 1000, 'unixepoch'), currency, frequency FROM payments
                                           WHERE payment_intent_id = old.payment_intent_id AND currency = old.currency);
  UPDATE admin_daily_money SET refunded = refunded + CASE WHEN new.status IN ('requires_action', 'pending', 'succeeded') THEN new.amount ELSE 0 END
  WHERE (site, day, currency, frequency) = (SELECT site, date(paid_at / 1000, 'unixepoch'), currency, frequency FROM payments
                                           WHERE payment_intent_id = new.payment_intent_id AND currency = new.currency);
END;
--> statement-breakpoint
CREATE TRIGGER `admin_refunds_delete` AFTER DELETE ON `refunds` BEGIN
  UPDATE admin_daily_money SET refunded = refunded - CASE WHEN old.status IN ('requires_action', 'pending', 'succeeded') THEN old.amount ELSE 0 END
  WHERE (site, day, currency, frequency) = (SELECT site, date(paid_at / 1000, 'unixepoch'), currency, frequency FROM payments
                                           WHERE payment_intent_id = old.payment_intent_id AND currency = old.currency);
END;
--> statement-breakpoint
-- Disputes: a lost one counts its amount as lost, an open chargeback as withdrawn; inquiries,
-- prevented and won disputes count nothing (their fees come from balance transactions).
CREATE TRIGGER `admin_disputes_insert` AFTER INSERT ON `disputes` BEGIN
  UPDATE admin_daily_money SET
    disputed = disputed + CASE WHEN new.phase = 'lost' THEN new.amount ELSE 0 END,
    disputed_open = disputed_open + CASE WHEN new.phase = 'open' THEN new.amount ELSE 0 END
  WHERE (site, day, currency, frequency) = (SELECT site, date(paid_at / 1000, 'unixepoch'), currency, frequency FROM payments
                                           WHERE payment_intent_id = new.payment_intent_id AND currency = new.currency);
END;
--> statement-breakpoint
CREATE TRIGGER `admin_disputes_update` AFTER UPDATE ON `disputes` BEGIN
  UPDATE admin_daily_money SET
    disputed = disputed - CASE WHEN old.phase = 'lost' THEN old.amount ELSE 0 END,
    disputed_open = disputed_open - CASE WHEN old.phase = 'open' THEN old.amount ELSE 0 END
  WHERE (site, day, currency, frequency) = (SELECT site, date(paid_at / 1000, 'unixepoch'), currency, frequency FROM payments
                                           WHERE payment_intent_id = old.payment_intent_id AND currency = old.currency);
  UPDATE admin_daily_money SET
    disputed = disputed + CASE WHEN new.phase = 'lost' THEN new.amount ELSE 0 END,
    disputed_open = disputed_open + CASE WHEN new.phase = 'open' THEN new.amount ELSE 0 END
  WHERE (site, day, currency, frequency) = (SELECT site, date(paid_at / 1000, 'unixepoch'), currency, frequency FROM payments
                                           WHERE payment_intent_id = new.payment_intent_id AND currency = new.currency);
END;
--> statement-breakpoint
CREATE TRIGGER `admin_disputes_delete` AFTER DELETE ON `disputes` BEGIN
  UPDATE admin_daily_money SET
    disputed = disputed - CASE WHEN old.phase = 'lost' THEN old.amount ELSE 0 END,
    disputed_open = disputed_open - CASE WHEN old.phase = 'open' THEN old.amount ELSE 0 END
  WHERE (site, day, currency, frequency) = (SELECT site, date(paid_at / 1000, 'unixepoch'), currency, frequency FROM payments
                                           WHERE payment_intent_id = old.payment_intent_id AND currency = old.currency);
END;
--> statement-breakpoint
-- Balance transactions are facts Stripe wrote: the ledger stores them once and never changes them.
CREATE TRIGGER `admin_balance_immutable` BEFORE UPDATE ON `balance_transactions` BEGIN
  SELECT RAISE(ABORT, 'balance transactions are immutable: Stripe writes a new one for every change');
END;
--> statement-breakpoint
-- Fees count in the payment's row when Stripe kept them in the payment's currency. A payment's
-- first balance transaction ends its "fees pending"; one in another currency marks it converted.
CREATE TRIGGER `admin_balance_insert` AFTER INSERT ON `balance_transactions` BEGIN
  UPDATE admin_daily_money SET
    stripe_fees = stripe_fees + CASE WHEN new.use IN ('payment', 'refund') THEN new.fee ELSE 0 END,
    dispute_fees = dispute_fees + CASE WHEN new.use = 'dispute' THEN new.fee ELSE 0 END
  WHERE (site, day, currency, frequency) = (SELECT site, date(paid_at / 1000, 'unixepoch'), currency, frequency FROM payments
                                           WHERE payment_intent_id = new.payment_intent_id AND currency = new.currency);
  UPDATE admin_daily_money SET
    fees_pending = fees_pending - CASE WHEN (SELECT count(*) FROM balance_transactions
                                              WHERE payment_intent_id = new.payment_intent_id AND use = 'payment') = 1 THEN 1 ELSE 0 END,
    fees_elsewhere = fees_elsewhere + CASE WHEN new.currency <> (SELECT currency FROM payments
                                              WHERE payment_intent_id = new.payment_intent_id) THEN 1 ELSE 0 END
  WHERE new.use = 'payment' AND (site, day, currency, frequency) = (SELECT site, date(paid_at / 1000, 'unixepoch'), currency, frequency FROM payments
                                           WHERE payment_intent_id = new.payment_intent_id);
END;
--> statement-breakpoint
CREATE TRIGGER `admin_balance_delete` AFTER DELETE ON `balance_transactions` BEGIN
  UPDATE admin_daily_money SET
    stripe_fees = stripe_fees - CASE WHEN old.use IN ('payment', 'refund') THEN old.fee ELSE 0 END,
    dispute_fees = dispute_fees - CASE WHEN old.use = 'dispute' THEN old.fee ELSE 0 END
  WHERE (site, day, currency, frequency) = (SELECT site, date(paid_at / 1000, 'unixepoch'), currency, frequency FROM payments
                                           WHERE payment_intent_id = old.payment_intent_id AND currency = old.currency);
  UPDATE admin_daily_money SET
    fees_pending = fees_pending + CASE WHEN (SELECT count(*) FROM balance_transactions
                                              WHERE payment_intent_id = old.payment_intent_id AND use = 'payment') = 0 THEN 1 ELSE 0 END,
    fees_elsewhere = fees_elsewhere - CASE WHEN old.currency <> (SELECT currency FROM payments
                                              WHERE payment_intent_id = old.payment_intent_id) THEN 1 ELSE 0 END
  WHERE old.use = 'payment' AND (site, day, currency, frequency) = (SELECT site, date(paid_at / 1000, 'unixepoch'), currency, frequency FROM payments
                                           WHERE payment_intent_id = old.payment_intent_id);
END;
--> statement-breakpoint
-- Rebuild the roll-ups from the ledger as it now stands (worker/staff/rollups-rebuild.sql is the same SQL).
DELETE FROM admin_daily_money;
--> statement-breakpoint
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
--> statement-breakpoint
DELETE FROM admin_daily_payers;
--> statement-breakpoint
INSERT INTO admin_daily_payers (site, day, currency, frequency, campaign, variant, prev_day, n)
SELECT site, day, currency, frequency, campaign, variant, prev_day, count(*) FROM (
  SELECT site, date(paid_at / 1000, 'unixepoch') AS day, currency, frequency, coalesce(campaign, '') AS campaign, coalesce(variant, '') AS variant,
    coalesce(date(lag(paid_at) OVER (PARTITION BY pledge_id, currency ORDER BY paid_at, id) / 1000, 'unixepoch'), '') AS prev_day
  FROM payments)
GROUP BY 1, 2, 3, 4, 5, 6, 7;
--> statement-breakpoint
DELETE FROM admin_daily_cancellations;
--> statement-breakpoint
INSERT INTO admin_daily_cancellations (site, day, currency, frequency, n)
SELECT site, date(updated_at / 1000, 'unixepoch'), currency, frequency, count(*) FROM pledges
WHERE status = 'canceled' AND frequency <> 'once' GROUP BY 1, 2, 3, 4;
