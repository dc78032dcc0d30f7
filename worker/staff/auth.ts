import type { Context, MiddlewareHandler } from "hono";
import { csrf } from "hono/csrf";
import { timingSafeEqual } from "hono/utils/buffer";
import { database } from "../platform/db";
import { adminTokenProblem, logProblemOnce, sessionSecretProblem } from "../platform/deployment";
import { isDevelopment, type WorkerEnv } from "../platform/env";
import { jsonError } from "../platform/http";
import { type AccessIdentity, accessVerifier } from "./access-jwt";
import { signInPage } from "./render/sign-in";
import { countFailure, guessingLimited, retryAfterSeconds, sessionCookie, verifySession } from "./session";

/**
 * Who may see /admin:
 * - with ACCESS_TEAM_DOMAIN and ACCESS_AUD set, only requests carrying a valid Cloudflare Access
 *   JWT (`Cf-Access-Jwt-Assertion`) — Access is then the only door;
 * - otherwise ADMIN_TOKEN: `Authorization: Bearer <token>` (for scripts and the JSON API) or the
 *   session cookie set by the sign-in form. Outside development a token shorter than 32
 *   characters, or the example's, opens nothing. Failed bearer and form tokens share one limit
 *   per client; past it no token is even compared.
 * Anything else is refused: 401 JSON under /admin/api, the sign-in page (401) for pages.
 */

export type Staff = { via: "access" | "bearer" | "session"; email: string | null };
export type AdminEnv = { Bindings: WorkerEnv; Variables: { staff: Staff } };

/** Why a request is not let in. */
export type Refusal = "unauthorized" | "rate_limited" | "token_refused";

/** Verifies an Access JWT; injected so tests can sign with their own key. */
export type VerifyAccess = (
  token: string | undefined,
  config: { teamDomain: string; audience: string },
  now: number,
) => Promise<AccessIdentity | null>;

export type AuthOptions = { verifyAccess?: VerifyAccess; now?: () => number };

/** One verifier (and key cache) per isolate. */
const defaultVerifier = accessVerifier();

/** Development only: a verifier whose keys come from ACCESS_CERTS_URL (the browser tests' own key). */
let localVerifier: { url: string; verify: VerifyAccess } | null = null;
function verifierFor(env: WorkerEnv): VerifyAccess {
  const url = env.ACCESS_CERTS_URL;
  if (!url || !isDevelopment(env)) return defaultVerifier;
  if (localVerifier?.url !== url)
    localVerifier = {
      url,
      verify: accessVerifier(async () => ((await (await fetch(url)).json()) as { keys: JsonWebKey[] }).keys),
    };
  return localVerifier.verify;
}

/** True when Cloudflare Access guards the staff view. */
export const accessConfigured = (env: WorkerEnv) => Boolean(env.ACCESS_TEAM_DOMAIN && env.ACCESS_AUD);

/** The ADMIN_TOKEN this deployment accepts, or why none is (logged once). */
export function usableAdminToken(env: WorkerEnv): { token: string } | { refused: string } | null {
  if (!env.ADMIN_TOKEN) return null;
  const problem = adminTokenProblem(env);
  if (problem) {
    logProblemOnce(`${problem} (the staff token sign-in is refused until then)`);
    return { refused: problem };
  }
  return { token: env.ADMIN_TOKEN };
}

/** The signed-in staff member, or why the request is refused. */
export async function identify(c: Context<any>, options: AuthOptions = {}): Promise<Staff | Refusal> {
  const env = c.env as WorkerEnv;
  const now = options.now?.() ?? Date.now();
  if (accessConfigured(env)) {
    const verify = options.verifyAccess ?? verifierFor(env);
    const identity = await verify(
      c.req.header("cf-access-jwt-assertion"),
      { teamDomain: env.ACCESS_TEAM_DOMAIN as string, audience: env.ACCESS_AUD as string },
      now,
    );
    return identity ? { via: "access", email: identity.email } : "unauthorized";
  }
  const admin = usableAdminToken(env);
  if (admin === null) return "unauthorized";
  const header = c.req.header("authorization") ?? "";
  const bearer = header.startsWith("Bearer ");
  if ("refused" in admin) return bearer ? "token_refused" : "unauthorized";
  const db = database(env.DB);
  if (bearer) {
    if (await guessingLimited(db, c, now)) return "rate_limited";
    if (await timingSafeEqual(header.slice(7), admin.token)) return { via: "bearer", email: null };
    await countFailure(db, c, now);
    return "unauthorized";
  }
  if (sessionSecretProblem(env)) return "unauthorized";
  const valid = await verifySession(
    db,
    sessionCookie(c),
    { sessionSecret: env.SESSION_SECRET as string, adminToken: admin.token },
    now,
  );
  return valid ? { via: "session", email: null } : "unauthorized";
}

/** JSON routes answer 401 JSON; pages answer with the sign-in form. */
export const wantsJson = (path: string) => /^\/admin\/api(\/|$)/.test(path);

/** The refusal for a request that is not let in. */
export function refuse(c: Context<AdminEnv>, why: Refusal = "unauthorized", now = Date.now()) {
  const token = usableAdminToken(c.env);
  const tokenError = token !== null && "refused" in token ? token.refused : undefined;
  if (why === "rate_limited") c.header("Retry-After", String(retryAfterSeconds(now)));
  if (wantsJson(c.req.path)) {
    if (why === "rate_limited")
      return jsonError(c, 429, "rate_limited", "Too many wrong staff tokens from this network. Try again later.");
    if (why === "token_refused") return jsonError(c, 503, "token_refused", tokenError ?? "ADMIN_TOKEN is refused.");
    c.header("WWW-Authenticate", accessConfigured(c.env) ? 'CloudflareAccess realm="staff"' : 'Bearer realm="staff"');
    return c.json({ error: { code: "unauthorized", message: "Staff authentication is required." } }, 401);
  }
  const next = c.req.method === "GET" ? c.req.path + (new URL(c.req.url).search || "") : "/admin";
  const mode = accessConfigured(c.env) ? "access" : "token";
  if (why === "rate_limited")
    return c.html(
      signInPage({ next, mode, env: c.env, error: "Too many wrong tokens from this network. Try again later." }),
      429,
    );
  return c.html(signInPage({ next, mode, env: c.env, ...(tokenError ? { error: tokenError } : {}) }), 401);
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
    if (typeof staff === "string") return refuse(c, staff, options.now?.());
    c.set("staff", staff);
    if (staff.via === "session") return sameSiteOnly(c, next);
    await next();
  };
}
