import { Hono } from "hono";
import { setCookie } from "hono/cookie";
import { timingSafeEqual } from "hono/utils/buffer";
import { INBOX_LATE_MS, inboxWarning } from "../core/inbox";
import { parseWindow } from "../core/reconcile";
import { reconcile } from "../ledger/reconcile";
import { inboxBacklog, recentRuns, runDifferences } from "../ledger/store";
import { webhookApi, webhookPages } from "../outgoing/routes";
import { database } from "../platform/db";
import { deploymentWarnings, sessionSecretProblem } from "../platform/deployment";
import { httpErrorResponse, jsonError } from "../platform/http";
import { allSites, findSite, liveSites } from "../platform/sites";
import { REMINDER_CAMPAIGN } from "../reminders/links";
import { reminderStats } from "../reminders/store";
import { PREVIEW_SCRIPT, PREVIEW_SCRIPT_PATH, settingsPageHeaders } from "../settings/preview";
import { settingsApi, settingsPages } from "../settings/routes";
import { emailsPageHeaders, emailsStaff } from "../supporter-mail/staff";
import { variantApi, variantPages } from "../variants/routes";
import { staffApi } from "./api";
import {
  type AdminEnv,
  type AuthOptions,
  accessConfigured,
  refuse,
  requireStaff,
  sameSiteOnly,
  usableAdminToken,
} from "./auth";
import { growthView } from "./growth";
import { staffHeaders } from "./headers";
import { peopleApi, peoplePages } from "./people";
import { dashboardData } from "./queries";
import { dayBounds, msBounds, resolveRange } from "./range";
import { dashboardPage } from "./render/dashboard";
import { safeNext, signInPage } from "./render/sign-in";
import { refuseUnless } from "./roles";
import {
  closeSession,
  countFailure,
  guessingLimited,
  openSession,
  SESSION_COOKIE,
  SESSION_TTL_MS,
  sessionCookie,
} from "./session";
import { deleteAllSessions } from "./store";
import { ADMIN_CSS, CSS_PATH } from "./styles";

const COOKIE = { path: "/admin", httpOnly: true, secure: true, sameSite: "Strict" } as const;

/**
 * `/admin`: the dashboard page, sign-in and sign-out, the stylesheet and the JSON API, behind
 * one guard (`requireStaff`). No CORS headers anywhere here: staff pages are same-origin only.
 * `options` injects the Access verifier and the clock for tests.
 */
