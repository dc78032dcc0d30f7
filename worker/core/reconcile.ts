/**
 * Reconciliation rules, pure: the window a run covers, and what one Stripe charge (with its
 * refunds, balance transaction and disputes) says that the ledger does not. ledger/reconcile.ts
 * does the I/O: it replays the events the ledger never processed, then asks these rules about
 * every charge of the window, writes the repairs they return and stores the differences.
 */
import { balanceEffect, disputeEffects, idOf, type LedgerEffect, REFUND_COUNTED, refundEffects } from "./ledger";

/** Stripe keeps events for 30 days: a window reaches back no further. */
export const MAX_WINDOW_DAYS = 30;
const DAY_MS = 86_400_000;

/**
 * The window `since` asks for, ending now: `30d`, `12h`, or a UTC day (`2026-10-01`).
 * An error message when it is not one of those or reaches back more than 30 days.
 */
export function parseWindow(
  since: string | undefined,
  now: number,
): { since: number; until: number } | { error: string } {
  const value = since ?? "1d";
  const relative = /^(\d{1,3})([dh])$/.exec(value);
  let from: number;
  if (relative) from = now - Number(relative[1]) * (relative[2] === "d" ? DAY_MS : 3_600_000);
  else if (/^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`)))
    from = Date.parse(`${value}T00:00:00Z`);
  else return { error: "since must be a number of days or hours (30d, 12h) or a day (YYYY-MM-DD)." };
  if (from >= now) return { error: "since must be in the past." };
  if (now - from > MAX_WINDOW_DAYS * DAY_MS)
    return { error: `since reaches back at most ${MAX_WINDOW_DAYS} days: Stripe keeps events no longer.` };
  return { since: from, until: now };
}

export const DIFFERENCE_KINDS = [
  "missing_payment",
  "amount_mismatch",
  "unknown_refund",
  "unknown_dispute",
  "status_drift",
  "fees_filled",
  "payment_linked",
  "replay_failed",
  "replay_limit",
] as const;
export type DifferenceKind = (typeof DIFFERENCE_KINDS)[number];

/** One difference between Stripe and the ledger, as staff read it. */
export type Difference = {
  kind: DifferenceKind;
  /** The Stripe object it is about (charge, refund, dispute, event). */
  objectId: string;
  paymentIntentId: string | null;
  currency: string | null;
  stripeValue: string | null;
  ledgerValue: string | null;
  /** True when the run brought the ledger in line with Stripe. */
  repaired: boolean;
  detail: string;
};

/** What the ledger holds about one charge's payment intent. */
export type LedgerView = {
  /** The payment row paid by this payment intent, if any. */
  payment: { id: string; amount: number; currency: string } | null;
  /** A payment recorded without its payment intent that this charge pays (an invoice's, found through Stripe). */
  unlinkedPayment: { id: string; amount: number; currency: string } | null;
  /** Whether the payment's balance transaction is stored. */
  hasBalance: boolean;
  /** The ledger's refunds of this charge, by id. */
  refunds: Map<string, { status: string; amount: number }>;
  /** The ledger's disputes of this charge, by id. */
  disputes: Map<string, { status: string }>;
};

type Json = Record<string, unknown>;

const upper = (currency: unknown) => String(currency ?? "").toUpperCase();
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * What one charge of ours says that the ledger does not, and the effects that repair what Stripe
 * is the authority on: its newer refund and dispute states, a missing balance transaction, an
 * invoice payment's payment intent. A missing payment or a different amount is only reported:
 * money the ledger never saw needs a person to look. `charge` is Stripe's charge with
 * `refunds` and `balance_transaction` expanded; `disputes` its disputes (null when not disputed).
 */
export function compareCharge(
  charge: Json,
  ledger: LedgerView,
  disputes: Json[] | null,
  nowSeconds: number,
): { differences: Difference[]; effects: LedgerEffect[] } {
  const differences: Difference[] = [];
  const effects: LedgerEffect[] = [];
  const chargeId = String(charge.id);
  const paymentIntentId = idOf(charge.payment_intent);
  const currency = upper(charge.currency);
  const amount = typeof charge.amount === "number" ? charge.amount : 0;
  const diff = (d: Omit<Difference, "paymentIntentId" | "currency"> & { currency?: string }) =>
    differences.push({ paymentIntentId, currency, ...d });
  if (!paymentIntentId || charge.status !== "succeeded") return { differences, effects };

  const payment = ledger.payment ?? ledger.unlinkedPayment;
  if (!payment) {
    diff({
      kind: "missing_payment",
      objectId: chargeId,
      stripeValue: String(amount),
      ledgerValue: null,
      repaired: false,
      detail: `Stripe has a succeeded charge of ${amount} ${currency} for a pledge of ours; the ledger has no payment for it.`,
    });
    return { differences, effects };
  }
  if (!ledger.payment && ledger.unlinkedPayment) {
    effects.push({ kind: "payment_intent", paymentId: ledger.unlinkedPayment.id, paymentIntentId });
    diff({
      kind: "payment_linked",
      objectId: chargeId,
      stripeValue: paymentIntentId,
      ledgerValue: null,
      repaired: true,
      detail: `Payment ${ledger.unlinkedPayment.id} had no payment intent; it is ${paymentIntentId}, so its refunds and disputes now count.`,
    });
  }
  if (payment.amount !== amount || payment.currency !== currency)
    diff({
      kind: "amount_mismatch",
      objectId: chargeId,
      stripeValue: `${amount} ${currency}`,
      ledgerValue: `${payment.amount} ${payment.currency}`,
      repaired: false,
      detail: `Stripe charged ${amount} ${currency}; the ledger recorded ${payment.amount} ${payment.currency} for payment ${payment.id}.`,
    });

  const bt = charge.balance_transaction;
  if (!ledger.hasBalance && isObject(bt)) {
    const effect = balanceEffect(bt, "payment", paymentIntentId);
    if (effect) {
      effects.push(effect);
      diff({
        kind: "fees_filled",
        objectId: chargeId,
        stripeValue: `fee ${bt.fee} ${upper(bt.currency)}`,
        ledgerValue: "pending",
        repaired: true,
        detail: `Stripe's fee for this payment was not recorded yet; it is now (${bt.fee} ${upper(bt.currency)}).`,
      });
    }
  }

  const refundList =
    isObject(charge.refunds) && Array.isArray(charge.refunds.data) ? (charge.refunds.data as Json[]) : null;
  if (refundList) {
    for (const refund of refundList) {
      const id = String(refund.id);
      const known = ledger.refunds.get(id);
      const status = String(refund.status);
      if (known && known.status === status) continue;
      // Stripe's state now is the refund's newest, whatever stage the ledger's row claims.
      effects.push(
        ...refundEffects(refund, nowSeconds, []).map((e) => (e.kind === "refund" ? { ...e, force: true } : e)),
      );
      const counted = (REFUND_COUNTED as readonly string[]).includes(status);
      diff({
        kind: known ? "status_drift" : "unknown_refund",
        objectId: id,
        stripeValue: `${status} ${refund.amount}`,
        ledgerValue: known ? `${known.status} ${known.amount}` : null,
        repaired: true,
        detail: known
          ? `Refund ${id} is ${status} at Stripe but was ${known.status} in the ledger.`
          : `Refund ${id} (${refund.amount} ${currency}, ${status}) was not in the ledger${counted ? "" : "; it counts nothing"}.`,
      });
    }
    if (charge.refunds && !(charge.refunds as Json).has_more) effects.push({ kind: "refunds_listed", chargeId });
  }

  for (const dispute of disputes ?? []) {
    const id = String(dispute.id);
    const status = String(dispute.status);
    const known = ledger.disputes.get(id);
    if (known && known.status === status) continue;
    // Stripe's state now is newer than any event the ledger saw.
    effects.push(...disputeEffects(dispute, nowSeconds).map((e) => (e.kind === "dispute" ? { ...e, force: true } : e)));
    diff({
      kind: known ? "status_drift" : "unknown_dispute",
      objectId: id,
      stripeValue: status,
      ledgerValue: known?.status ?? null,
      repaired: true,
      detail: known
        ? `Dispute ${id} is ${status} at Stripe but was ${known.status} in the ledger.`
        : `Dispute ${id} (${dispute.amount} ${currency}, ${status}) was not in the ledger.`,
    });
  }
  return { differences, effects };
}
