/**
 * Ledger transitions: what a Stripe event means for our books, as a list of effects.
 * Pure — no D1, no Stripe SDK. Every effect is written so that applying it twice, or
 * applying a set of effects in any order, gives the same ledger (see ledger/store.ts).
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
  | {
      kind: "refund";
      /** The refund's id (`re_…`): one row per refund, whatever its status. */
      id: string;
      chargeId: string;
      paymentIntentId: string;
      currency: string;
      amount: number;
      status: RefundStatus;
      key: number;
      createdAt: number;
      at: number;
      /** Reconciliation: Stripe's current state replaces the row's, whatever stage the row claims. */
      force?: boolean;
    }
  /** Every refund of a charge is now known (a full listing): an older per-charge total can go. */
  | { kind: "refunds_listed"; chargeId: string }
  /** A payment recorded without its payment intent learns it (reconciliation found it). */
  | { kind: "payment_intent"; paymentId: string; paymentIntentId: string }
  | {
      kind: "dispute";
      id: string;
      chargeId: string;
      paymentIntentId: string;
      currency: string;
      amount: number;
      status: string;
      phase: DisputePhase;
      key: number;
      createdAt: number;
      at: number;
      /** Reconciliation: Stripe's current state replaces the row's, whatever its key. */
      force?: boolean;
    }
  | {
      kind: "balance";
      /** The balance transaction's id (`txn_…`): a fact, written once. */
      id: string;
      /** What moved the balance: the payment's charge, one of its refunds, or one of its disputes. */
      use: BalanceUse;
      /** The charge, refund or dispute it belongs to. */
      source: string;
      paymentIntentId: string;
      type: string;
      reportingCategory: string | null;
      /** The settlement currency (where Stripe keeps the money), which may differ from the payment's. */
      currency: string;
      amount: number;
      fee: number;
      net: number;
      exchangeRate: number | null;
      created: number;
    };

export type BalanceUse = "payment" | "refund" | "dispute";

// ─── Refunds ─────────────────────────────────────────────────────────────────────────────────────

export const REFUND_STATUSES = ["requires_action", "pending", "succeeded", "failed", "canceled"] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];

/**
 * A refund's life only moves forward: requires_action → pending → succeeded, and any of them
 * can end failed or canceled (a card refund can fail after it succeeded). So a later stage
 * outranks an earlier one whatever the order of delivery; within a stage the newer event wins.
 */
const REFUND_RANK: Record<RefundStatus, number> = {
  requires_action: 1,
  pending: 2,
  succeeded: 3,
  failed: 4,
  canceled: 4,
};

/** Refund statuses whose money has left (or is leaving) the account: staff totals count these. */
export const REFUND_COUNTED: readonly RefundStatus[] = ["requires_action", "pending", "succeeded"];

/** One integer that orders a refund's status changes: stage, then event time (seconds). */
export function refundKey(status: RefundStatus, eventCreatedSeconds: number): number {
  return REFUND_RANK[status] * 1e12 + eventCreatedSeconds;
}

// ─── Disputes ────────────────────────────────────────────────────────────────────────────────────

/**
 * What a dispute means for the money, from its status (every status Stripe documents for the
 * pinned version):
 * - `inquiry`: `warning_needs_response`, `warning_under_review` — the issuer asks questions; no money moved;
 * - `inquiry_closed`: `warning_closed` — the inquiry ended without a chargeback; no money moved;
 * - `open`: `needs_response`, `under_review`, `appeal_needs_response`, `appeal_under_review` — a
 *   chargeback: Stripe has withdrawn the amount (and a dispute fee) and may reinstate it;
 * - `won`: the amount was reinstated (a dispute lost and then won on appeal ends here too);
 * - `lost`: the amount is gone;
 * - `prevented`: stopped before it became a chargeback; no money moved.
 * Dispute fees are never inferred from a status: they come from the dispute's balance transactions.
 */
export type DisputePhase = "inquiry" | "inquiry_closed" | "open" | "won" | "lost" | "prevented";

const DISPUTE_PHASE: Record<string, DisputePhase> = {
  warning_needs_response: "inquiry",
  warning_under_review: "inquiry",
  warning_closed: "inquiry_closed",
  needs_response: "open",
  under_review: "open",
  appeal_needs_response: "open",
  appeal_under_review: "open",
  won: "won",
  lost: "lost",
  prevented: "prevented",
};

