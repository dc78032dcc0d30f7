CREATE TABLE `ask_event_counts` (
	`day` text NOT NULL,
	`site` text NOT NULL,
	`placement` text NOT NULL,
	`campaign` text DEFAULT '' NOT NULL,
	`variant` text DEFAULT '' NOT NULL,
	`type` text NOT NULL,
	`count` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`site`, `day`, `placement`, `campaign`, `variant`, `type`)
);
--> statement-breakpoint
CREATE TABLE `charge_refunds` (
	`charge_id` text PRIMARY KEY NOT NULL,
	`payment_intent_id` text NOT NULL,
	`currency` text NOT NULL,
	`amount_refunded` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `charge_refunds_intent` ON `charge_refunds` (`payment_intent_id`);--> statement-breakpoint
CREATE TABLE `disputes` (
	`id` text PRIMARY KEY NOT NULL,
	`charge_id` text NOT NULL,
	`payment_intent_id` text NOT NULL,
	`currency` text NOT NULL,
	`amount` integer NOT NULL,
	`status` text NOT NULL,
	`final` integer DEFAULT 0 NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `disputes_intent` ON `disputes` (`payment_intent_id`);--> statement-breakpoint
CREATE TABLE `payments` (
	`id` text PRIMARY KEY NOT NULL,
	`pledge_id` text NOT NULL,
	`site` text NOT NULL,
	`frequency` text NOT NULL,
	`currency` text NOT NULL,
	`amount` integer NOT NULL,
	`fee_amount` integer DEFAULT 0 NOT NULL,
	`payment_intent_id` text,
	`paid_at` integer NOT NULL,
	`campaign` text,
	`variant` text
);
--> statement-breakpoint
CREATE INDEX `payments_site_paid` ON `payments` (`site`,`paid_at`,`currency`,`frequency`,`amount`);--> statement-breakpoint
CREATE UNIQUE INDEX `payments_intent` ON `payments` (`payment_intent_id`);--> statement-breakpoint
CREATE INDEX `payments_pledge` ON `payments` (`pledge_id`);--> statement-breakpoint
CREATE TABLE `pledges` (
	`id` text PRIMARY KEY NOT NULL,
	`site` text NOT NULL,
	`frequency` text NOT NULL,
	`currency` text NOT NULL,
	`amount` integer NOT NULL,
	`fee_amount` integer DEFAULT 0 NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`status_key` integer DEFAULT 0 NOT NULL,
	`campaign` text,
	`variant` text,
	`page_url` text,
	`email` text,
	`stripe_session_id` text,
	`stripe_customer_id` text,
	`stripe_subscription_id` text,
	`stripe_payment_intent_id` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `pledges_site_created` ON `pledges` (`site`,`created_at`);--> statement-breakpoint
CREATE INDEX `pledges_site_status` ON `pledges` (`site`,`status`,`frequency`,`currency`);--> statement-breakpoint
CREATE UNIQUE INDEX `pledges_session` ON `pledges` (`stripe_session_id`);--> statement-breakpoint
CREATE INDEX `pledges_subscription` ON `pledges` (`stripe_subscription_id`);--> statement-breakpoint
CREATE INDEX `pledges_customer` ON `pledges` (`stripe_customer_id`);--> statement-breakpoint
CREATE INDEX `pledges_email` ON `pledges` (`site`,`email`);--> statement-breakpoint
CREATE TABLE `stripe_events` (
	`id` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`created` integer NOT NULL,
	`processed_at` integer NOT NULL
);
