/**
 * Rendering events at a webhook endpoint's API version. Stripe renders `data.object` at the
 * endpoint's version (or the account's default); the emulator's objects are in the pinned
 * version's shape, so for an endpoint on a version before 2025-03-31.basil the shapes that moved
 * there are rendered the old way:
 * - invoice: `subscription`, `subscription_details.metadata`, `payment_intent`, `charge` and `paid`
 *   instead of `parent.subscription_details` (and no `payments`);
 * - subscription: `current_period_start`/`current_period_end` on the subscription, not its items;
 * - charge: `invoice` (the invoice it paid, if any).
 * Later versions (basil, clover, dahlia, endive) share the shapes the emulator builds.
 */
import { API_VERSION } from "./objects.ts";
import type { Obj, Store } from "./store.ts";

/** The first version with the current invoice, subscription and charge shapes. */
export const BASIL = "2025-03-31";

/** Whether `version` renders invoices, subscriptions and charges the pre-basil way. */
export const isPreBasil = (version: string | null): boolean => version !== null && version.slice(0, 10) < BASIL;

/** The invoice payment (and so payment intent) that paid an invoice, if any. */
function invoicePaymentOf(store: Store, invoiceId: string): Obj | undefined {
  const payments = store.all("invoice_payment").filter((p) => p.invoice === invoiceId);
  return payments.find((p) => p.status === "paid") ?? payments[0];
}

function invoiceBefore(store: Store, invoice: Obj): Obj {
  const out = structuredClone(invoice);
  const details = invoice.parent?.subscription_details ?? null;
  const intentId = invoicePaymentOf(store, invoice.id)?.payment?.payment_intent ?? null;
  const intent = intentId ? store.get(intentId, "payment_intent") : undefined;
  out.subscription = details?.subscription ?? null;
  out.subscription_details = details ? { metadata: details.metadata ?? null } : null;
  out.payment_intent = intentId;
  out.charge = intent?.latest_charge ?? null;
  out.paid = invoice.status === "paid";
  delete out.parent;
  delete out.payments;
  return out;
}

function subscriptionBefore(subscription: Obj): Obj {
  const out = structuredClone(subscription);
  const first = subscription.items?.data?.[0];
  out.current_period_start = first?.current_period_start ?? null;
  out.current_period_end = first?.current_period_end ?? null;
  for (const item of out.items?.data ?? []) {
    delete item.current_period_start;
    delete item.current_period_end;
  }
  return out;
}

function chargeBefore(store: Store, charge: Obj): Obj {
  const out = structuredClone(charge);
  const paid = store
    .all("invoice_payment")
    .find((p) => p.payment?.payment_intent && p.payment.payment_intent === charge.payment_intent);
  out.invoice = paid?.invoice ?? null;
  return out;
}

/** An API object as an endpoint on `version` sees it. */
export function renderAtVersion(store: Store, object: Obj, version: string | null): Obj {
  if (!isPreBasil(version)) return object;
  if (object.object === "invoice") return invoiceBefore(store, object);
  if (object.object === "subscription") return subscriptionBefore(object);
  if (object.object === "charge") return chargeBefore(store, object);
  return object;
}

/** An event as a webhook endpoint on `version` receives it (null: the account's default, the pinned one). */
export function renderEvent(store: Store, event: Obj, version: string | null): Obj {
  const at = version ?? API_VERSION;
  return {
    ...event,
    api_version: at,
    data: { ...event.data, object: renderAtVersion(store, event.data.object, at) },
  };
}
