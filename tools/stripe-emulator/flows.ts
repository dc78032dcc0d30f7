/**
 * What happens over time in a Stripe account: Checkout completing (succeeded, declined,
 * delayed then settled), subscriptions renewing or failing to renew, cancellations,
 * refunds and disputes. Each flow updates the stored objects and emits the events Stripe
 * would, in a realistic order, and returns the ids it touched so callers can chain.
 */
import type { CheckoutRequest } from "./checkout-params.ts";
import { formatAmount } from "./currencies.ts";
import { badState, invalidParam, StripeError } from "./errors.ts";
import { type EventRequest, type EventSink, emitEvent } from "./events.ts";
import { newId } from "./ids.ts";
import {
  addInterval,
  buildBalanceTransaction,
  buildCharge,
  buildCheckoutLineItem,
  buildCheckoutSession,
  buildCustomer,
  buildDiscount,
  buildDispute,
  buildInvoicePayment,
  buildPaymentIntent,
  buildPortalSession,
  buildPrice,
  buildProduct,
  buildRefund,
  buildSubscription,
  buildSubscriptionInvoice,
  buildSubscriptionItem,
  chargeBalanceTransaction,
  customerDetails,
  DISPUTE_FEE,
  type DisputeCase,
  discountOn,
  type PaymentMethodKind,
  type RefundStatus,
} from "./objects.ts";
import { nowSeconds, type Obj } from "./store.ts";
import { renewWhilePaused } from "./subscription-updates.ts";

/** What flows need: state, the webhook queue and the emulator's public URL. */
export interface FlowContext extends EventSink {
  publicUrl: string;
}

/** Ids a flow created or changed, plus the events it emitted (in order). */
export interface FlowResult {
  session?: string;
  customer?: string | null;
  payment_intent?: string | null;
  charge?: string | null;
  subscription?: string | null;
  invoice?: string | null;
  invoice_payment?: string | null;
  refund?: string;
  dispute?: string;
  status?: string;
  events: string[];
}

/** Collects emitted event ids for a flow. */
export class Emitter {
  ids: string[] = [];
  private ctx: FlowContext;
  private request: EventRequest | undefined;
  constructor(ctx: FlowContext, request?: EventRequest) {
    this.ctx = ctx;
    this.request = request;
  }
  emit(type: string, object: Obj, previousAttributes?: Obj): void {
    this.ids.push(emitEvent(this.ctx, type, object, { previousAttributes, request: this.request }).id);
  }
}

export function mustGet(ctx: FlowContext, id: string, objectType: string, kind = objectType): Obj {
  const obj = ctx.store.get(id, objectType);
  if (!obj) throw new StripeError(404, "invalid_request_error", `No such ${kind}: '${id}'`, "id", "resource_missing");
  return obj;
}

// ─── Checkout ────────────────────────────────────────────────────────────────

/** Creates a Checkout Session (with its products, prices and line items). */
export function createCheckoutSession(ctx: FlowContext, req: CheckoutRequest): Obj {
  const now = nowSeconds();
  if (req.customer && !ctx.store.get(req.customer, "customer")) {
    throw new StripeError(
      400,
      "invalid_request_error",
      `No such customer: '${req.customer}'`,
      "customer",
      "resource_missing",
    );
  }
  const coupon = req.coupon ? (ctx.store.get(req.coupon, "coupon") ?? null) : null;
  if (req.coupon && !coupon) {
    throw new StripeError(
      400,
      "invalid_request_error",
      `No such coupon: '${req.coupon}'`,
      "discounts[0][coupon]",
      "resource_missing",
    );
  }
  if (coupon?.currency && coupon.currency !== req.currency) {
    throw invalidParam("discounts[0][coupon]", `The coupon is in ${coupon.currency}, the session in ${req.currency}.`);
  }
  if (req.trialPeriodDays && req.mode !== "subscription") {
    throw invalidParam("subscription_data[trial_period_days]", "Trials only exist in `subscription` mode.");
  }
  const amountTotal = req.trialPeriodDays ? 0 : req.amountTotal - (coupon ? discountOn(req.amountTotal, coupon) : 0);
  const lineItems = req.items.map((item) => {
    const product = ctx.store.put(
      buildProduct(now, { name: item.name, description: item.description, metadata: item.productMetadata }),
    );
    const price = ctx.store.put(
      buildPrice(now, {
        currency: item.currency,
        unitAmount: item.unitAmount,
        product: product.id,
        interval: item.interval,
        intervalCount: item.intervalCount,
      }),
    );
    return buildCheckoutLineItem(price, item.name, item.quantity);
  });
  const id = newId("cs");
  const session = buildCheckoutSession(now, {
    id,
    mode: req.mode,
    currency: req.currency,
    amountSubtotal: req.amountTotal,
    amountTotal,
    coupon: coupon?.id ?? null,
    successUrl: req.successUrl,
    cancelUrl: req.cancelUrl,
    customer: req.customer,
    customerEmail: req.customerEmail,
    customerCreation: req.mode === "payment" ? (req.customerCreation ?? "if_required") : null,
    clientReferenceId: req.clientReferenceId,
    locale: req.locale,
    metadata: req.metadata,
    paymentMethodTypes: req.paymentMethodTypes,
    submitType: req.submitType,
    expiresAt: req.expiresAt,
    url: `${ctx.publicUrl}/c/pay/${id}`,
  });
  ctx.store.sessionInternals.set(id, {
    lineItems,
    paymentIntentMetadata: req.paymentIntentMetadata,
    paymentIntentDescription: req.paymentIntentDescription,
    subscriptionMetadata: req.subscriptionMetadata,
    subscriptionDescription: req.subscriptionDescription,
    customerCreation: req.customerCreation,
    trialPeriodDays: req.trialPeriodDays,
    coupon,
  });
  return ctx.store.put(session);
}

