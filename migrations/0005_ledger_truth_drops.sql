-- Drops what 0004_ledger_truth.sql replaced: per-charge refund totals (now one row per refund)
-- and disputes.final (now disputes.phase). Generated from worker/platform/schema.ts.
DROP TABLE `charge_refunds`;--> statement-breakpoint
ALTER TABLE `disputes` DROP COLUMN `final`;