/**
 * Builders for Stripe API objects in the shape of the pinned API version
 * ('2026-10-28.endive', see the `stripe` package's types). Every builder returns a full
 * object with all main fields, so code under test sees what Stripe really sends.
 */

import { formatAmount, ZERO_DECIMAL } from "./currencies.ts";
import { base62, newId } from "./ids.ts";
import type { Obj } from "./store.ts";

/** API version the emulator speaks (the `stripe` package's pinned version). */
export const API_VERSION = "2026-10-28.endive";

/** A null address, as Stripe renders unknown addresses. */
export function nullAddress(): Obj {
  return { city: null, country: null, line1: null, line2: null, postal_code: null, state: null };
}

/** Adds `count` intervals to a unix timestamp (calendar months/years, clamped to month end). */
export function addInterval(ts: number, interval: string, count: number): number {
  if (interval === "day") return ts + 86_400 * count;
  if (interval === "week") return ts + 7 * 86_400 * count;
  const d = new Date(ts * 1000);
  const months = interval === "year" ? 12 * count : count;
  const day = d.getUTCDate();
  const target = new Date(
    Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()),
  );
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(day, lastDay));
  return Math.floor(target.getTime() / 1000);
}

/** `product` created from `price_data[product_data]`. */
export function buildProduct(now: number, data: { name: string; description?: string | null; metadata?: Obj }): Obj {
  return {
    id: newId("prod"),
    object: "product",
    active: true,
    created: now,
    default_price: null,
    description: data.description ?? null,
    images: [],
    livemode: false,
    marketing_features: [],
    metadata: data.metadata ?? {},
    name: data.name,
    package_dimensions: null,
    shippable: null,
    statement_descriptor: null,
    tax_code: null,
    tax_details: null,
    type: "service",
    unit_label: null,
    updated: now,
    url: null,
  };
}

/** Inline `price` created from `price_data` (Stripe marks inline prices inactive). */
export function buildPrice(
  now: number,
  p: { currency: string; unitAmount: number; product: string; interval: string | null; intervalCount: number },
): Obj {
  return {
    id: newId("price"),
    object: "price",
    active: false,
    billing_scheme: "per_unit",
    created: now,
    currency: p.currency,
    custom_unit_amount: null,
    livemode: false,
    lookup_key: null,
    metadata: {},
    nickname: null,
    product: p.product,
    recurring: p.interval
      ? {
          interval: p.interval,
          interval_count: p.intervalCount,
          meter: null,
          trial_period_days: null,
          usage_type: "licensed",
        }
      : null,
    tax_behavior: "unspecified",
    tiers_mode: null,
    transform_quantity: null,
    type: p.interval ? "recurring" : "one_time",
    unit_amount: p.unitAmount,
    unit_amount_decimal: String(p.unitAmount),
  };
}

/** The legacy `plan` mirror of a recurring price (still present on subscription items). */
export function planFromPrice(price: Obj): Obj {
  return {
    id: price.id,
    object: "plan",
    active: price.active,
    amount: price.unit_amount,
    amount_decimal: price.unit_amount_decimal,
    billing_scheme: "per_unit",
    created: price.created,
    currency: price.currency,
    interval: price.recurring?.interval ?? "month",
    interval_count: price.recurring?.interval_count ?? 1,
    livemode: false,
    metadata: {},
    meter: null,
    nickname: null,
    product: price.product,
    tiers_mode: null,
    transform_usage: null,
    trial_period_days: null,
    usage_type: "licensed",
  };
}

/** A Checkout line item (`object: 'item'`, listed by `/v1/checkout/sessions/{id}/line_items`). */
export function buildCheckoutLineItem(price: Obj, productName: string, quantity: number): Obj {
  const total = price.unit_amount * quantity;
  return {
    id: newId("li"),
    object: "item",
    adjustable_quantity: null,
    amount_discount: 0,
    amount_subtotal: total,
    amount_tax: 0,
    amount_total: total,
    currency: price.currency,
    description: productName,
    metadata: {},
    price,
    quantity,
  };
}

