import { articlesRead } from "./articles";
import { isActive } from "./memory";
import type { ReaderState } from "./state";
import { viewsInWindow } from "./views";

/** Where an ask appears. */
export type Placement = "inline" | "banner";

/** What the targeting filters look at. */
export type TargetingContext = {
  state: ReaderState;
  now: number;
  viewCap: number;
  minArticles: number;
  /** A cancelled checkout shows the ask again, even past the view cap. */
  returning?: boolean;
};

/**
 * A named reason not to show an ask at a placement. The loader's build shortens `hides`
 * (widget/build.mjs): only this module may read it.
 */
export type Filter = { name: string; hides: (c: TargetingContext, placement: Placement) => boolean };

/**
 * Targeting as a declarative list of named filters (as in the Guardian's
 * support-dotcom-components): the first filter that hides an ask is the reason it
 * was not shown, which makes "why didn't I see it?" answerable.
 */
export const FILTERS: Filter[] = [
  { name: "supporter", hides: (c) => isActive(c.state.supporterUntil, c.now) },
  { name: "snoozed", hides: (c) => isActive(c.state.snoozeUntil, c.now) },
  { name: "view-cap", hides: (c) => !c.returning && viewsInWindow(c.state, c.now) >= c.viewCap },
  {
    name: "article-count",
    hides: (c) =>
      !c.returning && c.minArticles > 0 && !c.state.countOff && articlesRead(c.state, c.now) < c.minArticles,
  },
  // Closing the banner hides the banner only.
  { name: "banner-dismissed", hides: (c, p) => p === "banner" && isActive(c.state.bannerUntil, c.now) },
];

/** The name of the first filter hiding the ask at `placement`, or null when it is due. */
export function whyNotShown(context: TargetingContext, placement: Placement): string | null {
  for (const f of FILTERS) if (f.hides(context, placement)) return f.name;
  return null;
}
