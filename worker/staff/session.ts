import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import { hmacBase64Url, randomToken, sha256Hex } from "../platform/crypto";
import type { Database } from "../platform/db";
import { sessionSecretProblem } from "../platform/deployment";
import type { WorkerEnv } from "../platform/env";
import { clientKey } from "../platform/http";
import { deleteSession, failuresIn, insertSession, recordFailure, sessionIsOpen } from "./store";

/**
 * Staff sessions for the token sign-in, kept server-side: the cookie holds 32 random bytes; D1
 * keeps only their hash, the expiry, and an HMAC of the ADMIN_TOKEN (under SESSION_SECRET) the
 * session was opened with — so signing out ends a session at once, and changing either secret
 * ends them all.
 */

export const SESSION_COOKIE = "rs_admin";
/** Twelve hours: a working day, not a week. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

const COOKIE_VALUE = /^[A-Za-z0-9_-]{43}$/;
const idHashOf = (value: string) => sha256Hex(`staff-session:${value}`);
const tokenDigest = (secrets: { sessionSecret: string; adminToken: string }) =>
  hmacBase64Url(secrets.sessionSecret, `staff-token:${secrets.adminToken}`);

/** Opens a session; returns the cookie value. */
export async function openSession(
  db: Database,
  secrets: { sessionSecret: string; adminToken: string },
  now: number,
  ttlMs = SESSION_TTL_MS,
): Promise<string> {
  const value = randomToken(32);
  await insertSession(db, {
    idHash: await idHashOf(value),
    tokenDigest: await tokenDigest(secrets),
    createdAt: now,
    expiresAt: now + ttlMs,
  });
  return value;
}

/** True when `value` is the cookie of a session that is open at `now` for these secrets. */
export async function verifySession(
  db: Database,
  value: string | undefined,
  secrets: { sessionSecret: string; adminToken: string },
  now: number,
): Promise<boolean> {
  if (!value || !COOKIE_VALUE.test(value)) return false;
  return sessionIsOpen(db, await idHashOf(value), await tokenDigest(secrets), now);
}

/** Ends the session of this cookie value (whatever it is). */
export async function closeSession(db: Database, value: string | undefined): Promise<void> {
  if (value && COOKIE_VALUE.test(value)) await deleteSession(db, await idHashOf(value));
}

/** The session cookie of a request. */
export const sessionCookie = (c: Context) => getCookie(c, SESSION_COOKIE);

/** Failed credentials (bearer or form) a client may make per window before every attempt is refused. */
export const MAX_FAILURES = 10;
export const FAILURE_WINDOW_MS = 15 * 60_000;

const windowOf = (now: number) => Math.floor(now / FAILURE_WINDOW_MS) * FAILURE_WINDOW_MS;
/** The stored name of a client: an HMAC of its rate-limit key under SESSION_SECRET when there is one, so no address is kept. */
const clientOf = (c: Context) => {
  const env = c.env as WorkerEnv;
  const key = `staff-auth:${clientKey(c)}`;
  return sessionSecretProblem(env) ? sha256Hex(key) : hmacBase64Url(env.SESSION_SECRET as string, key);
};

/** Whether this client has used up its failed attempts for now: then no credential is even checked. */
export async function guessingLimited(db: Database, c: Context, now: number): Promise<boolean> {
  return (await failuresIn(db, await clientOf(c), windowOf(now))) >= MAX_FAILURES;
}

/** Counts a failed credential against the client. */
export async function countFailure(db: Database, c: Context, now: number): Promise<void> {
  await recordFailure(db, await clientOf(c), windowOf(now));
}

/** Seconds until the client's window ends (for Retry-After). */
export const retryAfterSeconds = (now: number) => Math.ceil((windowOf(now) + FAILURE_WINDOW_MS - now) / 1000);
