import { and, desc, eq, inArray, lt, lte, or, sql } from "drizzle-orm";
import type { Database } from "../platform/db";
import { payments, pledges, webhookAttempts, webhookDeliveries, webhookEndpoints } from "../platform/schema";

/** D1 access for outgoing webhooks: endpoints, deliveries (the queue) and their attempts. */

export type EndpointRow = typeof webhookEndpoints.$inferSelect;
export type DeliveryRow = typeof webhookDeliveries.$inferSelect;

export async function endpointsOfSite(db: Database, site: string): Promise<EndpointRow[]> {
  return db
    .select()
    .from(webhookEndpoints)
    .where(eq(webhookEndpoints.site, site))
    .orderBy(webhookEndpoints.createdAt)
    .all();
}

export async function endpointById(db: Database, id: string): Promise<EndpointRow | undefined> {
  return db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id)).get();
}

/** Every active endpoint, of every site (the caller keeps those subscribed to an event). */
export async function activeEndpoints(db: Database): Promise<EndpointRow[]> {
  return db.select().from(webhookEndpoints).where(eq(webhookEndpoints.status, "active")).all();
}

export const insertEndpointStatement = (db: Database, row: EndpointRow) => db.insert(webhookEndpoints).values(row);

export const updateEndpointStatement = (
  db: Database,
  id: string,
  set: Partial<Pick<EndpointRow, "status" | "secret" | "events" | "description" | "url" | "updatedAt">>,
) => db.update(webhookEndpoints).set(set).where(eq(webhookEndpoints.id, id));

export const deleteEndpointStatement = (db: Database, id: string) =>
  db.delete(webhookEndpoints).where(eq(webhookEndpoints.id, id));

/** Queues deliveries; one that exists already (the same event for the same endpoint) is left as it is. Returns the new ids. */
export async function insertDeliveries(db: Database, rows: DeliveryRow[]): Promise<string[]> {
  if (rows.length === 0) return [];
  const inserted = await db
    .insert(webhookDeliveries)
    .values(rows)
    .onConflictDoNothing({ target: [webhookDeliveries.endpointId, webhookDeliveries.eventId] })
    .returning({ id: webhookDeliveries.id });
  return inserted.map((r) => r.id);
}

/**
 * Takes a delivery for one attempt: a pending one that is due, one whose claim went stale (a run
 * that died), or — for a replay — one in any state. Only one caller gets it.
 */
export async function claimDelivery(
  db: Database,
  id: string,
  claim: string,
  now: number,
  staleBefore: number,
  replay: boolean,
): Promise<DeliveryRow | undefined> {
  const claimable = replay
    ? or(
        inArray(webhookDeliveries.status, ["pending", "succeeded", "failed"]),
        and(eq(webhookDeliveries.status, "delivering"), lt(webhookDeliveries.claimedAt, staleBefore)),
      )
    : or(
        and(eq(webhookDeliveries.status, "pending"), lte(webhookDeliveries.nextAttemptAt, now)),
        and(eq(webhookDeliveries.status, "delivering"), lt(webhookDeliveries.claimedAt, staleBefore)),
      );
  return db
    .update(webhookDeliveries)
    .set({ status: "delivering", claim, claimedAt: now, updatedAt: now })
    .where(and(eq(webhookDeliveries.id, id), claimable))
    .returning()
    .get();
}

/** Deliveries due for an attempt (pending and due, or stuck with a stale claim), oldest first. */
export async function dueDeliveries(db: Database, now: number, staleBefore: number, limit: number): Promise<string[]> {
  const rows = await db
    .select({ id: webhookDeliveries.id })
    .from(webhookDeliveries)
    .where(
      or(
        and(eq(webhookDeliveries.status, "pending"), lte(webhookDeliveries.nextAttemptAt, now)),
        and(eq(webhookDeliveries.status, "delivering"), lt(webhookDeliveries.claimedAt, staleBefore)),
      ),
    )
    .orderBy(webhookDeliveries.nextAttemptAt)
    .limit(limit)
    .all();
  return rows.map((r) => r.id);
}

/** Records an attempt and the delivery's new state in one batch (only while this run holds the claim). */
export async function finishAttempt(
  db: Database,
  delivery: { id: string; claim: string },
  attempt: typeof webhookAttempts.$inferInsert,
  next: Pick<DeliveryRow, "status" | "attempts" | "nextAttemptAt" | "lastStatus" | "lastError" | "updatedAt"> & {
    deliveredAt?: number | null;
  },
): Promise<void> {
  await db.batch([
    db.insert(webhookAttempts).values(attempt).onConflictDoNothing(),
    db
      .update(webhookDeliveries)
      .set({ ...next, claim: null, claimedAt: null })
      .where(and(eq(webhookDeliveries.id, delivery.id), eq(webhookDeliveries.claim, delivery.claim))),
  ]);
}

