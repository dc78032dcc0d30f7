import { type Context, Hono } from "hono";
import { z } from "zod";
import { attachSession, insertPledge, markUnpayable } from "../checkout/store";
import { signThanksToken } from "../checkout/thanks";
import { canonicalCheckoutRequest, checkoutSessionParams, planCheckout } from "../core/checkout";
import { firstLanguage, type Language } from "../core/languages";
import type { SiteConfig } from "../core/site-config";
import { linkSecret, sha256Hex } from "../platform/crypto";
import { database } from "../platform/db";
import { sessionSecretProblem } from "../platform/deployment";
import { type AppContext, publicOrigin } from "../platform/env";
import { clientKey } from "../platform/http";
import { type ReaderPageEnv, readerPageHeaders } from "../platform/page";
import { demoOrigins, findSite } from "../platform/sites";
import { stripeFor } from "../platform/stripe";
import { mailMoney } from "./email";
import { cardDoneUrl, checkMailToken, type LinkPurpose, mailLinkHash } from "./links";
import {
  cardConfirmPage,
  cardDeadPage,
  cardDonePage,
  giveConfirmPage,
  giveDeadPage,
  givenPage,
  type PageContext,
  statementPage,
  statementSentPage,
  stripeFailedPage,
  tooManyPage,
  unknownSitePage,
} from "./pages";
import { RECOVERY_CAMPAIGN } from "./rules";
import { requestStatement, statementYears } from "./statement";
import {
  completeCardLink,
  findMailLink,
  type MailLink,
  pledgeFacts,
  recordRecoveryStart,
  unuseCardLink,
  useCardLink,
} from "./store";

type Env = AppContext & ReaderPageEnv;

/** The words of a page: the site's name, the query's language, else the browser's, else the site's. */
function pageContext(c: Context<Env>, siteId: string | null | undefined, lang?: string | null): PageContext {
  const site = findSite(siteId);
  const chosen = firstLanguage(lang, c.req.query("lang"), c.req.header("accept-language"));
  return {
    lang: chosen ?? site?.defaultLanguage ?? "en",
    siteId: site?.id ?? "",
    siteName: site?.name ?? "Reader Support",
  };
}

/** The form posts back to the same link, keeping its page-language query. */
const sameLink = (c: Context<Env>, prefix: string, token: string) =>
  `${prefix}/${encodeURIComponent(token)}${new URL(c.req.url).search}`;

// ─── The yearly statement ────────────────────────────────────────────────────────────────────────

/** `POST /manage/statement` form body. */
const statementRequestSchema = z.object({
  site: z.string().min(1).max(40),
  email: z.email().max(254),
  lang: z.string().max(5).optional(),
  year: z.coerce.number().int(),
});

/**
 * `GET /manage/statement?site=ID` asks for an address and a year; `POST` emails that year's
 * statement to the address if it made payments on the site, and answers the same whatever the
 * address (the work happens after the answer). Limited per client, and per address a day.
 */
export const statementRoutes = new Hono<Env>()
  .use(readerPageHeaders())
  .get("/", (c) => {
    const site = findSite(c.req.query("site"));
    const ctx = pageContext(c, site?.id);
    if (!site) return c.html(unknownSitePage(ctx.lang), 404);
    return c.html(statementPage(ctx, statementYears(Date.now())));
  })
  .post("/", async (c) => {
    const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    const site = findSite(typeof form.site === "string" ? form.site : undefined);
    const ctx = pageContext(c, site?.id, typeof form.lang === "string" ? form.lang : null);
    if (!site) return c.html(unknownSitePage(ctx.lang), 400);
    const { success } = await c.env.FORM_LIMITER.limit({ key: `statement:${clientKey(c)}` });
    if (!success) return c.html(tooManyPage(ctx), 429, { "Retry-After": "60" });
    const now = Date.now();
    const years = statementYears(now);
    const parsed = statementRequestSchema.safeParse(form);
    if (!parsed.success || !years.includes(parsed.data.year)) {
      const email = typeof form.email === "string" ? form.email.slice(0, 254) : "";
      const year = Number(form.year);
      return c.html(statementPage(ctx, years, { email, error: true, ...(years.includes(year) ? { year } : {}) }), 400);
    }
    const { email, year } = parsed.data;
    c.executionCtx.waitUntil(
      requestStatement(c.env, { site, email, year, lang: ctx.lang }, now).catch((error) =>
        console.error("statement: request failed", error),
      ),
    );
    return c.html(statementSentPage(ctx, year));
  });

// ─── A failed renewal's card update ──────────────────────────────────────────────────────────────

