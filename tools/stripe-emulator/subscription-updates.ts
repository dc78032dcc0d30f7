/**
 * Changing a subscription (`POST /v1/subscriptions/{id}`) the way Stripe does, and what time does
 * to a changed one: new prices for its items (`items[][price_data]` with an existing product),
 * `pause_collection` and its end, `cancel_at_period_end` with `cancellation_details`, metadata, and
 * `trial_end` (which moves the billing date, the way to switch an interval without an invoice now).
 * Every change is one `customer.subscription.updated` whose `previous_attributes` hold what changed,
 * as Stripe writes them: a nested object only its changed keys (null for a key that was not there),
 * a list or anything else whole.
 *
 * Not emulated: proration (items change only with `proration_behavior=none`), an interval change
 * without `trial_end` (Stripe would reset the billing date and invoice at once), `trial_end=now`.
 */
import { badState, invalidParam, noSuch } from "./errors.ts";
import type { EventRequest } from "./events.ts";
import {
  advancePeriod,
  createInvoice,
  Emitter,
  type FlowContext,
  type FlowResult,
  finalizeInvoice,
  mustGet,
} from "./flows.ts";
import type { FormObject, FormValue } from "./form.ts";
import { buildPrice, buildSubscriptionItem, planFromPrice } from "./objects.ts";
import { nowSeconds, type Obj } from "./store.ts";
import {
  metadata,
  optArray,
  optBoolean,
  optEnum,
  optInteger,
  optObject,
  optString,
  rejectUnknown,
} from "./validate.ts";

const FEEDBACK = [
  "customer_service",
  "low_quality",
  "missing_features",
  "other",
  "switched_service",
  "too_complex",
  "too_expensive",
  "unused",
] as const;

const isPlain = (v: unknown): v is Obj =>
  typeof v === "object" && v !== null && !Array.isArray(v) && (v as Obj).object !== "list";

/** Stripe's `previous_attributes` for a change from `before` to `after`. */
export function previousAttributes(before: Obj, after: Obj): Obj {
  const out: Obj = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const was = before[key];
    const is = after[key];
    if (JSON.stringify(was) === JSON.stringify(is)) continue;
    out[key] = isPlain(was) && isPlain(is) ? previousAttributes(was, is) : (was ?? null);
  }
  return out;
}

const intervals = (sub: Obj) =>
  [
    ...new Set(
      (sub.items.data as Obj[]).map((i) => `${i.price.recurring?.interval}/${i.price.recurring?.interval_count}`),
    ),
  ]
    .sort()
    .join(",");

/** Applies `items[]` (new prices for existing items, new items, `deleted`) to the subscription. */
function applyItems(ctx: FlowContext, sub: Obj, entries: FormValue[]): void {
  const data = sub.items.data as Obj[];
  const period = { start: data[0]?.current_period_start, end: data[0]?.current_period_end };
  entries.forEach((raw, i) => {
    const param = `items[${i}]`;
    const entry = optObject(raw, param) ?? {};
    rejectUnknown(entry, ["deleted", "id", "metadata", "price", "price_data", "quantity"], param);
    const id = optString(entry.id, `${param}[id]`);
    const index = id ? data.findIndex((it) => it.id === id) : -1;
    if (id && index < 0) throw invalidParam(`${param}[id]`, `No such subscription item: '${id}'`, "resource_missing");
    if (optBoolean(entry.deleted, `${param}[deleted]`)) {
      if (!id) throw invalidParam(`${param}[deleted]`, "Deleting an item needs its id.");
      data.splice(index, 1);
      return;
    }
    const quantity = optInteger(entry.quantity, `${param}[quantity]`);
    if (quantity !== undefined && quantity < 1)
      throw invalidParam(`${param}[quantity]`, "Quantity must be at least 1.");
    let price: Obj | undefined;
    const priceData = optObject(entry.price_data, `${param}[price_data]`);
    if (priceData) {
      const at = `${param}[price_data]`;
      rejectUnknown(priceData, ["currency", "product", "recurring", "tax_behavior", "unit_amount"], at);
      const product = optString(priceData.product, `${at}[product]`);
      if (!product) throw invalidParam(`${at}[product]`, "Missing required param: product.", "parameter_missing");
      if (!ctx.store.get(product, "product")) throw noSuch("product", product, `${at}[product]`);
      const currency = optString(priceData.currency, `${at}[currency]`)?.toLowerCase() ?? "";
      if (currency !== sub.currency)
        throw invalidParam(`${at}[currency]`, `The subscription is in ${sub.currency}; every item must be too.`);
      const unitAmount = optInteger(priceData.unit_amount, `${at}[unit_amount]`);
      if (unitAmount === undefined || unitAmount < 0)
        throw invalidParam(`${at}[unit_amount]`, "unit_amount must be a whole number of minor units, 0 or more.");
      const recurring = optObject(priceData.recurring, `${at}[recurring]`);
      const interval = optEnum(recurring?.interval, `${at}[recurring][interval]`, ["day", "week", "month", "year"]);
      if (!interval) throw invalidParam(`${at}[recurring][interval]`, "Missing required param: recurring[interval].");
      const intervalCount = optInteger(recurring?.interval_count, `${at}[recurring][interval_count]`) ?? 1;
      price = ctx.store.put(buildPrice(nowSeconds(), { currency, unitAmount, product, interval, intervalCount }));
    } else if (entry.price !== undefined) {
      const priceId = optString(entry.price, `${param}[price]`) as string;
      price = ctx.store.get(priceId, "price");
      if (!price) throw noSuch("price", priceId, `${param}[price]`);
    }
    if (index >= 0) {
      const item = data[index] as Obj;
      if (price) {
        item.price = price;
        item.plan = planFromPrice(price);
      }
      if (quantity !== undefined) item.quantity = quantity;
    } else {
      if (!price) throw invalidParam(param, "A new item needs price or price_data.");
      const item = buildSubscriptionItem(nowSeconds(), sub.id, price, quantity ?? 1, period.end);
      item.current_period_start = period.start;
      data.push(item);
    }
  });
  if (data.length === 0) throw invalidParam("items", "A subscription needs at least one item.");
  sub.items.total_count = data.length;
}

