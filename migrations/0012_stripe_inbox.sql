CREATE TABLE `stripe_inbox` (
	`event_id` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`payload` text NOT NULL,
	`received_at` integer NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`next_attempt_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `stripe_inbox_due` ON `stripe_inbox` (`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `stripe_inbox_received` ON `stripe_inbox` (`received_at`);