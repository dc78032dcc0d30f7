/**
 * The `/v1/*` API routes the emulator speaks (same paths, params and object shapes as
 * Stripe). Auth, idempotency and faults are handled around this in `server.ts`.
 */
import {
  createCoupon,
  createPortalConfiguration,
  createWebhookEndpoint,
  defaultPortalConfiguration,
  deleteWebhookEndpoint,
  portalConfiguration,
  updatePortalConfiguration,
  updateWebhookEndpoint,
} from "./account.ts";
import { parseCheckoutRequest } from "./checkout-params.ts";
import { badState, invalidParam, noSuch, StripeError, unrecognizedUrl } from "./errors.ts";
import type { EventRequest } from "./events.ts";
import {
  cancelSubscription,
  createCheckoutSession,
  createPortalSession,
  expireSession,
  type FlowContext,
  refundPayment,
  sessionLineItems,
} from "./flows.ts";
import type { FormObject } from "./form.ts";
import { parseConsentCollection, parsePortalFlow } from "./recovery.ts";
import { nowSeconds, type Obj } from "./store.ts";
import { changeSubscription, updateProduct } from "./subscription-updates.ts";
import {
  metadata,
  optArray,
  optBoolean,
  optEnum,
  optInteger,
  optObject,
  optString,
  optUrl,
  rejectUnknown,
  reqString,
} from "./validate.ts";

/** A parsed API request. */
export interface ApiRequest {
  method: string;
  path: string;
  /** Query and body params merged (Stripe reads GET/DELETE params from the query). */
  params: FormObject;
  requestId: string;
  idempotencyKey: string | null;
}

/** An API response before serialization. */
export interface ApiResponse {
  status: number;
  body: Obj;
}

type Handler = (ctx: FlowContext, req: ApiRequest, match: string[]) => Obj;

interface Route {
  method: string;
  pattern: RegExp;
  handler: Handler;
}

const ID = "([A-Za-z0-9_]+)";

function eventRequest(req: ApiRequest): EventRequest {
  return { id: req.requestId, idempotency_key: req.idempotencyKey };
}

/** Retrieves an object of one type or throws Stripe's 404. */
function retrieve(ctx: FlowContext, id: string, objectType: string, kind = objectType): Obj {
  const obj = ctx.store.get(id, objectType);
  if (!obj) throw noSuch(kind, id);
  return obj;
}

// ─── Lists and expansion ─────────────────────────────────────────────────────

/** Paginates a newest-first array the way Stripe lists do. */
function paginate(items: Obj[], params: FormObject, url: string): Obj {
  const limit = optInteger(params.limit, "limit") ?? 10;
  if (limit < 1 || limit > 100)
    throw invalidParam("limit", "This value must be between 1 and 100.", "parameter_invalid_integer");
  let list = items;
  const after = optString(params.starting_after, "starting_after");
  const before = optString(params.ending_before, "ending_before");
  if (after) {
    const i = list.findIndex((o) => o.id === after);
    if (i < 0) throw noSuch("object", after, "starting_after");
    list = list.slice(i + 1);
  } else if (before) {
    const i = list.findIndex((o) => o.id === before);
    if (i < 0) throw noSuch("object", before, "ending_before");
    list = list.slice(Math.max(0, i - limit), i);
    return { object: "list", data: list, has_more: i - limit > 0, url };
  }
  return { object: "list", data: list.slice(0, limit), has_more: list.length > limit, url };
}

/** Filters by `created` (`created=…` or `created[gt|gte|lt|lte]=…`). */
function filterCreated(items: Obj[], params: FormObject): Obj[] {
  const c = params.created;
  if (c === undefined) return items;
  if (typeof c === "string") {
    const v = optInteger(c, "created") as number;
    return items.filter((o) => o.created === v);
  }
  const range = optObject(c, "created") ?? {};
  const gt = optInteger(range.gt, "created[gt]");
  const gte = optInteger(range.gte, "created[gte]");
  const lt = optInteger(range.lt, "created[lt]");
  const lte = optInteger(range.lte, "created[lte]");
  return items.filter(
    (o) =>
      (gt === undefined || o.created > gt) &&
      (gte === undefined || o.created >= gte) &&
      (lt === undefined || o.created < lt) &&
      (lte === undefined || o.created <= lte),
  );
}

