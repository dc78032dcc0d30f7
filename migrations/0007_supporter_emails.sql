-- Emails supporters receive after Stripe's events (worker/supporter-mail/): the links in them
-- that act for the reader (a failed renewal's card update, an abandoned checkout's fresh start),
-- each recurring support's billing period for the renewal notice, the reader's language on the
-- pledge, and an index for the staff emails page. No money table changes; no cascades.
CREATE TABLE `mail_links` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`site` text NOT NULL,
	`pledge_id` text NOT NULL,
	`customer_id` text,
	`ref` text NOT NULL,
	`return_url` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	`completed_at` integer,
	`started_pledge_id` text
);
--> statement-breakpoint
CREATE INDEX `mail_links_site_kind` ON `mail_links` (`site`,`kind`,`created_at`);--> statement-breakpoint
CREATE INDEX `mail_links_expires` ON `mail_links` (`expires_at`);--> statement-breakpoint
CREATE TABLE `subscription_periods` (
	`subscription_id` text PRIMARY KEY NOT NULL,
	`pledge_id` text NOT NULL,
	`site` text NOT NULL,
	`interval` text NOT NULL,
	`currency` text NOT NULL,
	`amount` integer NOT NULL,
	`status` text NOT NULL,
	`ending` integer DEFAULT 0 NOT NULL,
	`period_end` integer NOT NULL,
	`event_created` integer NOT NULL,
	`notice_for` integer,
	`notice_attempts` integer DEFAULT 0 NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `subscription_periods_due` ON `subscription_periods` (`site`,`interval`,`status`,`period_end`);--> statement-breakpoint
ALTER TABLE `pledges` ADD `lang` text;--> statement-breakpoint
CREATE INDEX `mail_outbox_site_kind_created` ON `mail_outbox` (`site`,`kind`,`created_at`,`status`);