/** Parameters of a new Checkout Session, already validated. */
export interface SessionInit {
  mode: "payment" | "subscription";
  currency: string;
  /** Before any discount or trial. */
  amountSubtotal: number;
  /** What the reader pays now: less a coupon's discount; zero for a trial. */
  amountTotal: number;
  /** The coupon applied, if any. */
  coupon: string | null;
  successUrl: string | null;
  cancelUrl: string | null;
  customer: string | null;
  customerEmail: string | null;
  customerCreation: string | null;
  clientReferenceId: string | null;
  locale: string | null;
  metadata: Record<string, string>;
  paymentMethodTypes: string[];
  submitType: string | null;
  expiresAt: number;
  url: string;
  id: string;
}

/** A `checkout.session` in its initial `open`/`unpaid` state. */
export function buildCheckoutSession(now: number, s: SessionInit): Obj {
  return {
    id: s.id,
    object: "checkout.session",
    adaptive_pricing: { enabled: false },
    after_expiration: null,
    allow_promotion_codes: null,
    allowed_payment_method_types: null,
    amount_subtotal: s.amountSubtotal,
    amount_total: s.amountTotal,
    automatic_tax: { enabled: false, liability: null, provider: null, status: null },
    billing_address_collection: null,
    cancel_url: s.cancelUrl,
    client_reference_id: s.clientReferenceId,
    client_secret: null,
    collected_information: null,
    consent: null,
    consent_collection: null,
    created: now,
    currency: s.currency,
    currency_conversion: null,
    custom_fields: [],
    custom_text: { after_submit: null, shipping_address: null, submit: null, terms_of_service_acceptance: null },
    customer: s.customer,
    customer_account: null,
    customer_creation: s.customerCreation,
    customer_details: s.customerEmail
      ? {
          address: null,
          business_name: null,
          email: s.customerEmail,
          individual_name: null,
          name: null,
          phone: null,
          tax_exempt: "none",
          tax_ids: null,
        }
      : null,
    customer_email: s.customerEmail,
    discounts: s.coupon ? [{ coupon: s.coupon, promotion_code: null }] : [],
    expires_at: s.expiresAt,
    integration_identifier: null,
    invoice: null,
    invoice_creation:
      s.mode === "payment"
        ? {
            enabled: false,
            invoice_data: {
              account_tax_ids: null,
              custom_fields: null,
              description: null,
              footer: null,
              issuer: null,
              metadata: {},
              rendering_options: null,
            },
          }
        : null,
    livemode: false,
    locale: s.locale,
    managed_payments: null,
    metadata: s.metadata,
    mode: s.mode,
    origin_context: null,
    payment_intent: null,
    payment_link: null,
    payment_method_collection: s.mode === "subscription" ? "always" : null,
    payment_method_configuration_details: null,
    payment_method_options: { card: { request_three_d_secure: "automatic" } },
    payment_method_types: s.paymentMethodTypes,
    payment_status: "unpaid",
    permissions: null,
    phone_number_collection: { enabled: false },
    recovered_from: null,
    saved_payment_method_options: null,
    setup_intent: null,
    shipping_address_collection: null,
    shipping_cost: null,
    shipping_options: [],
    status: "open",
    submit_type: s.submitType,
    subscription: null,
    success_url: s.successUrl,
    total_details: { amount_discount: s.amountSubtotal - s.amountTotal, amount_shipping: 0, amount_tax: 0 },
    ui_mode: "hosted_page",
    url: s.url,
    wallet_options: null,
  };
}

/** Customer details Checkout collects on completion. */
export function customerDetails(email: string | null): Obj {
  return {
    address: nullAddress(),
    business_name: null,
    email,
    individual_name: null,
    name: null,
    phone: null,
    tax_exempt: "none",
    tax_ids: [],
  };
}

