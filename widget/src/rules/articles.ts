import { fnv1a } from "./hash";
import type { ReaderState } from "./state";
import { WEEK } from "./time";

/**
 * The article count stays in the reader's browser: for each week, the short hashes of
 * the distinct article paths read. At most 52 weeks are kept; the reader can opt out,
 * which also forgets what was counted.
 */

/** Weeks kept, the current one included. */
export const WEEKS_KEPT = 52;
/** A generous cap on distinct articles remembered per week, to bound storage. */
const MAX_PER_WEEK = 400;

/** The week number of `now` (weeks since the epoch, UTC); `| 0` floors it, `now` being after 1970. */
export const weekOf = (now: number): number => (now / WEEK) | 0;

/** A short hash of an article path, ignoring a trailing slash. */
export const articleKey = (pathname: string): string => fnv1a(pathname.replace(/\/+$/, "") || "/").toString(36);

/** Counts an article read at `now`, once per week, and forgets weeks older than 52. */
export function recordArticle(state: ReaderState, now: number, pathname: string): ReaderState {
  if (state.countOff) return state;
  const week = weekOf(now);
  const key = articleKey(pathname);
  const weeks: Record<string, string[]> = {};
  for (const [w, list] of Object.entries(state.weeks || {})) {
    if (Number(w) > week - WEEKS_KEPT) weeks[w] = list;
  }
  const current = weeks[week] || [];
  if (current.length < MAX_PER_WEEK && !current.includes(key)) weeks[week] = [...current, key];
  return { ...state, weeks };
}

/**
 * Distinct articles read in the last `weeksBack` weeks (the current week included). No check of
 * `countOff` here: its callers make it (an opted-out reader has no count, not 0), and opting out
 * forgets the weeks anyway.
 */
export function articlesRead(state: ReaderState, now: number, weeksBack = 4): number {
  const week = weekOf(now);
  const seen = new Set<string>();
  for (const [w, list] of Object.entries(state.weeks || {})) {
    if (Number(w) > week - weeksBack && Number(w) <= week) for (const k of list) seen.add(k);
  }
  return seen.size;
}

// Opting out lives in its own module: the ask bundle takes the functions above from the loader.
export { optOutOfCount } from "./count-opt-out";
