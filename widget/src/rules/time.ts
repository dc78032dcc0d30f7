/** Durations in milliseconds. Rules take `now` (ms since epoch) as an argument and never read the clock. */
export const DAY = 86_400_000;
export const WEEK = 7 * DAY;