export function staffRoutes(options: AuthOptions = {}) {
  const now = () => options.now?.() ?? Date.now();
  return (
    new Hono<AdminEnv>()
      // Our stylesheet, nothing inline, no scripts at all, no framing (the emails page and the settings'
      // preview frame their own previews; only the ask's preview frame runs our own scripts).
      .use((c, next) => (emailsPageHeaders(c.req.path) ?? settingsPageHeaders(c.req.path) ?? staffHeaders)(c, next))
      .use(async (c, next) => {
        await next();
        if (!c.res.headers.has("Cache-Control")) c.header("Cache-Control", "no-store");
        c.header("X-Robots-Tag", "noindex");
      })
      // The stylesheet holds no data, so the sign-in page is styled too; cached by version.
      .get(CSS_PATH.slice("/admin".length), (c) => {
        c.header("Content-Type", "text/css; charset=utf-8");
        c.header("Cache-Control", c.req.query("v") ? "public, max-age=31536000, immutable" : "public, max-age=300");
        return c.body(ADMIN_CSS);
      })
      // The preview frame's script: our own code, no data (the frame is staff-only, its config too).
      .get(PREVIEW_SCRIPT_PATH.slice("/admin".length), (c) => {
        c.header("Content-Type", "text/javascript; charset=utf-8");
        c.header("Cache-Control", "public, max-age=300");
        return c.body(PREVIEW_SCRIPT);
      })
      // Sign-in: token form → a server-side session and its cookie. Reachable without a session, by design.
      .post("/sign-in", sameSiteOnly, async (c) => {
        if (accessConfigured(c.env)) return refuse(c);
        const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
        const next = safeNext(typeof form.next === "string" ? form.next : "/admin");
        const token = typeof form.token === "string" ? form.token : "";
        const page = (error: string, status: 401 | 429 | 503) =>
          c.html(signInPage({ next, mode: "token", env: c.env, error }), status);
        const admin = usableAdminToken(c.env);
        if (admin === null) return page("Sign-in is not configured: set ADMIN_TOKEN and SESSION_SECRET.", 503);
        if ("refused" in admin) return page(admin.refused, 503);
        const secretProblem = sessionSecretProblem(c.env);
        if (secretProblem) return page(secretProblem, 503);
        const db = database(c.env.DB);
        // Wrong form tokens and wrong bearer tokens share one limit per client.
        if (await guessingLimited(db, c, now()))
          return page("Too many wrong tokens from this network. Try again later.", 429);
        if (!token || !(await timingSafeEqual(token, admin.token))) {
          await countFailure(db, c, now());
          return page("That token is not right.", 401);
        }
        const secrets = { sessionSecret: c.env.SESSION_SECRET as string, adminToken: admin.token };
        const value = await openSession(db, secrets, now());
        setCookie(c, SESSION_COOKIE, value, { ...COOKIE, maxAge: SESSION_TTL_MS / 1000 });
        return c.redirect(next, 303);
      })
      // Sign-out ends the session on the server: the cookie is dead at once, wherever it was copied.
      .post("/sign-out", sameSiteOnly, async (c) => {
        await closeSession(database(c.env.DB), sessionCookie(c));
        setCookie(c, SESSION_COOKIE, "", { ...COOKIE, maxAge: 0 });
        return c.redirect("/admin", 303);
      })
      // Everything below needs staff.
      .use(requireStaff(options))
      // Ends every staff session (a lost laptop, a colleague who left); scripts' bearer tokens are not sessions.
      .post("/sign-out-everywhere", async (c) => {
        await deleteAllSessions(database(c.env.DB));
        setCookie(c, SESSION_COOKIE, "", { ...COOKIE, maxAge: 0 });
        return c.redirect("/admin", 303);
      })
      .get("/", async (c) => {
        const site = findSite(c.req.query("site")) ?? allSites()[0];
        if (!site) return c.text("No sites are configured.", 500);
        const range = resolveRange(c.req.query(), now()) ?? resolveRange({ range: "30d" }, now());
        if (!range) return c.text("Bad range.", 400);
        const db = database(c.env.DB);
        const [data, reminders, [latest], growth, inbox] = await Promise.all([
          dashboardData(db, site.id, dayBounds(range), msBounds(range)),
          reminderStats(db, site.id, msBounds(range), REMINDER_CAMPAIGN),
          recentRuns(db, 1),
          growthView(db, site.id, range, now()),
          inboxBacklog(db, now() - INBOX_LATE_MS),
        ]);
        const late = inboxWarning(inbox);
        const reconciliation = {
          latest: latest ?? null,
          differences: latest ? await runDifferences(db, latest.id, 50) : [],
        };
        return c.html(
          dashboardPage({
            sites: allSites().map((s) => ({ id: s.id, name: s.name })),
            site: { id: site.id, name: site.name },
            range,
            data,
            reminders,
            reconciliation,
            staff: c.var.staff,
            accessLogout: accessConfigured(c.env),
            warnings: [
              ...deploymentWarnings(c.env),
              ...[...liveSites().problems].map(([id, why]) => `Settings of ${id}: ${why}`),
              ...(late ? [late] : []),
            ],
            growth,
            now: now(),
          }),
        );
      })
      // The dashboard's "Check against Stripe now": a form post from our own page only (whatever the
      // sign-in, Access included), then back to the dashboard's reconciliation section.
      .post("/reconcile", sameSiteOnly, async (c) => {
        const refused = await refuseUnless(c, null, "editor", "checking against Stripe");
        if (refused) return refused;
        const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
        const site = findSite(typeof form.site === "string" ? form.site : undefined) ?? allSites()[0];
        const window = parseWindow(typeof form.since === "string" ? form.since : undefined, now());
        if ("error" in window) return jsonError(c, 400, "invalid_since", window.error, "since");
        await reconcile(c.env, window, "staff");
        return c.redirect(`/admin?${new URLSearchParams({ site: site?.id ?? "" })}#reconciliation`, 303);
      })
      .route("/emails", emailsStaff)
      .route("/settings", settingsPages)
      .route("/staff", peoplePages)
      .route("/variants", variantPages)
      .route("/webhooks", webhookPages)
      .route("/api/settings", settingsApi)
      .route("/api/webhooks", webhookApi)
      .route("/api", peopleApi)
      .route("/api", variantApi)
      .route("/api", staffApi)
      .notFound((c) => jsonError(c, 404, "not_found", "There is nothing at this address."))
      .onError(httpErrorResponse)
  );
}

/** The staff app as the worker mounts it (real Access keys, real clock). */
export const staff = staffRoutes();
