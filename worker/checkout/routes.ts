import { type Context, Hono } from "hono";
import { upsellOffered } from "../core/ask-config";
import { type CheckoutPlan, canonicalCheckoutRequest, checkoutSessionParams, planCheckout } from "../core/checkout";
import {
  type CheckoutResponse,
  checkoutRequestSchema,
  type ThanksResponse,
  thanksRequestSchema,
  upsellRequestSchema,
} from "../core/contract";
import { firstLanguage } from "../core/languages";
import { isAllowedOrigin } from "../core/origins";
import type { SiteConfig } from "../core/site-config";
import { suggestMonthly } from "../core/upsell";
import { readerCors } from "../platform/cors";
import { linkSecret, sha256Hex } from "../platform/crypto";
import { database } from "../platform/db";
import { logProblemOnce, sessionSecretProblem } from "../platform/deployment";
import type { AppContext } from "../platform/env";
import { clientIp, clientKey, jsonBody, jsonError, readJson, validationError } from "../platform/http";
import { demoOrigins, findSite } from "../platform/sites";
import { stripeFor } from "../platform/stripe";
import { verifyTurnstile } from "../platform/turnstile";
import { attachSession, claimThanks, insertPledge, markUnpayable, pledgeForThanks, pledgeRequestHash } from "./store";
import {
  checkThanksToken,
  checkUpsellToken,
  sessionEmail,
  sessionPaid,
  signThanksToken,
  signUpsellToken,
  THANKED_STATUSES,
  UPSELL_TTL_MS,
} from "./thanks";

/** `POST /api/checkout`: creates a pending pledge and its Stripe Checkout Session. */
export const checkoutRoutes = new Hono<AppContext>().use(readerCors).post("/", jsonBody(16_384), async (c) => {
  const ip = clientIp(c);
  const { success } = await c.env.CHECKOUT_LIMITER.limit({ key: `checkout:${clientKey(c)}` });
  if (!success) {
    c.header("Retry-After", "60");
    return jsonError(c, 429, "rate_limited", "Too many checkout attempts from this network. Try again in a minute.");
  }
  const body = await readJson(c);
  if (!body.ok) return jsonError(c, 400, "invalid_json", "The body must be a JSON object of at most 16 KB.");
  const parsed = checkoutRequestSchema.safeParse(body.value);
  if (!parsed.success) return validationError(c, parsed.error);
  const input = parsed.data;
  const site = findSite(input.site);
  if (!site) return jsonError(c, 404, "unknown_site", "No site has this id.", "site");
  const demo = demoOrigins(c.env);
  if (!isAllowedOrigin(site, c.req.header("origin"), demo))
    return jsonError(c, 403, "origin_not_allowed", "This page's origin may not start a checkout for this site.");
  const planned = planCheckout(site, input, demo);
  if (!planned.ok) return jsonError(c, 400, planned.error.code, planned.error.message, planned.error.field);
  if (c.env.TURNSTILE_SECRET_KEY) {
    const human = await verifyTurnstile(c.env.TURNSTILE_SECRET_KEY, input.turnstileToken, ip);
    if (!human) return jsonError(c, 403, "turnstile_failed", "We could not confirm this request came from a person.");
  }
  if (input.upsell && input.frequency !== "monthly")
    return jsonError(c, 400, "invalid_upsell", "Only a monthly gift comes from the upsell.", "upsell");
  const plan = planned.plan;
  const locale = c.req.header("accept-language")?.slice(0, 2) === "ru" ? "ru" : "auto";
  return createCheckout(c, {
    site,
    plan,
    locale,
    campaign: input.campaign,
    variant: input.variant,
    email: input.email,
    placement: input.placement,
    upsell: input.upsell,
    keyScope: site.id,
  });
});

/**
 * Creates a pending pledge and its Stripe Checkout Session, answering `201 {id, url}`. The same
 * Idempotency-Key always means the same request, the same pledge and the same Stripe session;
 * the key is bound to a hash of the whole normalised request it first came with.
 */
