/**
 * Targeting: which readers an ask or a variant is for. The site's settings say it
 * (`target` in core/site-config.ts); the reader's browser decides it, because what it looks at
 * (the page's sections and tags, where the reader came from, their device and their history with
 * the ask) never leaves the browser. Pure and free of zod, so the widget imports it
 * (core/widget-contract.ts) and the worker's tests prove it.
 */

/** Where the reader came from: a search engine, a social network, an email, nowhere, the site itself, elsewhere. */
export const REFERRERS = ["search", "social", "newsletter", "direct", "internal", "other"] as const;
export type ReferrerKind = (typeof REFERRERS)[number];
export const DEVICES = ["mobile", "desktop"] as const;
export type Device = (typeof DEVICES)[number];
/**
 * The reader's history with the ask, from their own browser: `new` (the ask has never been shown
 * in this browser), `returning` (it has), `lapsed` (they gave, and the time the site remembers a
 * supporter has run out).
 */
export const READER_KINDS = ["new", "returning", "lapsed"] as const;
export type ReaderKind = (typeof READER_KINDS)[number];

/** A target as the config response carries it (every criterion optional). */
export type Target = {
  sections?: string[];
  tags?: string[];
  excludeSections?: string[];
  excludeTags?: string[];
  referrers?: ReferrerKind[];
  devices?: Device[];
  countries?: string[];
  readers?: ReaderKind[];
};

/** What the browser knows about this page view. */
export type Reader = {
  sections: string[];
  tags: string[];
  referrer: ReferrerKind;
  device: Device;
  /** Two-letter country from the config response, or "" when unknown. */
  country: string;
  reader: ReaderKind;
};

/**
 * Whether `target` includes this reader: every criterion that is set must match (within one,
 * any of its values); exclusions hide the ask on pages that carry one of them. Sections and tags
 * match whatever their case. No target: everyone.
 * A reader whose country is unknown matches no country list.
 */
export function targetMatches(target: Target | undefined, r: Reader): boolean {
  if (!target) return true;
  const any = (want: string[] | undefined, have: string[]) => !want?.length || want.some((w) => have.includes(w));
  const none = (not: string[] | undefined, have: string[]) => !not?.some((w) => have.includes(w));
  // The page's sections and tags are read in lower case (`listOf`); the settings may use capitals.
  const low = (words: string[] | undefined) => words?.map((w) => w.toLowerCase());
  return (
    any(low(target.sections), r.sections) &&
    any(low(target.tags), r.tags) &&
    none(low(target.excludeSections), r.sections) &&
    none(low(target.excludeTags), r.tags) &&
    any(target.referrers, [r.referrer]) &&
    any(target.devices, [r.device]) &&
    any(target.countries, [r.country]) &&
    any(target.readers, [r.reader])
  );
}

/** `data-tags="Council, harbour"` → ["council", "harbour"]. */
export const listOf = (value: string | undefined): string[] =>
  value
    ? value
        .toLowerCase()
        .split(/[\s,]+/)
        .filter(Boolean)
    : [];

const SEARCH = /(^|\.)(google|bing|duckduckgo|yandex|ecosia|baidu|qwant|startpage|kagi|yahoo|search\.brave)\.[a-z.]+$/;
const SOCIAL =
  /(^|\.)(facebook\.com|fb\.me|t\.co|twitter\.com|x\.com|linkedin\.com|lnkd\.in|reddit\.com|instagram\.com|threads\.net|bsky\.app|vk\.com|ok\.ru|t\.me|whatsapp\.com|youtube\.com|tiktok\.com|mastodon\.[a-z.]+)$/;
const MAIL =
  /(^|\.)(mail\.google\.com|outlook\.(live|office|office365)\.com|mail\.yahoo\.com|mail\.yandex\.[a-z]+|e\.mail\.ru)$/;

/**
 * Where a page view came from, from `document.referrer` and the page's address: a newsletter's
 * link (`utm_medium=email`, or a `utm_source` naming a newsletter, or a webmail), a search engine, a social
 * network, the site's own pages, no referrer at all (typed, bookmarked, an app), or anywhere else.
 */
export function referrerKind(referrer: string, page: string): ReferrerKind {
  const url = new URL(page);
  const q = url.searchParams;
  if (/^(e-?mail|newsletter)$/i.test(q.get("utm_medium") ?? "") || /newsletter/i.test(q.get("utm_source") ?? ""))
    return "newsletter";
  let host: string;
  try {
    host = new URL(referrer).hostname.toLowerCase();
  } catch {
    return "direct";
  }
  if (MAIL.test(host)) return "newsletter";
  if (host === url.hostname) return "internal";
  if (SEARCH.test(host)) return "search";
  if (SOCIAL.test(host)) return "social";
  return "other";
}
