/**
 * Links in the reminder emails. The article link carries `rs_campaign=reminder`; the widget
 * forwards it as `campaign` at checkout, so a pledge made from it is attributed to the reminder.
 */
export const REMINDER_CAMPAIGN = "reminder";
export const CAMPAIGN_PARAM = "rs_campaign";

const CAMPAIGN_VALUE = /^[a-z0-9][a-z0-9_-]{0,39}$/i;

/**
 * The article's address as a reminder keeps it: origin and path only — no user or password, no
 * query except our own campaign parameter, no fragment — so nobody can put words of their own
 * into the email through the address.
 */
export function cleanPageUrl(pageUrl: string): string {
  const url = new URL(pageUrl);
  const clean = new URL(`${url.origin}${url.pathname}`);
  const campaign = url.searchParams.get(CAMPAIGN_PARAM);
  if (campaign && CAMPAIGN_VALUE.test(campaign)) clean.searchParams.set(CAMPAIGN_PARAM, campaign);
  return clean.toString();
}

/** The article URL tagged for attribution (any earlier tag replaced). */
export function taggedArticleUrl(pageUrl: string): string {
  const url = new URL(pageUrl);
  url.searchParams.set(CAMPAIGN_PARAM, REMINDER_CAMPAIGN);
  return url.toString();
}

/** The forget-me page for a token, on this worker's public origin (site and language only choose the page's words). */
export const forgetUrl = (origin: string, token: string, site: string, lang: string) =>
  `${origin}/r/forget/${token}?site=${encodeURIComponent(site)}&lang=${encodeURIComponent(lang)}`;

/** The confirmation page for a request's token, on this worker's public origin. */
export const confirmUrl = (origin: string, token: string, site: string, lang: string) =>
  `${origin}/r/confirm/${token}?site=${encodeURIComponent(site)}&lang=${encodeURIComponent(lang)}`;

/** Forget-me tokens are base64url HMACs and confirmation tokens 32 random bytes: 43 base64url characters. */
export const isForgetToken = (token: string) => /^[A-Za-z0-9_-]{43}$/.test(token);
export const isConfirmToken = isForgetToken;
