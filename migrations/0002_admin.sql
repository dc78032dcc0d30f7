-- The staff view. Exact daily roll-ups of the ledger, kept by triggers in the same
-- D1 write as the ledger row that changes them (so they can never drift, whatever order Stripe's
-- events arrive in), and indexes for the CSV export. worker/db/schema.ts mirrors these tables.
--
-- admin_daily_money: per site, UTC day of payment, currency and frequency: what was paid and,
-- against those payments, what has been refunded or lost in disputes since (as the summary counts it).
CREATE TABLE `admin_daily_money` (
	`site` text NOT NULL,
	`day` text NOT NULL,
	`currency` text NOT NULL,
	`frequency` text NOT NULL,
	`gross` integer DEFAULT 0 NOT NULL,
	`payments` integer DEFAULT 0 NOT NULL,
	`fees_covered` integer DEFAULT 0 NOT NULL,
	`refunded` integer DEFAULT 0 NOT NULL,
	`disputed` integer DEFAULT 0 NOT NULL,
	`disputed_open` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`site`, `day`, `currency`, `frequency`)
);
--> statement-breakpoint
-- admin_daily_payers: payments counted by the day of the same pledge's previous payment
-- (`prev_day`, '' for a pledge's first). Distinct supporters in [from, to] are then the payments
-- in the range whose prev_day is before `from` — an exact count from a few thousand rows.
CREATE TABLE `admin_daily_payers` (
	`site` text NOT NULL,
	`day` text NOT NULL,
	`currency` text NOT NULL,
	`frequency` text NOT NULL,
	`campaign` text NOT NULL,
	`variant` text NOT NULL,
	`prev_day` text NOT NULL,
	`n` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`site`, `day`, `currency`, `frequency`, `campaign`, `variant`, `prev_day`)
);
--> statement-breakpoint
-- admin_daily_cancellations: recurring pledges that became `canceled`, by UTC day.
CREATE TABLE `admin_daily_cancellations` (
	`site` text NOT NULL,
	`day` text NOT NULL,
	`currency` text NOT NULL,
	`frequency` text NOT NULL,
	`n` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`site`, `day`, `currency`, `frequency`)
);
--> statement-breakpoint
-- A pledge's payments in time order (the payer chain above), and the CSV export's keyset pages.
CREATE INDEX `admin_payments_pledge_paid` ON `payments` (`pledge_id`,`currency`,`paid_at`,`id`);
--> statement-breakpoint
CREATE INDEX `admin_payments_site_paid_id` ON `payments` (`site`,`paid_at`,`id`);
--> statement-breakpoint
-- Active recurring supporters and their amounts, read from the index alone.
CREATE INDEX `admin_pledges_recurring` ON `pledges` (`site`,`status`,`frequency`,`currency`,`amount`,`fee_amount`);
--> statement-breakpoint
-- Payments are facts: only their payment intent may be filled in later (ledger-writes.ts).
CREATE TRIGGER `admin_payments_immutable` BEFORE UPDATE OF `id`, `pledge_id`, `site`, `frequency`, `currency`, `amount`, `fee_amount`, `paid_at`, `campaign`, `variant` ON `payments`
WHEN old.id IS NOT new.id OR old.pledge_id IS NOT new.pledge_id OR old.site IS NOT new.site OR old.frequency IS NOT new.frequency
  OR old.currency IS NOT new.currency OR old.amount IS NOT new.amount OR old.fee_amount IS NOT new.fee_amount
  OR old.paid_at IS NOT new.paid_at OR old.campaign IS NOT new.campaign OR old.variant IS NOT new.variant
BEGIN
  SELECT RAISE(ABORT, 'payments are immutable: record refunds and disputes beside them');