/** Line items of a session (`object: 'item'`). */
export function sessionLineItems(ctx: FlowContext, sessionId: string): Obj[] {
  mustGet(ctx, sessionId, "checkout.session");
  return ctx.store.sessionInternals.get(sessionId)?.lineItems ?? [];
}

/** `POST /v1/checkout/sessions/{id}/expire`. */
export function expireSession(ctx: FlowContext, sessionId: string, request?: EventRequest): FlowResult {
  const session = mustGet(ctx, sessionId, "checkout.session");
  if (session.status !== "open") {
    throw badState(
      `Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of "${session.status}".`,
    );
  }
  const ev = new Emitter(ctx, request);
  session.status = "expired";
  session.url = null;
  ev.emit("checkout.session.expired", session);
  return { session: session.id, status: "expired", events: ev.ids };
}

function requireOpen(session: Obj): void {
  if (session.status !== "open") {
    throw badState(`This Checkout Session is no longer open (status: ${session.status}).`, "checkout_session_not_open");
  }
}

/** Finds or creates the session's customer (emitting `customer.created`). */
function ensureCustomer(ctx: FlowContext, ev: Emitter, session: Obj, email: string | null): Obj {
  if (session.customer) return mustGet(ctx, session.customer, "customer");
  const customer = ctx.store.put(buildCustomer(nowSeconds(), email));
  session.customer = customer.id;
  ev.emit("customer.created", customer);
  return customer;
}

function declineError(kind: PaymentMethodKind, charge: Obj | null, paymentMethod: string): Obj {
  return {
    charge: charge?.id ?? null,
    code: kind === "card" ? "card_declined" : "insufficient_funds",
    decline_code: kind === "card" ? "generic_decline" : undefined,
    doc_url: `https://stripe.com/docs/error-codes/${kind === "card" ? "card-declined" : "insufficient-funds"}`,
    message:
      kind === "card"
        ? "Your card was declined."
        : "The customer’s account has insufficient funds to cover this payment.",
    payment_method: { id: paymentMethod, object: "payment_method", type: kind },
    type: kind === "card" ? "card_error" : "invalid_request_error",
  };
}

/**
 * Marks a PI + charge succeeded, with its balance transaction (amount less Stripe's fee) unless
 * Stripe settles this payment's balance later (`balance_transaction: "later"`).
 */
function settleSucceeded(ctx: FlowContext, pi: Obj, charge: Obj): void {
  const now = nowSeconds();
  charge.status = "succeeded";
  charge.paid = true;
  charge.captured = true;
  charge.amount_captured = charge.amount;
  charge.outcome.network_status = "approved_by_network";
  charge.outcome.seller_message = "Payment complete.";
  charge.outcome.type = "authorized";
  if (!ctx.store.deferredBalance.has(pi.id)) {
    const bt = ctx.store.put(chargeBalanceTransaction(now, charge));
    charge.balance_transaction = bt.id;
  }
  pi.status = "succeeded";
  pi.amount_received = pi.amount;
  pi.latest_charge = charge.id;
  pi.processing = null;
  pi.last_payment_error = null;
}

/** Marks a PI + charge failed. */
function settleFailed(pi: Obj, charge: Obj, kind: PaymentMethodKind): void {
  charge.status = "failed";
  charge.paid = false;
  charge.captured = false;
  charge.amount_captured = 0;
  charge.failure_code = kind === "card" ? "card_declined" : "insufficient_funds";
  charge.failure_message =
    kind === "card"
      ? "Your card was declined."
      : "The customer’s account has insufficient funds to cover this payment.";
  charge.outcome.network_status = "declined_by_network";
  charge.outcome.type = "issuer_declined";
  charge.outcome.reason = "generic_decline";
  pi.status = "requires_payment_method";
  pi.processing = null;
  pi.latest_charge = charge.id;
  pi.payment_method = null;
  pi.last_payment_error = declineError(kind, charge, charge.payment_method);
}

/** A charge attempt on a PI: succeeded, pending (delayed method) or failed. */
export function attemptPayment(
  ctx: FlowContext,
  pi: Obj,
  p: { email: string | null; kind: PaymentMethodKind; result: "succeeded" | "pending" | "failed" },
): Obj {
  const paymentMethod = newId("pm");
  const charge = ctx.store.put(
    buildCharge(nowSeconds(), { paymentIntent: pi, email: p.email, status: "pending", kind: p.kind, paymentMethod }),
  );
  pi.payment_method = paymentMethod;
  pi.payment_method_types = [p.kind];
  pi.latest_charge = charge.id;
  if (p.result === "succeeded") settleSucceeded(ctx, pi, charge);
  else if (p.result === "failed") settleFailed(pi, charge, p.kind);
  else {
    pi.status = "processing";
    pi.processing = p.kind === "card" ? { card: {}, type: "card" } : { type: p.kind };
  }
  return charge;
}

function emailFor(session: Obj, email: string | undefined, customer: Obj | null): string {
  return email || session.customer_details?.email || session.customer_email || customer?.email || "reader@example.com";
}

function completeSession(session: Obj, email: string, paid: boolean): void {
  session.status = "complete";
  session.payment_status = paid ? (session.amount_total === 0 ? "no_payment_required" : "paid") : "unpaid";
  session.customer_details = customerDetails(email);
  session.collected_information = { business_name: null, individual_name: null, shipping_details: null };
  session.url = null;
}

/** Outcome of paying on the hosted page (or via the test control). */
export type CheckoutOutcome = "succeeded" | "declined" | "delayed";

/**
 * Completes (or fails to complete) a Checkout Session as the customer paying would.
 * `deferBalance`: Stripe settles the payment's balance transaction later (the charge has none
 * until `POST /_test/charges/{id}/balance_transaction`, which emits `charge.updated`).
 */