/** Newest first, like Stripe lists. */
function newestFirst(items: Obj[]): Obj[] {
  return [...items].reverse();
}

/** Applies `expand[]` paths (e.g. `latest_charge`, `payment_intent.latest_charge`, `data.invoice`). */
function expand(ctx: FlowContext, obj: Obj, params: FormObject): Obj {
  const paths = optArray(params.expand, "expand");
  if (!paths || paths.length === 0) return obj;
  const out = structuredClone(obj);
  for (const [i, p] of paths.entries()) {
    const path = reqString(p, `expand[${i}]`);
    const [head, next] = path.split(".");
    includeField(ctx, out, head as string);
    // `data.refunds` on a list includes the field on every item.
    if (out.object === "list" && head === "data" && next)
      for (const item of out.data as Obj[]) includeField(ctx, item, next);
    expandPath(ctx, out, path.split("."), path);
  }
  return out;
}

/**
 * Stripe's includable fields: present only when expanded (`line_items` of a session, `payments`
 * of an invoice, `refunds` of a charge).
 */
function includeField(ctx: FlowContext, obj: Obj, field: string): void {
  if (obj[field] !== undefined) return;
  if (obj.object === "checkout.session" && field === "line_items") {
    const items = ctx.store.sessionInternals.get(obj.id)?.lineItems ?? [];
    obj.line_items = {
      object: "list",
      data: structuredClone(items),
      has_more: false,
      url: `/v1/checkout/sessions/${obj.id}/line_items`,
    };
  }
  if (obj.object === "charge" && field === "refunds") {
    const refunds = newestFirst(ctx.store.all("refund").filter((r) => r.charge === obj.id));
    obj.refunds = {
      object: "list",
      data: structuredClone(refunds),
      has_more: false,
      url: `/v1/charges/${obj.id}/refunds`,
    };
  }
  if (obj.object === "invoice" && field === "payments") {
    const payments = ctx.store.all("invoice_payment").filter((p) => p.invoice === obj.id);
    obj.payments = {
      object: "list",
      data: structuredClone(payments),
      has_more: false,
      url: `/v1/invoice_payments?invoice=${obj.id}`,
    };
  }
}

/** Expandable fields Stripe leaves out of an object until they apply (a refund's failure, say). */
const OPTIONAL_EXPANDABLE = new Set(["failure_balance_transaction"]);

function expandPath(ctx: FlowContext, node: Obj, parts: string[], full: string): void {
  const [head, ...rest] = parts;
  if (head === undefined) return;
  const value = node[head];
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (typeof value[i] === "string" && rest.length === 0) value[i] = expandId(ctx, value[i]);
      else if (value[i] && typeof value[i] === "object") expandPath(ctx, value[i], rest, full);
    }
    return;
  }
  if (typeof value === "string") {
    node[head] = expandId(ctx, value);
  } else if (value === undefined && !OPTIONAL_EXPANDABLE.has(head)) {
    throw invalidParam("expand", `This property cannot be expanded (${full}).`);
  }
  const child = node[head];
  if (rest.length > 0 && child && typeof child === "object") expandPath(ctx, child, rest, full);
}

function expandId(ctx: FlowContext, id: string): Obj | string {
  const found = ctx.store.get(id);
  return found ? structuredClone(found) : id;
}

// ─── Handlers ────────────────────────────────────────────────────────────────

const createSession: Handler = (ctx, req) => {
  const parsed = parseCheckoutRequest(req.params, nowSeconds());
  const consent = parseConsentCollection(req.params.consent_collection);
  const session = createCheckoutSession(ctx, parsed);
  if (consent) session.consent_collection = consent;
  return expand(ctx, session, req.params);
};

