import { and, eq, gte, isNull, lt, sql } from "drizzle-orm";
import type { Database } from "../platform/db";
import { askEventCounts, balanceTransactions, payments } from "../platform/schema";

/** D1 reads for the variants' figures: impressions from the ask's counters, money from the ledger. */

/** Impressions per variant from day `fromDay` (YYYY-MM-DD, UTC) on. */
export async function impressionsByVariant(db: Database, site: string, fromDay: string) {
  return db
    .select({
      variant: askEventCounts.variant,
      impressions: sql<number>`sum(${askEventCounts.count})`.as("impressions"),
    })
    .from(askEventCounts)
    .where(and(eq(askEventCounts.site, site), eq(askEventCounts.type, "impression"), gte(askEventCounts.day, fromDay)))
    .groupBy(askEventCounts.variant)
    .all();
}

/**
 * What each pledge paid in the window, per settlement currency (Stripe's balance transactions:
 * the amount as it reached the balance, converted by Stripe when the payment's currency differs).
 */
export async function settledByPledge(db: Database, site: string, since: number, until: number) {
  return db
    .select({
      currency: balanceTransactions.currency,
      variant: sql<string>`coalesce(${payments.variant}, '')`.as("variant"),
      pledgeId: payments.pledgeId,
      amount: sql<number>`sum(${balanceTransactions.amount})`.as("amount"),
    })
    .from(payments)
    .innerJoin(
      balanceTransactions,
      and(eq(balanceTransactions.paymentIntentId, payments.paymentIntentId), eq(balanceTransactions.use, "payment")),
    )
    .where(and(eq(payments.site, site), gte(payments.paidAt, since), lt(payments.paidAt, until)))
    .groupBy(balanceTransactions.currency, sql`coalesce(${payments.variant}, '')`, payments.pledgeId)
    .all();
}

/** Payments of the window Stripe has not settled yet (no balance transaction): left out of the comparison. */
export async function unsettledPayments(db: Database, site: string, since: number, until: number) {
  const row = await db
    .select({ n: sql<number>`count(*)`.as("n") })
    .from(payments)
    .leftJoin(
      balanceTransactions,
      and(eq(balanceTransactions.paymentIntentId, payments.paymentIntentId), eq(balanceTransactions.use, "payment")),
    )
    .where(
      and(
        eq(payments.site, site),
        gte(payments.paidAt, since),
        lt(payments.paidAt, until),
        isNull(balanceTransactions.id),
      ),
    )
    .get();
  return row?.n ?? 0;
}
