-- Reminders with double opt-in: a request waits as `unconfirmed` (with the hash of its
-- confirmation link's token) until the reader confirms it by email; `confirmed_at` feeds the
-- staff figures. The worker's origin as a request claimed it (`base_url`) is gone: every link
-- now starts with PUBLIC_ORIGIN. Reminders already pending are kept and sent as promised.
ALTER TABLE `reminders` ADD `confirm_hash` text;--> statement-breakpoint
ALTER TABLE `reminders` ADD `confirmed_at` integer;--> statement-breakpoint
CREATE INDEX `reminders_confirm` ON `reminders` (`confirm_hash`);--> statement-breakpoint
CREATE INDEX `reminders_email_created` ON `reminders` (`email`,`created_at`);--> statement-breakpoint
ALTER TABLE `reminders` DROP COLUMN `base_url`;
