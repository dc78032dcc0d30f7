import { Hono } from "hono";
import { setCookie } from "hono/cookie";
import { dashboardData } from "../db/admin-queries";
import { clientIp, jsonError } from "../http/errors";
import { REMINDER_CAMPAIGN } from "../reminders/links";
import { reminderStats } from "../reminders/store";
import { findSite, SITES } from "../sites";
import { adminApi } from "./api";
import {
  type AdminEnv,
  type AuthOptions,
  accessConfigured,
  refuse,
  requireStaff,
  sameOrigin,
  timingSafeEqual,
} from "./auth";
import { dayBounds, msBounds, resolveRange } from "./range";
import { dashboardPage } from "./render/dashboard";
import { safeNext, signInPage } from "./render/sign-in";
import { createSession, SESSION_COOKIE, SESSION_TTL_MS } from "./session";
import { ADMIN_CSS, CSS_PATH } from "./styles";

/** The staff view's CSP: our stylesheet, nothing inline, no scripts at all, no framing. */
const CSP =
  "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/**
 * `/admin` (issue #4): the dashboard page, sign-in and sign-out, and the JSON API. No CORS
 * headers anywhere here: staff pages are same-origin only. `options` injects the Access
 * verifier and the clock for tests.
 */
export function adminRoutes(options: AuthOptions = {}) {
  const now = () => options.now?.() ?? Date.now();
  return (
    new Hono<AdminEnv>()
      .use("*", async (c, next) => {
        await next();
        c.header("Content-Security-Policy", CSP);
        c.header("X-Content-Type-Options", "nosniff");
        c.header("X-Frame-Options", "DENY");
        c.header("Referrer-Policy", "same-origin");
        c.header("Cache-Control", "no-store");
        c.header("X-Robots-Tag", "noindex");
      })
      // Sign-in: token form → signed session cookie. Reachable without a session, by design.
      .post("/sign-in", async (c) => {
        if (!sameOrigin(c)) return jsonError(c, 403, "cross_site", "Sign-in must come from this site's own form.");
        if (accessConfigured(c.env)) return refuse(c);
        const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
        const next = safeNext(typeof form.next === "string" ? form.next : "/admin");
        const token = typeof form.token === "string" ? form.token : "";
        const { ADMIN_TOKEN: expected, SESSION_SECRET: secret } = c.env;
        if (!expected || !secret) {
          return c.html(
            signInPage({
              next,
              mode: "token",
              env: c.env,
              error: "Sign-in is not configured: set ADMIN_TOKEN and SESSION_SECRET.",
            }),
            503,
          );
        }
        const limited = await c.env.FORM_LIMITER?.limit({ key: `admin-sign-in:${clientIp(c)}` }).catch(() => null);
        if (limited && !limited.success)
          return c.html(
            signInPage({ next, mode: "token", env: c.env, error: "Too many attempts. Wait a minute and try again." }),
            429,
          );
        if (!token || !timingSafeEqual(token, expected))
          return c.html(signInPage({ next, mode: "token", env: c.env, error: "That token is not right." }), 401);
        const value = await createSession({ sessionSecret: secret, adminToken: expected }, now());
        setCookie(c, SESSION_COOKIE, value, {
          path: "/admin",
          maxAge: SESSION_TTL_MS / 1000,
          httpOnly: true,
          secure: true,
          sameSite: "Strict",
        });
        return c.redirect(next, 303);
      })
      .post("/sign-out", (c) => {
        if (!sameOrigin(c)) return jsonError(c, 403, "cross_site", "Sign-out must come from this site's own form.");
        setCookie(c, SESSION_COOKIE, "", {
          path: "/admin",
          maxAge: 0,
          httpOnly: true,
          secure: true,
          sameSite: "Strict",
        });
        return c.redirect("/admin", 303);
      })
      // Everything below needs staff.
      .use("*", requireStaff(options))
      .get("/", async (c) => {
        const site = findSite(c.req.query("site")) ?? SITES[0];
        if (!site) return c.text("No sites are configured.", 500);
        const range = resolveRange(c.req.query(), now()) ?? resolveRange({ range: "30d" }, now());
        if (!range) return c.text("Bad range.", 400);
        const [data, reminders] = await Promise.all([
          dashboardData(c.env.DB, site.id, dayBounds(range), msBounds(range)),
          reminderStats(c.env.DB, site.id, msBounds(range), REMINDER_CAMPAIGN),
        ]);
        return c.html(
          dashboardPage({
            sites: SITES.map((s) => ({ id: s.id, name: s.name })),
            site: { id: site.id, name: site.name },
            range,
            data,
            reminders,
            staff: c.var.staff,
            accessLogout: accessConfigured(c.env),
            now: now(),
          }),
        );
      })
      .route("/api", adminApi)
      .notFound((c) => jsonError(c, 404, "not_found", "There is nothing at this address."))
  );
}

/** The staff stylesheet: public (it holds no data), so the sign-in page is styled too; cached by version. */
export const adminStatic = new Hono<AdminEnv>().get(CSS_PATH, (c) => {
  c.header("Content-Type", "text/css; charset=utf-8");
  c.header("Cache-Control", c.req.query("v") ? "public, max-age=31536000, immutable" : "public, max-age=300");
  c.header("X-Content-Type-Options", "nosniff");
  return c.body(ADMIN_CSS);
});

/** The admin app as the worker mounts it (real Access keys, real clock). */
export const admin = adminRoutes();