END;
--> statement-breakpoint
CREATE TRIGGER `admin_payments_insert` AFTER INSERT ON `payments` BEGIN
  INSERT INTO admin_daily_money (site, day, currency, frequency, gross, payments, fees_covered, refunded, disputed, disputed_open)
  VALUES (new.site, date(new.paid_at / 1000, 'unixepoch'), new.currency, new.frequency, new.amount, 1, new.fee_amount,
    (SELECT coalesce(sum(amount_refunded), 0) FROM charge_refunds WHERE payment_intent_id = new.payment_intent_id AND currency = new.currency),
    (SELECT coalesce(sum(CASE WHEN status = 'lost' THEN amount ELSE 0 END), 0) FROM disputes WHERE payment_intent_id = new.payment_intent_id AND currency = new.currency),
    (SELECT coalesce(sum(CASE WHEN final = 0 THEN amount ELSE 0 END), 0) FROM disputes WHERE payment_intent_id = new.payment_intent_id AND currency = new.currency))
  ON CONFLICT (site, day, currency, frequency) DO UPDATE SET
    gross = gross + excluded.gross, payments = payments + 1, fees_covered = fees_covered + excluded.fees_covered,
    refunded = refunded + excluded.refunded, disputed = disputed + excluded.disputed, disputed_open = disputed_open + excluded.disputed_open;
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
    refunded = refunded - (SELECT coalesce(sum(amount_refunded), 0) FROM charge_refunds WHERE payment_intent_id = old.payment_intent_id AND currency = old.currency),
    disputed = disputed - (SELECT coalesce(sum(CASE WHEN status = 'lost' THEN amount ELSE 0 END), 0) FROM disputes WHERE payment_intent_id = old.payment_intent_id AND currency = old.currency),
    disputed_open = disputed_open - (SELECT coalesce(sum(CASE WHEN final = 0 THEN amount ELSE 0 END), 0) FROM disputes WHERE payment_intent_id = old.payment_intent_id AND currency = old.currency)
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
-- An invoice's payment intent can be learned after the payment row: its refunds and disputes then count.
CREATE TRIGGER `admin_payments_intent` AFTER UPDATE OF `payment_intent_id` ON `payments`
WHEN old.payment_intent_id IS NOT new.payment_intent_id BEGIN
  UPDATE admin_daily_money SET
    refunded = refunded
      - (SELECT coalesce(sum(amount_refunded), 0) FROM charge_refunds WHERE payment_intent_id = old.payment_intent_id AND currency = old.currency)
      + (SELECT coalesce(sum(amount_refunded), 0) FROM charge_refunds WHERE payment_intent_id = new.payment_intent_id AND currency = new.currency),
    disputed = disputed
      - (SELECT coalesce(sum(CASE WHEN status = 'lost' THEN amount ELSE 0 END), 0) FROM disputes WHERE payment_intent_id = old.payment_intent_id AND currency = old.currency)
      + (SELECT coalesce(sum(CASE WHEN status = 'lost' THEN amount ELSE 0 END), 0) FROM disputes WHERE payment_intent_id = new.payment_intent_id AND currency = new.currency),
    disputed_open = disputed_open
      - (SELECT coalesce(sum(CASE WHEN final = 0 THEN amount ELSE 0 END), 0) FROM disputes WHERE payment_intent_id = old.payment_intent_id AND currency = old.currency)
      + (SELECT coalesce(sum(CASE WHEN final = 0 THEN amount ELSE 0 END), 0) FROM disputes WHERE payment_intent_id = new.payment_intent_id AND currency = new.currency)
  WHERE site = new.site AND day = date(new.paid_at / 1000, 'unixepoch') AND currency = new.currency AND frequency = new.frequency;
END;
--> statement-breakpoint
CREATE TRIGGER `admin_refunds_insert` AFTER INSERT ON `charge_refunds` BEGIN
  UPDATE admin_daily_money SET refunded = refunded + new.amount_refunded
  WHERE (site, day, currency, frequency) = (SELECT site, date(paid_at / 1000, 'unixepoch'), currency, frequency FROM payments
                                           WHERE payment_intent_id = new.payment_intent_id AND currency = new.currency);
END;
--> statement-breakpoint
CREATE TRIGGER `admin_refunds_update` AFTER UPDATE ON `charge_refunds` BEGIN
  UPDATE admin_daily_money SET refunded = refunded - old.amount_refunded
  WHERE (site, day, currency, frequency) = (SELECT site, date(paid_at / 1000, 'unixepoch'), currency, frequency FROM payments
                                           WHERE payment_intent_id = old.payment_intent_id AND currency = old.currency);
  UPDATE admin_daily_money SET refunded = refunded + new.amount_refunded
  WHERE (site, day, currency, frequency) = (SELECT site, date(paid_at / 1000, 'unixepoch'), currency, frequency FROM payments
                                           WHERE payment_intent_id = new.payment_intent_id AND currency = new.currency);
END;
--> statement-breakpoint
CREATE TRIGGER `admin_refunds_delete` AFTER DELETE ON `charge_refunds` BEGIN
  UPDATE admin_daily_money SET refunded = refunded - old.amount_refunded
  WHERE (site, day, currency, frequency) = (SELECT site, date(paid_at / 1000, 'unixepoch'), currency, frequency FROM payments
                                           WHERE payment_intent_id = old.payment_intent_id AND currency = old.currency);
END;
--> statement-breakpoint
CREATE TRIGGER `admin_disputes_insert` AFTER INSERT ON `disputes` BEGIN
  UPDATE admin_daily_money SET
    disputed = disputed + CASE WHEN new.status = 'lost' THEN new.amount ELSE 0 END,
    disputed_open = disputed_open + CASE WHEN new.final = 0 THEN new.amount ELSE 0 END
  WHERE (site, day, currency, frequency) = (SELECT site, date(paid_at / 1000, 'unixepoch'), currency, frequency FROM payments
                                           WHERE payment_intent_id = new.payment_intent_id AND currency = new.currency);