/**
 * `POST /v1/subscriptions/{id}`: every parameter the emulator knows, applied together and reported
 * as one `customer.subscription.updated` (nothing is emitted when nothing changed).
 */
export function changeSubscription(ctx: FlowContext, subId: string, params: FormObject, request?: EventRequest): Obj {
  rejectUnknown(params, [
    "cancel_at_period_end",
    "cancellation_details",
    "expand",
    "items",
    "metadata",
    "pause_collection",
    "proration_behavior",
    "trial_end",
  ]);
  const stored = mustGet(ctx, subId, "subscription");
  const before = structuredClone(stored);
  // Changes are made on a copy and kept only when every parameter was accepted.
  const sub = structuredClone(stored);
  const onlyNotes = Object.keys(params).every((k) => ["cancellation_details", "expand", "metadata"].includes(k));
  if (sub.status === "canceled" && !onlyNotes)
    throw badState("A canceled subscription can only update its cancellation_details and metadata.");
  const now = nowSeconds();

  const items = optArray(params.items, "items");
  const proration = optEnum(params.proration_behavior, "proration_behavior", [
    "always_invoice",
    "create_prorations",
    "none",
  ] as const);
  if (items) {
    if (proration !== "none")
      throw invalidParam(
        "proration_behavior",
        "The Stripe emulator does not prorate: change items with proration_behavior=none (the new price applies from the next invoice).",
      );
    applyItems(ctx, sub, items);
  }

  if (params.trial_end !== undefined) {
    if (params.trial_end === "now")
      throw invalidParam("trial_end", "The Stripe emulator does not support trial_end=now.");
    const trialEnd = optInteger(params.trial_end, "trial_end") as number;
    if (trialEnd <= now) throw invalidParam("trial_end", "trial_end must be in the future.");
    sub.status = sub.status === "active" ? "trialing" : sub.status;
    sub.trial_start = now;
    sub.trial_end = trialEnd;
    sub.billing_cycle_anchor = trialEnd;
    for (const item of sub.items.data as Obj[]) {
      item.current_period_start = now;
      item.current_period_end = trialEnd;
    }
  } else if (intervals(before) !== intervals(sub)) {
    throw invalidParam(
      "items",
      "Changing the billing interval resets the billing date and invoices at once at Stripe; the emulator supports it only with trial_end, which keeps a billing date.",
    );
  }

  if (params.pause_collection !== undefined) {
    if (params.pause_collection === "") sub.pause_collection = null;
    else {
      const pause = optObject(params.pause_collection, "pause_collection") ?? {};
      rejectUnknown(pause, ["behavior", "resumes_at"], "pause_collection");
      const behavior = optEnum(pause.behavior, "pause_collection[behavior]", [
        "keep_as_draft",
        "mark_uncollectible",
        "void",
      ] as const);
      if (!behavior)
        throw invalidParam("pause_collection[behavior]", "Missing required param: behavior.", "parameter_missing");
      const resumesAt = optInteger(pause.resumes_at, "pause_collection[resumes_at]");
      if (resumesAt !== undefined && resumesAt <= now)
        throw invalidParam("pause_collection[resumes_at]", "resumes_at must be in the future.");
      sub.pause_collection = { behavior, resumes_at: resumesAt ?? null };
    }
  }

  const cancelAtPeriodEnd = optBoolean(params.cancel_at_period_end, "cancel_at_period_end");
  if (cancelAtPeriodEnd !== undefined && cancelAtPeriodEnd !== sub.cancel_at_period_end) {
    if (cancelAtPeriodEnd) {
      sub.cancel_at_period_end = true;
      sub.cancel_at = Math.max(...(sub.items.data as Obj[]).map((i) => i.current_period_end as number));
      sub.canceled_at = now;
      sub.cancellation_details = { ...sub.cancellation_details, reason: "cancellation_requested" };
    } else {
      sub.cancel_at_period_end = false;
      sub.cancel_at = null;
      sub.canceled_at = null;
      sub.cancellation_details = { comment: null, feedback: null, reason: null };
    }
  }
  const details = optObject(params.cancellation_details, "cancellation_details");
  if (details) {
    rejectUnknown(details, ["comment", "feedback"], "cancellation_details");
    const comment = optString(details.comment, "cancellation_details[comment]");
    if (comment !== undefined && comment.length > 5000)
      throw invalidParam("cancellation_details[comment]", "comment is too long (max 5000 characters).");
    const feedback = optString(details.feedback, "cancellation_details[feedback]");
    sub.cancellation_details = {
      ...sub.cancellation_details,
      ...(comment !== undefined ? { comment: comment || null } : {}),
      ...(feedback !== undefined
        ? { feedback: feedback === "" ? null : optEnum(feedback, "cancellation_details[feedback]", FEEDBACK) }
        : {}),
    };
  }

  if (params.metadata !== undefined) {
    if (params.metadata === "") sub.metadata = {};
    else {
      metadata(params.metadata, "metadata");
      const next = { ...sub.metadata };
      for (const [k, v] of Object.entries(optObject(params.metadata, "metadata") ?? {})) {
        if (v === "") delete next[k];
        else next[k] = String(v);
      }
      sub.metadata = next;
    }
  }

  const previous = previousAttributes(before, sub);
  for (const key of Object.keys(stored)) delete stored[key];
  Object.assign(stored, sub);
  if (Object.keys(previous).length > 0)
    new Emitter(ctx, request).emit("customer.subscription.updated", stored, previous);
  return stored;
}

