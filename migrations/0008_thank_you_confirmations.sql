-- The ask's thank-you needs the worker's word that the pledge was paid, once: the pledges whose
-- return link has been confirmed to a reader's browser.
CREATE TABLE `thank_yous` (
	`pledge_id` text PRIMARY KEY NOT NULL,
	`site` text NOT NULL,
	`confirmed_at` integer NOT NULL
);
