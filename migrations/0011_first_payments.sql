-- admin_daily_first_payments: pledges that have a placement (the ask started them) or an upsell,
-- counted by the UTC day of their first payment (min paid_at), the day they were created, and
-- their placement, upsell, campaign and variant (NULL as ''). The dashboard's "paid" per placement
-- and per upsell (first payment in the range, created before its end) then sum a few rows per day
-- instead of visiting every such pledge and its payments. Payments are immutable but for their
-- payment intent (0002), so a pledge's first payment changes only when one is inserted or deleted.
-- worker/platform/schema.ts mirrors the table; worker/staff/rollups-rebuild.sql rebuilds it.
CREATE TABLE `admin_daily_first_payments` (
	`site` text NOT NULL,
	`day` text NOT NULL,
	`created_day` text NOT NULL,
	`placement` text NOT NULL,
	`upsell` text NOT NULL,
	`campaign` text NOT NULL,
	`variant` text NOT NULL,
	`n` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`site`, `day`, `created_day`, `placement`, `upsell`, `campaign`, `variant`)
);
--> statement-breakpoint
-- A payment earlier than the pledge's first so far (or its first) moves the pledge to its day.
CREATE TRIGGER `admin_first_payments_payment_insert` AFTER INSERT ON `payments`
WHEN EXISTS (SELECT 1 FROM pledges WHERE id = new.pledge_id AND (placement IS NOT NULL OR upsell IS NOT NULL))
  AND NOT EXISTS (SELECT 1 FROM payments WHERE pledge_id = new.pledge_id AND id <> new.id AND paid_at <= new.paid_at)
BEGIN
  INSERT INTO admin_daily_first_payments (site, day, created_day, placement, upsell, campaign, variant, n)
  SELECT p.site, v.day, date(p.created_at / 1000, 'unixepoch'), coalesce(p.placement, ''), coalesce(p.upsell, ''),
    coalesce(p.campaign, ''), coalesce(p.variant, ''), v.n
  FROM pledges p,
    (SELECT date(new.paid_at / 1000, 'unixepoch') AS day, 1 AS n
     UNION ALL SELECT * FROM (SELECT date(paid_at / 1000, 'unixepoch'), -1 FROM payments
                              WHERE pledge_id = new.pledge_id AND id <> new.id ORDER BY paid_at LIMIT 1)) v
  WHERE p.id = new.pledge_id
  ON CONFLICT (site, day, created_day, placement, upsell, campaign, variant) DO UPDATE SET n = n + excluded.n;
END;
--> statement-breakpoint
-- Deleting the pledge's first payment moves the pledge to its next one's day (or out).
CREATE TRIGGER `admin_first_payments_payment_delete` AFTER DELETE ON `payments`
WHEN EXISTS (SELECT 1 FROM pledges WHERE id = old.pledge_id AND (placement IS NOT NULL OR upsell IS NOT NULL))
  AND NOT EXISTS (SELECT 1 FROM payments WHERE pledge_id = old.pledge_id AND paid_at < old.paid_at)
BEGIN
  INSERT INTO admin_daily_first_payments (site, day, created_day, placement, upsell, campaign, variant, n)
  SELECT p.site, v.day, date(p.created_at / 1000, 'unixepoch'), coalesce(p.placement, ''), coalesce(p.upsell, ''),
    coalesce(p.campaign, ''), coalesce(p.variant, ''), v.n
  FROM pledges p,
    (SELECT date(old.paid_at / 1000, 'unixepoch') AS day, -1 AS n
     UNION ALL SELECT * FROM (SELECT date(paid_at / 1000, 'unixepoch'), 1 FROM payments
                              WHERE pledge_id = old.pledge_id ORDER BY paid_at LIMIT 1)) v
  WHERE p.id = old.pledge_id
  ON CONFLICT (site, day, created_day, placement, upsell, campaign, variant) DO UPDATE SET n = n + excluded.n;