export function completeCheckout(
  ctx: FlowContext,
  sessionId: string,
  outcome: CheckoutOutcome,
  emailInput?: string,
  options: { deferBalance?: boolean } = {},
): FlowResult {
  const session = mustGet(ctx, sessionId, "checkout.session");
  requireOpen(session);
  if (session.expires_at <= nowSeconds()) {
    expireSession(ctx, sessionId);
    throw badState("This Checkout Session has expired.", "checkout_session_expired");
  }
  const internals = ctx.store.sessionInternals.get(sessionId) as unknown as Obj;
  const ev = new Emitter(ctx);
  const existingCustomer = session.customer ? mustGet(ctx, session.customer, "customer") : null;
  const email = emailFor(session, emailInput, existingCustomer);
  const kind: PaymentMethodKind = outcome === "delayed" ? "sepa_debit" : "card";

  if (outcome === "declined") {
    // Checkout keeps the session open so the customer can try another card. In payment mode
    // the PaymentIntent exists once a payment was attempted; in subscription mode nothing is
    // created before a payment succeeds, so nothing is emitted.
    if (session.mode !== "payment") return { session: session.id, status: "open", payment_intent: null, events: [] };
    let pi = session.payment_intent ? mustGet(ctx, session.payment_intent, "payment_intent") : null;
    if (!pi) {
      pi = ctx.store.put(
        buildPaymentIntent(nowSeconds(), {
          amount: session.amount_total,
          currency: session.currency,
          customer: session.customer,
          metadata: { ...internals.paymentIntentMetadata },
          description: internals.paymentIntentDescription ?? null,
          paymentMethodTypes: session.payment_method_types,
        }),
      );
      session.payment_intent = pi.id;
    }
    const charge = attemptPayment(ctx, pi, { email, kind: "card", result: "failed" });
    ev.emit("payment_intent.payment_failed", pi);
    return { session: session.id, status: "open", payment_intent: pi.id, charge: charge.id, events: ev.ids };
  }

  if (session.mode === "payment" && session.amount_total === 0) {
    // A 100% coupon: nothing to pay, no payment intent, `no_payment_required`.
    if (outcome !== "succeeded") throw badState("This Checkout Session has nothing to pay.");
    let customer = existingCustomer;
    if (!customer && internals.customerCreation === "always") customer = ensureCustomer(ctx, ev, session, email);
    completeSession(session, email, true);
    ev.emit("checkout.session.completed", session);
    return { session: session.id, status: session.status, customer: customer?.id ?? null, events: ev.ids };
  }

  if (session.mode === "payment") {
    let customer = existingCustomer;
    if (!customer && internals.customerCreation === "always") customer = ensureCustomer(ctx, ev, session, email);
    let pi = session.payment_intent ? mustGet(ctx, session.payment_intent, "payment_intent") : null;
    if (!pi) {
      pi = ctx.store.put(
        buildPaymentIntent(nowSeconds(), {
          amount: session.amount_total,
          currency: session.currency,
          customer: customer?.id ?? null,
          metadata: { ...internals.paymentIntentMetadata },
          description: internals.paymentIntentDescription ?? null,
          paymentMethodTypes: session.payment_method_types,
        }),
      );
      session.payment_intent = pi.id;
    }
    pi.customer = customer?.id ?? null;
    if (options.deferBalance) ctx.store.deferredBalance.add(pi.id);
    const charge = attemptPayment(ctx, pi, { email, kind, result: outcome === "delayed" ? "pending" : "succeeded" });
    completeSession(session, email, outcome === "succeeded");
    if (outcome === "succeeded") {
      ev.emit("payment_intent.succeeded", pi);
      ev.emit("charge.succeeded", charge);
    }
    ev.emit("checkout.session.completed", session);
    return {
      session: session.id,
      status: session.status,
      customer: customer?.id ?? null,
      payment_intent: pi.id,
      charge: charge.id,
      events: ev.ids,
    };
  }

  // Subscription mode.
  const customer = ensureCustomer(ctx, ev, session, email);
  const now = nowSeconds();
  const subId = newId("sub");
  const lineItems = internals.lineItems as Obj[];
  const first = lineItems[0]?.price.recurring;
  const trialDays = internals.trialPeriodDays as number | null;
  const trialEnd = trialDays ? now + trialDays * 86_400 : null;
  const periodEnd = trialEnd ?? addInterval(now, first.interval, first.interval_count);
  const items = lineItems.map((li) => buildSubscriptionItem(now, subId, li.price, li.quantity, periodEnd));
  const sub = ctx.store.put(
    buildSubscription(now, {
      id: subId,
      customer: customer.id,
      currency: session.currency,
      metadata: { ...internals.subscriptionMetadata },
      description: internals.subscriptionDescription ?? null,
      paymentMethod: newId("pm"),
      items,
    }),
  );
  if (trialEnd) {
    sub.status = "trialing";
    sub.trial_start = now;
    sub.trial_end = trialEnd;
  }
  if (internals.coupon) {
    const discount = buildDiscount(now, { coupon: internals.coupon, customer: customer.id, subscription: sub.id });
    sub.discounts = [discount.id];
    ctx.store.subscriptionDiscounts.set(sub.id, { discount, used: false });
  }
  const invoice = createInvoice(ctx, sub, customer, "subscription_create", {
    periodStart: now,
    periodEnd: now,
    linePeriod: { start: now, end: periodEnd },
    trial: Boolean(trialEnd),
  });
  sub.latest_invoice = invoice.id;
  session.subscription = sub.id;
  session.invoice = invoice.id;
  ev.emit("customer.subscription.created", sub);
  ev.emit("invoice.created", invoice);
  finalizeInvoice(ctx, invoice, customer);
  ev.emit("invoice.finalized", invoice);

  let pi: Obj | null = null;
  let charge: Obj | null = null;
  let invoicePayment: Obj | null = null;
  if (invoice.amount_due > 0) {
    pi = ctx.store.put(
      buildPaymentIntent(now, {
        amount: invoice.amount_due,
        currency: invoice.currency,
        customer: customer.id,
        metadata: {},
        description: "Subscription creation",
        paymentMethodTypes: [kind],
      }),
    );
    invoicePayment = ctx.store.put(buildInvoicePayment(now, invoice, pi.id));
    if (options.deferBalance) ctx.store.deferredBalance.add(pi.id);
    charge = attemptPayment(ctx, pi, { email, kind, result: outcome === "delayed" ? "pending" : "succeeded" });
    invoice.attempted = true;
    invoice.attempt_count = 1;
  }
  if (outcome === "succeeded") {
    markInvoicePaid(invoice, invoicePayment);
    ev.emit("invoice.paid", invoice);
    ev.emit("invoice.payment_succeeded", invoice);
    if (pi && charge) {
      ev.emit("payment_intent.succeeded", pi);
      ev.emit("charge.succeeded", charge);
    }
  }
  completeSession(session, email, outcome === "succeeded");
  ev.emit("checkout.session.completed", session);
  return {
    session: session.id,
    status: session.status,
    customer: customer.id,
    subscription: sub.id,
    invoice: invoice.id,
    invoice_payment: invoicePayment?.id ?? null,
    payment_intent: pi?.id ?? null,
    charge: charge?.id ?? null,
    events: ev.ids,
  };
}

