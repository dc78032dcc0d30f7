/**
 * Links in the reminder email. The article link carries `rs_campaign=reminder`; the widget
 * forwards it as `campaign` at checkout, so a pledge made from it is attributed to the reminder.
 */
export const REMINDER_CAMPAIGN = "reminder";
export const CAMPAIGN_PARAM = "rs_campaign";

/** The article URL tagged for attribution (any earlier tag replaced; the fragment kept). */
export function taggedArticleUrl(pageUrl: string): string {
  const url = new URL(pageUrl);
  url.searchParams.set(CAMPAIGN_PARAM, REMINDER_CAMPAIGN);
  return url.toString();
}

/** The forget-me page for a token, on this worker's public origin (site and language only choose the page's words). */
export const forgetUrl = (origin: string, token: string, site: string, lang: string) =>
  `${origin}/r/forget/${token}?site=${encodeURIComponent(site)}&lang=${encodeURIComponent(lang)}`;

/** Forget-me tokens are base64url HMACs (43 characters). */
export const isForgetToken = (token: string) => /^[A-Za-z0-9_-]{43}$/.test(token);