/** The phase of a dispute status; a status Stripe adds later counts as an open chargeback until understood. */
export const disputePhase = (status: string): DisputePhase => DISPUTE_PHASE[status] ?? "open";

/**
 * Where a status sits in a dispute's life, to break ties between events of the same second
 * (Stripe's `created` has one-second resolution): an inquiry comes before a chargeback, a
 * chargeback before its decision, an appeal after the loss it appeals, and a win last.
 */
const DISPUTE_STAGE: Record<string, number> = {
  warning_needs_response: 1,
  warning_under_review: 2,
  warning_closed: 3,
  needs_response: 4,
  under_review: 5,
  prevented: 6,
  lost: 7,
  appeal_needs_response: 8,
  appeal_under_review: 9,
  won: 10,
};

/**
 * One integer that orders a dispute's status changes. Unlike pledges and refunds, a dispute can
 * move back and forth (lost, appealed, won), so the newest event wins: event time first, then
 * the stage for events of the same second.
 */
export function disputeKey(status: string, eventCreatedSeconds: number): number {
  return eventCreatedSeconds * 16 + (DISPUTE_STAGE[status] ?? 0);
}

// ─── Reading Stripe objects ──────────────────────────────────────────────────────────────────────

type Json = Record<string, unknown>;
type Metadata = Record<string, string> | null | undefined;
type Ref = string | { id: string } | null | undefined;
/** The few fields of a Stripe event the ledger reads. Stripe sends many more; they are ignored. */
export type LedgerEvent = {
  id: string;
  type: string;
  created: number;
  api_version?: string | null;
  data: { object: Record<string, unknown> };
};

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

export const idOf = (ref: unknown): string | null =>
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

/** The payment intent reference (id or expanded object) of an invoice when the event carries its payments. */
function invoiceIntentRef(invoice: Record<string, unknown>): unknown {
  const payments = invoice.payments as
    | { data?: { payment?: { payment_intent?: unknown }; status?: string }[] }
    | undefined;
  const paid = payments?.data?.find((p) => p.status === "paid") ?? payments?.data?.[0];
  return paid?.payment?.payment_intent ?? null;
}

/** The payment intent of an invoice when the event carries its payments (it usually does not). */
export function invoicePaymentIntentId(invoice: Record<string, unknown>): string | null {
  return idOf(invoiceIntentRef(invoice));
}

/**
 * The balance transaction of a payment intent's charge, when the reference is an expanded
 * payment intent (`latest_charge.balance_transaction`): the object, `null` when the charge has
 * none yet (Stripe has not settled it), `undefined` when the reference does not say.
 */
export function intentBalance(intent: unknown): Json | null | undefined {
  if (!isObject(intent) || !isObject(intent.latest_charge)) return undefined;
  const charge = intent.latest_charge;
  if (charge.status !== "succeeded") return null;
  return isObject(charge.balance_transaction) ? charge.balance_transaction : null;
}

/** A balance transaction object (as Stripe sends it) as a ledger effect; null when it is not one. */
export function balanceEffect(bt: unknown, use: BalanceUse, paymentIntentId: string): LedgerEffect | null {
  if (!isObject(bt) || typeof bt.id !== "string") return null;
  const { amount, fee, net, created } = bt;
  if (typeof amount !== "number" || typeof fee !== "number" || typeof net !== "number") return null;
  const source = idOf(bt.source);
  if (!source) return null;
  return {
    kind: "balance",
    id: bt.id,
    use,
    source,
    paymentIntentId,
    type: String(bt.type ?? ""),
    reportingCategory: typeof bt.reporting_category === "string" ? bt.reporting_category : null,
    currency: upper(bt.currency),
    amount,
    fee,
    net,
    exchangeRate: typeof bt.exchange_rate === "number" ? bt.exchange_rate : null,
    created: (typeof created === "number" ? created : 0) * 1000,
  };
}

const SUBSCRIPTION_STATUS: Record<string, PledgeStatus | undefined> = {
  active: "active",
  trialing: "active",
  past_due: "past_due",
  unpaid: "past_due",
  canceled: "canceled",
  incomplete_expired: "expired",
};

// ─── What an event needs from Stripe ─────────────────────────────────────────────────────────────

/**
 * What an event needs from Stripe beyond its payload. Webhooks name related objects by id only:
 * a payment's balance transaction sits behind its payment intent's charge; an invoice's payment
 * intent behind its invoice payments; a refund's balance transactions behind their ids.
 * Payloads that carry expanded objects need nothing.
 */
