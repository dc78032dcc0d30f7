import type { AskConfig } from "../../../worker/core/widget-contract";
import type { Lang } from "../i18n";
import type { articlesRead } from "../rules/articles";
import type { whyNotShown } from "../rules/filters";
import type { loadState, saveState } from "../rules/state";

/** What the loader hands the ask bundle once both have loaded. */
export type MountOptions = {
  site: string;
  /** Origin of the loader's own src: the API lives there. */
  origin: string;
  lang: Lang;
  placement: "inline" | "banner" | "both";
  /** CSS selector of the inline slot (data-target). */
  target?: string;
  /** The site's config, or null when the API could not be reached. */
  config: AskConfig | null;
  /**
   * The campaign of this page view: the page URL's `rs_campaign` (already checked against
   * the API's slug rule), else the script tag's `data-campaign`. Kept for this page view only.
   */
  campaign?: string;
  /** The `rs` query parameter after a Stripe return ("thanks" or "cancelled"). */
  rs: string | null;
  /** The reader's storage (null where blocked). */
  storage: Storage | null;
  /**
   * Rule functions the loader already carries, handed over so the ask bundle does not
   * ship them a second time (the first ask must stay within 15 KB; both files are built
   * together and the loader pins the ask's version, so they always match).
   */
  shared: {
    loadState: typeof loadState;
    saveState: typeof saveState;
    whyNotShown: typeof whyNotShown;
    articlesRead: typeof articlesRead;
  };
};
