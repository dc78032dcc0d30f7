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

/** Events waiting longer than this are shown to staff: the Cron should have applied them by now. */
export const INBOX_LATE_MS = 30 * 60_000;

/** What staff see about the inbox (the dashboard's warning and its JSON). */
export type InboxBacklog = {
  /** Events waiting to be applied. */
  waiting: number;
  /** Of them, those received more than INBOX_LATE_MS ago. */
  late: number;
  /** The oldest waiting event, with how often it failed and why, last. */
  oldest: {
    eventId: string;
    type: string;
    receivedAt: number;
    attempts: number;
    lastError: string | null;
  } | null;
};

/** The staff warning for events that have waited too long, or null when none has. */
export function inboxWarning(backlog: InboxBacklog): string | null {
  const { late, oldest } = backlog;
  if (late === 0 || !oldest) return null;
  const since = new Date(oldest.receivedAt).toISOString().slice(0, 16).replace("T", " ");
  const tries =
    oldest.attempts === 0
      ? "not tried yet"
      : oldest.attempts === 1
        ? "1 failed attempt"
        : `${oldest.attempts} failed attempts`;
  const error = oldest.lastError ? `; last error: ${oldest.lastError}` : "";
  const events = late === 1 ? "1 Stripe event has" : `${late} Stripe events have`;
  return (
    `${events} waited more than ${INBOX_LATE_MS / 60_000} minutes to reach the ledger: the oldest, ` +
    `${oldest.eventId} (${oldest.type}), since ${since} UTC, ${tries}${error}. ` +
    "The 15-minute Cron keeps retrying them and the daily check against Stripe replays what is still missing; " +
    "figures leave them out until then."
  );
}
