-- Growing and keeping recurring support: the monthly upsell's pledges, supporters who change their
-- support at /manage, and the recurring revenue movements the staff view shows.

-- One row per Stripe subscription event that changed recurring support (see worker/platform/schema.ts):
-- no foreign key and no cascade, like every money table; rows are never deleted.
CREATE TABLE `recurring_changes` (
	`event_id` text PRIMARY KEY NOT NULL,
	`pledge_id` text NOT NULL,
	`site` text NOT NULL,
	`currency` text NOT NULL,
	`at` integer NOT NULL,
	`month` text NOT NULL,
	`change` text NOT NULL,
	`movement` text,
	`monthly_delta` integer DEFAULT 0 NOT NULL,
	`annual_delta` integer DEFAULT 0 NOT NULL,
	`from_amount` integer,
	`to_amount` integer,
	`from_frequency` text,
	`to_frequency` text,
	`reason` text,
	`comment` text,
	`save_offer` text
);
--> statement-breakpoint
CREATE INDEX `recurring_changes_site_month` ON `recurring_changes` (`site`,`month`,`currency`);--> statement-breakpoint
CREATE INDEX `recurring_changes_pledge` ON `recurring_changes` (`pledge_id`,`at`);--> statement-breakpoint
CREATE UNIQUE INDEX `recurring_changes_start_end` ON `recurring_changes` (`pledge_id`,`change`) WHERE "change" IN ('started', 'ended');--> statement-breakpoint

-- Pledges remember where a one-off reader's monthly gift came from (the ask's upsell or the thank-you's),
-- and follow the subscription's current terms as Stripe's events report them.
ALTER TABLE `pledges` ADD `upsell` text;--> statement-breakpoint
ALTER TABLE `pledges` ADD `terms_key` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `pledges` ADD `paused` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `pledges` ADD `resumes_at` integer;--> statement-breakpoint
ALTER TABLE `pledges` ADD `cancel_at` integer;--> statement-breakpoint
-- The staff funnel's "paid" for the monthly upsell finds those pledges by index.
CREATE INDEX `pledges_site_upsell` ON `pledges` (`site`,`upsell`,`created_at`);--> statement-breakpoint
-- Recurring pledges that began before this migration start (and, when canceled, end) in the movements too,
-- at their creation (and last update), so opening and closing recurring revenue include them. The unique
-- start/end index keeps a later replay of their Stripe events from counting them twice.
INSERT OR IGNORE INTO `recurring_changes`
	(`event_id`, `pledge_id`, `site`, `currency`, `at`, `month`, `change`, `movement`, `monthly_delta`, `annual_delta`, `to_amount`, `to_frequency`)
SELECT 'backfill_start_' || `id`, `id`, `site`, `currency`, `created_at`, strftime('%Y-%m', `created_at` / 1000, 'unixepoch'),
	'started', 'new',
	CASE WHEN `frequency` = 'monthly' THEN `amount` + `fee_amount` ELSE 0 END,
	CASE WHEN `frequency` = 'annual' THEN `amount` + `fee_amount` ELSE 0 END,
	`amount` + `fee_amount`, `frequency`
FROM `pledges`
WHERE `frequency` IN ('monthly', 'annual') AND `status` IN ('active', 'past_due', 'canceled');--> statement-breakpoint
INSERT OR IGNORE INTO `recurring_changes`
	(`event_id`, `pledge_id`, `site`, `currency`, `at`, `month`, `change`, `movement`, `monthly_delta`, `annual_delta`, `from_amount`, `from_frequency`)
SELECT 'backfill_end_' || `id`, `id`, `site`, `currency`, `updated_at`, strftime('%Y-%m', `updated_at` / 1000, 'unixepoch'),
	'ended', 'churned',
	CASE WHEN `frequency` = 'monthly' THEN -(`amount` + `fee_amount`) ELSE 0 END,
	CASE WHEN `frequency` = 'annual' THEN -(`amount` + `fee_amount`) ELSE 0 END,
	`amount` + `fee_amount`, `frequency`
FROM `pledges`
WHERE `frequency` IN ('monthly', 'annual') AND `status` = 'canceled';
