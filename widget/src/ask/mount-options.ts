import type { AskConfig } from "../../../worker/core/widget-contract";
import type { Lang } from "../i18n";

/** What the loader hands the ask bundle once both have loaded. */
export type MountOptions = {
  site: string;
  /** Origin of the loader's own src: the API lives there. */
  origin: string;
  lang: Lang;
  /**
   * The loader's script tag's data-* attributes: `placement` ("inline", "banner" or "both", the
   * default), `target` (CSS selector of the inline slot), `campaign`, and those the loader read.
   */
  data: DOMStringMap;
  /**
   * The site's config; the API's status when it refused (404: no site has this id); null when
   * it could not be reached.
   */
  config: AskConfig | number | null;
  /** The page URL's `rs_campaign` (the loader took it out of the address bar), unchecked. */
  urlCampaign: string | null;
  /** The `rs` query parameter after a Stripe return ("thanks" or "cancelled"). */
  rs: string | null;
  /** The reader's storage (null where blocked). */
  storage: Storage | null;
};
