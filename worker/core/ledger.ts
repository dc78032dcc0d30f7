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
      /** The frequency the subscription had when it billed this invoice (after a switch); else the pledge's. */
      frequency?: "monthly" | "annual";
    }
  /** A subscription's current terms, as of `key` (newer terms replace older ones, never the reverse). */
  | {
      kind: "terms";
      pledgeId: string;
      key: number;
      /** What each period charges: gift and fee cover. */
      total: number;
      /** The fee cover within `total`, when the subscription's metadata says (else the pledge's stays). */
      feeAmount: number | null;
      frequency: "monthly" | "annual" | null;
      paused: boolean;
      resumesAt: number | null;
      cancelAt: number | null;
    }
  /** One change of recurring support, computed from one subscription event (a row of its own). */
  | ({ kind: "change" } & RecurringChange)
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

export const pledgeIdFrom = (metadata: Metadata): string | null => {
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

// ─── Subscriptions: terms and recurring revenue movements ────────────────────────────────────────

/** Statuses in which a subscription is recurring revenue (unless its collection is paused). */
const COUNTING = new Set(["active", "trialing", "past_due", "unpaid"]);

/** A subscription's terms as one of its objects says them. */
export type SubscriptionTerms = {
  status: string;
  currency: string;
  /** What each period charges, all items together (minor units). */
  total: number;
  frequency: "monthly" | "annual" | null;
  /** Sums of the monthly and the annual items' amounts. */
  monthly: number;
  annual: number;
  paused: boolean;
  /** Unix ms. */
  resumesAt: number | null;
  cancelAtPeriodEnd: boolean;
  cancelAt: number | null;
  metadata: Record<string, string>;
  cancellation: { feedback: string | null; comment: string | null };
};

/** Reads a subscription object's terms (absent or odd fields read as nothing). */
export function subscriptionTerms(sub: Json): SubscriptionTerms {
  const items = (isObject(sub.items) && Array.isArray(sub.items.data) ? sub.items.data : []) as Json[];
  let monthly = 0;
  let annual = 0;
  for (const item of items) {
    const price = isObject(item.price) ? item.price : {};
    const amount = (typeof price.unit_amount === "number" ? price.unit_amount : 0) * (Number(item.quantity) || 1);
    const interval = isObject(price.recurring) ? price.recurring.interval : null;
    if (interval === "year") annual += amount;
    else if (interval === "month") monthly += amount;
  }
  const pause = isObject(sub.pause_collection) ? sub.pause_collection : null;
  const details = isObject(sub.cancellation_details) ? sub.cancellation_details : {};
  const metadata = isObject(sub.metadata) ? (sub.metadata as Record<string, string>) : {};
  const seconds = (v: unknown) => (typeof v === "number" ? v * 1000 : null);
  return {
    status: String(sub.status ?? ""),
    currency: upper(sub.currency),
    total: monthly + annual,
    frequency: annual > 0 && monthly === 0 ? "annual" : monthly > 0 && annual === 0 ? "monthly" : null,
    monthly,
    annual,
    paused: pause !== null || sub.status === "paused",
    resumesAt: seconds(pause?.resumes_at),
    cancelAtPeriodEnd: sub.cancel_at_period_end === true,
    cancelAt: sub.cancel_at_period_end === true || typeof sub.cancel_at === "number" ? seconds(sub.cancel_at) : null,
    metadata,
    cancellation: {
      feedback: typeof details.feedback === "string" ? details.feedback : null,
      comment: typeof details.comment === "string" ? details.comment : null,
    },
  };
}

/** Whether these terms are recurring revenue now. */
export const isRecurringRevenue = (t: SubscriptionTerms) => COUNTING.has(t.status) && !t.paused;

/**
 * The object as it was before an update: Stripe's `previous_attributes` hold the previous values of
 * what changed (a nested object only its changed keys, a list whole), laid over the object.
 */
export function beforeUpdate(object: Json, previous: Json): Json {
  const out: Json = { ...object };
  for (const [key, value] of Object.entries(previous)) {
    const now = object[key];
    out[key] = isObject(value) && isObject(now) && !("data" in value) ? beforeUpdate(now, value) : value;
  }
  return out;
}

export const CHANGES = [
  "started",
  "amount",
  "frequency",
  "paused",
  "resumed",
  "cancel_requested",
  "cancel_withdrawn",
  "ended",
] as const;
export type ChangeKind = (typeof CHANGES)[number];
export const MOVEMENTS = ["new", "expansion", "contraction", "paused", "resumed", "churned"] as const;
export type Movement = (typeof MOVEMENTS)[number];
export const SAVE_OFFER_OUTCOMES = ["declined", "accepted_reduce", "accepted_pause"] as const;
export type SaveOfferOutcome = (typeof SAVE_OFFER_OUTCOMES)[number];

/** The subscription metadata key where /manage writes the save offer's outcome (`<outcome>:<unix ms>`). */
export const SAVE_OFFER_KEY = "rs_save_offer";
/** The subscription metadata key where /manage writes when it changed the terms (unix ms; orders same-second events). */
export const REVISION_KEY = "rs_rev";

/** One change of recurring support, as `recurring_changes` keeps it. */
export type RecurringChange = {
  eventId: string;
  pledgeId: string;
  currency: string;
  at: number;
  /** UTC `YYYY-MM` of `at`. */
  month: string;
  change: ChangeKind;
  movement: Movement | null;
  monthlyDelta: number;
  annualDelta: number;
  fromAmount: number | null;
  toAmount: number | null;
  fromFrequency: string | null;
  toFrequency: string | null;
  reason: string | null;
  comment: string | null;
  saveOffer: SaveOfferOutcome | null;
};

const saveOfferOf = (metadata: Record<string, string>): SaveOfferOutcome | null => {
  const outcome = metadata[SAVE_OFFER_KEY]?.split(":")[0];
  return (SAVE_OFFER_OUTCOMES as readonly string[]).includes(outcome ?? "") ? (outcome as SaveOfferOutcome) : null;
};

/** The UTC month (`YYYY-MM`) of a unix ms time. */
export const monthOf = (ms: number) => new Date(ms).toISOString().slice(0, 7);

/**
 * What one subscription event changed, or null when it changed nothing the staff view shows (a
 * renewal, a retry). Pure: the row depends on the event alone — the object and, for an update,
 * Stripe's `previous_attributes` — so events may arrive in any order.
 */
export function recurringChangeOf(
  event: LedgerEvent & { data: { previous_attributes?: Json } },
  pledgeId: string,
): RecurringChange | null {
  const after = subscriptionTerms(event.data.object);
  // Ordered within the event's second by /manage's revision; an ending comes after every change of its second.
  const at =
    event.type === "customer.subscription.deleted" ? event.created * 1000 + 999 : termsKey(event, after.metadata);
  const row = (
    change: ChangeKind,
    movement: Movement | null,
    before: SubscriptionTerms | null,
    delta: { monthly: number; annual: number },
  ): RecurringChange => ({
    eventId: event.id,
    pledgeId,
    currency: after.currency,
    at,
    month: monthOf(at),
    change,
    movement,
    monthlyDelta: delta.monthly,
    annualDelta: delta.annual,
    fromAmount: before ? before.total : null,
    toAmount: change === "ended" ? null : after.total,
    fromFrequency: before ? before.frequency : null,
    toFrequency: change === "ended" ? null : after.frequency,
    reason: change === "cancel_requested" || change === "ended" ? after.cancellation.feedback : null,
    comment: change === "cancel_requested" || change === "ended" ? after.cancellation.comment : null,
    // Only the event that wrote the outcome carries it (a later renewal still has it in its metadata).
    saveOffer:
      before && before.metadata[SAVE_OFFER_KEY] === after.metadata[SAVE_OFFER_KEY] ? null : saveOfferOf(after.metadata),
  });
  const revenue = (t: SubscriptionTerms) =>
    isRecurringRevenue(t) ? { monthly: t.monthly, annual: t.annual } : { monthly: 0, annual: 0 };
  const minus = (t: SubscriptionTerms) => ({ monthly: 0 - revenue(t).monthly, annual: 0 - revenue(t).annual });

  if (event.type === "customer.subscription.created") {
    return isRecurringRevenue(after) ? row("started", "new", null, revenue(after)) : null;
  }
  if (event.type === "customer.subscription.deleted") {
    // The object is the ended subscription; before it ended it was revenue unless paused.
    const before = { ...after, status: "active" };
    return row("ended", "churned", before, minus(before));
  }
  if (event.type !== "customer.subscription.updated") return null;
  const previous = isObject(event.data.previous_attributes) ? event.data.previous_attributes : {};
  const before = subscriptionTerms(beforeUpdate(event.data.object, previous));
  const was = isRecurringRevenue(before);
  const is = isRecurringRevenue(after);
  const delta = {
    monthly: revenue(after).monthly - revenue(before).monthly,
    annual: revenue(after).annual - revenue(before).annual,
  };
  if (!was && is) {
    if (before.paused) return row("resumed", "resumed", before, delta);
    if (before.status === "incomplete") return row("started", "new", before, delta);
    return row("resumed", "resumed", before, delta);
  }
  if (was && !is) {
    if (after.paused) return row("paused", "paused", before, delta);
    return row("ended", "churned", before, delta);
  }
  if (!was && !is && before.paused !== after.paused) {
    return row(after.paused ? "paused" : "resumed", null, before, delta);
  }
  if (before.total !== after.total || before.frequency !== after.frequency) {
    const twelfths = 12 * delta.monthly + delta.annual;
    const movement = twelfths > 0 ? "expansion" : twelfths < 0 ? "contraction" : null;
    return row(before.frequency !== after.frequency ? "frequency" : "amount", movement, before, delta);
  }
  if (!before.cancelAtPeriodEnd && after.cancelAtPeriodEnd) return row("cancel_requested", null, before, delta);
  if (before.cancelAtPeriodEnd && !after.cancelAtPeriodEnd) return row("cancel_withdrawn", null, before, delta);
  return null;
}

/**
 * The order of a subscription's terms: the event's time in ms, refined within its second by the
 * time /manage made the change (`rs_rev` in the metadata, when it falls in that second), so two
 * changes of the same second keep their order.
 */
export function termsKey(event: LedgerEvent, metadata: Record<string, string>): number {
  const ms = event.created * 1000;
  const rev = Number(metadata[REVISION_KEY]);
  return Number.isInteger(rev) && rev >= ms && rev < ms + 1000 ? rev : ms;
}

/** A subscription event's terms as an effect. */
function termsEffect(event: LedgerEvent, pledgeId: string): LedgerEffect {
  const t = subscriptionTerms(event.data.object);
  const fee = Number(t.metadata.fee_amount);
  return {
    kind: "terms",
    pledgeId,
    key: termsKey(event, t.metadata),
    total: t.total,
    feeAmount: t.metadata.fee_amount !== undefined && Number.isSafeInteger(fee) && fee >= 0 ? fee : null,
    frequency: t.frequency,
    paused: t.paused,
    resumesAt: t.paused ? t.resumesAt : null,
    cancelAt: t.cancelAt,
  };
}

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
      const parent = o.parent as { subscription_details?: { metadata?: Metadata } | null } | null | undefined;
      const billed = parent?.subscription_details?.metadata?.frequency;
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
          ...(billed === "monthly" || billed === "annual" ? { frequency: billed } : {}),
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
      const change = recurringChangeOf(event, pledgeId);
      return [
        { kind: "link", pledgeId, subscriptionId: String(o.id), customerId: idOf(o.customer) },
        ...(mapped ? status(pledgeId, mapped) : []),
        ...(subscriptionTerms(o).total > 0 ? [termsEffect(event, pledgeId)] : []),
        ...(change ? [{ kind: "change" as const, ...change }] : []),
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
