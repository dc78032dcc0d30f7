import { and, countDistinct, desc, eq, gt, inArray, isNull, lt, sql } from "drizzle-orm";
import type { Database } from "../platform/db";
import { manageLinks, payments, pledges } from "../platform/schema";

/** D1 access for manage links and the supporter lookup behind them. */

/** At most this many link emails per address and site per hour (the per-address rate limit). */
export const MAX_REQUESTS_PER_HOUR = 3;
/** At most this many recurring supports (Stripe customers) are offered in one email. */
export const MAX_CUSTOMERS = 5;

export type RecurringSupport = {
  customerId: string;
  frequency: "monthly" | "annual";
  amount: number;
  currency: string;
  status: string;
};

/**
 * The reader's live recurring supports on a site, one per Stripe customer (Checkout makes a
 * customer per subscription). Matches the address given at checkout or entered in Stripe.
 */
export async function findRecurringSupports(db: Database, site: string, email: string): Promise<RecurringSupport[]> {
  const rows = await db
    .select({
      customerId: pledges.stripeCustomerId,
      frequency: pledges.frequency,
      amount: sql<number>`${pledges.amount} + ${pledges.feeAmount}`,
      currency: pledges.currency,
      status: pledges.status,
    })
    .from(pledges)
    .where(
      and(
        eq(pledges.site, site),
        sql`lower(${pledges.email}) = ${email}`,
        inArray(pledges.frequency, ["monthly", "annual"]),
        inArray(pledges.status, ["active", "past_due"]),
        sql`${pledges.stripeCustomerId} IS NOT NULL`,
      ),
    )
    .orderBy(desc(pledges.createdAt))
    .all();
  const byCustomer = new Map<string, RecurringSupport>();
  for (const r of rows) {
    if (r.customerId === null || r.frequency === "once" || byCustomer.has(r.customerId)) continue;
    byCustomer.set(r.customerId, { ...r, customerId: r.customerId, frequency: r.frequency });
  }
  return [...byCustomer.values()].slice(0, MAX_CUSTOMERS);
}

/** How many link emails this address was sent for this site since `since`. */
export async function recentRequests(db: Database, site: string, emailHash: string, since: number): Promise<number> {
  const row = await db
    .select({ n: countDistinct(manageLinks.createdAt) })
    .from(manageLinks)
    .where(and(eq(manageLinks.emailHash, emailHash), eq(manageLinks.site, site), gt(manageLinks.createdAt, since)))
    .get();
  return row?.n ?? 0;
}

/** Stores the links of one email (all with the same `createdAt`), in one statement. */
export async function storeLinks(
  db: Database,
  links: { tokenHash: string; site: string; customerId: string; emailHash: string; returnUrl: string }[],
  createdAt: number,
  expiresAt: number,
): Promise<void> {
  if (links.length === 0) return;
  await db.insert(manageLinks).values(links.map((l) => ({ ...l, createdAt, expiresAt })));
}

/** A stored manage link, without its token. */
export type StoredLink = Pick<
  typeof manageLinks.$inferSelect,
  "site" | "customerId" | "returnUrl" | "usedAt" | "expiresAt"
>;

const linkFields = {
  site: manageLinks.site,
  customerId: manageLinks.customerId,
  returnUrl: manageLinks.returnUrl,
  usedAt: manageLinks.usedAt,
  expiresAt: manageLinks.expiresAt,
};

/** A link by token hash, without using it. */
export async function findLink(db: Database, tokenHash: string): Promise<StoredLink | null> {
  return (await db.select(linkFields).from(manageLinks).where(eq(manageLinks.tokenHash, tokenHash)).get()) ?? null;
}

/** Uses a link: one statement, so of two simultaneous clicks exactly one gets the row. */
export async function useLink(db: Database, tokenHash: string, now: number): Promise<StoredLink | null> {
  const row = await db
    .update(manageLinks)
    .set({ usedAt: now })
    .where(and(eq(manageLinks.tokenHash, tokenHash), isNull(manageLinks.usedAt), gt(manageLinks.expiresAt, now)))
    .returning(linkFields)
    .get();
  return row ?? null;
}

/** Gives a used link back when Stripe could not open the portal, so the reader can try again. */
export async function unuseLink(db: Database, tokenHash: string, usedAt: number): Promise<void> {
  await db
    .update(manageLinks)
    .set({ usedAt: null })
    .where(and(eq(manageLinks.tokenHash, tokenHash), eq(manageLinks.usedAt, usedAt)));
}

/** Deletes links that expired more than a day ago (the rate limit only looks back an hour). */
export async function purgeLinks(db: Database, now: number): Promise<number> {
  const deleted = await db
    .delete(manageLinks)
    .where(lt(manageLinks.expiresAt, now - 86_400_000))
    .returning({ tokenHash: manageLinks.tokenHash })
    .all();
  return deleted.length;
}

/** The live recurring pledge a manage link's customer has on a site (Checkout makes one customer per subscription). */
export async function pledgeOfCustomer(db: Database, site: string, customerId: string) {
  return db
    .select({ id: pledges.id, subscriptionId: pledges.stripeSubscriptionId })
    .from(pledges)
    .where(
      and(
        eq(pledges.site, site),
        eq(pledges.stripeCustomerId, customerId),
        inArray(pledges.frequency, ["monthly", "annual"]),
        inArray(pledges.status, ["active", "past_due"]),
        sql`${pledges.stripeSubscriptionId} IS NOT NULL`,
      ),
    )
    .orderBy(desc(pledges.createdAt))
    .get();
}

/** What the supporter's page needs from the ledger: the pledge (who, what currency) and its payments so far. */
export async function pledgeForManage(db: Database, pledgeId: string) {
  const [pledge, paid] = await db.batch([
    db
      .select({
        site: pledges.site,
        currency: pledges.currency,
        email: pledges.email,
        customerId: pledges.stripeCustomerId,
        subscriptionId: pledges.stripeSubscriptionId,
        feeAmount: pledges.feeAmount,
      })
      .from(pledges)
      .where(eq(pledges.id, pledgeId)),
    db
      .select({
        count: sql<number>`count(*)`.as("count"),
        total: sql<number>`coalesce(sum(${payments.amount}), 0)`.as("total"),
      })
      .from(payments)
      .where(
        and(
          eq(payments.pledgeId, pledgeId),
          eq(payments.currency, sql`(SELECT ${pledges.currency} FROM ${pledges} WHERE ${pledges.id} = ${pledgeId})`),
        ),
      ),
  ]);
  const row = pledge[0];
  if (!row) return null;
  return { ...row, payments: { count: Number(paid[0]?.count ?? 0), total: Number(paid[0]?.total ?? 0) } };
}
