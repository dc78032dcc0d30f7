import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { csrf } from "hono/csrf";
import { timingSafeEqual } from "hono/utils/buffer";
import type { WorkerEnv } from "../platform/env";
import { type AccessIdentity, accessVerifier } from "./access-jwt";
import { signInPage } from "./render/sign-in";
import { SESSION_COOKIE, verifySession } from "./session";

/**
 * Who may see /admin:
 * - with ACCESS_TEAM_DOMAIN and ACCESS_AUD set, only requests carrying a valid Cloudflare Access
 *   JWT (`Cf-Access-Jwt-Assertion`) — Access is then the only door;
 * - otherwise ADMIN_TOKEN: `Authorization: Bearer <token>` (for scripts and the JSON API) or the
 *   signed session cookie set by the sign-in form.
 * Anything else is refused: 401 JSON under /admin/api, the sign-in page (401) for pages.
 */

export type Staff = { via: "access" | "bearer" | "session"; email: string | null };
export type AdminEnv = { Bindings: WorkerEnv; Variables: { staff: Staff } };

/** Verifies an Access JWT; injected so tests can sign with their own key. */
export type VerifyAccess = (
  token: string | undefined,
  config: { teamDomain: string; audience: string },
  now: number,
) => Promise<AccessIdentity | null>;

export type AuthOptions = { verifyAccess?: VerifyAccess; now?: () => number };

/** One verifier (and key cache) per isolate. */
const defaultVerifier = accessVerifier();

/** True when Cloudflare Access guards the staff view. */
export const accessConfigured = (env: WorkerEnv) => Boolean(env.ACCESS_TEAM_DOMAIN && env.ACCESS_AUD);

/** The signed-in staff member, or null. */
export async function identify(c: Context<any>, options: AuthOptions = {}): Promise<Staff | null> {
  const env = c.env as WorkerEnv;
  const now = options.now?.() ?? Date.now();
  if (accessConfigured(env)) {
    const verify = options.verifyAccess ?? defaultVerifier;
    const identity = await verify(
      c.req.header("cf-access-jwt-assertion"),
      { teamDomain: env.ACCESS_TEAM_DOMAIN as string, audience: env.ACCESS_AUD as string },
      now,
    );
    return identity ? { via: "access", email: identity.email } : null;
  }
  const expected = env.ADMIN_TOKEN;
  if (!expected) return null;
  const header = c.req.header("authorization") ?? "";
  if (header.startsWith("Bearer "))
    return (await timingSafeEqual(header.slice(7), expected)) ? { via: "bearer", email: null } : null;
  if (!env.SESSION_SECRET) return null;
  const valid = await verifySession(
    getCookie(c, SESSION_COOKIE),
    { sessionSecret: env.SESSION_SECRET, adminToken: expected },
    now,
  );
  return valid ? { via: "session", email: null } : null;
}

/** JSON routes answer 401 JSON; pages answer with the sign-in form. */
export const wantsJson = (path: string) => /^\/admin\/api(\/|$)/.test(path);

/** The refusal for an unauthenticated request. */
export function refuse(c: Context<AdminEnv>) {
  if (wantsJson(c.req.path)) {
    c.header("WWW-Authenticate", accessConfigured(c.env) ? 'CloudflareAccess realm="staff"' : 'Bearer realm="staff"');
    return c.json({ error: { code: "unauthorized", message: "Staff authentication is required." } }, 401);
  }
  const next = c.req.method === "GET" ? c.req.path + (new URL(c.req.url).search || "") : "/admin";
  return c.html(signInPage({ next, mode: accessConfigured(c.env) ? "access" : "token", env: c.env }), 401);
}

/**
 * A cookie rides along on any request the browser makes, so a state-changing request signed in by
 * cookie must also prove it came from our own pages (Hono's `csrf`: Origin or Sec-Fetch-Site).
 * Bearer tokens and Access JWTs are never sent by a browser on its own, so scripts need neither.
 */
export const sameSiteOnly = csrf();

/** Lets staff through (with `c.var.staff` set); refuses everyone else. */
export function requireStaff(options: AuthOptions = {}): MiddlewareHandler<AdminEnv> {
  return async (c, next) => {
    const staff = await identify(c, options);
    if (!staff) return refuse(c);
    c.set("staff", staff);
    if (staff.via === "session") return sameSiteOnly(c, next);
    await next();
  };
}
