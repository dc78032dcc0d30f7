import { timingSafeEqual } from "hono/utils/buffer";
import { hmacBase64Url } from "../platform/crypto";

/**
 * Signed "manage your support" links. A token is `<id>.<expires>.<signature>`:
 * a random id, the expiry in unix seconds, and an HMAC of both under SESSION_SECRET. The
 * signature lets forged or altered links be refused before touching D1; single use is
 * enforced by the stored hash's `used_at`. Pure apart from Web Crypto; `now` is passed in.
 */
export const LINK_TTL_MS = 30 * 60_000;

/** The token for a link id expiring at `expiresAt` (unix ms, rounded down to seconds). */
export async function signManageToken(secret: string, id: string, expiresAt: number): Promise<string> {
  const exp = Math.floor(expiresAt / 1000);
  return `${id}.${exp}.${await hmacBase64Url(secret, `manage:${id}.${exp}`)}`;
}

export type TokenCheck = { ok: true; expiresAt: number } | { ok: false; reason: "malformed" | "forged" | "expired" };

/** Checks a token's shape, signature and expiry (not whether it was used: that is D1's part). */
export async function checkManageToken(secret: string, token: string, now: number): Promise<TokenCheck> {
  const m = /^([A-Za-z0-9_-]{22})\.(\d{10})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return { ok: false, reason: "malformed" };
  const [, id, exp, signature] = m as unknown as [string, string, string, string];
  const expected = await hmacBase64Url(secret, `manage:${id}.${exp}`);
  if (!(await timingSafeEqual(expected, signature))) return { ok: false, reason: "forged" };
  const expiresAt = Number(exp) * 1000;
  if (expiresAt <= now) return { ok: false, reason: "expired" };
  return { ok: true, expiresAt };
}
