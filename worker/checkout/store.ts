import { and, eq, sql } from "drizzle-orm";
import type { CheckoutPlan } from "../core/checkout";
import { statusKey } from "../core/ledger";
import type { Database } from "../platform/db";
import { pledges, thankYous } from "../platform/schema";

export type NewPledge = {
  id: string;
  site: string;
  plan: CheckoutPlan;
  campaign: string | null;
  variant: string | null;
  email: string | null;
  placement: string | null;
  /** The reader's language, for the emails about this pledge. */
  lang: string | null;
  /** Where a monthly pledge from a one-off reader came from: the ask's upsell or the thank-you's. */
  upsell?: "ask" | "thanks" | null;
  /** SHA-256 of the normalised request (see checkout/routes.ts). */
  requestHash: string;
  now: number;
};

/** Creates a pending pledge; false when a pledge with this id exists already (a retried key). */
export async function insertPledge(db: Database, p: NewPledge): Promise<boolean> {
  const row = await db
    .insert(pledges)
    .values({
      id: p.id,
      site: p.site,
      frequency: p.plan.frequency,
      currency: p.plan.currency,
      amount: p.plan.amount,
      feeAmount: p.plan.feeAmount,
      status: "pending",
      statusKey: 0,
      campaign: p.campaign,
      variant: p.variant,
      pageUrl: p.plan.returnUrl,
      email: p.email,
      placement: p.placement,
      lang: p.lang,
      upsell: p.upsell ?? null,
      requestHash: p.requestHash,
      createdAt: p.now,
      updatedAt: p.now,
    })
    .onConflictDoNothing()
    .returning({ id: pledges.id })
    .get();
  return row !== undefined;
}

/** The request hash a pledge was created with (to tell a retry from a different checkout with the same key). */
export async function pledgeRequestHash(db: Database, id: string): Promise<string | null> {
  const row = await db.select({ requestHash: pledges.requestHash }).from(pledges).where(eq(pledges.id, id)).get();
  return row?.requestHash ?? null;
}

/** Links the Checkout Session; a retry that succeeds after a failed attempt makes the pledge payable again. */
export async function attachSession(db: Database, pledgeId: string, sessionId: string, now: number): Promise<void> {
  // SQLite evaluates every SET expression against the old row, so both CASEs see the old status.
  const failed = sql`${pledges.status} = 'error'`;
  await db
    .update(pledges)
    .set({
      stripeSessionId: sessionId,
      updatedAt: now,
      status: sql`CASE WHEN ${failed} THEN 'pending' ELSE ${pledges.status} END`,
      statusKey: sql`CASE WHEN ${failed} THEN 0 ELSE ${pledges.statusKey} END`,
    })
    .where(eq(pledges.id, pledgeId));
}

/** The pledge can never be paid (Stripe refused or hung): say so, unless a Stripe event already moved it. */
export async function markUnpayable(db: Database, pledgeId: string, now: number): Promise<void> {
  await db
    .update(pledges)
    .set({ status: "error", statusKey: statusKey("error", Math.floor(now / 1000)), updatedAt: now })
    .where(and(eq(pledges.id, pledgeId), eq(pledges.statusKey, 0)));
}

/** What the thank-you (and its monthly offer) needs to know about a pledge. */
export function pledgeForThanks(db: Database, id: string) {
  return db
    .select({
      site: pledges.site,
      status: pledges.status,
      frequency: pledges.frequency,
      stripeSessionId: pledges.stripeSessionId,
      amount: pledges.amount,
      currency: pledges.currency,
      email: pledges.email,
      pageUrl: pledges.pageUrl,
      campaign: pledges.campaign,
      variant: pledges.variant,
      placement: pledges.placement,
    })
    .from(pledges)
    .where(eq(pledges.id, id))
    .get();
}

/** Records that a pledge's thank-you was confirmed; false when it was already (the link works once). */
export async function claimThanks(db: Database, pledgeId: string, site: string, now: number): Promise<boolean> {
  const row = await db
    .insert(thankYous)
    .values({ pledgeId, site, confirmedAt: now })
    .onConflictDoNothing()
    .returning({ pledgeId: thankYous.pledgeId })
    .get();
  return row !== undefined;
}