END;
--> statement-breakpoint
CREATE TRIGGER `admin_first_payments_pledge_insert` AFTER INSERT ON `pledges`
WHEN new.placement IS NOT NULL OR new.upsell IS NOT NULL
BEGIN
  INSERT INTO admin_daily_first_payments (site, day, created_day, placement, upsell, campaign, variant, n)
  SELECT new.site, date(first / 1000, 'unixepoch'), date(new.created_at / 1000, 'unixepoch'), coalesce(new.placement, ''),
    coalesce(new.upsell, ''), coalesce(new.campaign, ''), coalesce(new.variant, ''), 1
  FROM (SELECT min(paid_at) AS first FROM payments WHERE pledge_id = new.id)
  WHERE first IS NOT NULL
  ON CONFLICT (site, day, created_day, placement, upsell, campaign, variant) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
-- The checkout sets these once; should one change, the old row's part moves to the new one's.
CREATE TRIGGER `admin_first_payments_pledge_update` AFTER UPDATE OF `id`, `site`, `placement`, `upsell`, `campaign`, `variant`, `created_at` ON `pledges`
WHEN (old.id IS NOT new.id OR old.site IS NOT new.site OR old.placement IS NOT new.placement OR old.upsell IS NOT new.upsell
      OR old.campaign IS NOT new.campaign OR old.variant IS NOT new.variant OR old.created_at IS NOT new.created_at)
  AND (old.placement IS NOT NULL OR old.upsell IS NOT NULL OR new.placement IS NOT NULL OR new.upsell IS NOT NULL)
BEGIN
  INSERT INTO admin_daily_first_payments (site, day, created_day, placement, upsell, campaign, variant, n)
  SELECT site, date(first / 1000, 'unixepoch'), created_day, placement, upsell, campaign, variant, n FROM (
    SELECT old.site AS site, (SELECT min(paid_at) FROM payments WHERE pledge_id = old.id) AS first,
      date(old.created_at / 1000, 'unixepoch') AS created_day, coalesce(old.placement, '') AS placement,
      coalesce(old.upsell, '') AS upsell, coalesce(old.campaign, '') AS campaign, coalesce(old.variant, '') AS variant, -1 AS n
    WHERE old.placement IS NOT NULL OR old.upsell IS NOT NULL
    UNION ALL
    SELECT new.site, (SELECT min(paid_at) FROM payments WHERE pledge_id = new.id), date(new.created_at / 1000, 'unixepoch'),
      coalesce(new.placement, ''), coalesce(new.upsell, ''), coalesce(new.campaign, ''), coalesce(new.variant, ''), 1
    WHERE new.placement IS NOT NULL OR new.upsell IS NOT NULL)
  WHERE first IS NOT NULL
  ON CONFLICT (site, day, created_day, placement, upsell, campaign, variant) DO UPDATE SET n = n + excluded.n;
END;
--> statement-breakpoint
CREATE TRIGGER `admin_first_payments_pledge_delete` AFTER DELETE ON `pledges`
WHEN old.placement IS NOT NULL OR old.upsell IS NOT NULL
BEGIN
  UPDATE admin_daily_first_payments SET n = n - 1
  WHERE site = old.site AND day = (SELECT date(min(paid_at) / 1000, 'unixepoch') FROM payments WHERE pledge_id = old.id)
    AND created_day = date(old.created_at / 1000, 'unixepoch') AND placement = coalesce(old.placement, '')
    AND upsell = coalesce(old.upsell, '') AND campaign = coalesce(old.campaign, '') AND variant = coalesce(old.variant, '');
END;
--> statement-breakpoint
-- What the triggers would have written for the pledges and payments already there.
INSERT INTO admin_daily_first_payments (site, day, created_day, placement, upsell, campaign, variant, n)
SELECT site, date(first / 1000, 'unixepoch'), date(created_at / 1000, 'unixepoch'), coalesce(placement, ''), coalesce(upsell, ''),
  coalesce(campaign, ''), coalesce(variant, ''), count(*)
FROM (SELECT p.site, p.created_at, p.placement, p.upsell, p.campaign, p.variant,
        (SELECT min(paid_at) FROM payments WHERE pledge_id = p.id) AS first
      FROM pledges p WHERE p.placement IS NOT NULL OR p.upsell IS NOT NULL)
WHERE first IS NOT NULL
GROUP BY 1, 2, 3, 4, 5, 6, 7;
