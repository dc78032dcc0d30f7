import { base64Url, fromBase64Url, hmacKey } from "../platform/crypto";

/**
 * The staff session cookie for token sign-in: `<expiry>.<nonce>.<mac>`, where the
 * MAC is HMAC-SHA-256 under SESSION_SECRET over the expiry, the nonce and a digest of the
 * current ADMIN_TOKEN — so changing either secret signs every session out. Verification uses
 * WebCrypto's constant-time `verify`.
 */

export const SESSION_COOKIE = "rs_admin";
/** Twelve hours: a working day, not a week. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

const encoder = new TextEncoder();

async function signedData(expiry: string, nonce: string, adminToken: string): Promise<Uint8Array<ArrayBuffer>> {
  const tokenDigest = base64Url(await crypto.subtle.digest("SHA-256", encoder.encode(adminToken)));
  return encoder.encode(`rs-admin-session.v1|${expiry}|${nonce}|${tokenDigest}`);
}

/** A new session value that expires `ttlMs` after `now`. */
export async function createSession(
  secrets: { sessionSecret: string; adminToken: string },
  now: number,
  ttlMs = SESSION_TTL_MS,
): Promise<string> {
  const expiry = String(now + ttlMs);
  const nonce = base64Url(crypto.getRandomValues(new Uint8Array(12)));
  const mac = await crypto.subtle.sign(
    "HMAC",
    await hmacKey(secrets.sessionSecret),
    await signedData(expiry, nonce, secrets.adminToken),
  );
  return `${expiry}.${nonce}.${base64Url(mac)}`;
}

/** True when `value` was made by createSession with these secrets and has not expired at `now`. */
export async function verifySession(
  value: string | undefined,
  secrets: { sessionSecret: string; adminToken: string },
  now: number,
): Promise<boolean> {
  if (!value || value.length > 200) return false;
  const [expiry, nonce, mac, extra] = value.split(".");
  if (!expiry || !nonce || !mac || extra !== undefined || !/^\d{1,16}$/.test(expiry)) return false;
  if (Number(expiry) <= now) return false;
  const signature = fromBase64Url(mac);
  if (!signature) return false;
  return crypto.subtle.verify(
    "HMAC",
    await hmacKey(secrets.sessionSecret),
    signature,
    await signedData(expiry, nonce, secrets.adminToken),
  );
}