/** Settles a delayed payment (`complete` session with `payment_status: unpaid`). */
export function settleCheckout(ctx: FlowContext, sessionId: string, outcome: "succeeded" | "failed"): FlowResult {
  const session = mustGet(ctx, sessionId, "checkout.session");
  if (session.status !== "complete" || session.payment_status !== "unpaid") {
    throw badState(
      `Only a completed Checkout Session awaiting a delayed payment can be settled (status: ${session.status}, payment_status: ${session.payment_status}).`,
    );
  }
  const ev = new Emitter(ctx);
  const invoice = session.invoice ? mustGet(ctx, session.invoice, "invoice") : null;
  const piId = session.payment_intent ?? (invoice ? findInvoicePayment(ctx, invoice.id)?.payment.payment_intent : null);
  const pi = piId ? mustGet(ctx, piId, "payment_intent") : null;
  if (pi?.status !== "processing") throw badState("This Checkout Session has no processing payment to settle.");
  const charge = mustGet(ctx, pi.latest_charge, "charge");
  const invoicePayment = invoice ? findInvoicePayment(ctx, invoice.id) : null;
  if (outcome === "succeeded") {
    settleSucceeded(ctx, pi, charge);
    if (invoice) {
      markInvoicePaid(invoice, invoicePayment ?? null);
      ev.emit("invoice.paid", invoice);
      ev.emit("invoice.payment_succeeded", invoice);
    }
    ev.emit("payment_intent.succeeded", pi);
    ev.emit("charge.succeeded", charge);
    session.payment_status = "paid";
    ev.emit("checkout.session.async_payment_succeeded", session);
  } else {
    settleFailed(pi, charge, "sepa_debit");
    ev.emit("payment_intent.payment_failed", pi);
    if (invoice) {
      invoice.next_payment_attempt = nowSeconds() + 3 * 86_400;
      ev.emit("invoice.payment_failed", invoice);
      const sub = mustGet(ctx, session.subscription, "subscription");
      const previous = sub.status;
      sub.status = "past_due";
      ev.emit("customer.subscription.updated", sub, { status: previous });
    }
    ev.emit("checkout.session.async_payment_failed", session);
  }
  return {
    session: session.id,
    status: session.payment_status,
    payment_intent: pi.id,
    charge: charge.id,
    subscription: session.subscription,
    invoice: invoice?.id ?? null,
    events: ev.ids,
  };
}

// ─── Invoices and subscriptions ──────────────────────────────────────────────

function productName(ctx: FlowContext, productId: string): string {
  return ctx.store.get(productId, "product")?.name ?? "Support";
}

/** The discount that applies to a subscription's next invoice: once (first invoice), for some months, or forever. */
function discountFor(ctx: FlowContext, sub: Obj, trial: boolean): Obj | null {
  const entry = ctx.store.subscriptionDiscounts.get(sub.id);
  if (!entry || trial) return null;
  const coupon = entry.discount.source.coupon;
  if (coupon.duration === "once" && entry.used) return null;
  if (coupon.duration === "repeating" && entry.discount.end !== null && nowSeconds() >= entry.discount.end) return null;
  entry.used = true;
  return entry.discount;
}

export function createInvoice(
  ctx: FlowContext,
  sub: Obj,
  customer: Obj,
  billingReason: "subscription_create" | "subscription_cycle",
  periods: { periodStart: number; periodEnd: number; linePeriod: { start: number; end: number }; trial?: boolean },
): Obj {
  return ctx.store.put(
    buildSubscriptionInvoice(nowSeconds(), {
      sub,
      customer,
      billingReason,
      ...periods,
      discount: discountFor(ctx, sub, periods.trial ?? false),
      productName: (id) => productName(ctx, id),
    }),
  );
}

export function finalizeInvoice(_ctx: FlowContext, invoice: Obj, customer: Obj): void {
  const now = nowSeconds();
  const seq = customer.next_invoice_sequence ?? 1;
  customer.next_invoice_sequence = seq + 1;
  invoice.number = `${customer.invoice_prefix}-${String(seq).padStart(4, "0")}`;
  invoice.status = "open";
  invoice.status_transitions.finalized_at = now;
  invoice.effective_at = now;
  invoice.automatically_finalizes_at = null;
  invoice.webhooks_delivered_at = now;
}

function markInvoicePaid(invoice: Obj, invoicePayment: Obj | null): void {
  const now = nowSeconds();
  invoice.status = "paid";
  invoice.amount_paid = invoice.amount_due;
  invoice.amount_remaining = 0;
  invoice.attempted = true;
  invoice.auto_advance = false;
  invoice.next_payment_attempt = null;
  invoice.status_transitions.paid_at = now;
  if (invoicePayment) {
    invoicePayment.status = "paid";
    invoicePayment.amount_paid = invoicePayment.amount_requested;
    invoicePayment.status_transitions.paid_at = now;
  }
}

