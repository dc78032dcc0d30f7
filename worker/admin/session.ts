/**
 * The staff session cookie for token sign-in (issue #4): `<expiry>.<nonce>.<mac>`, where the
 * MAC is HMAC-SHA-256 under SESSION_SECRET over the expiry, the nonce and a digest of the
 * current ADMIN_TOKEN — so changing either secret signs every session out. Verification uses
 * WebCrypto's constant-time `verify`.
 */

export const SESSION_COOKIE = "rs_admin";
/** Twelve hours: a working day, not a week. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

const encoder = new TextEncoder();

const b64url = (bytes: ArrayBuffer | Uint8Array) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");

function fromB64url(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  try {
    const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
    return Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
  } catch {
    return null;
  }
}

async function macKey(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
    "verify",
  ]);
}

async function signedData(expiry: string, nonce: string, adminToken: string): Promise<Uint8Array<ArrayBuffer>> {
  const tokenDigest = b64url(await crypto.subtle.digest("SHA-256", encoder.encode(adminToken)));
  return encoder.encode(`rs-admin-session.v1|${expiry}|${nonce}|${tokenDigest}`);
}

/** A new session value that expires `ttlMs` after `now`. */
export async function createSession(
  secrets: { sessionSecret: string; adminToken: string },
  now: number,
  ttlMs = SESSION_TTL_MS,
): Promise<string> {
  const expiry = String(now + ttlMs);
  const nonce = b64url(crypto.getRandomValues(new Uint8Array(12)));
  const mac = await crypto.subtle.sign(
    "HMAC",
    await macKey(secrets.sessionSecret),
    await signedData(expiry, nonce, secrets.adminToken),
  );
  return `${expiry}.${nonce}.${b64url(mac)}`;
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
  const signature = fromB64url(mac);
  if (!signature) return false;
  return crypto.subtle.verify(
    "HMAC",
    await macKey(secrets.sessionSecret),
    signature,
    await signedData(expiry, nonce, secrets.adminToken),
  );
}

/** The Set-Cookie value for a session (or for clearing it when `value` is empty). */
export function sessionCookie(value: string, maxAgeSeconds: number): string {
  return `${SESSION_COOKIE}=${value}; Path=/admin; Max-Age=${maxAgeSeconds}; HttpOnly; Secure; SameSite=Strict`;
}
