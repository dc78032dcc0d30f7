/**
 * When a reminder is due. Pure: the request time is passed in.
 * "next_week" is seven days later; "next_month" the same day and time next month, or the
 * month's last day when it has fewer days (31 January → 28/29 February).
 */
export const REMINDER_DELAYS = ["next_week", "next_month"] as const;
export type ReminderDelay = (typeof REMINDER_DELAYS)[number];

const DAY_MS = 86_400_000;

/** The moment (unix ms) a reminder asked for at `requestedAt` becomes due. */
export function reminderDueAt(delay: ReminderDelay, requestedAt: number): number {
  if (delay === "next_week") return requestedAt + 7 * DAY_MS;
  const d = new Date(requestedAt);
  const year = d.getUTCFullYear();
  const month = d.getUTCMonth() + 1;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return Date.UTC(
    year,
    month,
    Math.min(d.getUTCDate(), lastDay),
    d.getUTCHours(),
    d.getUTCMinutes(),
    d.getUTCSeconds(),
    d.getUTCMilliseconds(),
  );
}

/** Whether a reminder due at `dueAt` should go out at `now` (due at exactly `now` counts). */
export const isDue = (dueAt: number, now: number) => dueAt <= now;

/** The calendar date (UTC, YYYY-MM-DD) the reader is told to expect the email on. */
export const sendOnDate = (dueAt: number) => new Date(dueAt).toISOString().slice(0, 10);