/**
 * A renewal while payment collection is paused. Past `resumes_at` collection resumes first
 * (`customer.subscription.updated`, `previous_attributes.pause_collection`) and the renewal bills
 * as usual (null is returned). Before it, the period advances and its invoice is voided, as Stripe
 * does for `behavior: void`: `customer.subscription.updated`, `invoice.created`, `invoice.finalized`,
 * `invoice.voided`, and no payment.
 */
export function renewWhilePaused(ctx: FlowContext, sub: Obj, customer: Obj, ev: Emitter): FlowResult | null {
  const pause = sub.pause_collection as Obj | null;
  if (!pause) return null;
  if (pause.resumes_at !== null && pause.resumes_at <= nowSeconds()) {
    sub.pause_collection = null;
    ev.emit("customer.subscription.updated", sub, { pause_collection: pause });
    return null;
  }
  const { previousItems, oldStart, oldEnd, newEnd } = advancePeriod(sub);
  const previousLatest = sub.latest_invoice;
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
  ev.emit("invoice.created", invoice);
  finalizeInvoice(ctx, invoice, customer);
  ev.emit("invoice.finalized", invoice);
  invoice.status = "void";
  invoice.amount_remaining = 0;
  invoice.auto_advance = false;
  invoice.status_transitions.voided_at = nowSeconds();
  ev.emit("invoice.voided", invoice);
  return { subscription: sub.id, status: sub.status, invoice: invoice.id, customer: sub.customer, events: ev.ids };
}

/** `POST /v1/products/{id}`: its name, description and metadata (`product.updated`). */
export function updateProduct(ctx: FlowContext, productId: string, params: FormObject, request?: EventRequest): Obj {
  rejectUnknown(params, ["description", "expand", "metadata", "name"]);
  const product = mustGet(ctx, productId, "product");
  const before = structuredClone(product);
  const name = optString(params.name, "name");
  if (name !== undefined) {
    if (name === "") throw invalidParam("name", "A product needs a name.");
    product.name = name;
  }
  const description = optString(params.description, "description");
  if (description !== undefined) product.description = description || null;
  if (params.metadata !== undefined)
    product.metadata = { ...product.metadata, ...metadata(params.metadata, "metadata") };
  const previous = previousAttributes(before, product);
  if (Object.keys(previous).length > 0) {
    product.updated = nowSeconds();
    new Emitter(ctx, request).emit("product.updated", product, { ...previous, updated: before.updated });
  }
  return product;
}
