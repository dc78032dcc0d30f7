import type { ReaderState } from "./state";

/** The reader opts out: stop counting and forget the counts. */
export function optOutOfCount(state: ReaderState): ReaderState {
  const { weeks: _forgotten, ...rest } = state;
  return { ...rest, countOff: true };
}
