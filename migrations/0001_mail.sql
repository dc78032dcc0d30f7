-- Reminder emails, the mail outbox, and single-use "manage your support" links.
CREATE TABLE `reminders` (
	`id` text PRIMARY KEY NOT NULL,
	`site` text NOT NULL,
	`email` text,
	`lang` text NOT NULL,
	`remind_in` text NOT NULL,
	`page_url` text NOT NULL,
	`base_url` text NOT NULL,
	`forget_hash` text,
	`status` text DEFAULT 'pending' NOT NULL,
	`due_at` integer NOT NULL,
	`claim` text,
	`claimed_at` integer,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`sent_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `reminders_pending_email` ON `reminders` (`site`,`email`) WHERE status = 'pending';--> statement-breakpoint
CREATE INDEX `reminders_due` ON `reminders` (`status`,`due_at`);--> statement-breakpoint
CREATE INDEX `reminders_forget` ON `reminders` (`forget_hash`);--> statement-breakpoint
CREATE INDEX `reminders_site_created` ON `reminders` (`site`,`created_at`);--> statement-breakpoint
CREATE TABLE `mail_outbox` (
	`id` text PRIMARY KEY NOT NULL,
	`key` text NOT NULL,
	`kind` text NOT NULL,
	`site` text NOT NULL,
	`transport` text NOT NULL,
	`recipient` text NOT NULL,
	`subject` text NOT NULL,
	`text_body` text,
	`html_body` text,
	`headers` text,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 1 NOT NULL,
	`provider_id` text,
	`last_error` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`sent_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `mail_outbox_key` ON `mail_outbox` (`key`);--> statement-breakpoint
CREATE INDEX `mail_outbox_site_created` ON `mail_outbox` (`site`,`created_at`);--> statement-breakpoint
CREATE TABLE `manage_links` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`site` text NOT NULL,
	`customer_id` text NOT NULL,
	`email_hash` text NOT NULL,
	`return_url` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer
);
--> statement-breakpoint
CREATE INDEX `manage_links_email` ON `manage_links` (`email_hash`,`created_at`);--> statement-breakpoint
CREATE INDEX `manage_links_expires` ON `manage_links` (`expires_at`);
