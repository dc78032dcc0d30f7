import { Hono } from "hono";
import { canonicalCheckoutRequest, checkoutSessionParams, planCheckout } from "../core/checkout";
import { checkoutRequestSchema, type ThanksResponse, thanksRequestSchema } from "../core/contract";
import { firstLanguage } from "../core/languages";
import { isAllowedOrigin } from "../core/origins";
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
import { checkThanksToken, sessionPaid, signThanksToken, THANKED_STATUSES } from "./thanks";

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
  const plan = planned.plan;
  const locale = c.req.header("accept-language")?.slice(0, 2) === "ru" ? "ru" : "auto";

  // The same Idempotency-Key always means the same request, the same pledge and the same Stripe
  // session; the key is bound to a hash of the whole normalised request it first came with.
  const key = c.req.header("idempotency-key");
  if (key !== undefined && !/^[\w-]{8,100}$/.test(key))
    return jsonError(c, 400, "invalid_idempotency_key", "Idempotency-Key must be 8–100 letters, digits or dashes.");
  const pledgeId = key
    ? `pl_${(await sha256Hex(`${site.id}:${key}`)).slice(0, 24)}`
    : `pl_${crypto.randomUUID().replaceAll("-", "")}`;
  const requestHash = await sha256Hex(canonicalCheckoutRequest(site.id, plan, { ...input, locale }));
  // Without a usable SESSION_SECRET readers can still give; they just get no thank-you (the dashboard says why).
  const secretProblem = sessionSecretProblem(c.env);
  if (secretProblem) logProblemOnce(`${secretProblem} (checkouts return without a thank-you until then)`);
  const thanksToken = secretProblem ? null : await signThanksToken(linkSecret(c.env), pledgeId);
  const db = database(c.env.DB);
  const created = await insertPledge(db, {
    id: pledgeId,
    site: site.id,
    plan,
    campaign: input.campaign ?? null,
    variant: input.variant ?? null,
    email: input.email ?? null,
    placement: input.placement ?? null,
    lang: firstLanguage(c.req.header("accept-language")) ?? site.defaultLanguage,
    requestHash,
    now: Date.now(),
  });
  // A different request under a used key changes nothing: the first pledge stays as it was.
  if (!created && (await pledgeRequestHash(db, pledgeId)) !== requestHash)
    return jsonError(c, 409, "idempotency_conflict", "This Idempotency-Key was already used for a different checkout.");

  try {
    const session = await stripeFor(c.env).checkout.sessions.create(
      checkoutSessionParams({ pledgeId, thanksToken, site, plan, email: input.email, locale }),
      { idempotencyKey: `checkout-${pledgeId}` },
    );
    if (!session.url) throw new Error("Stripe returned a session without a URL");
    await attachSession(db, pledgeId, session.id, Date.now());
    return c.json({ id: pledgeId, url: session.url }, 201);
  } catch (error) {
    console.error("checkout: Stripe failed", pledgeId, error instanceof Error ? error.message : error);
    // Only the attempt that created the pledge marks it unpayable: a failed retry leaves it as the first attempt left it.
    if (created) await markUnpayable(db, pledgeId, Date.now());
    return jsonError(c, 502, "payment_provider_unavailable", "The payment provider did not answer. Please try again.");
  }
});

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
  return c.json({ supporter: true, frequency: pledge.frequency } satisfies ThanksResponse);
});