const listSessions: Handler = (ctx, req) => {
  let items = newestFirst(ctx.store.all("checkout.session"));
  for (const key of ["payment_intent", "subscription", "customer", "status"] as const) {
    const v = optString(req.params[key], key);
    if (v) items = items.filter((s) => s[key] === v);
  }
  return paginate(filterCreated(items, req.params), req.params, "/v1/checkout/sessions");
};

const listLineItems: Handler = (ctx, req, [id]) => {
  const items = sessionLineItems(ctx, id as string);
  const list = paginate(items, req.params, `/v1/checkout/sessions/${id}/line_items`);
  return expand(ctx, list, req.params);
};

const listEvents: Handler = (ctx, req) => {
  rejectUnknown(req.params, [
    "created",
    "delivery_success",
    "ending_before",
    "expand",
    "limit",
    "starting_after",
    "type",
    "types",
  ]);
  let items = newestFirst(ctx.store.events);
  const type = optString(req.params.type, "type");
  const types = optArray(req.params.types, "types")?.map((t, i) => reqString(t, `types[${i}]`));
  if (type && types) throw badState("You may only specify one of these parameters: type, types.");
  const patterns = type ? [type] : types;
  if (patterns) {
    const matchers = patterns.map(
      (t) => new RegExp(`^${t.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replaceAll("*", ".*")}$`),
    );
    items = items.filter((e) => matchers.some((m) => m.test(e.type)));
  }
  return paginate(filterCreated(items, req.params), req.params, "/v1/events");
};

const updateSub: Handler = (ctx, req, [id]) =>
  expand(ctx, changeSubscription(ctx, id as string, req.params, eventRequest(req)), req.params);

const cancelSub: Handler = (ctx, req, [id]) => {
  rejectUnknown(req.params, ["cancellation_details", "expand", "invoice_now", "prorate"]);
  const details = optObject(req.params.cancellation_details, "cancellation_details") ?? {};
  const sub = cancelSubscription(ctx, id as string, {
    request: eventRequest(req),
    comment: optString(details.comment, "cancellation_details[comment]") || null,
    feedback: optString(details.feedback, "cancellation_details[feedback]") || null,
  });
  return expand(ctx, sub, req.params);
};

const listSubscriptions: Handler = (ctx, req) => {
  let items = newestFirst(ctx.store.all("subscription"));
  const customer = optString(req.params.customer, "customer");
  if (customer) items = items.filter((s) => s.customer === customer);
  const status = optString(req.params.status, "status") ?? "active_or_past";
  if (status !== "all") {
    items = items.filter((s) => (status === "active_or_past" ? s.status !== "canceled" : s.status === status));
  }
  return paginate(items, req.params, "/v1/subscriptions");
};

const listInvoices: Handler = (ctx, req) => {
  let items = newestFirst(ctx.store.all("invoice"));
  const customer = optString(req.params.customer, "customer");
  const subscription = optString(req.params.subscription, "subscription");
  const status = optString(req.params.status, "status");
  if (customer) items = items.filter((i) => i.customer === customer);
  if (subscription) items = items.filter((i) => i.parent?.subscription_details?.subscription === subscription);
  if (status) items = items.filter((i) => i.status === status);
  return expand(ctx, paginate(filterCreated(items, req.params), req.params, "/v1/invoices"), req.params);
};

const listInvoicePayments: Handler = (ctx, req) => {
  rejectUnknown(req.params, [
    "created",
    "ending_before",
    "expand",
    "invoice",
    "limit",
    "payment",
    "starting_after",
    "status",
  ]);
  let items = newestFirst(ctx.store.all("invoice_payment"));
  const invoice = optString(req.params.invoice, "invoice");
  if (invoice) items = items.filter((p) => p.invoice === invoice);
  const payment = optObject(req.params.payment, "payment");
  if (payment) {
    const pi = optString(payment.payment_intent, "payment[payment_intent]");
    if (pi) items = items.filter((p) => p.payment.payment_intent === pi);
  }
  const status = optEnum(req.params.status, "status", ["canceled", "open", "paid"] as const);
  if (status) items = items.filter((p) => p.status === status);
  return expand(ctx, paginate(items, req.params, "/v1/invoice_payments"), req.params);
};