/** A link's row when its token is genuine, of `purpose`, and known; else why not. */
async function linkOf(
  c: Context<Env>,
  purpose: LinkPurpose,
  token: string,
  now: number,
): Promise<{ link: MailLink; hash: string } | { reason: "invalid" | "expired"; link?: MailLink }> {
  const check = await checkMailToken(linkSecret(c.env), purpose, token, now);
  const hash = await mailLinkHash(token);
  const link = check.ok || check.reason === "expired" ? await findMailLink(database(c.env.DB), hash) : undefined;
  const kind = purpose === "card" ? "card_update" : "checkout_recovery";
  if (!link || link.kind !== kind) return { reason: "invalid" };
  if (!check.ok || link.expiresAt <= now) return { reason: "expired", link };
  return { link, hash };
}

/**
 * `GET /r/card/:token` shows a button; `POST` uses the link (once) and opens Stripe's billing
 * portal straight at the card update (`flow_data.type = payment_method_update`), which sends the
 * reader back to `GET /r/card/:token/done`: the staff view counts that as a card updated.
 */
export const cardRoutes = new Hono<Env>()
  .use(readerPageHeaders())
  .get("/:token", async (c) => {
    const token = c.req.param("token");
    const found = await linkOf(c, "card", token, Date.now());
    const ctx = pageContext(c, found.link?.site ?? c.req.query("site"));
    if (!("hash" in found)) return c.html(cardDeadPage(ctx, found.reason), 410);
    if (found.link.usedAt !== null) return c.html(cardDeadPage(ctx, "used"), 410);
    c.set("formLeavesSite", true);
    return c.html(cardConfirmPage(ctx, sameLink(c, "/r/card", token)));
  })
  .post("/:token", async (c) => {
    const token = c.req.param("token");
    const now = Date.now();
    const found = await linkOf(c, "card", token, now);
    const ctx = pageContext(c, found.link?.site ?? c.req.query("site"));
    if (!("hash" in found)) return c.html(cardDeadPage(ctx, found.reason), 410);
    const db = database(c.env.DB);
    const link = await useCardLink(db, found.hash, now);
    if (!link?.customerId) return c.html(cardDeadPage(ctx, "used"), 410);
    try {
      const session = await stripeFor(c.env).billingPortal.sessions.create({
        customer: link.customerId,
        return_url: link.returnUrl,
        locale: ctx.lang,
        ...(c.env.STRIPE_PORTAL_CONFIGURATION ? { configuration: c.env.STRIPE_PORTAL_CONFIGURATION } : {}),
        flow_data: {
          type: "payment_method_update",
          after_completion: {
            type: "redirect",
            redirect: { return_url: cardDoneUrl(publicOrigin(c.env), token, link.site, ctx.lang) },
          },
        },
      });
      return c.redirect(session.url, 303);
    } catch (error) {
      console.error("card update: portal session failed", error instanceof Error ? error.message : error);
      await unuseCardLink(db, found.hash, now);
      c.set("formLeavesSite", true);
      return c.html(stripeFailedPage(ctx, sameLink(c, "/r/card", token), "card"), 502);
    }
  })
  .get("/:token/done", async (c) => {
    const token = c.req.param("token");
    const now = Date.now();
    const check = await checkMailToken(linkSecret(c.env), "card", token, now);
    const hash = await mailLinkHash(token);
    const db = database(c.env.DB);
    const link = check.ok || check.reason === "expired" ? await findMailLink(db, hash) : undefined;
    const ctx = pageContext(c, link?.site ?? c.req.query("site"));
    if (link?.kind !== "card_update" || link.usedAt === null) return c.html(cardDeadPage(ctx, "invalid"), 404);
    await completeCardLink(db, hash, now);
    return c.html(cardDonePage(ctx, link.returnUrl));
  });

// ─── An abandoned checkout's fresh start ─────────────────────────────────────────────────────────

/** Statuses in which a pledge was paid (or is settling): the link starts no second checkout. */
const PAID = new Set(["paid", "active", "past_due", "processing"]);

/** Whether the latest checkout this link started was paid. */
async function alreadyGiven(c: Context<Env>, link: MailLink): Promise<boolean> {
  if (!link.startedPledgeId) return false;
  const started = await pledgeFacts(database(c.env.DB), link.startedPledgeId);
  return started !== undefined && PAID.has(started.status);
}

/** The original choice as a checkout plan under the site's current rules, or null when they no longer allow it. */
async function planOf(c: Context<Env>, link: MailLink, site: SiteConfig) {
  const pledge = await pledgeFacts(database(c.env.DB), link.pledgeId);
  if (!pledge || pledge.site !== site.id) return null;
  const planned = planCheckout(
    site,
    {
      frequency: pledge.frequency,
      amount: pledge.amount,
      currency: pledge.currency,
      returnUrl: link.returnUrl,
      coverFees: pledge.feeAmount > 0,
    },
    demoOrigins(c.env),
  );
  return planned.ok ? { pledge, plan: planned.plan } : null;
}

