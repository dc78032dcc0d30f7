import { Hono } from "hono";
import { checkoutSessionParams, planCheckout } from "../core/checkout";
import { checkoutRequestSchema } from "../core/contract";
import { statusKey } from "../core/ledger";
import { isAllowedOrigin } from "../core/origins";
import { type AppContext, isDevelopment } from "../env";
import { clientIp, jsonError, readJson, validationError } from "../http/errors";
import { verifyTurnstile } from "../http/turnstile";
import { findSite } from "../sites";
import { stripeFor } from "../stripe/client";

/** `POST /api/checkout`: creates a pending pledge and its Stripe Checkout Session. */
export const checkoutRoutes = new Hono<AppContext>().post("/api/checkout", async (c) => {
  const ip = clientIp(c);
  const { success } = await c.env.CHECKOUT_LIMITER.limit({ key: `checkout:${ip}` });
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
  const development = isDevelopment(c.env);
  if (!isAllowedOrigin(site, c.req.header("origin"), development))
    return jsonError(c, 403, "origin_not_allowed", "This page's origin may not start a checkout for this site.");
  const planned = planCheckout(site, input, development);
  if (!planned.ok) return jsonError(c, 400, planned.error.code, planned.error.message, planned.error.field);
  if (c.env.TURNSTILE_SECRET_KEY) {
    const human = await verifyTurnstile(c.env.TURNSTILE_SECRET_KEY, input.turnstileToken, ip);
    if (!human) return jsonError(c, 403, "turnstile_failed", "We could not confirm this request came from a person.");
  }
  const plan = planned.plan;

  // The same Idempotency-Key always means the same pledge and the same Stripe session.
  const key = c.req.header("idempotency-key");
  if (key !== undefined && !/^[\w-]{8,100}$/.test(key))
    return jsonError(c, 400, "invalid_idempotency_key", "Idempotency-Key must be 8–100 letters, digits or dashes.");
  const pledgeId = key ? `pl_${await digest(`${site.id}:${key}`)}` : `pl_${crypto.randomUUID().replaceAll("-", "")}`;
  const now = Date.now();
  const inserted = await c.env.DB.prepare(
    `INSERT INTO pledges (id, site, frequency, currency, amount, fee_amount, status, status_key, campaign, variant, page_url, email, created_at, updated_at, placement)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', 0, ?7, ?8, ?9, ?10, ?11, ?11, ?12)
     ON CONFLICT (id) DO NOTHING`,
  )
    .bind(
      pledgeId,
      site.id,
      plan.frequency,
      plan.currency,
      plan.amount,
      plan.feeAmount,
      input.campaign ?? null,
      input.variant ?? null,
      plan.returnUrl,
      input.email ?? null,
      now,
      input.placement ?? null,
    )
    .run();
  if (inserted.meta.changes === 0) {
    const existing = await c.env.DB.prepare("SELECT frequency, currency, amount, fee_amount FROM pledges WHERE id = ?")
      .bind(pledgeId)
      .first<{ frequency: string; currency: string; amount: number; fee_amount: number }>();
    const same =
      existing?.frequency === plan.frequency &&
      existing.currency === plan.currency &&
      existing.amount === plan.amount &&
      existing.fee_amount === plan.feeAmount;
    if (!same)
      return jsonError(
        c,
        409,
        "idempotency_conflict",
        "This Idempotency-Key was already used for a different checkout.",
      );
  }

  try {
    const session = await stripeFor(c.env).checkout.sessions.create(
      checkoutSessionParams({
        pledgeId,
        site,
        plan,
        email: input.email,
        locale: c.req.header("accept-language")?.slice(0, 2) === "ru" ? "ru" : "auto",
      }),
      { idempotencyKey: `checkout-${pledgeId}` },
    );
    if (!session.url) throw new Error("Stripe returned a session without a URL");
    // A retry with the same key that succeeds after a failed attempt makes the pledge payable again.
    await c.env.DB.prepare(
      `UPDATE pledges SET stripe_session_id = ?1, updated_at = ?2,
         status = CASE WHEN status = 'error' THEN 'pending' ELSE status END,
         status_key = CASE WHEN status = 'error' THEN 0 ELSE status_key END
       WHERE id = ?3`,
    )
      .bind(session.id, Date.now(), pledgeId)
      .run();
    return c.json({ id: pledgeId, url: session.url }, 201);
  } catch (error) {
    console.error("checkout: Stripe failed", pledgeId, error instanceof Error ? error.message : error);
    // The pledge can never be paid now: say so in the ledger, unless a Stripe event already moved it.
    await c.env.DB.prepare(
      "UPDATE pledges SET status = 'error', status_key = ?1, updated_at = ?2 WHERE id = ?3 AND status_key = 0",
    )
      .bind(statusKey("error", Math.floor(Date.now() / 1000)), Date.now(), pledgeId)
      .run();
    return jsonError(c, 502, "payment_provider_unavailable", "The payment provider did not answer. Please try again.");
  }
});

/** A short, URL-safe hash (hex of SHA-256, first 24 characters). */
async function digest(text: string): Promise<string> {
  const bytes = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return [...bytes.slice(0, 12)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