/** A `customer` created by Checkout. */
export function buildCustomer(now: number, email: string | null): Obj {
  return {
    id: newId("cus"),
    object: "customer",
    address: null,
    balance: 0,
    created: now,
    currency: null,
    customer_account: null,
    default_source: null,
    delinquent: false,
    description: null,
    discount: null,
    email,
    invoice_prefix: base62(8)
      .toUpperCase()
      .replace(/[^A-Z0-9]/g, "X"),
    invoice_settings: {
      custom_fields: null,
      default_payment_method: null,
      footer: null,
      rendering_options: null,
    },
    livemode: false,
    metadata: {},
    name: null,
    next_invoice_sequence: 1,
    phone: null,
    preferred_locales: [],
    shipping: null,
    tax_exempt: "none",
    test_clock: null,
  };
}

/** Card details of Stripe's `4242` test card. */
function cardDetails(): Obj {
  return {
    brand: "visa",
    checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: "pass" },
    country: "US",
    display_brand: "visa",
    exp_month: 12,
    exp_year: new Date().getUTCFullYear() + 3,
    fingerprint: "EmuL4t0rF1ng3rpr",
    funding: "credit",
    last4: "4242",
    network: "visa",
    wallet: null,
  };
}

/** How a payment is made: a card (instant) or SEPA debit (delayed notification). */
export type PaymentMethodKind = "card" | "sepa_debit";

/** `payment_method_details` of a charge. */
export function paymentMethodDetails(kind: PaymentMethodKind): Obj {
  if (kind === "sepa_debit") {
    return {
      sepa_debit: {
        bank_code: "37040044",
        branch_code: null,
        country: "DE",
        fingerprint: "EmuL4t0rS3p4F1ng",
        last4: "3000",
        mandate: newId("mandate"),
      },
      type: "sepa_debit",
    };
  }
  return {
    card: {
      ...cardDetails(),
      amount_authorized: null,
      authorization_code: "123456",
      extended_authorization: { status: "disabled" },
      incremental_authorization: { status: "unavailable" },
      installments: null,
      mandate: null,
      multicapture: { status: "unavailable" },
      network_token: { used: false },
      network_transaction_id: base62(15),
      overcapture: { maximum_amount_capturable: 0, status: "unavailable" },
      regulated_status: "unregulated",
      three_d_secure: null,
    },
    type: "card",
  };
}

/** A `payment_intent` (status set by the caller). */
export function buildPaymentIntent(
  now: number,
  p: {
    amount: number;
    currency: string;
    customer: string | null;
    metadata: Record<string, string>;
    description: string | null;
    paymentMethodTypes: string[];
  },
): Obj {
  const id = newId("pi");
  return {
    id,
    object: "payment_intent",
    allowed_payment_method_types: null,
    amount: p.amount,
    amount_capturable: 0,
    amount_details: { tip: {} },
    amount_received: 0,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: null,
    canceled_at: null,
    cancellation_reason: null,
    capture_method: "automatic",
    client_secret: `${id}_secret_${base62(25)}`,
    confirmation_method: "automatic",
    created: now,
    currency: p.currency,
    customer: p.customer,
    customer_account: null,
    description: p.description,
    excluded_payment_method_types: null,
    last_payment_error: null,
    latest_charge: null,
    livemode: false,
    managed_payments: null,
    metadata: p.metadata,
    next_action: null,
    on_behalf_of: null,
    payment_method: null,
    payment_method_configuration_details: null,
    payment_method_options: {
      card: { installments: null, mandate_options: null, network: null, request_three_d_secure: "automatic" },
    },
    payment_method_types: p.paymentMethodTypes,
    payment_record: null,
    processing: null,
    receipt_email: null,
    review: null,
    setup_future_usage: null,
    shipping: null,
    source: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: "requires_payment_method",
    transfer_data: null,
    transfer_group: null,
  };
}

/**
 * Stripe's processing fee on a charge, in its currency's minor units. Cards: 2.9% + 30 (no fixed
 * part for zero-decimal currencies such as JPY, where 30 would be ¥30, not 30 cents); SEPA Direct
 * Debit: 0.8%, at most 500 (€5). Rounded half up, like Stripe.
 */
