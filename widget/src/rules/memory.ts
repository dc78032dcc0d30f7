import type { Frequency } from "../../../worker/core/widget-contract";
import type { ReaderState } from "./state";
import { DAY } from "./time";

/**
 * Deadline rules: snooze ("Remind me later"), banner dismissal and supporter memory.
 * Each stores an "until" time; a deadline is active while `now` is strictly before it,
 * so a 7-day snooze set at t ends exactly at t + 7 days.
 */

/**
 * True while `until` lies in the future. Only a number counts: `Number(until) === until` turns
 * away what a tampered storage may hold instead (a numeric string, an array).
 */
export const isActive = (until: number | undefined, now: number): boolean =>
  now < (until as number) && Number(until) === until;

/** "Remind me later": hides every ask for `days`. */
export function snooze(state: ReaderState, now: number, days: number): ReaderState {
  return { ...state, snoozeUntil: now + days * DAY };
}

/** Closing the banner hides the banner (only) for `days`. */
export function dismissBanner(state: ReaderState, now: number, days: number): ReaderState {
  return { ...state, bannerUntil: now + days * DAY };
}

/** Supporter memory lengths, as in the site's rules (in the config only on the way back from Stripe). */
export type SupporterRules = { supporterDaysOnce?: number; supporterDaysRecurring?: number };

/**
 * Remembers a reader who just gave: one-time gifts for `supporterDaysOnce`, monthly and
 * annual support for `supporterDaysRecurring`. Never shortens an existing, longer memory.
 */
export function rememberSupporter(
  state: ReaderState,
  now: number,
  frequency: Frequency,
  rules: SupporterRules,
): ReaderState {
  // Without the lengths (a config not asked for the thank-you) nothing is remembered.
  const days = (frequency === "once" ? rules.supporterDaysOnce : rules.supporterDaysRecurring) ?? 0;
  const until = now + days * DAY;
  return { ...state, supporterUntil: Math.max(until, state.supporterUntil ?? 0) };
}