export function findInvoicePayment(ctx: FlowContext, invoiceId: string): Obj | undefined {
  return ctx.store.all("invoice_payment").find((p) => p.invoice === invoiceId);
}

function activeSubscription(ctx: FlowContext, subId: string): Obj {
  const sub = mustGet(ctx, subId, "subscription");
  if (sub.status === "canceled" || sub.status === "incomplete_expired") {
    throw badState(`This subscription is ${sub.status}; it can no longer be billed.`);
  }
  return sub;
}

/** Ends a subscription now (`customer.subscription.deleted`). */
function endSubscription(
  _ctx: FlowContext,
  ev: Emitter,
  sub: Obj,
  details: { reason: string; comment?: string | null; feedback?: string | null },
): void {
  const now = nowSeconds();
  sub.status = "canceled";
  sub.canceled_at = sub.canceled_at ?? now;
  sub.ended_at = now;
  sub.cancel_at_period_end = false;
  sub.cancellation_details = {
    comment: details.comment ?? sub.cancellation_details?.comment ?? null,
    feedback: details.feedback ?? sub.cancellation_details?.feedback ?? null,
    reason: details.reason,
  };
  ev.emit("customer.subscription.deleted", sub);
}

/** Advances the subscription's items one period; returns the previous items list. */
export function advancePeriod(sub: Obj): { previousItems: Obj; oldStart: number; oldEnd: number; newEnd: number } {
  const previousItems = structuredClone(sub.items);
  const item = sub.items.data[0];
  const oldStart = item.current_period_start;
  const oldEnd = item.current_period_end;
  const recurring = item.price.recurring;
  const newEnd = addInterval(oldEnd, recurring.interval, recurring.interval_count);
  for (const it of sub.items.data) {
    it.current_period_start = oldEnd;
    it.current_period_end = newEnd;
  }
  return { previousItems, oldStart, oldEnd, newEnd };
}

/** Bills the next period: the invoice is paid (or, if the subscription is `past_due`, its open invoice is retried and paid). */
export function renewSubscription(ctx: FlowContext, subId: string): FlowResult {
  const sub = activeSubscription(ctx, subId);
  const customer = mustGet(ctx, sub.customer, "customer");
  const ev = new Emitter(ctx);
  const email = customer.email;

  const openInvoice = sub.latest_invoice ? ctx.store.get(sub.latest_invoice, "invoice") : undefined;
  if (sub.status === "past_due" && openInvoice && openInvoice.status === "open") {
    // A retry of the failed renewal succeeds.
    const invoicePayment = findInvoicePayment(ctx, openInvoice.id) ?? null;
    const pi = mustGet(ctx, invoicePayment?.payment.payment_intent, "payment_intent");
    const charge = attemptPayment(ctx, pi, { email, kind: "card", result: "succeeded" });
    openInvoice.attempt_count += 1;
    markInvoicePaid(openInvoice, invoicePayment);
    ev.emit("invoice.paid", openInvoice);
    ev.emit("invoice.payment_succeeded", openInvoice);
    ev.emit("payment_intent.succeeded", pi);
    ev.emit("charge.succeeded", charge);
    sub.status = "active";
    ev.emit("customer.subscription.updated", sub, { status: "past_due" });
    return result(sub, openInvoice, invoicePayment, pi, charge, ev);
  }

  if (sub.cancel_at_period_end || (sub.cancel_at && sub.cancel_at <= sub.items.data[0].current_period_end)) {
    endSubscription(ctx, ev, sub, { reason: "cancellation_requested" });
    return { subscription: sub.id, status: sub.status, events: ev.ids };
  }
  // Payment collection paused: the period's invoice is voided (or collection resumes first).
  const paused = renewWhilePaused(ctx, sub, customer, ev);
  if (paused) return paused;

  const { previousItems, oldStart, oldEnd, newEnd } = advancePeriod(sub);
  const previousLatest = sub.latest_invoice;
  // A trial ends at its first renewal: the subscription becomes active and is billed.
  const previousStatus = sub.status;
  if (sub.status === "trialing") sub.status = "active";
  const invoice = createInvoice(ctx, sub, customer, "subscription_cycle", {
    periodStart: oldStart,
    periodEnd: oldEnd,
    linePeriod: { start: oldEnd, end: newEnd },
  });
  sub.latest_invoice = invoice.id;
  ev.emit("customer.subscription.updated", sub, {
    items: previousItems,
    latest_invoice: previousLatest,
    ...(previousStatus !== sub.status ? { status: previousStatus } : {}),
  });
  if (invoice.amount_due === 0) {
    // A coupon took the whole amount: Stripe marks a zero invoice paid with no payment at all.
    ev.emit("invoice.created", invoice);
    finalizeInvoice(ctx, invoice, customer);
    ev.emit("invoice.finalized", invoice);
    markInvoicePaid(invoice, null);
    ev.emit("invoice.paid", invoice);
    ev.emit("invoice.payment_succeeded", invoice);
    return { subscription: sub.id, status: sub.status, invoice: invoice.id, customer: sub.customer, events: ev.ids };
  }
  const { pi, invoicePayment } = issueRenewalInvoice(ctx, invoice, customer, ev);
  const charge = attemptPayment(ctx, pi, { email, kind: "card", result: "succeeded" });
  invoice.attempt_count = 1;
  markInvoicePaid(invoice, invoicePayment);
  ev.emit("invoice.paid", invoice);
  ev.emit("invoice.payment_succeeded", invoice);
  ev.emit("payment_intent.succeeded", pi);
  ev.emit("charge.succeeded", charge);
  return result(sub, invoice, invoicePayment, pi, charge, ev);
}