export function processingFee(amount: number, currency: string, kind: PaymentMethodKind): number {
  if (kind === "sepa_debit") return Math.min(500, Math.round(amount * 0.008));
  return Math.round(amount * 0.029) + (ZERO_DECIMAL.has(currency) ? 0 : 30);
}

/** Stripe's dispute fee (the "dispute received" fee), kept even when the dispute is won. */
export const DISPUTE_FEE = 1500;

/** A `balance_transaction`: what a charge, refund or dispute did to the Stripe balance. */
export function buildBalanceTransaction(
  now: number,
  p: {
    amount: number;
    currency: string;
    fee: number;
    feeDescription?: string;
    type: string;
    reportingCategory: string;
    source: string;
    description: string | null;
  },
): Obj {
  return {
    id: newId("txn"),
    object: "balance_transaction",
    amount: p.amount,
    available_on: now + 2 * 86_400,
    balance_type: "payments",
    created: now,
    currency: p.currency,
    description: p.description,
    exchange_rate: null,
    fee: p.fee,
    fee_details: p.fee
      ? [
          {
            amount: p.fee,
            application: null,
            currency: p.currency,
            description: p.feeDescription ?? "Stripe processing fees",
            type: "stripe_fee",
          },
        ]
      : [],
    net: p.amount - p.fee,
    reporting_category: p.reportingCategory,
    source: p.source,
    status: "pending",
    type: p.type,
  };
}

/** The balance transaction of a succeeded charge: its amount less Stripe's processing fee. */
export function chargeBalanceTransaction(now: number, charge: Obj): Obj {
  const kind = (charge.payment_method_details?.type ?? "card") as PaymentMethodKind;
  return buildBalanceTransaction(now, {
    amount: charge.amount,
    currency: charge.currency,
    fee: processingFee(charge.amount, charge.currency, kind),
    type: "charge",
    reportingCategory: "charge",
    source: charge.id,
    description: charge.description,
  });
}

/** A `charge` of a payment intent. `status` is succeeded, pending or failed. */
export function buildCharge(
  now: number,
  p: {
    paymentIntent: Obj;
    email: string | null;
    status: "succeeded" | "pending" | "failed";
    kind: PaymentMethodKind;
    paymentMethod: string;
  },
): Obj {
  const pi = p.paymentIntent;
  const failed = p.status === "failed";
  return {
    id: newId(p.kind === "sepa_debit" ? "py" : "ch"),
    object: "charge",
    amount: pi.amount,
    amount_captured: p.status === "succeeded" ? pi.amount : 0,
    amount_refunded: 0,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: null,
    billing_details: { address: nullAddress(), email: p.email, name: null, phone: null, tax_id: null },
    calculated_statement_descriptor: "READER SUPPORT",
    captured: p.status !== "failed",
    created: now,
    currency: pi.currency,
    customer: pi.customer,
    description: pi.description,
    disputed: false,
    failure_balance_transaction: null,
    failure_code: failed ? (p.kind === "card" ? "card_declined" : "insufficient_funds") : null,
    failure_message: failed
      ? p.kind === "card"
        ? "Your card was declined."
        : "The customer’s account has insufficient funds to cover this payment."
      : null,
    fraud_details: {},
    livemode: false,
    metadata: {},
    on_behalf_of: null,
    outcome: {
      advice_code: null,
      network_advice_code: null,
      network_decline_code: null,
      network_status: failed ? "declined_by_network" : "approved_by_network",
      reason: failed ? "generic_decline" : null,
      risk_level: "normal",
      risk_score: 32,
      seller_message: failed ? "The bank did not return any further details with this decline." : "Payment complete.",
      type: failed ? "issuer_declined" : "authorized",
    },
    paid: p.status === "succeeded",
    payment_intent: pi.id,
    payment_method: p.paymentMethod,
    payment_method_details: paymentMethodDetails(p.kind),
    radar_options: {},
    receipt_email: null,
    receipt_number: null,
    receipt_url: null,
    refunded: false,
    review: null,
    shipping: null,
    source: null,
    source_transfer: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: p.status,
    transfer_data: null,
    transfer_group: null,
  };
}

