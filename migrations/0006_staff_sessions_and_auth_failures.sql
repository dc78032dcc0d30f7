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