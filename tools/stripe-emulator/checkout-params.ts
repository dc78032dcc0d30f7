/**
 * Validation of `POST /v1/checkout/sessions` params, the way Stripe validates them,
 * into a normalized request. Unsupported-but-valid Stripe params are accepted and ignored;
 * unknown params are refused (`parameter_unknown`) like Stripe does.
 */
import { describeMinimum, isSupportedCurrency, MAXIMUM_AMOUNT, MINIMUM_CHARGE } from "./currencies.ts";
import { badState, invalidParam, missingParam, StripeError } from "./errors.ts";
import type { FormObject } from "./form.ts";
import {
  metadata,
  optArray,
  optEnum,
  optInteger,
  optObject,
  optString,
  optUrl,
  rejectUnknown,
  reqString,
} from "./validate.ts";

const SESSION_PARAMS = [
  "adaptive_pricing",
  "after_expiration",
  "allow_promotion_codes",
  "allowed_payment_method_types",
  "automatic_tax",
  "billing_address_collection",
  "branding_settings",
  "cancel_url",
  "client_reference_id",
  "consent_collection",
  "currency",
  "custom_fields",
  "custom_text",
  "customer",
  "customer_account",
  "customer_creation",
  "customer_email",
  "customer_update",
  "discounts",
  "excluded_payment_method_types",
  "expand",
  "expires_at",
  "integration_identifier",
  "invoice_creation",
  "line_items",
  "locale",
  "managed_payments",
  "metadata",
  "mode",
  "name_collection",
  "optional_items",
  "origin_context",
  "payment_intent_data",
  "payment_method_collection",
  "payment_method_configuration",
  "payment_method_data",
  "payment_method_options",
  "payment_method_types",
  "permissions",
  "phone_number_collection",
  "redirect_on_completion",
  "return_url",
  "saved_payment_method_options",
  "setup_intent_data",
  "shipping_address_collection",
  "shipping_options",
  "submit_type",
  "subscription_data",
  "success_url",
  "tax_id_collection",
  "ui_mode",
  "wallet_options",
] as const;
const LINE_ITEM_PARAMS = [
  "adjustable_quantity",
  "dynamic_tax_rates",
  "metadata",
  "price",
  "price_data",
  "quantity",
  "tax_rates",
];
const PRICE_DATA_PARAMS = [
  "currency",
  "product",
  "product_data",
  "recurring",
  "tax_behavior",
  "unit_amount",
  "unit_amount_decimal",
];
const PRODUCT_DATA_PARAMS = ["description", "images", "metadata", "name", "tax_code", "tax_details", "unit_label"];
const PAYMENT_INTENT_DATA_PARAMS = [
  "application_fee_amount",
  "capture_method",
  "description",
  "metadata",
  "on_behalf_of",
  "receipt_email",
  "setup_future_usage",
  "shipping",
  "statement_descriptor",
  "statement_descriptor_suffix",
  "transfer_data",
  "transfer_group",
];
const SUBSCRIPTION_DATA_PARAMS = [
  "application_fee_percent",
  "billing_cycle_anchor",
  "billing_mode",
  "default_tax_rates",
  "description",
  "invoice_settings",
  "metadata",
  "on_behalf_of",
  "proration_behavior",
  "transfer_data",
  "trial_end",
  "trial_period_days",
  "trial_settings",
];
/** Locales Checkout accepts (from the pinned API version). */
export const CHECKOUT_LOCALES = [
  "auto",
  "bg",
  "cs",
  "da",
  "de",
  "el",
  "en",
  "en-GB",
  "es",
  "es-419",
  "et",
  "fi",
  "fil",
  "fr",
  "fr-CA",
  "hi-IN",
  "hr",
  "hu",
  "id",
  "it",
  "ja",
  "ko",
  "lt",
  "lv",
  "ms",
  "mt",
  "nb",
  "nl",
  "pl",
  "pt",
  "pt-BR",
  "ro",
  "ru",
  "sk",
  "sl",
  "sv",
  "th",
  "tr",
  "vi",
  "zh",
  "zh-HK",
  "zh-TW",
] as const;
const INTERVALS = ["day", "week", "month", "year"] as const;
/** Longest billing interval Stripe allows: 3 years. */
const MAX_INTERVAL_DAYS = { day: 1095, week: 156, month: 36, year: 3 } as const;

/** One validated line item. */
export interface CheckoutItemRequest {
  name: string;
  description: string | null;
  productMetadata: Record<string, string>;
  unitAmount: number;
  quantity: number;
  currency: string;
  interval: (typeof INTERVALS)[number] | null;
  intervalCount: number;
}

