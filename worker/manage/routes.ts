import { Hono } from "hono";
import { setCookie } from "hono/cookie";
import { z } from "zod";
import { firstLanguage, type Language } from "../core/languages";
import type { AppContext } from "../platform/env";
import { clientKey } from "../platform/http";
import { type ReaderPageEnv, readerPageHeaders, STYLESHEET } from "../platform/page";
import { demoOrigins, findSite } from "../platform/sites";
import { inspectManageLink, openManageLink } from "./open";
import {
  confirmPage,
  deadLinkPage,
  type ManagePageContext,
  requestPage,
  sentPage,
  stripeFailedPage,
  tooManyPage,
  unknownSitePage,
} from "./pages";
import { requestManageLinks } from "./request";
import { resolveReturnUrl } from "./return-url";
import { MANAGE_COOKIE, MANAGE_COOKIE_OPTIONS, MANAGE_SESSION_TTL_MS } from "./session";
import { supportRoutes } from "./support-routes";

/** `POST /manage` form body. */
const manageRequestSchema = z.object({
  site: z.string().min(1).max(40),
  email: z.email().max(254),
  lang: z.string().max(5).optional(),
  return: z.string().max(2000).optional(),
});

/**
 * Supporter self-service: `GET /manage?site=ID` asks for an email, `POST /manage`
 * emails single-use links, `GET /manage/open/:token` shows a button and `POST` uses the link and
 * opens the supporter's short session on their support, `/manage/support` (support-routes.ts).
 * Plain HTML forms: no scripts, no inline styles.
 */
export const manageRoutes = new Hono<AppContext & ReaderPageEnv>()
  .get("/style.css", (c) =>
    c.body(STYLESHEET, 200, { "Content-Type": "text/css; charset=utf-8", "Cache-Control": "public, max-age=3600" }),
  )
  // Registered after the stylesheet, so it covers the pages only (the stylesheet's answer ends the chain).
  .use(readerPageHeaders())
  .get("/", (c) => {
    const lang = firstLanguage(c.req.query("lang"), c.req.header("accept-language"));
    const site = findSite(c.req.query("site"));
    if (!site) return c.html(unknownSitePage(lang ?? "en"), 404);
    return c.html(requestPage(context(c, site.id, lang, c.req.query("return"))));
  })
  .post("/", async (c) => {
    const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    const lang = firstLanguage(String(form.lang ?? ""), c.req.header("accept-language"));
    const site = findSite(typeof form.site === "string" ? form.site : undefined);
    if (!site) return c.html(unknownSitePage(lang ?? "en"), 400);
    const ctx = context(c, site.id, lang, typeof form.return === "string" ? form.return : undefined);
    const { success } = await c.env.FORM_LIMITER.limit({ key: `manage:${clientKey(c)}` });
    if (!success) return c.html(tooManyPage(ctx), 429, { "Retry-After": "60" });
    const parsed = manageRequestSchema.safeParse(form);
    if (!parsed.success) {
      const email = typeof form.email === "string" ? form.email.slice(0, 254) : "";
      return c.html(requestPage(ctx, { email, error: true }), 400);
    }
    // The work happens after the answer, so a known address takes no longer to answer than an unknown one.
    c.executionCtx.waitUntil(
      requestManageLinks(
        c.env,
        { site, email: parsed.data.email, lang: ctx.lang, returnUrl: ctx.returnUrl },
        Date.now(),
      ).catch((error) => console.error("manage: link request failed", error)),
    );
    return c.html(sentPage(ctx));
  })
  .get("/open/:token", async (c) => {
    const token = c.req.param("token");
    const state = await inspectManageLink(c.env, token, Date.now());
    const lang = firstLanguage(c.req.query("lang"), c.req.header("accept-language"));
    const siteId = state.ok ? state.link.site : c.req.query("site");
    const ctx = context(c, siteId, lang, state.ok ? state.link.returnUrl : undefined);
    if (!state.ok) return c.html(deadLinkPage(ctx, state.reason), 410);
    return c.html(confirmPage(ctx, openAction(c.req.url, token)));
  })
  .post("/open/:token", async (c) => {
    const token = c.req.param("token");
    const lang = firstLanguage(c.req.query("lang"), c.req.header("accept-language"));
    const outcome = await openManageLink(c.env, token, Date.now());
    if (outcome.ok) {
      setCookie(c, MANAGE_COOKIE, outcome.cookie, { ...MANAGE_COOKIE_OPTIONS, maxAge: MANAGE_SESSION_TTL_MS / 1000 });
      return c.redirect(`/manage/support?lang=${lang ?? findSite(outcome.site)?.defaultLanguage ?? "en"}`, 303);
    }
    const ctx = context(c, outcome.site ?? c.req.query("site"), lang, undefined);
    if (outcome.reason === "stripe_failed") return c.html(stripeFailedPage(ctx, openAction(c.req.url, token)), 502);
    return c.html(deadLinkPage(ctx, outcome.reason), 410);
  })
  .route("/support", supportRoutes);

function context(
  c: { env: AppContext["Bindings"] },
  siteId: string | undefined,
  lang: Language | undefined,
  returnCandidate: string | undefined,
): ManagePageContext {
  const site = findSite(siteId);
  if (!site) return { lang: lang ?? "en", siteId: siteId ?? "", siteName: "Reader Support", returnUrl: "" };
  return {
    lang: lang ?? site.defaultLanguage,
    siteId: site.id,
    siteName: site.name,
    returnUrl: resolveReturnUrl(site, returnCandidate, demoOrigins(c.env)),
  };
}

/** The confirm form posts back to the same link (keeping its page-language query). */
function openAction(requestUrl: string, token: string): string {
  const url = new URL(requestUrl);
  return `/manage/open/${encodeURIComponent(token)}${url.search}`;
}