async function createCheckout(
  c: Context<AppContext>,
  args: {
    site: SiteConfig;
    plan: CheckoutPlan;
    locale: "ru" | "auto";
    campaign?: string | undefined;
    variant?: string | undefined;
    email?: string | undefined;
    placement?: string | undefined;
    upsell?: "ask" | "thanks" | undefined;
    /** What an Idempotency-Key is unique within (the site, or the one-off pledge an offer follows). */
    keyScope: string;
  },
) {
  const { site, plan, locale } = args;
  const key = c.req.header("idempotency-key");
  if (key !== undefined && !/^[\w-]{8,100}$/.test(key))
    return jsonError(c, 400, "invalid_idempotency_key", "Idempotency-Key must be 8–100 letters, digits or dashes.");
  const pledgeId = key
    ? `pl_${(await sha256Hex(`${args.keyScope}:${key}`)).slice(0, 24)}`
    : `pl_${crypto.randomUUID().replaceAll("-", "")}`;
  const requestHash = await sha256Hex(canonicalCheckoutRequest(site.id, plan, { ...args, locale }));
  // Without a usable SESSION_SECRET readers can still give; they just get no thank-you (the dashboard says why).
  const secretProblem = sessionSecretProblem(c.env);
  if (secretProblem) logProblemOnce(`${secretProblem} (checkouts return without a thank-you until then)`);
  const thanksToken = secretProblem ? null : await signThanksToken(linkSecret(c.env), pledgeId);
  const db = database(c.env.DB);
  const created = await insertPledge(db, {
    id: pledgeId,
    site: site.id,
    plan,
    campaign: args.campaign ?? null,
    variant: args.variant ?? null,
    email: args.email ?? null,
    placement: args.placement ?? null,
    upsell: args.upsell ?? null,
    lang: firstLanguage(c.req.header("accept-language")) ?? site.defaultLanguage,
    requestHash,
    now: Date.now(),
  });
  // A different request under a used key changes nothing: the first pledge stays as it was.
  if (!created && (await pledgeRequestHash(db, pledgeId)) !== requestHash)
    return jsonError(c, 409, "idempotency_conflict", "This Idempotency-Key was already used for a different checkout.");

  try {
    const session = await stripeFor(c.env).checkout.sessions.create(
      checkoutSessionParams({ pledgeId, thanksToken, site, plan, email: args.email, locale }),
      { idempotencyKey: `checkout-${pledgeId}` },
    );
    if (!session.url) throw new Error("Stripe returned a session without a URL");
    await attachSession(db, pledgeId, session.id, Date.now());
    return c.json({ id: pledgeId, url: session.url } satisfies CheckoutResponse, 201);
  } catch (error) {
    console.error("checkout: Stripe failed", pledgeId, error instanceof Error ? error.message : error);
    // Only the attempt that created the pledge marks it unpayable: a failed retry leaves it as the first attempt left it.
    if (created) await markUnpayable(db, pledgeId, Date.now());
    return jsonError(c, 502, "payment_provider_unavailable", "The payment provider did not answer. Please try again.");
  }
}

/**
 * `POST /api/thanks`: the ask, back from Stripe with `?rs=thanks&rs_pledge=<token>`, asks
 * whether to thank the reader. Yes only for a genuine token of a paid (or settling) pledge of
 * this site, and only once: a forged, altered, unpaid or reused link gets `supporter: false`,
 * and the ask then shows nothing special.
 */
export const thanksRoutes = new Hono<AppContext>().use(readerCors).post("/", jsonBody(1024), async (c) => {
  const { success } = await c.env.FORM_LIMITER.limit({ key: `thanks:${clientKey(c)}` });
  if (!success) {
    c.header("Retry-After", "60");
    return jsonError(c, 429, "rate_limited", "Too many requests from this network. Try again in a minute.");
  }
  const body = await readJson(c);
  if (!body.ok) return jsonError(c, 400, "invalid_json", "The body must be a JSON object of at most 1 KB.");
  const parsed = thanksRequestSchema.safeParse(body.value);
  if (!parsed.success) return validationError(c, parsed.error);
  const site = findSite(parsed.data.site);
  if (!site) return jsonError(c, 404, "unknown_site", "No site has this id.", "site");
  if (!isAllowedOrigin(site, c.req.header("origin"), demoOrigins(c.env)))
    return jsonError(c, 403, "origin_not_allowed", "This page's origin may not ask for this site.");
  const pledgeId = await checkThanksToken(linkSecret(c.env), parsed.data.token);
  if (!pledgeId) return jsonError(c, 403, "invalid_token", "This return link was not made by this site.", "token");
  const db = database(c.env.DB);
  const pledge = await pledgeForThanks(db, pledgeId);
  const nobody: ThanksResponse = { supporter: false };
  if (!pledge || pledge.site !== site.id) return c.json(nobody);
  const paid =
    THANKED_STATUSES.has(pledge.status) ||
    // Back before Stripe's webhook: ask Stripe (read only) about the session.
    (pledge.status === "pending" &&
      pledge.stripeSessionId !== null &&
      (await sessionPaid(c.env, pledge.stripeSessionId)));
  if (!paid || !(await claimThanks(db, pledgeId, site.id, Date.now()))) return c.json(nobody);
  // After a one-off gift: the monthly gift to offer, and the token that starts its checkout.
  const settings = site.currencies[pledge.currency];
  const upsell =
    pledge.frequency === "once" && upsellOffered(site) && settings
      ? {
          amount: suggestMonthly(pledge.amount, upsellRule(site, pledge.currency)),
          currency: pledge.currency,
          token: await signUpsellToken(linkSecret(c.env), pledgeId, Date.now() + UPSELL_TTL_MS),
        }
      : undefined;
  return c.json({
    supporter: true,
    frequency: pledge.frequency,
    ...(upsell ? { upsell } : {}),
  } satisfies ThanksResponse);
});

