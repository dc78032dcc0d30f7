-- admin_active_recurring: active recurring support per site, currency and frequency — how many
-- pledges are `active` (paused ones included, as before) and what they pay per period (amount + fee
-- cover). Kept by the triggers below in the same D1 write as the pledge row that changes it, so the
-- staff summary reads a handful of rows instead of every active pledge (1.5 million of them at
-- 10 million payments). worker/platform/schema.ts mirrors the table.
CREATE TABLE `admin_active_recurring` (
	`site` text NOT NULL,
	`currency` text NOT NULL,
	`frequency` text NOT NULL,
	`n` integer DEFAULT 0 NOT NULL,
	`total` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`site`, `currency`, `frequency`)
);
--> statement-breakpoint
CREATE TRIGGER `admin_recurring_insert` AFTER INSERT ON `pledges`
WHEN new.status = 'active' AND new.frequency IN ('monthly', 'annual')
BEGIN
  INSERT INTO admin_active_recurring (site, currency, frequency, n, total)
  VALUES (new.site, new.currency, new.frequency, 1, new.amount + new.fee_amount)
  ON CONFLICT (site, currency, frequency) DO UPDATE SET n = n + 1, total = total + excluded.total;
END;
--> statement-breakpoint
-- A change of status, terms or frequency takes the old row's part out and puts the new row's in.
CREATE TRIGGER `admin_recurring_update` AFTER UPDATE OF `site`, `status`, `frequency`, `currency`, `amount`, `fee_amount` ON `pledges`
WHEN (old.status = 'active' AND old.frequency IN ('monthly', 'annual'))
  OR (new.status = 'active' AND new.frequency IN ('monthly', 'annual'))
BEGIN
  UPDATE admin_active_recurring SET n = n - 1, total = total - (old.amount + old.fee_amount)
  WHERE old.status = 'active' AND old.frequency IN ('monthly', 'annual')
    AND site = old.site AND currency = old.currency AND frequency = old.frequency;
  INSERT INTO admin_active_recurring (site, currency, frequency, n, total)
  SELECT new.site, new.currency, new.frequency, 1, new.amount + new.fee_amount
  WHERE new.status = 'active' AND new.frequency IN ('monthly', 'annual')
  ON CONFLICT (site, currency, frequency) DO UPDATE SET n = n + 1, total = total + excluded.total;
END;
--> statement-breakpoint
CREATE TRIGGER `admin_recurring_delete` AFTER DELETE ON `pledges`
WHEN old.status = 'active' AND old.frequency IN ('monthly', 'annual')
BEGIN
  UPDATE admin_active_recurring SET n = n - 1, total = total - (old.amount + old.fee_amount)
  WHERE site = old.site AND currency = old.currency AND frequency = old.frequency;
END;
--> statement-breakpoint
-- What the triggers would have written for the pledges already there.
INSERT INTO admin_active_recurring (site, currency, frequency, n, total)
SELECT site, currency, frequency, count(*), sum(amount + fee_amount) FROM pledges
WHERE status = 'active' AND frequency IN ('monthly', 'annual')
GROUP BY site, currency, frequency;
