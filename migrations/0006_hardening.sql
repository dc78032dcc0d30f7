-- Hardening: idempotency bound to the request, known campaign names, server-side staff sessions and
-- the shared failed-token limit, reminders with double opt-in, and thank-yous confirmed once.

-- Checkout's Idempotency-Key is bound to the request it first came with: the SHA-256 of the
-- normalised request is kept on the pledge it created, and a retry with another body is refused.
ALTER TABLE `pledges` ADD `request_hash` text;

--> statement-breakpoint
-- The ask's counters keep a campaign's name once a checkout has carried it: an index to find a
-- site's pledges by campaign quickly.
CREATE INDEX `pledges_site_campaign` ON `pledges` (`site`,`campaign`);

--> statement-breakpoint
-- Staff sessions kept server-side (only a hash of the cookie's random id), so signing out, or out
-- everywhere, ends a session at once; and failed staff credentials per client and window, the one
-- limit shared by bearer tokens and the sign-in form.
CREATE TABLE `staff_auth_failures` (
	`client` text NOT NULL,
	`window_start` integer NOT NULL,
	`failures` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`client`, `window_start`)
);
--> statement-breakpoint
CREATE TABLE `staff_sessions` (
	`id_hash` text PRIMARY KEY NOT NULL,
	`token_digest` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `staff_sessions_expires` ON `staff_sessions` (`expires_at`);
--> statement-breakpoint
-- Reminders with double opt-in: a request waits as `unconfirmed` (with the hash of its
-- confirmation link's token) until the reader confirms it by email; `confirmed_at` feeds the
-- staff figures. The worker's origin as a request claimed it (`base_url`) is gone: every link
-- now starts with PUBLIC_ORIGIN. Reminders already pending are kept and sent as promised.
ALTER TABLE `reminders` ADD `confirm_hash` text;--> statement-breakpoint
ALTER TABLE `reminders` ADD `confirmed_at` integer;--> statement-breakpoint
CREATE INDEX `reminders_confirm` ON `reminders` (`confirm_hash`);--> statement-breakpoint
CREATE INDEX `reminders_email_created` ON `reminders` (`email`,`created_at`);--> statement-breakpoint
ALTER TABLE `reminders` DROP COLUMN `base_url`;

--> statement-breakpoint
-- The ask's thank-you needs the worker's word that the pledge was paid, once: the pledges whose
-- return link has been confirmed to a reader's browser.
CREATE TABLE `thank_yous` (
	`pledge_id` text PRIMARY KEY NOT NULL,
	`site` text NOT NULL,
	`confirmed_at` integer NOT NULL
);