/** The newest deliveries of a site (or one endpoint), with their endpoint's address. */
export async function recentDeliveries(db: Database, site: string, limit: number, endpointId?: string) {
  return db
    .select({
      id: webhookDeliveries.id,
      endpointId: webhookDeliveries.endpointId,
      url: sql<string | null>`${webhookEndpoints.url}`.as("url"),
      eventId: webhookDeliveries.eventId,
      type: webhookDeliveries.type,
      status: webhookDeliveries.status,
      attempts: webhookDeliveries.attempts,
      nextAttemptAt: webhookDeliveries.nextAttemptAt,
      lastStatus: webhookDeliveries.lastStatus,
      lastError: webhookDeliveries.lastError,
      createdAt: webhookDeliveries.createdAt,
      deliveredAt: webhookDeliveries.deliveredAt,
    })
    .from(webhookDeliveries)
    .leftJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
    .where(and(eq(webhookDeliveries.site, site), endpointId ? eq(webhookDeliveries.endpointId, endpointId) : undefined))
    .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
    .limit(limit)
    .all();
}

export async function deliveryById(db: Database, id: string): Promise<DeliveryRow | undefined> {
  return db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, id)).get();
}

export async function attemptsOf(db: Database, deliveryId: string) {
  return db
    .select()
    .from(webhookAttempts)
    .where(eq(webhookAttempts.deliveryId, deliveryId))
    .orderBy(webhookAttempts.n)
    .all();
}

/** The facts of a pledge an outgoing event carries (null when it is not one of ours). */
export async function pledgeForEvent(db: Database, ref: { pledgeId: string | null; paymentIntentId?: string }) {
  let id = ref.pledgeId;
  if (!id && ref.paymentIntentId) {
    const row = await db
      .select({ pledgeId: payments.pledgeId })
      .from(payments)
      .where(eq(payments.paymentIntentId, ref.paymentIntentId))
      .get();
    id = row?.pledgeId ?? null;
  }
  if (!id) return null;
  return (
    (await db
      .select({
        id: pledges.id,
        site: pledges.site,
        frequency: pledges.frequency,
        currency: pledges.currency,
        amount: pledges.amount,
        feeAmount: pledges.feeAmount,
        status: pledges.status,
        campaign: pledges.campaign,
        variant: pledges.variant,
        placement: pledges.placement,
        email: pledges.email,
        lang: pledges.lang,
        pageUrl: pledges.pageUrl,
        createdAt: pledges.createdAt,
      })
      .from(pledges)
      .where(eq(pledges.id, id))
      .get()) ?? null
  );
}

/** Deliveries per endpoint and status since `since`. */
export async function deliveryCounts(db: Database, site: string, since: number) {
  return db
    .select({
      endpointId: webhookDeliveries.endpointId,
      status: webhookDeliveries.status,
      n: sql<number>`count(*)`.as("n"),
    })
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.site, site), sql`${webhookDeliveries.createdAt} >= ${since}`))
    .groupBy(webhookDeliveries.endpointId, webhookDeliveries.status)
    .all();
}

/** Deletes deliveries (they hold supporters' addresses) and their attempts created before `before`. */
export async function purgeDeliveries(db: Database, before: number): Promise<void> {
  const old = db
    .select({ id: webhookDeliveries.id })
    .from(webhookDeliveries)
    .where(lt(webhookDeliveries.createdAt, before));
  await db.batch([
    db.delete(webhookAttempts).where(inArray(webhookAttempts.deliveryId, old)),
    db.delete(webhookDeliveries).where(lt(webhookDeliveries.createdAt, before)),
  ]);
}

/** Marks a delivery failed without an attempt (its endpoint is gone or disabled), only while the claim holds. */
export async function abandonDelivery(db: Database, d: { id: string; claim: string }, why: string, now: number) {
  await db
    .update(webhookDeliveries)
    .set({ status: "failed", nextAttemptAt: null, lastError: why, claim: null, claimedAt: null, updatedAt: now })
    .where(and(eq(webhookDeliveries.id, d.id), eq(webhookDeliveries.claim, d.claim)));
}