/** A `subscription_item` with its current period. */
export function buildSubscriptionItem(
  now: number,
  subscription: string,
  price: Obj,
  quantity: number,
  periodEnd: number,
): Obj {
  return {
    id: newId("si"),
    object: "subscription_item",
    billing_thresholds: null,
    created: now,
    current_period_end: periodEnd,
    current_period_start: now,
    discounts: [],
    metadata: {},
    plan: planFromPrice(price),
    price,
    quantity,
    subscription,
    tax_rates: [],
  };
}

/** A `subscription`; `items` are built by the caller (they need the id). */
export function buildSubscription(
  now: number,
  p: {
    id: string;
    customer: string;
    currency: string;
    metadata: Record<string, string>;
    description: string | null;
    paymentMethod: string;
    items: Obj[];
  },
): Obj {
  return {
    id: p.id,
    object: "subscription",
    application: null,
    application_fee_percent: null,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null },
    billing_cycle_anchor: now,
    billing_cycle_anchor_config: null,
    billing_mode: { flexible: null, type: "classic" },
    billing_schedules: [],
    billing_thresholds: null,
    cancel_at: null,
    cancel_at_period_end: false,
    canceled_at: null,
    cancellation_details: { comment: null, feedback: null, reason: null },
    collection_method: "charge_automatically",
    created: now,
    currency: p.currency,
    customer: p.customer,
    customer_account: null,
    days_until_due: null,
    default_payment_method: p.paymentMethod,
    default_source: null,
    default_tax_rates: [],
    description: p.description,
    discounts: [],
    ended_at: null,
    invoice_settings: { account_tax_ids: null, issuer: { type: "self" } },
    items: {
      object: "list",
      data: p.items,
      has_more: false,
      total_count: p.items.length,
      url: `/v1/subscription_items?subscription=${p.id}`,
    },
    latest_invoice: null,
    livemode: false,
    managed_payments: null,
    metadata: p.metadata,
    next_pending_invoice_item_invoice: null,
    on_behalf_of: null,
    pause_collection: null,
    payment_settings: { payment_method_options: null, payment_method_types: null, save_default_payment_method: "off" },
    pending_invoice_item_interval: null,
    pending_setup_intent: null,
    pending_update: null,
    schedule: null,
    start_date: now,
    status: "active",
    test_clock: null,
    transfer_data: null,
    trial_end: null,
    trial_settings: { end_behavior: { missing_payment_method: "create_invoice" } },
    trial_start: null,
  };
}

/** An invoice `line_item` for one subscription item. */
function buildInvoiceLine(
  invoiceId: string,
  sub: Obj,
  item: Obj,
  period: { start: number; end: number },
  productName: string,
  trial: boolean,
): Obj {
  const amount = trial ? 0 : item.price.unit_amount * item.quantity;
  return {
    id: newId("il"),
    object: "line_item",
    amount,
    currency: item.price.currency,
    description: trial
      ? `Trial period for ${productName}`
      : `${item.quantity} × ${productName} (at ${formatAmount(item.price.unit_amount, item.price.currency)} / ${item.price.recurring?.interval})`,
    discount_amounts: [],
    discountable: true,
    discounts: [],
    invoice: invoiceId,
    livemode: false,
    metadata: { ...sub.metadata },
    parent: {
      invoice_item_details: null,
      subscription_item_details: {
        invoice_item: null,
        proration: false,
        proration_details: { credited_items: null },
        subscription: sub.id,
        subscription_item: item.id,
      },
      type: "subscription_item_details",
    },
    period,
    pretax_credit_amounts: [],
    pricing: {
      price_details: { price: item.price.id, product: item.price.product },
      type: "price_details",
      unit_amount_decimal: item.price.unit_amount_decimal,
    },
    quantity: item.quantity,
    quantity_decimal: String(item.quantity),
    subscription: sub.id,
    subtotal: amount,
    taxes: [],
  };
}