export type Needs = {
  /** List this invoice's payments to learn its payment intent. */
  invoice?: string;
  /** Retrieve this payment intent with `latest_charge.balance_transaction` expanded. */
  paymentIntent?: string;
  /** Retrieve these balance transactions. */
  balanceTransactions?: string[];
  /** List every refund of this charge (with their balance transactions expanded). */
  chargeRefunds?: string;
};

/** What was learned from Stripe for an event (see `Needs`). */
export type Lookups = {
  invoicePaymentIntentId?: string | null;
  /** The payment intent with `latest_charge.balance_transaction` expanded. */
  paymentIntent?: Json | null;
  balanceTransactions?: Json[];
  chargeRefunds?: Json[];
};

const sessionPaid = (o: Json) => o.payment_status === "paid" || o.payment_status === "no_payment_required";

/** Balance transaction ids a refund names but does not carry expanded. */
const refundBalanceIds = (refund: Json) =>
  [refund.balance_transaction, refund.failure_balance_transaction].filter((r): r is string => typeof r === "string");

/** What `event` needs from Stripe before its effects can be written (nothing for most events). */
export function needsOf(event: LedgerEvent): Needs {
  const o = event.data.object;
  switch (event.type) {
    case "checkout.session.completed":
    case "checkout.session.async_payment_succeeded": {
      const intent = o.payment_intent;
      if (o.mode !== "payment" || !sessionPaid(o) || !idOf(intent)) return {};
      return intentBalance(intent) === undefined ? { paymentIntent: idOf(intent) as string } : {};
    }
    case "invoice.paid": {
      if (!invoicePledgeId(o) || typeof o.amount_paid !== "number" || o.amount_paid <= 0) return {};
      const ref = invoiceIntentRef(o);
      if (!idOf(ref)) return typeof o.id === "string" ? { invoice: o.id } : {};
      return intentBalance(ref) === undefined ? { paymentIntent: idOf(ref) as string } : {};
    }
    case "charge.updated": {
      const bt = o.balance_transaction;
      return typeof bt === "string" && idOf(o.payment_intent) && o.status === "succeeded"
        ? { balanceTransactions: [bt] }
        : {};
    }
    case "refund.created":
    case "refund.updated":
    case "refund.failed": {
      const ids = refundBalanceIds(o);
      return ids.length ? { balanceTransactions: ids } : {};
    }
    case "charge.refunded":
      return typeof o.id === "string" && idOf(o.payment_intent) ? { chargeRefunds: o.id } : {};
    default:
      return {};
  }
}

// ─── Effects ─────────────────────────────────────────────────────────────────────────────────────

/** A refund object as effects: its row, and its balance transactions (embedded or looked up). */
export function refundEffects(refund: Json, eventCreated: number, fetched: Json[]): LedgerEffect[] {
  const id = typeof refund.id === "string" ? refund.id : null;
  const chargeId = idOf(refund.charge);
  const paymentIntentId = idOf(refund.payment_intent);
  const status = refund.status as RefundStatus;
  if (!id || !chargeId || !paymentIntentId || typeof refund.amount !== "number") return [];
  if (!(REFUND_STATUSES as readonly string[]).includes(status)) return [];
  const effects: LedgerEffect[] = [
    {
      kind: "refund",
      id,
      chargeId,
      paymentIntentId,
      currency: upper(refund.currency),
      amount: refund.amount,
      status,
      key: refundKey(status, eventCreated),
      createdAt: (typeof refund.created === "number" ? refund.created : eventCreated) * 1000,
      at: eventCreated * 1000,
    },
  ];
  for (const ref of [refund.balance_transaction, refund.failure_balance_transaction]) {
    const bt = isObject(ref) ? ref : fetched.find((b) => b.id === ref);
    const effect = balanceEffect(bt, "refund", paymentIntentId);
    if (effect) effects.push(effect);
  }
  return effects;
}

/** A dispute object as effects: its row (status, phase, ordering key) and its embedded balance transactions. */
export function disputeEffects(o: Json, eventCreated: number): LedgerEffect[] {
  const paymentIntentId = idOf(o.payment_intent);
  const chargeId = idOf(o.charge);
  if (!paymentIntentId || !chargeId || typeof o.amount !== "number" || typeof o.id !== "string") return [];
  const s = String(o.status);
  const balances = Array.isArray(o.balance_transactions) ? o.balance_transactions : [];
  return [
    {
      kind: "dispute",
      id: o.id,
      chargeId,
      paymentIntentId,
      currency: upper(o.currency),
      amount: o.amount,
      status: s,
      phase: disputePhase(s),
      key: disputeKey(s, eventCreated),
      createdAt: (typeof o.created === "number" ? o.created : eventCreated) * 1000,
      at: eventCreated * 1000,
    },
    ...balances.flatMap((bt) => {
      const effect = balanceEffect(bt, "dispute", paymentIntentId);
      return effect ? [effect] : [];
    }),
  ];
}

