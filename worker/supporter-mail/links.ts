import { timingSafeEqual } from "hono/utils/buffer";
import { hmacBase64Url, randomToken, sha256Hex } from "../platform/crypto";

/**
 * Links in supporters' emails that act for them. A token is `<id>.<expires>.<signature>`: a
 * random id, the expiry in unix seconds, and an HMAC of both and the link's purpose under
 * SESSION_SECRET, so forged, altered or expired links are refused before D1; D1 keeps only the
 * token's hash, and whether it was used. Pure apart from Web Crypto; `now` is passed in.
 */

/** A failed renewal's card-update link works once, for two weeks (Stripe's recommended retry window). */
export const CARD_LINK_TTL_MS = 14 * 86_400_000;
/** An abandoned checkout's link starts a checkout for a week. */
export const RECOVERY_LINK_TTL_MS = 7 * 86_400_000;

export type LinkPurpose = "card" | "give";

/** A new token for a link of `purpose` expiring at `expiresAt` (unix ms, rounded down to seconds). */
export async function signMailToken(secret: string, purpose: LinkPurpose, expiresAt: number): Promise<string> {
  const id = randomToken(16);
  const exp = Math.floor(expiresAt / 1000);
  return `${id}.${exp}.${await hmacBase64Url(secret, `mail-${purpose}:${id}.${exp}`)}`;
}

export type MailTokenCheck = { ok: true } | { ok: false; reason: "invalid" | "expired" };

/** Checks a token's shape, purpose, signature and expiry (whether it was used is D1's part). */
export async function checkMailToken(
  secret: string,
  purpose: LinkPurpose,
  token: string,
  now: number,
): Promise<MailTokenCheck> {
  const m = /^([A-Za-z0-9_-]{22})\.(\d{10})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return { ok: false, reason: "invalid" };
  const [, id, exp, signature] = m as unknown as [string, string, string, string];
  if (!(await timingSafeEqual(await hmacBase64Url(secret, `mail-${purpose}:${id}.${exp}`), signature)))
    return { ok: false, reason: "invalid" };
  return Number(exp) * 1000 <= now ? { ok: false, reason: "expired" } : { ok: true };
}

/** What D1 keeps of a token. */
export const mailLinkHash = (token: string) => sha256Hex(`mail-link:${token}`);

const query = (site: string, lang: string) => `site=${encodeURIComponent(site)}&lang=${encodeURIComponent(lang)}`;

/** A failed renewal's button: opens Stripe's card update (site and language only choose the page's words). */
export const cardUrl = (origin: string, token: string, site: string, lang: string) =>
  `${origin}/r/card/${token}?${query(site, lang)}`;

/** Where Stripe sends the reader back after a completed card update. */
export const cardDoneUrl = (origin: string, token: string, site: string, lang: string) =>
  `${origin}/r/card/${token}/done?${query(site, lang)}`;

/** An abandoned checkout's button: starts a fresh checkout for the same choice. */
export const giveUrl = (origin: string, token: string, site: string, lang: string) =>
  `${origin}/r/give/${token}?${query(site, lang)}`;

/** The supporter's self-service page, and its yearly statement form. */
export const manageUrl = (origin: string, site: string, lang: string) => `${origin}/manage?${query(site, lang)}`;
export const statementUrl = (origin: string, site: string, lang: string) =>
  `${origin}/manage/statement?${query(site, lang)}`;
