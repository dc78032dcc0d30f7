import { and, eq, lt, sql } from "drizzle-orm";
import type { LedgerEffect, LedgerEvent } from "../core/ledger";
import { type Database, excluded, type Statement } from "../platform/db";
import { balanceTransactions, disputes, payments, pledges, refunds, stripeEvents } from "../platform/schema";

/**
 * D1 statements for ledger effects. Each statement is idempotent and order-independent:
 * - status moves only forward by `status_key` (see core/ledger.ts);
 * - links fill empty columns only;
 * - a payment row is inserted once (primary key) and takes its site, frequency and fee
 *   split from its pledge — a payment for an unknown pledge inserts nothing;
 * - a refund's row takes a status only from a later stage of its life (`status_key`, core/ledger.ts);
 * - a dispute's row takes the status of the newest event (`status_key`): lost, appealed, won;
 * - a balance transaction is a fact: inserted once, never changed.
 */
export function ledgerStatements(db: Database, effect: LedgerEffect, now: number): Statement[] {
  switch (effect.kind) {
    case "status":
      return [
        db
          .update(pledges)
          .set({ status: effect.status, statusKey: effect.key, updatedAt: now })
          .where(and(eq(pledges.id, effect.pledgeId), lt(pledges.statusKey, effect.key))),
      ];
    case "link":
      return [
        db
          .update(pledges)
          .set({
            stripeCustomerId: sql`coalesce(${pledges.stripeCustomerId}, ${effect.customerId ?? null})`,
            stripeSubscriptionId: sql`coalesce(${pledges.stripeSubscriptionId}, ${effect.subscriptionId ?? null})`,
            stripePaymentIntentId: sql`coalesce(${pledges.stripePaymentIntentId}, ${effect.paymentIntentId ?? null})`,
            email: sql`coalesce(${pledges.email}, ${effect.email ?? null})`,
            updatedAt: now,
          })
          .where(eq(pledges.id, effect.pledgeId)),
      ];
    case "payment":
      return [
        db
          .insert(payments)
          .select((qb) =>
            qb
              .select({
                id: sql`${effect.id}`.as("id"),
                pledgeId: pledges.id,
                site: pledges.site,
                frequency: pledges.frequency,
                currency: sql`${effect.currency}`.as("currency"),
                amount: sql`${effect.amount}`.as("amount"),
                // The fee cover counts only when the whole pledge was paid in its own currency.
                feeAmount: sql`CASE WHEN ${effect.amount} = ${pledges.amount} + ${pledges.feeAmount}
                  AND ${effect.currency} = ${pledges.currency} THEN ${pledges.feeAmount} ELSE 0 END`.as("fee_amount"),
                paymentIntentId: sql`${effect.paymentIntentId}`.as("payment_intent_id"),
                paidAt: sql`${effect.paidAt}`.as("paid_at"),
                campaign: pledges.campaign,
                variant: pledges.variant,
              })
              .from(pledges)
              .where(eq(pledges.id, effect.pledgeId)),
          )
          .onConflictDoUpdate({
            target: payments.id,
            set: { paymentIntentId: sql`coalesce(${payments.paymentIntentId}, ${excluded(payments.paymentIntentId)})` },
          }),
      ];
    case "refund": {
      const newer = sql`${excluded(refunds.statusKey)} > ${refunds.statusKey}`;
      return [
        db
          .insert(refunds)
          .values({
            id: effect.id,
            chargeId: effect.chargeId,
            paymentIntentId: effect.paymentIntentId,
            currency: effect.currency,
            amount: effect.amount,
            status: effect.status,
            statusKey: effect.key,
            createdAt: effect.createdAt,
            updatedAt: effect.at,
          })
          .onConflictDoUpdate({
            target: refunds.id,
            set: {
              status: sql`CASE WHEN ${newer} THEN ${excluded(refunds.status)} ELSE ${refunds.status} END`,
              statusKey: sql`max(${refunds.statusKey}, ${excluded(refunds.statusKey)})`,
              updatedAt: sql`max(${refunds.updatedAt}, ${excluded(refunds.updatedAt)})`,
            },
            // Only a newer state changes the row (and so the roll-ups).
            setWhere: newer,
          }),
      ];
    }
    case "refunds_listed":
      // Every refund of the charge is now a row of its own: a total carried over from before
      // refunds had rows (migrations/0004) would count them twice.
      return [db.delete(refunds).where(eq(refunds.id, `legacy_${effect.chargeId}`))];
    case "dispute": {
      const newer = sql`${excluded(disputes.statusKey)} > ${disputes.statusKey}`;
      return [
        db
          .insert(disputes)
          .values({
            id: effect.id,
            chargeId: effect.chargeId,
            paymentIntentId: effect.paymentIntentId,
            currency: effect.currency,
            amount: effect.amount,
            status: effect.status,
            phase: effect.phase,
            statusKey: effect.key,
            createdAt: effect.createdAt,
            updatedAt: effect.at,
          })
          .onConflictDoUpdate({
            target: disputes.id,
            set: {
              status: excluded(disputes.status),
              phase: excluded(disputes.phase),
              amount: excluded(disputes.amount),
              statusKey: excluded(disputes.statusKey),
              updatedAt: excluded(disputes.updatedAt),
            },
            setWhere: newer,
          }),
      ];
    }
    case "balance":
      return [
        db
          .insert(balanceTransactions)
          .values({
            id: effect.id,
            use: effect.use,
            source: effect.source,
            paymentIntentId: effect.paymentIntentId,
            type: effect.type,
            reportingCategory: effect.reportingCategory,
            currency: effect.currency,
            amount: effect.amount,
            fee: effect.fee,
            net: effect.net,
            exchangeRate: effect.exchangeRate,
            created: effect.created,
          })
          .onConflictDoNothing({ target: balanceTransactions.id }),
      ];
  }
}

/** The row that marks an event processed; its primary key refuses a second batch for the same event. */
export const recordEvent = (db: Database, event: LedgerEvent, now: number): Statement =>
  db.insert(stripeEvents).values({ id: event.id, type: event.type, created: event.created, processedAt: now });

/** Whether an event id was processed already. */
export async function wasProcessed(db: Database, eventId: string): Promise<boolean> {
  const row = await db.select({ id: stripeEvents.id }).from(stripeEvents).where(eq(stripeEvents.id, eventId)).get();
  return row !== undefined;
}
