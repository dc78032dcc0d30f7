import type { LedgerEffect } from "../core/ledger";

/**
 * D1 statements for ledger effects. Each statement is idempotent and order-independent:
 * - status moves only forward by `status_key` (see core/ledger.ts);
 * - links fill empty columns only;
 * - a payment row is inserted once (primary key) and takes its site, frequency and fee
 *   split from its pledge — a payment for an unknown pledge inserts nothing;
 * - refunds keep the largest running total Stripe reported for the charge;
 * - a dispute closed as won or lost is never reopened by an older event.
 */
export function ledgerStatements(db: D1Database, effect: LedgerEffect, now: number): D1PreparedStatement[] {
  switch (effect.kind) {
    case "status":
      return [
        db
          .prepare("UPDATE pledges SET status = ?1, status_key = ?2, updated_at = ?3 WHERE id = ?4 AND status_key < ?2")
          .bind(effect.status, effect.key, now, effect.pledgeId),
      ];
    case "link":
      return [
        db
          .prepare(
            `UPDATE pledges SET
               stripe_customer_id = coalesce(stripe_customer_id, ?1),
               stripe_subscription_id = coalesce(stripe_subscription_id, ?2),
               stripe_payment_intent_id = coalesce(stripe_payment_intent_id, ?3),
               email = coalesce(email, ?4),
               updated_at = ?5
             WHERE id = ?6`,
          )
          .bind(
            effect.customerId ?? null,
            effect.subscriptionId ?? null,
            effect.paymentIntentId ?? null,
            effect.email ?? null,
            now,
            effect.pledgeId,
          ),
      ];
    case "payment":
      return [
        db
          .prepare(
            `INSERT INTO payments (id, pledge_id, site, frequency, currency, amount, fee_amount, payment_intent_id, paid_at, campaign, variant)
             SELECT ?1, p.id, p.site, p.frequency, ?2, ?3,
                    CASE WHEN ?3 = p.amount + p.fee_amount AND ?2 = p.currency THEN p.fee_amount ELSE 0 END,
                    ?4, ?5, p.campaign, p.variant
             FROM pledges p WHERE p.id = ?6
             ON CONFLICT (id) DO UPDATE SET payment_intent_id = coalesce(payments.payment_intent_id, excluded.payment_intent_id)`,
          )
          .bind(effect.id, effect.currency, effect.amount, effect.paymentIntentId, effect.paidAt, effect.pledgeId),
      ];
    case "refund":
      return [
        db
          .prepare(
            `INSERT INTO charge_refunds (charge_id, payment_intent_id, currency, amount_refunded, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (charge_id) DO UPDATE SET
               amount_refunded = max(charge_refunds.amount_refunded, excluded.amount_refunded),
               updated_at = max(charge_refunds.updated_at, excluded.updated_at)`,
          )
          .bind(effect.chargeId, effect.paymentIntentId, effect.currency, effect.amountRefunded, effect.at),
      ];
    case "dispute":
      return [
        db
          .prepare(
            `INSERT INTO disputes (id, charge_id, payment_intent_id, currency, amount, status, final, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT (id) DO UPDATE SET
               status = CASE WHEN disputes.final = 1 THEN disputes.status
                             WHEN excluded.final = 1 OR excluded.updated_at >= disputes.updated_at THEN excluded.status
                             ELSE disputes.status END,
               final = max(disputes.final, excluded.final),
               amount = CASE WHEN disputes.final = 1 THEN disputes.amount ELSE excluded.amount END,
               updated_at = max(disputes.updated_at, excluded.updated_at)`,
          )
          .bind(
            effect.id,
            effect.chargeId,
            effect.paymentIntentId,
            effect.currency,
            effect.amount,
            effect.status,
            effect.final ? 1 : 0,
            effect.at,
          ),
      ];
  }
}
