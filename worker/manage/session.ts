import { timingSafeEqual } from "hono/utils/buffer";
import { base64Url, fromBase64Url, hmacBase64Url } from "../platform/crypto";

/**
 * The supporter's session after an emailed link was used: a short-lived cookie, signed under
 * SESSION_SECRET, for exactly one subscription of one customer on one site. It is only ever
 * sent to /manage (Path), never to scripts (HttpOnly), over HTTPS (Secure) and from our own pages
 * (SameSite=Strict; the forms are also checked with Hono's `csrf`). Nothing is stored server-side:
 * the cookie says whose support it opens and until when, and its signature makes that unforgeable.
 * Pure apart from Web Crypto; `now` is passed in.
 */

export const MANAGE_COOKIE = "rs_manage";
/** Thirty minutes, like the link that opened it. */
export const MANAGE_SESSION_TTL_MS = 30 * 60_000;
/** The cookie's attributes (hono/cookie `setCookie` options). */
export const MANAGE_COOKIE_OPTIONS = { path: "/manage", httpOnly: true, secure: true, sameSite: "Strict" } as const;

export type ManageSession = {
  site: string;
  customerId: string;
  subscriptionId: string;
  pledgeId: string;
  /** Unix ms. */
  expiresAt: number;
};

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The cookie value for a session: `<base64url JSON>.<HMAC>`. */
export async function signManageSession(secret: string, session: ManageSession): Promise<string> {
  const payload = base64Url(
    encoder.encode(
      JSON.stringify({
        s: session.site,
        c: session.customerId,
        u: session.subscriptionId,
        p: session.pledgeId,
        e: Math.floor(session.expiresAt / 1000),
      }),
    ),
  );
  return `${payload}.${await hmacBase64Url(secret, `manage-session:${payload}`)}`;
}

/** The session a cookie value stands for at `now`, or why not. */
export async function readManageSession(
  secret: string,
  value: string | undefined,
  now: number,
): Promise<{ ok: true; session: ManageSession } | { ok: false; reason: "missing" | "invalid" | "expired" }> {
  if (!value) return { ok: false, reason: "missing" };
  const m = /^([A-Za-z0-9_-]{20,800})\.([A-Za-z0-9_-]{43})$/.exec(value);
  if (!m) return { ok: false, reason: "invalid" };
  const [, payload, signature] = m as unknown as [string, string, string];
  if (!(await timingSafeEqual(await hmacBase64Url(secret, `manage-session:${payload}`), signature)))
    return { ok: false, reason: "invalid" };
  const bytes = fromBase64Url(payload);
  let data: { s?: unknown; c?: unknown; u?: unknown; p?: unknown; e?: unknown };
  try {
    data = bytes ? JSON.parse(decoder.decode(bytes)) : {};
  } catch {
    return { ok: false, reason: "invalid" };
  }
  const { s, c, u, p, e } = data;
  if (typeof s !== "string" || typeof c !== "string" || typeof u !== "string" || typeof p !== "string")
    return { ok: false, reason: "invalid" };
  if (typeof e !== "number" || e * 1000 <= now) return { ok: false, reason: "expired" };
  return { ok: true, session: { site: s, customerId: c, subscriptionId: u, pledgeId: p, expiresAt: e * 1000 } };
}
