import { and, countDistinct, eq, gte, inArray, lt, sql } from "drizzle-orm";
import { REFUND_COUNTED } from "../core/ledger";
import type { Database } from "../platform/db";
import { payments, refunds } from "../platform/schema";

/**
 * What a campaign raised in one currency between two times: its payments in that currency, less
 * the refunds whose money left (pending or done), and how many pledges paid. Other currencies are
 * never added in.
 */
export async function raisedFor(
  db: Database,
  q: { site: string; campaign: string; currency: string; since: number; until: number },
): Promise<{ gross: number; refunded: number; supporters: number }> {
  const inWindow = and(
    eq(payments.site, q.site),
    eq(payments.campaign, q.campaign),
    eq(payments.currency, q.currency),
    gte(payments.paidAt, q.since),
    lt(payments.paidAt, q.until),
  );
  const [paid, back] = await db.batch([
    db
      .select({
        gross: sql<number>`coalesce(sum(${payments.amount}), 0)`.as("gross"),
        supporters: countDistinct(payments.pledgeId).as("supporters"),
      })
      .from(payments)
      .where(inWindow),
    db
      .select({ refunded: sql<number>`coalesce(sum(${refunds.amount}), 0)`.as("refunded") })
      .from(refunds)
      .where(
        and(
          eq(refunds.currency, q.currency),
          inArray(refunds.status, [...REFUND_COUNTED]),
          inArray(refunds.paymentIntentId, db.select({ id: payments.paymentIntentId }).from(payments).where(inWindow)),
        ),
      ),
  ]);
  return {
    gross: Number(paid[0]?.gross ?? 0),
    refunded: Number(back[0]?.refunded ?? 0),
    supporters: Number(paid[0]?.supporters ?? 0),
  };
}