END;
--> statement-breakpoint
CREATE TRIGGER `admin_disputes_update` AFTER UPDATE ON `disputes` BEGIN
  UPDATE admin_daily_money SET
    disputed = disputed - CASE WHEN old.status = 'lost' THEN old.amount ELSE 0 END,
    disputed_open = disputed_open - CASE WHEN old.final = 0 THEN old.amount ELSE 0 END
  WHERE (site, day, currency, frequency) = (SELECT site, date(paid_at / 1000, 'unixepoch'), currency, frequency FROM payments
                                           WHERE payment_intent_id = old.payment_intent_id AND currency = old.currency);
  UPDATE admin_daily_money SET
    disputed = disputed + CASE WHEN new.status = 'lost' THEN new.amount ELSE 0 END,
    disputed_open = disputed_open + CASE WHEN new.final = 0 THEN new.amount ELSE 0 END
  WHERE (site, day, currency, frequency) = (SELECT site, date(paid_at / 1000, 'unixepoch'), currency, frequency FROM payments
                                           WHERE payment_intent_id = new.payment_intent_id AND currency = new.currency);
END;
--> statement-breakpoint
CREATE TRIGGER `admin_disputes_delete` AFTER DELETE ON `disputes` BEGIN
  UPDATE admin_daily_money SET
    disputed = disputed - CASE WHEN old.status = 'lost' THEN old.amount ELSE 0 END,
    disputed_open = disputed_open - CASE WHEN old.final = 0 THEN old.amount ELSE 0 END
  WHERE (site, day, currency, frequency) = (SELECT site, date(paid_at / 1000, 'unixepoch'), currency, frequency FROM payments
                                           WHERE payment_intent_id = old.payment_intent_id AND currency = old.currency);
END;
--> statement-breakpoint
CREATE TRIGGER `admin_pledges_canceled` AFTER UPDATE OF `status` ON `pledges`
WHEN new.frequency <> 'once' AND (old.status = 'canceled') <> (new.status = 'canceled') BEGIN
  INSERT INTO admin_daily_cancellations (site, day, currency, frequency, n)
  VALUES (new.site, date(new.updated_at / 1000, 'unixepoch'), new.currency, new.frequency, CASE WHEN new.status = 'canceled' THEN 1 ELSE 0 END)
  ON CONFLICT (site, day, currency, frequency) DO UPDATE SET n = n + excluded.n;
  UPDATE admin_daily_cancellations SET n = n - 1
  WHERE old.status = 'canceled' AND site = old.site AND day = date(old.updated_at / 1000, 'unixepoch') AND currency = old.currency AND frequency = old.frequency;
END;
--> statement-breakpoint
CREATE TRIGGER `admin_pledges_insert_canceled` AFTER INSERT ON `pledges`
WHEN new.frequency <> 'once' AND new.status = 'canceled' BEGIN
  INSERT INTO admin_daily_cancellations (site, day, currency, frequency, n)
  VALUES (new.site, date(new.updated_at / 1000, 'unixepoch'), new.currency, new.frequency, 1)
  ON CONFLICT (site, day, currency, frequency) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `admin_pledges_delete_canceled` AFTER DELETE ON `pledges`
WHEN old.frequency <> 'once' AND old.status = 'canceled' BEGIN
  UPDATE admin_daily_cancellations SET n = n - 1
  WHERE site = old.site AND day = date(old.updated_at / 1000, 'unixepoch') AND currency = old.currency AND frequency = old.frequency;
END;
--> statement-breakpoint
-- Fill the roll-ups from rows already in the ledger (worker/staff/rollups-rebuild.sql is the same SQL).
DELETE FROM admin_daily_money;
--> statement-breakpoint
INSERT INTO admin_daily_money (site, day, currency, frequency, gross, payments, fees_covered, refunded, disputed, disputed_open)
SELECT p.site, date(p.paid_at / 1000, 'unixepoch'), p.currency, p.frequency, sum(p.amount), count(*), sum(p.fee_amount),
  coalesce(sum(r.refunded), 0), coalesce(sum(d.lost), 0), coalesce(sum(d.open), 0)
FROM payments p
LEFT JOIN (SELECT payment_intent_id, currency, sum(amount_refunded) AS refunded FROM charge_refunds GROUP BY payment_intent_id, currency) r
  ON r.payment_intent_id = p.payment_intent_id AND r.currency = p.currency
LEFT JOIN (SELECT payment_intent_id, currency, sum(CASE WHEN status = 'lost' THEN amount ELSE 0 END) AS lost,
                  sum(CASE WHEN final = 0 THEN amount ELSE 0 END) AS open FROM disputes GROUP BY payment_intent_id, currency) d
  ON d.payment_intent_id = p.payment_intent_id AND d.currency = p.currency
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
