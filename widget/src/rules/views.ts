import type { ReaderState } from "./state";
import { DAY } from "./time";

/** The view cap counts views in a sliding window of this length. */
export const VIEW_WINDOW = 30 * DAY;

/** Views seen in the 30 days up to `now`; a view exactly 30 days old has left the window. */
export function viewsInWindow(state: ReaderState, now: number): number {
  return (state.views || []).filter((t) => t > now - VIEW_WINDOW && t <= now).length;
}

/** Records one view (the ask was at least half visible), dropping views older than the window. */
export function recordView(state: ReaderState, now: number): ReaderState {
  const recent = (state.views || []).filter((t) => t > now - VIEW_WINDOW);
  return { ...state, seen: true, views: [...recent, now] };
}