/** Finalizes a renewal invoice and opens its payment intent and invoice payment, as Stripe's billing run does. */
function issueRenewalInvoice(ctx: FlowContext, invoice: Obj, customer: Obj, ev: Emitter) {
  ev.emit("invoice.created", invoice);
  finalizeInvoice(ctx, invoice, customer);
  ev.emit("invoice.finalized", invoice);
  const pi = ctx.store.put(
    buildPaymentIntent(nowSeconds(), {
      amount: invoice.amount_due,
      currency: invoice.currency,
      customer: customer.id,
      metadata: {},
      description: "Subscription update",
      paymentMethodTypes: ["card"],
    }),
  );
  const invoicePayment = ctx.store.put(buildInvoicePayment(nowSeconds(), invoice, pi.id));
  return { pi, invoicePayment };
}

function result(sub: Obj, invoice: Obj, invoicePayment: Obj | null, pi: Obj, charge: Obj, ev: Emitter): FlowResult {
  return {
    subscription: sub.id,
    status: sub.status,
    invoice: invoice.id,
    invoice_payment: invoicePayment?.id ?? null,
    payment_intent: pi.id,
    charge: charge.id,
    customer: sub.customer,
    events: ev.ids,
  };
}

/** The next period's payment fails: invoice stays open, subscription becomes `past_due`. */
export function failRenewal(ctx: FlowContext, subId: string): FlowResult {
  const sub = activeSubscription(ctx, subId);
  const customer = mustGet(ctx, sub.customer, "customer");
  const ev = new Emitter(ctx);
  const { previousItems, oldStart, oldEnd, newEnd } = advancePeriod(sub);
  const previousLatest = sub.latest_invoice;
  const previousStatus = sub.status;
  const invoice = createInvoice(ctx, sub, customer, "subscription_cycle", {
    periodStart: oldStart,
    periodEnd: oldEnd,
    linePeriod: { start: oldEnd, end: newEnd },
  });
  sub.latest_invoice = invoice.id;
  const { pi, invoicePayment } = issueRenewalInvoice(ctx, invoice, customer, ev);
  const charge = attemptPayment(ctx, pi, { email: customer.email, kind: "card", result: "failed" });
  invoice.attempted = true;
  invoice.attempt_count = 1;
  invoice.next_payment_attempt = nowSeconds() + 3 * 86_400;
  ev.emit("payment_intent.payment_failed", pi);
  ev.emit("invoice.payment_failed", invoice);
  sub.status = "past_due";
  ev.emit("customer.subscription.updated", sub, {
    items: previousItems,
    latest_invoice: previousLatest,
    status: previousStatus,
  });
  return result(sub, invoice, invoicePayment, pi, charge, ev);
}

/** Cancels a subscription immediately (`DELETE /v1/subscriptions/{id}`, the portal's cancel). */
export function cancelSubscription(
  ctx: FlowContext,
  subId: string,
  options: { request?: EventRequest; comment?: string | null; feedback?: string | null } = {},
): Obj {
  const sub = mustGet(ctx, subId, "subscription");
  if (sub.status === "canceled") {
    throw badState(
      "A canceled subscription can only update its cancellation_details and metadata.",
      "resource_already_canceled",
    );
  }
  const ev = new Emitter(ctx, options.request);
  endSubscription(ctx, ev, sub, {
    reason: "cancellation_requested",
    comment: options.comment,
    feedback: options.feedback,
  });
  return sub;
}

// ─── Refunds and disputes ────────────────────────────────────────────────────

function chargeOf(ctx: FlowContext, p: { paymentIntent?: string; charge?: string }): { pi: Obj | null; charge: Obj } {
  if (p.charge) {
    const charge = ctx.store.get(p.charge, "charge");
    if (!charge)
      throw new StripeError(
        400,
        "invalid_request_error",
        `No such charge: '${p.charge}'`,
        "charge",
        "resource_missing",
      );
    return { pi: charge.payment_intent ? (ctx.store.get(charge.payment_intent) ?? null) : null, charge };
  }
  const pi = ctx.store.get(p.paymentIntent ?? "", "payment_intent");
  if (!pi) {
    throw new StripeError(
      400,
      "invalid_request_error",
      `No such payment_intent: '${p.paymentIntent}'`,
      "payment_intent",
      "resource_missing",
    );
  }
  if (pi.status !== "succeeded" || !pi.latest_charge) {
    throw badState(
      `This PaymentIntent (${pi.id}) does not have a successful charge to refund.`,
      "charge_not_refundable",
    );
  }
  return { pi, charge: mustGet(ctx, pi.latest_charge, "charge") };
}

/** The dispute on a charge, if any. */
function disputeOf(ctx: FlowContext, chargeId: string): Obj | undefined {
  return ctx.store.all("dispute").find((d) => d.charge === chargeId);
}

/**
 * Refunds (part of) a payment: `refund.created` then `charge.refunded`, with the refund's balance
 * transaction (its amount out; Stripe keeps the original fee). Card refunds succeed at once;
 * bank debits (SEPA) are refunded asynchronously: `pending` until `POST /_test/refunds/{id}/settle`.
 */
