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