/**
 * `POST /api/upsell`: the thank-you's "give monthly" after a one-off gift. The worker starts the
 * monthly checkout from the confirmed one-off pledge the signed token names — the suggested
 * amount in its currency, its page, campaign and variant, and the address Stripe collected —
 * so nothing about the reader comes from the browser. `201 {id, url}` like a checkout.
 */
export const upsellRoutes = new Hono<AppContext>().use(readerCors).post("/", jsonBody(1024), async (c) => {
  const { success } = await c.env.CHECKOUT_LIMITER.limit({ key: `checkout:${clientKey(c)}` });
  if (!success) {
    c.header("Retry-After", "60");
    return jsonError(c, 429, "rate_limited", "Too many checkout attempts from this network. Try again in a minute.");
  }
  const body = await readJson(c);
  if (!body.ok) return jsonError(c, 400, "invalid_json", "The body must be a JSON object of at most 1 KB.");
  const parsed = upsellRequestSchema.safeParse(body.value);
  if (!parsed.success) return validationError(c, parsed.error);
  const site = findSite(parsed.data.site);
  if (!site) return jsonError(c, 404, "unknown_site", "No site has this id.", "site");
  const demo = demoOrigins(c.env);
  if (!isAllowedOrigin(site, c.req.header("origin"), demo))
    return jsonError(c, 403, "origin_not_allowed", "This page's origin may not start a checkout for this site.");
  if (!upsellOffered(site))
    return jsonError(c, 404, "upsell_not_offered", `${site.name} does not offer a monthly gift after a one-off one.`);
  const checked = await checkUpsellToken(linkSecret(c.env), parsed.data.token, Date.now());
  if (!checked.ok)
    return jsonError(
      c,
      checked.reason === "expired" ? 410 : 403,
      checked.reason === "expired" ? "offer_expired" : "invalid_token",
      checked.reason === "expired" ? "This offer has expired." : "This offer was not made by this site.",
      "token",
    );
  const db = database(c.env.DB);
  const pledge = await pledgeForThanks(db, checked.pledgeId);
  if (!pledge || pledge.site !== site.id || pledge.frequency !== "once" || !THANKED_STATUSES.has(pledge.status))
    return jsonError(c, 409, "offer_not_available", "This offer follows a one-off gift that was not paid.", "token");
  let email = pledge.email;
  try {
    if (!email && pledge.stripeSessionId) email = await sessionEmail(c.env, pledge.stripeSessionId);
  } catch (error) {
    console.error("upsell: Stripe did not answer", error instanceof Error ? error.message : error);
    return jsonError(c, 502, "payment_provider_unavailable", "The payment provider did not answer. Please try again.");
  }
  const planned = planCheckout(
    site,
    {
      frequency: "monthly",
      amount: suggestMonthly(pledge.amount, upsellRule(site, pledge.currency)),
      currency: pledge.currency,
      returnUrl: pledge.pageUrl ?? "",
    },
    demo,
  );
  if (!planned.ok) return jsonError(c, 409, "offer_not_available", planned.error.message, "token");
  return createCheckout(c, {
    site,
    plan: planned.plan,
    locale: c.req.header("accept-language")?.slice(0, 2) === "ru" ? "ru" : "auto",
    campaign: pledge.campaign ?? undefined,
    variant: pledge.variant ?? undefined,
    email: email ?? undefined,
    placement: pledge.placement ?? undefined,
    upsell: "thanks",
    keyScope: `upsell:${checked.pledgeId}`,
  });
});

/** The upsell rule of a site for one currency (core/upsell.ts). */
function upsellRule(site: SiteConfig, currency: string) {
  const settings = site.currencies[currency];
  return {
    share: site.upsell.sharePercent,
    ...(site.upsell.monthlyAmount[currency] !== undefined ? { amount: site.upsell.monthlyAmount[currency] } : {}),
    min: settings?.min ?? 1,
    max: settings?.max ?? Number.MAX_SAFE_INTEGER,
  };
}