export function refundPayment(
  ctx: FlowContext,
  p: {
    paymentIntent?: string;
    charge?: string;
    amount?: number;
    reason?: string | null;
    metadata?: Obj;
    request?: EventRequest;
    status?: "succeeded" | "pending" | "requires_action";
  },
): FlowResult {
  const { pi, charge } = chargeOf(ctx, p);
  if (charge.status !== "succeeded")
    throw badState(`Charge ${charge.id} has not succeeded; it cannot be refunded.`, "charge_not_refundable");
  const dispute = charge.disputed ? disputeOf(ctx, charge.id) : undefined;
  if (dispute && !dispute.is_charge_refundable) {
    throw badState(`Charge ${charge.id} has been charged back; cannot issue a refund.`, "charge_disputed");
  }
  const remaining = charge.amount - charge.amount_refunded;
  if (remaining <= 0) throw badState(`Charge ${charge.id} has already been refunded.`, "charge_already_refunded");
  const amount = p.amount ?? remaining;
  if (!Number.isInteger(amount) || amount <= 0) {
    throw invalidParam("amount", `Invalid positive integer`, "parameter_invalid_integer");
  }
  if (amount > remaining) {
    throw new StripeError(
      400,
      "invalid_request_error",
      `Refund amount (${formatAmount(amount, charge.currency)}) is greater than unrefunded amount on charge (${formatAmount(remaining, charge.currency)})`,
      "amount",
      "amount_too_large",
    );
  }
  const ev = new Emitter(ctx, p.request);
  const now = nowSeconds();
  const status: RefundStatus =
    p.status ?? (charge.payment_method_details?.type === "sepa_debit" ? "pending" : "succeeded");
  const refund = ctx.store.put(
    buildRefund(now, charge, { amount, reason: p.reason ?? null, metadata: p.metadata ?? {}, status }),
  );
  const bt = ctx.store.put(
    buildBalanceTransaction(now, {
      amount: -amount,
      currency: charge.currency,
      fee: 0,
      type: "refund",
      reportingCategory: "refund",
      source: refund.id,
      description: `REFUND FOR CHARGE (${charge.description ?? charge.id})`,
    }),
  );
  refund.balance_transaction = bt.id;
  const previous = { amount_refunded: charge.amount_refunded, refunded: charge.refunded };
  charge.amount_refunded += amount;
  charge.refunded = charge.amount_refunded === charge.amount;
  ev.emit("refund.created", refund);
  ev.emit("charge.refunded", charge, previous);
  return {
    refund: refund.id,
    charge: charge.id,
    payment_intent: pi?.id ?? null,
    status: refund.status,
    events: ev.ids,
  };
}

/**
 * A refund moves on: a pending one succeeds, fails or is canceled; a succeeded card refund can
 * still fail (the card was closed). Failing or canceling gives the money back to the balance
 * (a `refund_failure` balance transaction) and takes it off the charge's `amount_refunded`.
 */
export function settleRefund(
  ctx: FlowContext,
  refundId: string,
  outcome: "succeeded" | "failed" | "canceled",
): FlowResult {
  const refund = mustGet(ctx, refundId, "refund");
  const allowed: Record<string, string[]> = {
    requires_action: ["succeeded", "canceled", "failed"],
    pending: ["succeeded", "canceled", "failed"],
    succeeded: ["failed"],
  };
  if (!allowed[refund.status]?.includes(outcome)) {
    throw badState(`Refund ${refund.id} is ${refund.status}; it cannot become ${outcome}.`);
  }
  const charge = mustGet(ctx, refund.charge, "charge");
  const ev = new Emitter(ctx);
  const previous = { status: refund.status };
  refund.status = outcome;
  delete refund.pending_reason;
  if (outcome !== "succeeded") {
    const bt = ctx.store.put(
      buildBalanceTransaction(nowSeconds(), {
        amount: refund.amount,
        currency: refund.currency,
        fee: 0,
        type: "refund_failure",
        reportingCategory: "refund_failure",
        source: refund.id,
        description: `REFUND ${outcome === "failed" ? "FAILURE" : "CANCELED"} (${refund.id})`,
      }),
    );
    refund.failure_balance_transaction = bt.id;
    if (outcome === "failed") refund.failure_reason = "expired_or_canceled_card";
    charge.amount_refunded -= refund.amount;
    charge.refunded = charge.amount_refunded === charge.amount;
  }
  ev.emit("refund.updated", refund, previous);
  if (outcome === "failed") ev.emit("refund.failed", refund);
  return {
    refund: refund.id,
    charge: charge.id,
    payment_intent: refund.payment_intent,
    status: outcome,
    events: ev.ids,
  };
}

/** How a dispute starts: an inquiry, a chargeback (open, or decided at once), or prevented. */
export type DisputeStart = "inquiry" | "open" | "lost" | "won" | "prevented";

/** Statuses a dispute may move to from each status (Stripe's documented lifecycle, appeals included). */
const DISPUTE_MOVES: Record<string, string[]> = {
  warning_needs_response: ["warning_under_review", "warning_closed", "needs_response", "prevented"],
  warning_under_review: ["warning_closed", "needs_response", "prevented"],
  needs_response: ["under_review", "won", "lost"],
  under_review: ["won", "lost"],
  lost: ["appeal_needs_response"],
  appeal_needs_response: ["appeal_under_review", "won", "lost"],
  appeal_under_review: ["won", "lost"],
};

/** Statuses that end a dispute (for now): Stripe sends `charge.dispute.closed` when one is reached. */
const DISPUTE_CLOSED = new Set(["won", "lost", "warning_closed", "prevented"]);

/** Stripe withdraws a chargeback's amount and its dispute fee from the balance. */
function withdrawFunds(ctx: FlowContext, dispute: Obj, charge: Obj): void {
  const bt = ctx.store.put(
    buildBalanceTransaction(nowSeconds(), {
      amount: -dispute.amount,
      currency: dispute.currency,
      fee: DISPUTE_FEE,
      feeDescription: "Dispute fee",
      type: "adjustment",
      reportingCategory: "dispute",
      source: dispute.id,
      description: `Chargeback withdrawal for ${charge.id}`,
    }),
  );
  dispute.balance_transactions.push(structuredClone(bt));
  dispute.is_charge_refundable = false;
  dispute.payment_method_details.card.case_type = "chargeback";
}

/** A won chargeback's amount comes back (the dispute fee does not); false when nothing was withdrawn. */
function reinstateFunds(ctx: FlowContext, dispute: Obj, charge: Obj): boolean {
  const net = (dispute.balance_transactions as Obj[]).reduce((sum, bt) => sum + bt.amount, 0);
  if (net >= 0) return false;
  const bt = ctx.store.put(
    buildBalanceTransaction(nowSeconds(), {
      amount: -net,
      currency: dispute.currency,
      fee: 0,
      type: "adjustment",
      reportingCategory: "dispute_reversal",
      source: dispute.id,
      description: `Chargeback reversal for ${charge.id}`,
    }),
  );
  dispute.balance_transactions.push(structuredClone(bt));
  return true;
}