const listCharges: Handler = (ctx, req) => {
  let items = newestFirst(ctx.store.all("charge"));
  const pi = optString(req.params.payment_intent, "payment_intent");
  const customer = optString(req.params.customer, "customer");
  if (pi) items = items.filter((c) => c.payment_intent === pi);
  if (customer) items = items.filter((c) => c.customer === customer);
  return expand(ctx, paginate(filterCreated(items, req.params), req.params, "/v1/charges"), req.params);
};

const listRefunds: Handler = (ctx, req) => {
  rejectUnknown(req.params, [
    "charge",
    "created",
    "ending_before",
    "expand",
    "limit",
    "payment_intent",
    "starting_after",
  ]);
  let items = newestFirst(ctx.store.all("refund"));
  const pi = optString(req.params.payment_intent, "payment_intent");
  const charge = optString(req.params.charge, "charge");
  if (pi) items = items.filter((r) => r.payment_intent === pi);
  if (charge) items = items.filter((r) => r.charge === charge);
  return expand(ctx, paginate(filterCreated(items, req.params), req.params, "/v1/refunds"), req.params);
};

const listDisputes: Handler = (ctx, req) => {
  rejectUnknown(req.params, [
    "charge",
    "created",
    "ending_before",
    "expand",
    "limit",
    "payment_intent",
    "starting_after",
  ]);
  let items = newestFirst(ctx.store.all("dispute"));
  const pi = optString(req.params.payment_intent, "payment_intent");
  const charge = optString(req.params.charge, "charge");
  if (pi) items = items.filter((d) => d.payment_intent === pi);
  if (charge) items = items.filter((d) => d.charge === charge);
  return expand(ctx, paginate(filterCreated(items, req.params), req.params, "/v1/disputes"), req.params);
};

const listEndpoints: Handler = (ctx, req) => {
  rejectUnknown(req.params, ["ending_before", "expand", "limit", "starting_after"]);
  return paginate(newestFirst(ctx.store.all("webhook_endpoint")), req.params, "/v1/webhook_endpoints");
};

const listPortalConfigurations: Handler = (ctx, req) => {
  rejectUnknown(req.params, ["active", "ending_before", "expand", "is_default", "limit", "starting_after"]);
  defaultPortalConfiguration(ctx);
  let items = newestFirst(ctx.store.all("billing_portal.configuration"));
  const active = optBoolean(req.params.active, "active");
  const isDefault = optBoolean(req.params.is_default, "is_default");
  if (active !== undefined) items = items.filter((c) => c.active === active);
  if (isDefault !== undefined) items = items.filter((c) => c.is_default === isDefault);
  return paginate(items, req.params, "/v1/billing_portal/configurations");
};

const createRefund: Handler = (ctx, req) => {
  rejectUnknown(req.params, [
    "amount",
    "charge",
    "expand",
    "instructions_email",
    "metadata",
    "payment_intent",
    "reason",
  ]);
  const paymentIntent = optString(req.params.payment_intent, "payment_intent");
  const charge = optString(req.params.charge, "charge");
  if (!paymentIntent && !charge)
    throw badState(
      "One of the following params should be provided for this request: payment_intent or charge.",
      "parameter_missing",
    );
  if (paymentIntent && charge) throw badState("You may only specify one of these parameters: charge, payment_intent.");
  const result = refundPayment(ctx, {
    paymentIntent,
    charge,
    amount: optInteger(req.params.amount, "amount"),
    reason: optEnum(req.params.reason, "reason", ["duplicate", "fraudulent", "requested_by_customer"] as const) ?? null,
    metadata: metadata(req.params.metadata, "metadata"),
    request: eventRequest(req),
  });
  return expand(ctx, retrieve(ctx, result.refund as string, "refund"), req.params);
};

