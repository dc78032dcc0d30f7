/**
 * Ledger transitions: what a Stripe event means for our books, as a list of effects.
 * Pure — no D1, no Stripe SDK. Every effect is written so that applying it twice, or
 * applying a set of effects in any order, gives the same ledger (see db/ledger-writes.ts).
 */

export const PLEDGE_STATUSES = [
  "pending",
  "processing",
  "expired",
  "failed",
  "error",
  "paid",
  "active",
  "past_due",
  "canceled",
] as const;
export type PledgeStatus = (typeof PLEDGE_STATUSES)[number];

/**
 * A later status in a pledge's life outranks an earlier one, so a late-arriving
 * `checkout.session.expired` can never undo `paid`. Within a rank the newer event wins;
 * on a tie, the fixed `tie` value decides, so any delivery order gives the same result.
 */
const ORDER: Record<PledgeStatus, { rank: number; tie: number }> = {
  pending: { rank: 0, tie: 0 },
  processing: { rank: 1, tie: 0 },
  expired: { rank: 2, tie: 1 },
  failed: { rank: 2, tie: 2 },
  error: { rank: 2, tie: 0 },
  paid: { rank: 3, tie: 1 },
  active: { rank: 3, tie: 2 },
  past_due: { rank: 3, tie: 3 },
  canceled: { rank: 4, tie: 0 },
};

/** One integer that orders status changes: rank, then event time (seconds), then tie-break. */
export function statusKey(status: PledgeStatus, eventCreatedSeconds: number): number {
  const { rank, tie } = ORDER[status];
  return rank * 1e12 + eventCreatedSeconds * 10 + tie;
}

export type LedgerEffect =
  | { kind: "status"; pledgeId: string; status: PledgeStatus; key: number }
  | {
      kind: "link";
      pledgeId: string;
      customerId?: string | null;
      subscriptionId?: string | null;
      paymentIntentId?: string | null;
      email?: string | null;
    }
  | {
      kind: "payment";
      /** Invoice id for subscriptions, payment intent id for one-time gifts. */
      id: string;
      pledgeId: string;
      amount: number;
      currency: string;
      paymentIntentId: string | null;
      paidAt: number;
    }
  | { kind: "refund"; chargeId: string; paymentIntentId: string; currency: string; amountRefunded: number; at: number }
  | {
      kind: "dispute";
      id: string;
      chargeId: string;
      paymentIntentId: string;
      currency: string;
      amount: number;
      status: string;
      final: boolean;
      at: number;
    };

/** The few fields of Stripe objects the ledger reads. Stripe sends many more; they are ignored. */
type Metadata = Record<string, string> | null | undefined;
type Ref = string | { id: string } | null | undefined;
export type LedgerEvent = { id: string; type: string; created: number; data: { object: Record<string, unknown> } };

const idOf = (ref: unknown): string | null =>
  typeof ref === "string"
    ? ref
    : ref && typeof ref === "object" && "id" in ref
      ? String((ref as { id: unknown }).id)
      : null;

const pledgeIdFrom = (metadata: Metadata): string | null => {
  const id = metadata?.pledge_id;
  return typeof id === "string" && id.length > 0 ? id : null;
};

const upper = (currency: unknown) => String(currency ?? "").toUpperCase();

/** The pledge id an invoice belongs to (API 2025+: `parent.subscription_details.metadata`). */
export function invoicePledgeId(invoice: Record<string, unknown>): string | null {
  const parent = invoice.parent as { subscription_details?: { metadata?: Metadata } | null } | null | undefined;
  return pledgeIdFrom(parent?.subscription_details?.metadata);
}

/** The subscription an invoice belongs to, if any. */
export function invoiceSubscriptionId(invoice: Record<string, unknown>): string | null {
  const parent = invoice.parent as { subscription_details?: { subscription?: Ref } | null } | null | undefined;
  return idOf(parent?.subscription_details?.subscription);
}

/** The payment intent of an invoice when the event carries its payments (it usually does not). */
export function invoicePaymentIntentId(invoice: Record<string, unknown>): string | null {
  const payments = invoice.payments as { data?: { payment?: { payment_intent?: Ref }; status?: string }[] } | undefined;
  const paid = payments?.data?.find((p) => p.status === "paid") ?? payments?.data?.[0];
  return idOf(paid?.payment?.payment_intent);
}

const SUBSCRIPTION_STATUS: Record<string, PledgeStatus | undefined> = {
  active: "active",
  trialing: "active",
  past_due: "past_due",
  unpaid: "past_due",
  canceled: "canceled",
  incomplete_expired: "expired",
};

/**
 * The effects of one event. `paymentIntentId` resolves an invoice's payment intent when
 * the event does not carry it (the adapter asks Stripe before calling this).
 */