/** What a coupon takes off an invoice total (never more than the total). */
export function discountOn(total: number, coupon: Obj): number {
  if (typeof coupon.percent_off === "number") return Math.min(total, Math.round((total * coupon.percent_off) / 100));
  return Math.min(total, coupon.amount_off ?? 0);
}

/**
 * A draft subscription `invoice` linked through `parent.subscription_details`. A trial period's
 * invoice is zero; a coupon (through a `discount`) takes its share off the total.
 */
export function buildSubscriptionInvoice(
  now: number,
  p: {
    sub: Obj;
    customer: Obj;
    billingReason: "subscription_create" | "subscription_cycle";
    periodStart: number;
    periodEnd: number;
    linePeriod: { start: number; end: number };
    productName: (productId: string) => string;
    trial?: boolean;
    discount?: Obj | null;
  },
): Obj {
  const id = newId("in");
  const lines = (p.sub.items.data as Obj[]).map((item) =>
    buildInvoiceLine(id, p.sub, item, p.linePeriod, p.productName(item.price.product), p.trial ?? false),
  );
  const subtotal = lines.reduce((sum, l) => sum + (l.amount as number), 0);
  const discounted = p.discount ? discountOn(subtotal, p.discount.source.coupon) : 0;
  const total = subtotal - discounted;
  return {
    id,
    object: "invoice",
    account_country: "US",
    account_name: "Reader Support (local emulator)",
    account_tax_ids: null,
    amount_due: total,
    amount_overpaid: 0,
    amount_paid: 0,
    amount_remaining: total,
    amount_shipping: 0,
    application: null,
    attempt_count: 0,
    attempted: false,
    auto_advance: true,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null, provider: null, status: null },
    automatically_finalizes_at: p.billingReason === "subscription_cycle" ? now + 3600 : null,
    billing_reason: p.billingReason,
    collection_method: "charge_automatically",
    created: now,
    currency: p.sub.currency,
    custom_fields: null,
    customer: p.customer.id,
    customer_account: null,
    customer_address: null,
    customer_email: p.customer.email,
    customer_name: p.customer.name,
    customer_phone: null,
    customer_shipping: null,
    customer_tax_exempt: "none",
    customer_tax_ids: [],
    default_payment_method: null,
    default_source: null,
    default_tax_rates: [],
    description: null,
    discounts: p.discount ? [p.discount.id] : [],
    due_date: null,
    effective_at: null,
    ending_balance: null,
    footer: null,
    from_invoice: null,
    hosted_invoice_url: null,
    invoice_pdf: null,
    issuer: { type: "self" },
    last_finalization_error: null,
    latest_revision: null,
    lines: { object: "list", data: lines, has_more: false, total_count: lines.length, url: `/v1/invoices/${id}/lines` },
    livemode: false,
    metadata: {},
    next_payment_attempt: null,
    number: null,
    on_behalf_of: null,
    parent: {
      quote_details: null,
      subscription_details: { metadata: { ...p.sub.metadata }, subscription: p.sub.id },
      type: "subscription_details",
    },
    payment_settings: { default_mandate: null, payment_method_options: null, payment_method_types: null },
    period_end: p.periodEnd,
    period_start: p.periodStart,
    post_payment_credit_notes_amount: 0,
    pre_payment_credit_notes_amount: 0,
    receipt_number: null,
    rendering: null,
    shipping_cost: null,
    shipping_details: null,
    starting_balance: 0,
    statement_descriptor: null,
    status: "draft",
    status_transitions: { finalized_at: null, marked_uncollectible_at: null, paid_at: null, voided_at: null },
    subtotal,
    subtotal_excluding_tax: subtotal,
    test_clock: null,
    total,
    total_discount_amounts: p.discount ? [{ amount: discounted, discount: p.discount.id }] : [],
    total_excluding_tax: total,
    total_pretax_credit_amounts: [],
    total_taxes: [],
    webhooks_delivered_at: null,
  };
}

