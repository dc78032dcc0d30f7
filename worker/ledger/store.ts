import { and, eq, lt, sql } from "drizzle-orm";
import type { LedgerEffect, LedgerEvent } from "../core/ledger";
import { type Database, excluded, type Statement } from "../platform/db";
import { chargeRefunds, disputes, payments, pledges, stripeEvents } from "../platform/schema";

/**
 * D1 statements for ledger effects. Each statement is idempotent and order-independent:
 * - status moves only forward by `status_key` (see core/ledger.ts);
 * - links fill empty columns only;
 * - a payment row is inserted once (primary key) and takes its site, frequency and fee
 *   split from its pledge — a payment for an unknown pledge inserts nothing;
 * - refunds keep the largest running total Stripe reported for the charge;
 * - a dispute closed as won or lost is never reopened by an older event.
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
    case "refund":
      return [
        db
          .insert(chargeRefunds)
          .values({
            chargeId: effect.chargeId,
            paymentIntentId: effect.paymentIntentId,
            currency: effect.currency,
            amountRefunded: effect.amountRefunded,
            updatedAt: effect.at,
          })
          .onConflictDoUpdate({
            target: chargeRefunds.chargeId,
            set: {
              amountRefunded: sql`max(${chargeRefunds.amountRefunded}, ${excluded(chargeRefunds.amountRefunded)})`,
              updatedAt: sql`max(${chargeRefunds.updatedAt}, ${excluded(chargeRefunds.updatedAt)})`,
            },
          }),
      ];
    case "dispute": {
      const final = sql`${disputes.final} = 1`;
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
            final: effect.final ? 1 : 0,
            updatedAt: effect.at,
          })
          .onConflictDoUpdate({
            target: disputes.id,
            set: {
              status: sql`CASE WHEN ${final} THEN ${disputes.status}
                WHEN ${excluded(disputes.final)} = 1 OR ${excluded(disputes.updatedAt)} >= ${disputes.updatedAt}
                  THEN ${excluded(disputes.status)}
                ELSE ${disputes.status} END`,
              final: sql`max(${disputes.final}, ${excluded(disputes.final)})`,
              amount: sql`CASE WHEN ${final} THEN ${disputes.amount} ELSE ${excluded(disputes.amount)} END`,
              updatedAt: sql`max(${disputes.updatedAt}, ${excluded(disputes.updatedAt)})`,
            },
          }),
      ];
    }
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