/** Moves a dispute to `to`, with the events and balance transactions Stripe would make. */
function moveDispute(ctx: FlowContext, ev: Emitter, dispute: Obj, to: string): void {
  if (!DISPUTE_MOVES[dispute.status]?.includes(to)) {
    throw badState(
      `Dispute ${dispute.id} is ${dispute.status}; it cannot become ${to} (allowed: ${(DISPUTE_MOVES[dispute.status] ?? []).join(", ") || "none"}).`,
    );
  }
  const charge = mustGet(ctx, dispute.charge, "charge");
  const from = dispute.status;
  dispute.status = to;
  if (to === "under_review" || to === "appeal_under_review" || to === "warning_under_review") {
    dispute.evidence_details.has_evidence = true;
    dispute.evidence_details.submission_count += 1;
  }
  if (from === "lost" && to === "appeal_needs_response") dispute.evidence_details.due_by = nowSeconds() + 7 * 86_400;
  // An inquiry escalated to a chargeback: now the money is withdrawn. A win gives it back.
  const withdrawn = to === "needs_response" && from.startsWith("warning_");
  if (withdrawn) withdrawFunds(ctx, dispute, charge);
  const reinstated = to === "won" && reinstateFunds(ctx, dispute, charge);
  ev.emit(DISPUTE_CLOSED.has(to) ? "charge.dispute.closed" : "charge.dispute.updated", dispute);
  if (withdrawn) ev.emit("charge.dispute.funds_withdrawn", dispute);
  if (reinstated) ev.emit("charge.dispute.funds_reinstated", dispute);
}

/**
 * Opens a dispute on a payment. An inquiry (`warning_needs_response`) moves no money; a
 * chargeback (`needs_response`) withdraws the amount and the dispute fee (`funds_withdrawn`);
 * `lost`/`won` also decide it at once; `prevented` is stopped before it becomes a chargeback.
 */
export function disputePayment(
  ctx: FlowContext,
  paymentIntentId: string,
  start: DisputeStart,
  reason = "fraudulent",
): FlowResult {
  const { pi, charge } = chargeOf(ctx, { paymentIntent: paymentIntentId });
  if (charge.disputed) throw badState(`Charge ${charge.id} is already disputed.`, "charge_already_disputed");
  if (charge.amount_refunded >= charge.amount)
    throw badState(`Charge ${charge.id} was fully refunded; it cannot be disputed.`);
  const ev = new Emitter(ctx);
  const status =
    start === "inquiry" ? "warning_needs_response" : start === "prevented" ? "prevented" : "needs_response";
  const caseType: DisputeCase = start === "inquiry" ? "inquiry" : start === "prevented" ? "block" : "chargeback";
  const dispute = ctx.store.put(buildDispute(nowSeconds(), charge, reason, status, caseType));
  charge.disputed = true;
  if (status === "needs_response") withdrawFunds(ctx, dispute, charge);
  ev.emit("charge.dispute.created", dispute);
  if (start === "prevented") ev.emit("charge.dispute.closed", dispute);
  if (status === "needs_response") ev.emit("charge.dispute.funds_withdrawn", dispute);
  if (start === "lost" || start === "won") moveDispute(ctx, ev, dispute, start);
  return {
    dispute: dispute.id,
    charge: charge.id,
    payment_intent: pi?.id ?? null,
    status: dispute.status,
    events: ev.ids,
  };
}

/** Moves a dispute along its lifecycle (`POST /_test/disputes/{id}/advance`). */
export function advanceDispute(ctx: FlowContext, disputeId: string, to: string): FlowResult {
  const dispute = mustGet(ctx, disputeId, "dispute");
  const ev = new Emitter(ctx);
  moveDispute(ctx, ev, dispute, to);
  return {
    dispute: dispute.id,
    charge: dispute.charge,
    payment_intent: dispute.payment_intent,
    status: dispute.status,
    events: ev.ids,
  };
}

/** Decides an open chargeback as `lost` or `won` (through `under_review` if it has evidence). */
export function closeDispute(ctx: FlowContext, disputeId: string, outcome: "lost" | "won"): FlowResult {
  const dispute = mustGet(ctx, disputeId, "dispute");
  if (dispute.status === "lost" || dispute.status === "won")
    throw badState(`Dispute ${dispute.id} is already closed (${dispute.status}).`);
  return advanceDispute(ctx, disputeId, outcome);
}

/**
 * Stripe settles a charge's balance transaction that was not there when the payment succeeded
 * (`balance_transaction: "later"`): `charge.updated`.
 */
export function settleChargeBalance(ctx: FlowContext, chargeId: string): FlowResult {
  const charge = mustGet(ctx, chargeId, "charge");
  if (charge.status !== "succeeded" || charge.balance_transaction)
    throw badState(`Charge ${charge.id} has no balance transaction waiting to be settled.`);
  const bt = ctx.store.put(chargeBalanceTransaction(nowSeconds(), charge));
  charge.balance_transaction = bt.id;
  ctx.store.deferredBalance.delete(charge.payment_intent);
  const ev = new Emitter(ctx);
  ev.emit("charge.updated", charge, { balance_transaction: null });
  return { charge: charge.id, payment_intent: charge.payment_intent, events: ev.ids };
}

// ─── Billing portal ──────────────────────────────────────────────────────────

/** `POST /v1/billing_portal/sessions`. */
export function createPortalSession(
  ctx: FlowContext,
  p: { customer: string; returnUrl: string | null; locale: string | null; configuration?: string },
): Obj {
  if (!ctx.store.get(p.customer, "customer")) {
    throw new StripeError(
      400,
      "invalid_request_error",
      `No such customer: '${p.customer}'`,
      "customer",
      "resource_missing",
    );
  }
  const id = newId("bps");
  return ctx.store.put(
    buildPortalSession(nowSeconds(), {
      id,
      configuration: p.configuration ?? ctx.store.portalConfigurationId,
      customer: p.customer,
      returnUrl: p.returnUrl,
      locale: p.locale,
      url: `${ctx.publicUrl}/p/session/${id}`,
    }),
  );
}
