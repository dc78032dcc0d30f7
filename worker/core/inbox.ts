/**
 * The rules of the Stripe inbox (ledger/inbox.ts): a verified event is stored, answered, then
 * applied right after the answer; one that could not be applied (Stripe did not answer what it
 * names, D1 failed) waits in the inbox and the 15-minute Cron tries it again with backoff.
 */

/** Minutes to wait after each failed attempt; after the last, every hour until it is applied. */
export const INBOX_RETRY_MINUTES = [1, 5, 15, 60] as const;

/** The wait after the `failures`th failed attempt (1 for the first), in milliseconds. */
export function inboxRetryDelayMs(failures: number): number {
  const minutes = INBOX_RETRY_MINUTES[Math.max(0, Math.min(failures, INBOX_RETRY_MINUTES.length) - 1)] ?? 60;
  return minutes * 60_000;
}

/**
 * A new event is first applied right after the answer; the Cron takes it only after this long,
 * so the two do not ask Stripe the same things at once (a worker stopped before it applied the
 * event leaves it due from then on).
 */
export const INBOX_FIRST_RETRY_MS = 60_000;

/** Events one Cron run takes from the inbox at most, oldest first; the next run continues. */
export const INBOX_DRAIN_LIMIT = 200;

/** A Cron run stops taking events after this long (Stripe hanging makes each wait its timeout). */
export const INBOX_DRAIN_BUDGET_MS = 60_000;