/** An `invoice_payment` linking an invoice to the payment intent that pays it. */
export function buildInvoicePayment(now: number, invoice: Obj, paymentIntent: string): Obj {
  return {
    id: newId("inpay"),
    object: "invoice_payment",
    amount_paid: null,
    amount_requested: invoice.amount_due,
    created: now,
    currency: invoice.currency,
    invoice: invoice.id,
    is_default: true,
    livemode: false,
    payment: { payment_intent: paymentIntent, type: "payment_intent" },
    status: "open",
    status_transitions: { canceled_at: null, paid_at: null },
  };
}

/** Refund statuses (the pinned version's `Refund.status`). */
export type RefundStatus = "pending" | "requires_action" | "succeeded" | "failed" | "canceled";

/** A `refund` of (part of) a charge; `balance_transaction` is set by the caller. */
export function buildRefund(
  now: number,
  charge: Obj,
  p: { amount: number; reason: string | null; metadata: Obj; status: RefundStatus },
): Obj {
  return {
    id: newId("re"),
    object: "refund",
    amount: p.amount,
    balance_transaction: null,
    charge: charge.id,
    created: now,
    currency: charge.currency,
    customer: charge.customer,
    customer_account: null,
    destination_details:
      charge.payment_method_details?.type === "card"
        ? {
            card: { reference_status: "pending", reference_type: "acquirer_reference_number", type: "refund" },
            type: "card",
          }
        : { type: charge.payment_method_details?.type ?? "card" },
    metadata: p.metadata,
    payment_intent: charge.payment_intent,
    payment_method: charge.payment_method,
    ...(p.status === "pending" ? { pending_reason: "processing" } : {}),
    reason: p.reason,
    receipt_number: null,
    source_transfer_reversal: null,
    status: p.status,
    transfer_reversal: null,
  };
}

/** What a card network calls the case: an inquiry (no money moves), a chargeback, or a block (prevented). */
export type DisputeCase = "inquiry" | "chargeback" | "block";

/** A `dispute` on a charge with `status` (`balance_transactions` are added by the caller). */
export function buildDispute(now: number, charge: Obj, reason: string, status: string, caseType: DisputeCase): Obj {
  return {
    id: newId("dp"),
    object: "dispute",
    amount: charge.amount - charge.amount_refunded,
    balance_transactions: [],
    charge: charge.id,
    created: now,
    currency: charge.currency,
    enhanced_eligibility_types: [],
    evidence: Object.fromEntries(
      [
        "access_activity_log",
        "billing_address",
        "cancellation_policy",
        "cancellation_policy_disclosure",
        "cancellation_rebuttal",
        "customer_communication",
        "customer_email_address",
        "customer_name",
        "customer_purchase_ip",
        "customer_signature",
        "duplicate_charge_documentation",
        "duplicate_charge_explanation",
        "duplicate_charge_id",
        "product_description",
        "receipt",
        "refund_policy",
        "refund_policy_disclosure",
        "refund_refusal_explanation",
        "service_date",
        "service_documentation",
        "shipping_address",
        "shipping_carrier",
        "shipping_date",
        "shipping_documentation",
        "shipping_tracking_number",
        "uncategorized_file",
        "uncategorized_text",
      ]
        .map((k) => [k, null] as [string, unknown])
        .concat([["enhanced_evidence", {}]]),
    ),
    evidence_details: {
      due_by: now + 7 * 86_400,
      enhanced_eligibility: {},
      has_evidence: false,
      past_due: false,
      submission_count: 0,
    },
    intended_submission_method: null,
    is_charge_refundable: caseType === "inquiry",
    livemode: false,
    metadata: {},
    payment_intent: charge.payment_intent,
    payment_method_details: {
      card: { brand: "visa", case_type: caseType, network: "visa", network_reason_code: "10.4" },
      type: "card",
    },
    reason,
    status,
  };
}