const createPortal: Handler = (ctx, req) => {
  rejectUnknown(req.params, [
    "configuration",
    "customer",
    "customer_account",
    "expand",
    "flow_data",
    "locale",
    "on_behalf_of",
    "return_url",
  ]);
  const customer = optString(req.params.customer, "customer");
  if (!customer) throw badState("Missing required param: customer.", "parameter_missing");
  const configuration = optString(req.params.configuration, "configuration");
  if (configuration) {
    const config = ctx.store.get(configuration, "billing_portal.configuration");
    if (configuration !== ctx.store.portalConfigurationId && !config)
      throw noSuch("billing_portal.configuration", configuration, "configuration");
    if (config && !config.active) throw badState(`The configuration ${configuration} is not active.`);
  }
  const flow = parsePortalFlow(req.params.flow_data);
  const session = createPortalSession(ctx, {
    configuration: configuration || ctx.store.portalConfigurationId,
    customer,
    returnUrl: optUrl(req.params.return_url, "return_url") ?? null,
    locale: optString(req.params.locale, "locale") || null,
  });
  if (flow) session.flow = flow;
  return session;
};

/** A retrieve handler for one object type. */
function getter(objectType: string, kind = objectType): Handler {
  return (ctx, req, [id]) => expand(ctx, retrieve(ctx, id as string, objectType, kind), req.params);
}

