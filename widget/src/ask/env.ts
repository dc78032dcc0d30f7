import type { AskConfig, AskEventType, Placement } from "../../../worker/core/widget-contract";
import type { Lang, Strings } from "../i18n";
import type { ReaderState } from "../rules/state";
import type { Extras } from "./global";

/**
 * What the ask's components need from the outside world, passed in so that
 * component tests can replace the network, the clock, storage and navigation.
 */
export type Env = {
  site: string;
  origin: string;
  lang: Lang;
  t: Strings;
  config: AskConfig;
  /** The site's copy with the variant's overrides applied. */
  copy: AskConfig["copy"];
  variant?: string;
  /** The campaign this page view came from (`rs_campaign` or `data-campaign`), sent at checkout. */
  campaign?: string;
  /** Distinct articles read in the last 4 weeks, or null when not counted. */
  articles: number | null;
  now: () => number;
  fetch: typeof fetch;
  navigate: (url: string) => void;
  track: (type: AskEventType, placement: Placement) => void;
  /** Applies a change to the reader's stored state and returns the new state. */
  update: (change: (s: ReaderState) => ReaderState) => ReaderState;
  /** The article URL without our query parameters (Stripe's return URL, the reminder's page). */
  pageUrl: string;
  /** Loads the extras chunk once (the "Other" field, the reminder form, the thank-you…); rejects when it cannot. */
  extras: () => Promise<Extras>;
};

/** Our query parameters: the way back from Stripe, and the campaign of a reminder email's link. */
export const RETURN_PARAMS = ["rs", "rs_pledge", "rs_freq", "rs_campaign"];

/** `href` without our query parameters and the fragment. */
export function cleanUrl(href: string): string {
  const url = new URL(href);
  for (const p of RETURN_PARAMS) url.searchParams.delete(p);
  url.hash = "";
  return url.toString();
}

/** A fresh UUID for each checkout attempt's Idempotency-Key (the reader id's maker). */
export { newReaderId as uuid } from "../rules/variants";

/** Fills `{publisher}` and `{articles}` in a copy string. */
export const fillCopy = (text: string, env: Pick<Env, "config" | "articles">): string =>
  text.replace(/\{publisher\}/g, env.config.name).replace(/\{articles\}/g, String(env.articles ?? ""));