/** A `webhook_endpoint` (its `secret` is shown only in the response that created it). */
export function buildWebhookEndpoint(
  now: number,
  p: { url: string; enabledEvents: string[]; apiVersion: string | null; description: string | null; metadata: Obj },
): Obj {
  return {
    id: newId("we"),
    object: "webhook_endpoint",
    api_version: p.apiVersion,
    application: null,
    created: now,
    description: p.description,
    enabled_events: p.enabledEvents,
    livemode: false,
    metadata: p.metadata,
    status: "enabled",
    url: p.url,
  };
}

/** A `billing_portal.configuration` with Stripe's defaults for what the params leave out. */
export function buildPortalConfiguration(now: number, id: string, p: { isDefault: boolean }): Obj {
  return {
    id,
    object: "billing_portal.configuration",
    active: true,
    application: null,
    business_profile: { headline: null, privacy_policy_url: null, terms_of_service_url: null },
    created: now,
    default_return_url: null,
    features: {
      customer_update: { allowed_updates: [], enabled: false },
      invoice_history: { enabled: true },
      payment_method_update: { enabled: true, payment_method_configuration: null },
      subscription_cancel: {
        cancellation_reason: { enabled: false, feedback_options: null, options: [] },
        enabled: true,
        mode: "immediately",
        proration_behavior: "none",
      },
      subscription_pause: { duration: null, enabled: false },
      subscription_update: {
        billing_cycle_anchor: null,
        default_allowed_updates: [],
        enabled: false,
        products: null,
        proration_behavior: "none",
        schedule_at_period_end: { conditions: [] },
        trial_update_behavior: "end_trial",
      },
    },
    is_default: p.isDefault,
    livemode: false,
    login_page: { enabled: false, url: null },
    metadata: {},
    name: null,
    updated: now,
  };
}

/** A `discount`: a coupon applied to a subscription (or a one-time Checkout Session). */
export function buildDiscount(
  now: number,
  p: { coupon: Obj; customer: string | null; subscription: string | null },
): Obj {
  return {
    id: newId("di"),
    object: "discount",
    checkout_session: null,
    customer: p.customer,
    customer_account: null,
    end:
      p.coupon.duration === "repeating" && p.coupon.duration_in_months
        ? addInterval(now, "month", p.coupon.duration_in_months)
        : null,
    invoice: null,
    invoice_item: null,
    promotion_code: null,
    source: { coupon: p.coupon, type: "coupon" },
    start: now,
    subscription: p.subscription,
    subscription_item: null,
  };
}

/** A `coupon`: a percentage or an amount off, once, for some months, or forever. */
export function buildCoupon(
  now: number,
  p: {
    id: string;
    percentOff: number | null;
    amountOff: number | null;
    currency: string | null;
    duration: "once" | "repeating" | "forever";
    durationInMonths: number | null;
    name: string | null;
    metadata: Obj;
  },
): Obj {
  return {
    id: p.id,
    object: "coupon",
    amount_off: p.amountOff,
    created: now,
    currency: p.currency,
    duration: p.duration,
    duration_in_months: p.durationInMonths,
    livemode: false,
    max_redemptions: null,
    metadata: p.metadata,
    name: p.name,
    percent_off: p.percentOff,
    redeem_by: null,
    times_redeemed: 0,
    valid: true,
  };
}

/** A `billing_portal.session`. */
export function buildPortalSession(
  now: number,
  p: {
    id: string;
    configuration: string;
    customer: string;
    returnUrl: string | null;
    locale: string | null;
    url: string;
  },
): Obj {
  return {
    id: p.id,
    object: "billing_portal.session",
    configuration: p.configuration,
    created: now,
    customer: p.customer,
    customer_account: null,
    flow: null,
    livemode: false,
    locale: p.locale,
    on_behalf_of: null,
    return_url: p.returnUrl,
    url: p.url,
  };
}

/** A Stripe list object. */
export function listOf(data: Obj[], url: string, hasMore = false): Obj {
  return { object: "list", data, has_more: hasMore, url };
}