const ROUTES: Route[] = [
  { method: "POST", pattern: /^\/v1\/checkout\/sessions$/, handler: createSession },
  { method: "GET", pattern: /^\/v1\/checkout\/sessions$/, handler: listSessions },
  { method: "GET", pattern: new RegExp(`^/v1/checkout/sessions/${ID}$`), handler: getter("checkout.session") },
  { method: "GET", pattern: new RegExp(`^/v1/checkout/sessions/${ID}/line_items$`), handler: listLineItems },
  {
    method: "POST",
    pattern: new RegExp(`^/v1/checkout/sessions/${ID}/expire$`),
    handler: (ctx, req, [id]) => {
      expireSession(ctx, id as string, eventRequest(req));
      return expand(ctx, retrieve(ctx, id as string, "checkout.session"), req.params);
    },
  },
  { method: "GET", pattern: /^\/v1\/events$/, handler: listEvents },
  {
    method: "GET",
    pattern: new RegExp(`^/v1/events/${ID}$`),
    handler: (ctx, _req, [id]) => {
      const event = ctx.store.events.find((e) => e.id === id);
      if (!event) throw noSuch("event", id as string);
      return event;
    },
  },
  { method: "GET", pattern: /^\/v1\/subscriptions$/, handler: listSubscriptions },
  { method: "GET", pattern: new RegExp(`^/v1/subscriptions/${ID}$`), handler: getter("subscription") },
  { method: "POST", pattern: new RegExp(`^/v1/subscriptions/${ID}$`), handler: updateSub },
  { method: "DELETE", pattern: new RegExp(`^/v1/subscriptions/${ID}$`), handler: cancelSub },
  { method: "GET", pattern: /^\/v1\/invoices$/, handler: listInvoices },
  { method: "GET", pattern: new RegExp(`^/v1/invoices/${ID}$`), handler: getter("invoice") },
  { method: "GET", pattern: /^\/v1\/invoice_payments$/, handler: listInvoicePayments },
  { method: "GET", pattern: new RegExp(`^/v1/invoice_payments/${ID}$`), handler: getter("invoice_payment") },
  { method: "GET", pattern: new RegExp(`^/v1/payment_intents/${ID}$`), handler: getter("payment_intent") },
  { method: "GET", pattern: /^\/v1\/charges$/, handler: listCharges },
  { method: "GET", pattern: new RegExp(`^/v1/charges/${ID}$`), handler: getter("charge") },
  { method: "GET", pattern: new RegExp(`^/v1/customers/${ID}$`), handler: getter("customer") },
  { method: "GET", pattern: /^\/v1\/refunds$/, handler: listRefunds },
  { method: "POST", pattern: /^\/v1\/refunds$/, handler: createRefund },
  { method: "GET", pattern: new RegExp(`^/v1/refunds/${ID}$`), handler: getter("refund") },
  { method: "GET", pattern: /^\/v1\/disputes$/, handler: listDisputes },
  { method: "GET", pattern: new RegExp(`^/v1/disputes/${ID}$`), handler: getter("dispute") },
  { method: "GET", pattern: new RegExp(`^/v1/balance_transactions/${ID}$`), handler: getter("balance_transaction") },
  { method: "GET", pattern: new RegExp(`^/v1/products/${ID}$`), handler: getter("product") },
  {
    method: "POST",
    pattern: new RegExp(`^/v1/products/${ID}$`),
    handler: (ctx, req, [id]) =>
      expand(ctx, updateProduct(ctx, id as string, req.params, eventRequest(req)), req.params),
  },
  { method: "GET", pattern: new RegExp(`^/v1/prices/${ID}$`), handler: getter("price") },
  { method: "POST", pattern: /^\/v1\/billing_portal\/sessions$/, handler: createPortal },
  {
    method: "POST",
    pattern: /^\/v1\/billing_portal\/configurations$/,
    handler: (ctx, req) => createPortalConfiguration(ctx, req.params),
  },
  { method: "GET", pattern: /^\/v1\/billing_portal\/configurations$/, handler: listPortalConfigurations },
  {
    method: "GET",
    pattern: new RegExp(`^/v1/billing_portal/configurations/${ID}$`),
    handler: (ctx, _req, [id]) => portalConfiguration(ctx, id as string),
  },
  {
    method: "POST",
    pattern: new RegExp(`^/v1/billing_portal/configurations/${ID}$`),
    handler: (ctx, req, [id]) => updatePortalConfiguration(ctx, id as string, req.params),
  },
  {
    method: "POST",
    pattern: /^\/v1\/webhook_endpoints$/,
    handler: (ctx, req) => createWebhookEndpoint(ctx, req.params),
  },
  { method: "GET", pattern: /^\/v1\/webhook_endpoints$/, handler: listEndpoints },
  { method: "GET", pattern: new RegExp(`^/v1/webhook_endpoints/${ID}$`), handler: getter("webhook_endpoint") },
  {
    method: "POST",
    pattern: new RegExp(`^/v1/webhook_endpoints/${ID}$`),
    handler: (ctx, req, [id]) => updateWebhookEndpoint(ctx, id as string, req.params),
  },
  {
    method: "DELETE",
    pattern: new RegExp(`^/v1/webhook_endpoints/${ID}$`),
    handler: (ctx, _req, [id]) => deleteWebhookEndpoint(ctx, id as string),
  },
  { method: "POST", pattern: /^\/v1\/coupons$/, handler: (ctx, req) => createCoupon(ctx, req.params) },
  { method: "GET", pattern: new RegExp(`^/v1/coupons/${ID}$`), handler: getter("coupon") },
];

/** Runs one API request; Stripe errors become error responses. */
export function handleApi(ctx: FlowContext, req: ApiRequest): ApiResponse {
  try {
    for (const route of ROUTES) {
      const m = route.method === req.method ? route.pattern.exec(req.path) : null;
      if (m) return { status: 200, body: route.handler(ctx, req, m.slice(1)) };
    }
    throw unrecognizedUrl(req.method, req.path);
  } catch (err) {
    if (err instanceof StripeError) return { status: err.status, body: err.toBody(req.requestId) };
    console.error("[stripe-emulator] internal error", err);
    return {
      status: 500,
      body: new StripeError(500, "api_error", `Emulator internal error: ${(err as Error).message}`).toBody(
        req.requestId,
      ),
    };
  }
}