const choiceText = (
  lang: Language,
  plan: { frequency: string; amount: number; feeAmount: number; currency: string },
) => {
  const money = mailMoney(plan.amount + plan.feeAmount, plan.currency, lang);
  const per: Record<Language, Record<string, string>> = {
    en: { once: "once", monthly: "a month", annual: "a year" },
    ru: { once: "разово", monthly: "в месяц", annual: "в год" },
  };
  return `${money} ${per[lang][plan.frequency] ?? ""}`.trim();
};

/**
 * `GET /r/give/:token` shows the reader's earlier choice and a button; `POST` starts a fresh
 * pledge and Stripe Checkout Session for it (campaign `recovery`, so the staff view counts it and
 * no second abandoned-checkout email follows it), returning to the original article. The link
 * works until it expires; once a checkout it started is paid, it starts no other.
 */
export const giveRoutes = new Hono<Env>()
  .use(readerPageHeaders())
  .get("/:token", async (c) => {
    const token = c.req.param("token");
    const found = await linkOf(c, "give", token, Date.now());
    const site = findSite(found.link?.site);
    const ctx = pageContext(c, site?.id ?? c.req.query("site"));
    if (!("hash" in found) || !site) {
      const reason = "reason" in found ? found.reason : "invalid";
      return c.html(giveDeadPage(ctx, reason, found.link?.returnUrl ?? null), 410);
    }
    if (await alreadyGiven(c, found.link)) return c.html(givenPage(ctx, found.link.returnUrl));
    const planned = await planOf(c, found.link, site);
    if (!planned) return c.html(giveDeadPage(ctx, "invalid", found.link.returnUrl), 410);
    c.set("formLeavesSite", true);
    return c.html(giveConfirmPage(ctx, choiceText(ctx.lang, planned.plan), sameLink(c, "/r/give", token)));
  })
  .post("/:token", async (c) => {
    const token = c.req.param("token");
    const { success } = await c.env.CHECKOUT_LIMITER.limit({ key: `checkout:${clientKey(c)}` });
    const now = Date.now();
    const found = await linkOf(c, "give", token, now);
    const site = findSite(found.link?.site);
    const ctx = pageContext(c, site?.id ?? c.req.query("site"));
    if (!success) return c.html(tooManyPage(ctx), 429, { "Retry-After": "60" });
    if (!("hash" in found) || !site) {
      const reason = "reason" in found ? found.reason : "invalid";
      return c.html(giveDeadPage(ctx, reason, found.link?.returnUrl ?? null), 410);
    }
    const link = found.link;
    if (await alreadyGiven(c, link)) return c.html(givenPage(ctx, link.returnUrl));
    const planned = await planOf(c, link, site);
    if (!planned) return c.html(giveDeadPage(ctx, "invalid", link.returnUrl), 410);
    const { pledge, plan } = planned;
    const db = database(c.env.DB);
    const pledgeId = `pl_${crypto.randomUUID().replaceAll("-", "")}`;
    const locale = ctx.lang === "ru" ? "ru" : "auto";
    const email = pledge.email ?? undefined;
    const extra = { campaign: RECOVERY_CAMPAIGN, variant: pledge.variant ?? undefined, email, locale };
    await insertPledge(db, {
      id: pledgeId,
      site: site.id,
      plan,
      campaign: RECOVERY_CAMPAIGN,
      variant: pledge.variant,
      email: pledge.email,
      placement: pledge.placement,
      lang: ctx.lang,
      requestHash: await sha256Hex(canonicalCheckoutRequest(site.id, plan, extra)),
      now,
    });
    const thanksToken = sessionSecretProblem(c.env) ? null : await signThanksToken(linkSecret(c.env), pledgeId);
    try {
      const session = await stripeFor(c.env).checkout.sessions.create(
        checkoutSessionParams({ pledgeId, thanksToken, site, plan, email, locale }),
        { idempotencyKey: `checkout-${pledgeId}` },
      );
      if (!session.url) throw new Error("Stripe returned a session without a URL");
      await attachSession(db, pledgeId, session.id, Date.now());
      await recordRecoveryStart(db, found.hash, pledgeId, now);
      return c.redirect(session.url, 303);
    } catch (error) {
      console.error("recovery: Stripe failed", pledgeId, error instanceof Error ? error.message : error);
      await markUnpayable(db, pledgeId, Date.now());
      c.set("formLeavesSite", true);
      return c.html(stripeFailedPage(ctx, sameLink(c, "/r/give", token), "give"), 502);
    }
  });
