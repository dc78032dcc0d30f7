/**
 * Everything the ask remembers about a reader lives in one small JSON value in the
 * reader's own `localStorage` (never a cookie, never sent anywhere). Deadlines are
 * stored as timestamps so the loader can check them without the site's config.
 */
export type ReaderState = {
  /** Random id for stable variant assignment (not sent to the server). */
  id?: string;
  /** The ask sleeps until this time (ms). */
  snoozeUntil?: number;
  /** The banner stays closed until this time (ms). */
  bannerUntil?: number;
  /** The reader gave; no ask until this time (ms). */
  supporterUntil?: number;
  /** The ask has been seen in this browser at least once (`views` forgets after 30 days). */
  seen?: true;
  /** When the ask was actually seen (ms), only the last 30 days are kept. */
  views?: number[];
  /** Week number → short hashes of the distinct articles read that week. */
  weeks?: Record<string, string[]>;
  /** The reader asked us not to count their articles. */
  countOff?: boolean;
  /** Cached from the last config so the loader can apply them before fetching it. */
  viewCap?: number;
  minArticles?: number;
};

/** The localStorage key of a site's state. */
export const stateKey = (site: string): string => `reader-support:${site}`;

/** Reads a site's state; a missing, corrupt or unreadable value is an empty state. */
export function loadState(storage: Storage | null, site: string): ReaderState {
  try {
    // No value (null) parses as null, which the check below turns into an empty state.
    // biome-ignore lint/complexity/useOptionalChain: the loader is ES2019, where `?.` costs bytes.
    const value = JSON.parse((storage && storage.getItem(stateKey(site))) as string);
    // Only a plain object is a state (not null, an array or a number).
    return {}.toString.call(value) === "[object Object]" ? value : {};
  } catch {
    return {};
  }
}

/** Writes a site's state; storage can be full or disabled (private modes), which is not an error. */
export function saveState(storage: Storage | null, site: string, state: ReaderState): void {
  try {
    if (storage) storage.setItem(stateKey(site), JSON.stringify(state));
  } catch {
    // The ask still works for this page; it just forgets.
  }
}

/** `localStorage`, or null where reading it throws (sandboxed frames, blocked storage). */
export function browserStorage(): Storage | null {
  try {
    return localStorage;
  } catch {
    return null;
  }
}
