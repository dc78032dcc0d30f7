import {
  listOf,
  type Reader,
  type ReaderKind,
  referrerKind,
  type Target,
  targetMatches,
} from "../../../worker/core/widget-contract";
import type { ReaderState } from "./state";

/** Windows narrower than this (CSS px) are phones: the `mobile` device of targeting. */
export const MOBILE_BELOW = 768;

/**
 * The reader's history with the ask, from their own stored state: `lapsed` once they gave and the
 * supporter memory has run out, `returning` once the ask has been seen in this browser (`seen`, or
 * a view still in the view cap's window), else `new`.
 */
export function readerKind(state: ReaderState, now: number): ReaderKind {
  if (state.supporterUntil !== undefined && now >= state.supporterUntil) return "lapsed";
  return state.seen || state.views?.length ? "returning" : "new";
}

/** What the page tells about this view: the script tag's data-*, the referrer, the address, the window. */
export type PageView = { data: DOMStringMap; referrer: string; href: string; width: number };

/** The `Reader` targeting looks at for this page view; built in the browser and never sent. */
export const readerOf = (page: PageView, state: ReaderState, now: number, country = ""): Reader => ({
  sections: listOf(page.data.section),
  tags: listOf(page.data.tags),
  referrer: referrerKind(page.referrer, page.href),
  device: page.width < MOBILE_BELOW ? "mobile" : "desktop",
  country,
  reader: readerKind(state, now),
});

/** The variants whose target includes this reader (the others are left out before picking). */
export const variantsFor = <T extends { target?: Target }>(variants: T[], reader: Reader): T[] =>
  variants.filter((v) => targetMatches(v.target, reader));

/**
 * Targeting for this page view: whether the site's `target` includes the reader, and the variants
 * they may get. As a pair, for `run(...decide(...))` in mount.tsx.
 */
export function decide<V extends { target?: Target }>(
  config: { target?: Target; variants: V[]; country?: string },
  page: PageView,
  state: ReaderState,
  now: number,
): [wanted: boolean, variants: V[]] {
  const reader = readerOf(page, state, now, config.country);
  return [targetMatches(config.target, reader), variantsFor(config.variants, reader)];
}
