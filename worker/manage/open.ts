import { linkSecret, sha256Hex } from "../platform/crypto";
import { database } from "../platform/db";
import type { WorkerEnv } from "../platform/env";
import { stripeFor } from "../platform/stripe";
import { checkManageToken } from "./links";
import { findLink, type StoredLink, unuseLink, useLink } from "./store";

export type LinkState = { ok: true; link: StoredLink } | { ok: false; reason: "invalid" | "expired" | "used" };

/** What a link is worth at `now`, without using it (the GET page). */
export async function inspectManageLink(env: WorkerEnv, token: string, now: number): Promise<LinkState> {
  const db = database(env.DB);
  const check = await checkManageToken(linkSecret(env), token, now);
  if (!check.ok) return { ok: false, reason: check.reason === "expired" ? "expired" : "invalid" };
  const link = await findLink(db, await sha256Hex(token));
  if (!link) return { ok: false, reason: "invalid" };
  if (link.usedAt !== null) return { ok: false, reason: "used" };
  if (link.expiresAt <= now) return { ok: false, reason: "expired" };
  return { ok: true, link };
}

export type OpenOutcome =
  | { ok: true; url: string }
  | { ok: false; reason: "invalid" | "expired" | "used" | "stripe_failed"; site?: string };

/**
 * Uses a link (atomically, once) and opens a Stripe Customer Portal session for its customer.
 * If Stripe fails, the link is given back so the reader can press the button again.
 */
export async function openManageLink(
  env: WorkerEnv,
  token: string,
  now: number,
  locale: "en" | "ru",
): Promise<OpenOutcome> {
  const state = await inspectManageLink(env, token, now);
  if (!state.ok) return state;
  const db = database(env.DB);
  const tokenHash = await sha256Hex(token);
  const link = await useLink(db, tokenHash, now);
  if (!link) return { ok: false, reason: "used", site: state.link.site };
  try {
    const session = await stripeFor(env).billingPortal.sessions.create({
      customer: link.customerId,
      return_url: link.returnUrl,
      locale,
      ...(env.STRIPE_PORTAL_CONFIGURATION ? { configuration: env.STRIPE_PORTAL_CONFIGURATION } : {}),
    });
    return { ok: true, url: session.url };
  } catch (error) {
    console.error("manage: portal session failed", error instanceof Error ? error.message : error);
    await unuseLink(db, tokenHash, now);
    return { ok: false, reason: "stripe_failed", site: link.site };
  }
}
