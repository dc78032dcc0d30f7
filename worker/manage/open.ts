import { linkSecret, sha256Hex } from "../platform/crypto";
import { database } from "../platform/db";
import type { WorkerEnv } from "../platform/env";
import { stripeFor } from "../platform/stripe";
import { checkManageToken } from "./links";
import { MANAGE_SESSION_TTL_MS, signManageSession } from "./session";
import { findLink, pledgeOfCustomer, type StoredLink, unuseLink, useLink } from "./store";

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
  | { ok: true; site: string; cookie: string; expiresAt: number }
  | { ok: false; reason: "invalid" | "expired" | "used" | "stripe_failed"; site?: string };

/**
 * Uses a link (atomically, once) and opens the supporter's session for the live recurring support
 * of its customer: Stripe confirms the subscription is that customer's and still running. If Stripe
 * fails, the link is given back so the reader can press the button again.
 */
export async function openManageLink(env: WorkerEnv, token: string, now: number): Promise<OpenOutcome> {
  const state = await inspectManageLink(env, token, now);
  if (!state.ok) return state;
  const db = database(env.DB);
  const tokenHash = await sha256Hex(token);
  const link = await useLink(db, tokenHash, now);
  if (!link) return { ok: false, reason: "used", site: state.link.site };
  const pledge = await pledgeOfCustomer(db, link.site, link.customerId);
  if (!pledge?.subscriptionId) return { ok: false, reason: "invalid", site: link.site };
  try {
    const sub = await stripeFor(env).subscriptions.retrieve(pledge.subscriptionId);
    const customer = typeof sub.customer === "string" ? sub.customer : sub.customer.id;
    if (customer !== link.customerId) return { ok: false, reason: "invalid", site: link.site };
  } catch (error) {
    console.error("manage: subscription check failed", error instanceof Error ? error.message : error);
    await unuseLink(db, tokenHash, now);
    return { ok: false, reason: "stripe_failed", site: link.site };
  }
  const expiresAt = now + MANAGE_SESSION_TTL_MS;
  const cookie = await signManageSession(linkSecret(env), {
    site: link.site,
    customerId: link.customerId,
    subscriptionId: pledge.subscriptionId,
    pledgeId: pledge.id,
    expiresAt,
  });
  return { ok: true, site: link.site, cookie, expiresAt };
}