export function effectsOf(event: LedgerEvent, extra: { invoicePaymentIntentId?: string | null } = {}): LedgerEffect[] {
  const o = event.data.object;
  const at = event.created * 1000;
  const status = (pledgeId: string | null, s: PledgeStatus): LedgerEffect[] =>
    pledgeId ? [{ kind: "status", pledgeId, status: s, key: statusKey(s, event.created) }] : [];

  switch (event.type) {
    case "checkout.session.completed":
    case "checkout.session.async_payment_succeeded": {
      const pledgeId = pledgeIdFrom(o.metadata as Metadata) ?? (o.client_reference_id as string | null) ?? null;
      if (!pledgeId) return [];
      const subscription = o.mode === "subscription";
      const paid = o.payment_status === "paid" || o.payment_status === "no_payment_required";
      const details = o.customer_details as { email?: string | null } | null | undefined;
      const effects: LedgerEffect[] = [
        {
          kind: "link",
          pledgeId,
          customerId: idOf(o.customer),
          subscriptionId: idOf(o.subscription),
          paymentIntentId: idOf(o.payment_intent),
          email: details?.email ?? null,
        },
        ...status(pledgeId, paid ? (subscription ? "active" : "paid") : "processing"),
      ];
      // Subscriptions count money from invoice.paid only, so the first month is never counted twice.
      const paymentIntentId = idOf(o.payment_intent);
      if (paid && !subscription && paymentIntentId && typeof o.amount_total === "number" && o.amount_total > 0) {
        effects.push({
          kind: "payment",
          id: paymentIntentId,
          pledgeId,
          amount: o.amount_total,
          currency: upper(o.currency),
          paymentIntentId,
          paidAt: at,
        });
      }
      return effects;
    }
    case "checkout.session.async_payment_failed":
      return status(pledgeIdFrom(o.metadata as Metadata) ?? (o.client_reference_id as string | null), "failed");
    case "checkout.session.expired":
      return status(pledgeIdFrom(o.metadata as Metadata) ?? (o.client_reference_id as string | null), "expired");
    case "invoice.paid": {
      const pledgeId = invoicePledgeId(o);
      if (!pledgeId || typeof o.amount_paid !== "number" || o.amount_paid <= 0) return status(pledgeId, "active");
      const paymentIntentId = invoicePaymentIntentId(o) ?? extra.invoicePaymentIntentId ?? null;
      const transitions = o.status_transitions as { paid_at?: number | null } | undefined;
      return [
        { kind: "link", pledgeId, subscriptionId: invoiceSubscriptionId(o), customerId: idOf(o.customer) },
        ...status(pledgeId, "active"),
        {
          kind: "payment",
          id: String(o.id),
          pledgeId,
          amount: o.amount_paid,
          currency: upper(o.currency),
          paymentIntentId,
          paidAt: (transitions?.paid_at ?? event.created) * 1000,
        },
      ];
    }
    case "invoice.payment_failed": {
      // The first invoice failing inside Checkout is not a lapse; only renewals are.
      if (o.billing_reason === "subscription_create") return [];
      return status(invoicePledgeId(o), "past_due");
    }
    case "customer.subscription.created":
    case "customer.subscription.updated":
    case "customer.subscription.deleted": {
      const pledgeId = pledgeIdFrom(o.metadata as Metadata);
      const mapped =
        event.type === "customer.subscription.deleted" ? "canceled" : SUBSCRIPTION_STATUS[String(o.status)];
      if (!pledgeId) return [];
      return [
        { kind: "link", pledgeId, subscriptionId: String(o.id), customerId: idOf(o.customer) },
        ...(mapped ? status(pledgeId, mapped) : []),
      ];
    }
    case "charge.refunded": {
      const paymentIntentId = idOf(o.payment_intent);
      if (!paymentIntentId || typeof o.amount_refunded !== "number") return [];
      return [
        {
          kind: "refund",
          chargeId: String(o.id),
          paymentIntentId,
          currency: upper(o.currency),
          amountRefunded: o.amount_refunded,
          at,
        },
      ];
    }
    case "charge.dispute.created":
    case "charge.dispute.updated":
    case "charge.dispute.closed": {
      const paymentIntentId = idOf(o.payment_intent);
      const chargeId = idOf(o.charge);
      if (!paymentIntentId || !chargeId || typeof o.amount !== "number") return [];
      const s = String(o.status);
      return [
        {
          kind: "dispute",
          id: String(o.id),
          chargeId,
          paymentIntentId,
          currency: upper(o.currency),
          amount: o.amount,
          status: s,
          final: s === "won" || s === "lost",
          at,
        },
      ];
    }
    default:
      return [];
  }
}

/** Event types the webhook endpoint must be subscribed to (also listed in the README). */
export const HANDLED_EVENT_TYPES = [
  "checkout.session.completed",
  "checkout.session.async_payment_succeeded",
  "checkout.session.async_payment_failed",
  "checkout.session.expired",
  "invoice.paid",
  "invoice.payment_failed",
  "customer.subscription.created",
  "customer.subscription.updated",
  "customer.subscription.deleted",
  "charge.refunded",
  "charge.dispute.created",
  "charge.dispute.updated",
  "charge.dispute.closed",
] as const;
