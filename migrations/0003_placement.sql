-- Where a pledge's reader met the ask (inline or banner), so the staff funnel can follow each
-- placement to "paid"; and an index for counting a campaign's paid pledges (reminders) quickly.
ALTER TABLE `pledges` ADD `placement` text;
--> statement-breakpoint
CREATE INDEX `pledges_site_placement` ON `pledges` (`site`,`placement`,`created_at`);
--> statement-breakpoint
CREATE INDEX `payments_site_campaign_paid` ON `payments` (`site`,`campaign`,`paid_at`,`pledge_id`);
