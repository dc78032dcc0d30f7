import { timingSafeEqual } from "hono/utils/buffer";
import { hmacBase64Url } from "../platform/crypto";
import type { WorkerEnv } from "../platform/env";
import { stripeFor } from "../platform/stripe";

/**
 * The return link's token: `<pledge id>.<HMAC of it under SESSION_SECRET>`. Only the worker
 * can make one, so `?rs=thanks` with a made-up or altered pledge is refused before D1.
 */
export async function signThanksToken(secret: string, pledgeId: string): Promise<string> {
  return `${pledgeId}.${await hmacBase64Url(secret, `thanks:${pledgeId}`)}`;
}

/** The pledge id of a genuine token, or null. */
export async function checkThanksToken(secret: string, token: string): Promise<string | null> {
  const m = /^(pl_[0-9a-f]{24,32})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return null;
  const [, pledgeId, signature] = m as unknown as [string, string, string];
  return (await timingSafeEqual(await hmacBase64Url(secret, `thanks:${pledgeId}`), signature)) ? pledgeId : null;
}

/** Statuses in which the reader has given: paid, recurring (even if a later renewal failed), or a delayed method settling. */
export const THANKED_STATUSES: ReadonlySet<string> = new Set(["paid", "active", "past_due", "processing"]);

/**
 * Whether Stripe says this Checkout Session was paid (or, for delayed methods, completed and
 * settling), for a reader back before its webhook: the ledger is not touched, only read from Stripe.
 */
export async function sessionPaid(env: WorkerEnv, sessionId: string): Promise<boolean> {
  try {
    const session = await stripeFor(env).checkout.sessions.retrieve(sessionId);
    return session.status === "complete";
  } catch (error) {
    console.error("thanks: Stripe did not answer", error instanceof Error ? error.message : error);
    return false;
  }
}

/** How long a thank-you's monthly offer can be taken up. */
export const UPSELL_TTL_MS = 60 * 60_000;

/**
 * The token of a thank-you's monthly offer: `<pledge id>.<expiry, unix s>.<HMAC>`. It names the
 * one-off pledge the offer follows; the worker takes the amount, currency, page and email from it.
 */
export async function signUpsellToken(secret: string, pledgeId: string, expiresAt: number): Promise<string> {
  const exp = Math.floor(expiresAt / 1000);
  return `${pledgeId}.${exp}.${await hmacBase64Url(secret, `upsell:${pledgeId}.${exp}`)}`;
}

/** The one-off pledge of a genuine, unexpired offer token, or why not. */
export async function checkUpsellToken(
  secret: string,
  token: string,
  now: number,
): Promise<{ ok: true; pledgeId: string } | { ok: false; reason: "forged" | "expired" }> {
  const m = /^(pl_[0-9a-f]{24,32})\.(\d{10})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return { ok: false, reason: "forged" };
  const [, pledgeId, exp, signature] = m as unknown as [string, string, string, string];
  if (!(await timingSafeEqual(await hmacBase64Url(secret, `upsell:${pledgeId}.${exp}`), signature)))
    return { ok: false, reason: "forged" };
  if (Number(exp) * 1000 <= now) return { ok: false, reason: "expired" };
  return { ok: true, pledgeId };
}

/** The address a Checkout Session collected (for a thank-you's offer made before Stripe's webhook arrived). */
export async function sessionEmail(env: WorkerEnv, sessionId: string): Promise<string | null> {
  const session = await stripeFor(env).checkout.sessions.retrieve(sessionId);
  return session.customer_details?.email ?? session.customer_email ?? null;
}