/** A validated Checkout Session creation. */
export interface CheckoutRequest {
  mode: "payment" | "subscription";
  currency: string;
  amountTotal: number;
  items: CheckoutItemRequest[];
  successUrl: string;
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
  paymentIntentMetadata: Record<string, string>;
  paymentIntentDescription: string | null;
  subscriptionMetadata: Record<string, string>;
  subscriptionDescription: string | null;
  /** `subscription_data[trial_period_days]`: the subscription starts trialing, its first invoice zero. */
  trialPeriodDays: number | null;
  /** `discounts[0][coupon]`: the coupon applied (checked to exist when the session is created). */
  coupon: string | null;
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

function parseLineItem(raw: unknown, i: number, mode: string): CheckoutItemRequest {
  const p = `line_items[${i}]`;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw invalidParam(p, `Invalid object`);
  const item = raw as FormObject;
  rejectUnknown(item, LINE_ITEM_PARAMS, p);
  if (item.price !== undefined) {
    throw new StripeError(
      400,
      "invalid_request_error",
      `No such price: '${String(item.price)}'`,
      `${p}[price]`,
      "resource_missing",
    );
  }
  const priceData = optObject(item.price_data, `${p}[price_data]`);
  if (!priceData) {
    throw invalidParam(p, `You must specify either \`price\` or \`price_data\` in \`${p}\`.`, "parameter_missing");
  }
  const pp = `${p}[price_data]`;
  rejectUnknown(priceData, PRICE_DATA_PARAMS, pp);
  const currency = reqString(priceData.currency, `${pp}[currency]`).toLowerCase();
  if (!isSupportedCurrency(currency)) {
    throw invalidParam(
      `${pp}[currency]`,
      `Invalid currency: ${currency}. Stripe currently supports these currencies: ${Object.keys(MINIMUM_CHARGE).join(", ")}`,
    );
  }
  let unitAmount = optInteger(priceData.unit_amount, `${pp}[unit_amount]`);
  if (unitAmount === undefined && priceData.unit_amount_decimal !== undefined) {
    const dec = optString(priceData.unit_amount_decimal, `${pp}[unit_amount_decimal]`) ?? "";
    if (!/^\d+(\.0+)?$/.test(dec)) {
      throw invalidParam(
        `${pp}[unit_amount_decimal]`,
        "The emulator only supports whole-unit amounts in `unit_amount_decimal`.",
      );
    }
    unitAmount = Number.parseInt(dec, 10);
  }
  if (unitAmount === undefined) throw missingParam(`${pp}[unit_amount]`);
  if (unitAmount < 0) {
    throw invalidParam(
      `${pp}[unit_amount]`,
      "This value must be greater than or equal to 0.",
      "parameter_invalid_integer",
    );
  }
  if (unitAmount > MAXIMUM_AMOUNT) {
    throw invalidParam(
      `${pp}[unit_amount]`,
      `This value must be less than or equal to ${MAXIMUM_AMOUNT}.`,
      "parameter_invalid_integer",
    );
  }
  if (priceData.product !== undefined) {
    throw new StripeError(
      400,
      "invalid_request_error",
      `No such product: '${String(priceData.product)}'`,
      `${pp}[product]`,
      "resource_missing",
    );
  }
  const productData = optObject(priceData.product_data, `${pp}[product_data]`);
  if (!productData) throw missingParam(`${pp}[product_data]`);
  rejectUnknown(productData, PRODUCT_DATA_PARAMS, `${pp}[product_data]`);
  const name = reqString(productData.name, `${pp}[product_data][name]`);
  const description = optString(productData.description, `${pp}[product_data][description]`) || null;

  let interval: CheckoutItemRequest["interval"] = null;
  let intervalCount = 1;
  const recurring = optObject(priceData.recurring, `${pp}[recurring]`);
  if (recurring) {
    if (mode === "payment") {
      throw invalidParam(
        `${pp}[recurring]`,
        "You specified `payment` mode but passed a recurring price. Either switch to `subscription` mode or use only one-time prices.",
      );
    }
    rejectUnknown(recurring, ["interval", "interval_count"], `${pp}[recurring]`);
    interval = optEnum(recurring.interval, `${pp}[recurring][interval]`, INTERVALS) ?? null;
    if (!interval) throw missingParam(`${pp}[recurring][interval]`);
    intervalCount = optInteger(recurring.interval_count, `${pp}[recurring][interval_count]`) ?? 1;
    if (intervalCount < 1 || intervalCount > MAX_INTERVAL_DAYS[interval]) {
      throw invalidParam(
        `${pp}[recurring][interval_count]`,
        "The maximum billing interval is three years (1095 days, 156 weeks, or 36 months).",
      );
    }
  } else if (mode === "subscription") {
    throw invalidParam(
      `${pp}[recurring]`,
      "You must provide at least one recurring price in `subscription` mode when using prices. The emulator requires every line item to be recurring in `subscription` mode.",
    );
  }
  const quantity = optInteger(item.quantity, `${p}[quantity]`);
  if (quantity === undefined) throw missingParam(`${p}[quantity]`);
  if (quantity < 1 || quantity > 999_999) {
    throw invalidParam(`${p}[quantity]`, "Quantity must be between 1 and 999999.", "parameter_invalid_integer");
  }
  return {
    name,
    description,
    productMetadata: metadata(productData.metadata, `${pp}[product_data][metadata]`),
    unitAmount,
    quantity,
    currency,
    interval,
    intervalCount,
  };
}

/** Validates create params; throws a `StripeError` like Stripe would. */
export function parseCheckoutRequest(params: FormObject, now: number): CheckoutRequest {
  rejectUnknown(params, SESSION_PARAMS);
  if (params.mode === undefined || params.mode === "") throw missingParam("mode");
  const mode = optEnum(params.mode, "mode", ["payment", "setup", "subscription"] as const);
  if (mode === "setup") throw invalidParam("mode", "The Stripe emulator does not support `setup` mode.");
  const m = mode as "payment" | "subscription";

  const uiMode =
    optEnum(params.ui_mode, "ui_mode", ["elements", "embedded_page", "form", "hosted_page"] as const) ?? "hosted_page";
  if (uiMode !== "hosted_page")
    throw invalidParam("ui_mode", "The Stripe emulator only supports `ui_mode=hosted_page`.");
  if (params.return_url !== undefined) {
    throw invalidParam(
      "return_url",
      "`return_url` can only be used with `ui_mode` `embedded_page`, `elements` or `form`. Use `success_url` and `cancel_url` instead.",
    );
  }
  const successUrl = optUrl(params.success_url, "success_url");
  if (!successUrl) throw missingParam("success_url");
  const cancelUrl = optUrl(params.cancel_url, "cancel_url") ?? null;

  const rawItems = optArray(params.line_items, "line_items");
  if (!rawItems || rawItems.length === 0) throw missingParam("line_items");
  if (rawItems.length > 100) throw invalidParam("line_items", "You may only specify up to 100 line items.");
  const items = rawItems.map((raw, i) => parseLineItem(raw, i, m));
  const currency = (items[0] as CheckoutItemRequest).currency;
  items.forEach((item, i) => {
    if (item.currency !== currency) {
      throw invalidParam(
        `line_items[${i}][price_data][currency]`,
        "All prices on a Checkout Session must use the same currency.",
      );
    }
  });
  if (m === "subscription") {
    const first = items[0] as CheckoutItemRequest;
    if (items.some((it) => it.interval !== first.interval || it.intervalCount !== first.intervalCount)) {
      throw badState(
        "All prices on a subscription must have the same `recurring.interval` and `recurring.interval_count`.",
      );
    }
  }
  const amountTotal = items.reduce((sum, it) => sum + it.unitAmount * it.quantity, 0);
  const minimum = MINIMUM_CHARGE[currency] ?? 50;
  if (amountTotal > MAXIMUM_AMOUNT) {
    throw badState(
      `The Checkout Session's total amount due must be no more than ${MAXIMUM_AMOUNT} (in the currency's smallest unit).`,
      "amount_too_large",
    );
  }
  if (amountTotal < minimum && !(m === "subscription" && amountTotal === 0)) {
    throw badState(
      `The Checkout Session's total amount due must add up to at least ${describeMinimum(currency)}`,
      "amount_too_small",
    );
  }

  const customer = optString(params.customer, "customer") || null;
  const customerEmail = optString(params.customer_email, "customer_email") || null;
  if (customer && customerEmail) {
    throw badState("You may only specify one of these parameters: customer, customer_email.");
  }
  if (customerEmail && (!EMAIL.test(customerEmail) || customerEmail.length > 512)) {
    throw invalidParam("customer_email", `Invalid email address: ${customerEmail}`, "email_invalid");
  }
  const customerCreation =
    optEnum(params.customer_creation, "customer_creation", ["always", "if_required"] as const) ?? null;
  if (customerCreation && m !== "payment") {
    throw invalidParam("customer_creation", "`customer_creation` can only be used in `payment` mode.");
  }
  if (customerCreation && customer) {
    throw invalidParam("customer_creation", "`customer_creation` cannot be used together with `customer`.");
  }

  const submitType =
    optEnum(params.submit_type, "submit_type", ["auto", "book", "donate", "pay", "subscribe"] as const) ?? null;
  if (submitType && m !== "payment")
    throw invalidParam("submit_type", "`submit_type` can only be specified in `payment` mode.");
  if (submitType === "subscribe")
    throw invalidParam("submit_type", "`submit_type=subscribe` can only be used in `subscription` mode.");

  const clientReferenceId = optString(params.client_reference_id, "client_reference_id") || null;
  if (clientReferenceId && clientReferenceId.length > 200) {
    throw invalidParam("client_reference_id", "client_reference_id must be at most 200 characters.");
  }
  const locale = optEnum(params.locale, "locale", CHECKOUT_LOCALES) ?? null;

  const expiresAt = optInteger(params.expires_at, "expires_at") ?? now + 24 * 3600;
  if (expiresAt < now + 30 * 60) {
    throw invalidParam(
      "expires_at",
      "The `expires_at` timestamp must be at least 30 minutes from Checkout Session creation.",
    );
  }
  if (expiresAt > now + 24 * 3600) {
    throw invalidParam(
      "expires_at",
      "The `expires_at` timestamp must be less than 24 hours from Checkout Session creation.",
    );
  }

  const pmTypes = optArray(params.payment_method_types, "payment_method_types");
  const paymentMethodTypes = pmTypes ? pmTypes.map((t, i) => reqString(t, `payment_method_types[${i}]`)) : ["card"];

  const pid = optObject(params.payment_intent_data, "payment_intent_data");
  if (pid && m !== "payment") {
    throw invalidParam("payment_intent_data", "You can not pass `payment_intent_data` in `subscription` mode.");
  }
  if (pid) rejectUnknown(pid, PAYMENT_INTENT_DATA_PARAMS, "payment_intent_data");
  const sd = optObject(params.subscription_data, "subscription_data");
  if (sd && m !== "subscription") {
    throw invalidParam("subscription_data", "You can not pass `subscription_data` in `payment` mode.");
  }
  if (sd) {
    rejectUnknown(sd, SUBSCRIPTION_DATA_PARAMS, "subscription_data");
    for (const k of ["trial_end", "trial_settings", "billing_cycle_anchor"]) {
      if (sd[k] !== undefined) invalidParamUnsupported(`subscription_data[${k}]`);
    }
  }
  const trialPeriodDays = optInteger(sd?.trial_period_days, "subscription_data[trial_period_days]") ?? null;
  if (trialPeriodDays !== null && (trialPeriodDays < 1 || trialPeriodDays > 730)) {
    throw invalidParam(
      "subscription_data[trial_period_days]",
      "The trial period must be between 1 and 730 days.",
      "parameter_invalid_integer",
    );
  }
  const discounts = optArray(params.discounts, "discounts");
  if (discounts && discounts.length > 1) throw invalidParam("discounts", "You may only specify one discount.");
  let coupon: string | null = null;
  if (discounts?.[0] !== undefined) {
    const d = optObject(discounts[0], "discounts[0]") ?? {};
    rejectUnknown(d, ["coupon", "promotion_code"], "discounts[0]");
    if (d.promotion_code !== undefined) invalidParamUnsupported("discounts[0][promotion_code]");
    coupon = reqString(d.coupon, "discounts[0][coupon]");
  }

  return {
    mode: m,
    currency,
    amountTotal,
    items,
    successUrl,
    cancelUrl,
    customer,
    customerEmail,
    customerCreation,
    clientReferenceId,
    locale,
    metadata: metadata(params.metadata, "metadata"),
    paymentMethodTypes,
    submitType,
    expiresAt,
    paymentIntentMetadata: metadata(pid?.metadata, "payment_intent_data[metadata]"),
    paymentIntentDescription: optString(pid?.description, "payment_intent_data[description]") || null,
    subscriptionMetadata: metadata(sd?.metadata, "subscription_data[metadata]"),
    subscriptionDescription: optString(sd?.description, "subscription_data[description]") || null,
    trialPeriodDays,
    coupon,
  };
}

function invalidParamUnsupported(param: string): never {
  throw invalidParam(param, `The Stripe emulator does not support \`${param}\`.`);
}