/** The payment's balance transaction, as an effect, when Stripe has settled its charge. */
function paymentBalanceEffects(intentRef: unknown, lookups: Lookups, paymentIntentId: string): LedgerEffect[] {
  const fromPayload = intentBalance(intentRef);
  const bt = fromPayload !== undefined ? fromPayload : intentBalance(lookups.paymentIntent);
  const effect = bt ? balanceEffect(bt, "payment", paymentIntentId) : null;
  return effect ? [effect] : [];
}

/**
 * The effects of one event. `lookups` holds what `needsOf` asked Stripe for (the caller asks
 * before calling this). Pure: the same event and lookups always give the same effects.
 */
export function effectsOf(event: LedgerEvent, lookups: Lookups = {}): LedgerEffect[] {
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
      const paid = sessionPaid(o);
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
        effects.push(
          {
            kind: "payment",
            id: paymentIntentId,
            pledgeId,
            amount: o.amount_total,
            currency: upper(o.currency),
            paymentIntentId,
            paidAt: at,
          },
          ...paymentBalanceEffects(o.payment_intent, lookups, paymentIntentId),
        );
      }
      return effects;
    }
    case "checkout.session.async_payment_failed":
      return status(pledgeIdFrom(o.metadata as Metadata) ?? (o.client_reference_id as string | null), "failed");
    case "checkout.session.expired":
      return status(pledgeIdFrom(o.metadata as Metadata) ?? (o.client_reference_id as string | null), "expired");
    case "invoice.paid": {
      const pledgeId = invoicePledgeId(o);
      // A zero invoice (a trial, a 100% coupon) keeps the supporter active but moves no money.
      if (!pledgeId || typeof o.amount_paid !== "number" || o.amount_paid <= 0) return status(pledgeId, "active");
      const intentRef = invoiceIntentRef(o);
      const paymentIntentId = idOf(intentRef) ?? lookups.invoicePaymentIntentId ?? null;
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
        ...(paymentIntentId ? paymentBalanceEffects(intentRef, lookups, paymentIntentId) : []),
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
    case "charge.updated": {
      // A charge whose balance transaction arrived after the payment (Stripe settles some later).
      const paymentIntentId = idOf(o.payment_intent);
      if (!paymentIntentId || o.status !== "succeeded") return [];
      const ref = o.balance_transaction;
      const bt = isObject(ref) ? ref : lookups.balanceTransactions?.find((b) => b.id === ref);
      const effect = balanceEffect(bt, "payment", paymentIntentId);
      return effect ? [effect] : [];
    }
    case "refund.created":
    case "refund.updated":
    case "refund.failed":
      return refundEffects(o, event.created, lookups.balanceTransactions ?? []);
    case "charge.refunded": {
      // The charge carries only a running total; its refunds, each with its status, come from Stripe.
      if (!lookups.chargeRefunds || typeof o.id !== "string") return [];
      return [
        ...lookups.chargeRefunds.flatMap((refund) => refundEffects(refund, event.created, [])),
        { kind: "refunds_listed", chargeId: o.id },
      ];
    }
    case "charge.dispute.created":
    case "charge.dispute.updated":
    case "charge.dispute.closed":
    case "charge.dispute.funds_withdrawn":
    case "charge.dispute.funds_reinstated":
      return disputeEffects(o, event.created);
    default:
      return [];
  }
}

/**
 * Event types the webhook endpoint must be subscribed to: `npm run stripe:setup` subscribes to
 * exactly these, and reconciliation replays exactly these (Stripe lists at most 20 types at once).
 */
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
  "charge.updated",
  "charge.refunded",
  "refund.created",
  "refund.updated",
  "refund.failed",
  "charge.dispute.created",
  "charge.dispute.updated",
  "charge.dispute.closed",
  "charge.dispute.funds_withdrawn",
  "charge.dispute.funds_reinstated",
] as const;

/** Whether the ledger reads events of this type. */
export const isHandledEventType = (type: string): boolean => (HANDLED_EVENT_TYPES as readonly string[]).includes(type);
