// @vitest-environment node
/**
 * The emulator's objects against Stripe's own reference objects (fixtures/stripe-reference.json,
 * Stripe's, MIT): every field the worker and the scripts read must exist in both, with the type
 * the `stripe` package declares for the pinned API version. A field Stripe leaves out until it
 * applies (a refund's failure, an includable list) is checked wherever it is present.
 */
import { readFileSync } from "node:fs";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "./server.ts";

type Kind = "string" | "number" | "boolean" | "object" | "array";
type Read = { path: string; type: Kind; nullable?: true; optional?: string };

const r = (path: string, type: Kind, more: Partial<Read> = {}): Read => ({ path, type, ...more });
const n = (path: string, type: Kind, more: Partial<Read> = {}): Read => ({ path, type, nullable: true, ...more });

/** What the worker (core/ledger.ts, ledger/, checkout/, manage/, ledger/reconcile.ts) and scripts/stripe-setup.ts read. */
const READS: Record<string, Read[]> = {
  "checkout.session": [
    r("id", "string"),
    n("url", "string"),
    r("mode", "string"),
    r("payment_status", "string"),
    n("amount_total", "number"),
    n("currency", "string"),
    n("payment_intent", "string"),
    n("customer", "string"),
    n("subscription", "string"),
    n("metadata", "object"),
    n("client_reference_id", "string"),
    n("customer_details", "object"),
    n("customer_details.email", "string"),
  ],
  invoice: [
    r("id", "string"),
    r("amount_paid", "number"),
    r("currency", "string"),
    n("customer", "string"),
    n("billing_reason", "string"),
    r("status_transitions", "object"),
    n("status_transitions.paid_at", "number"),
    n("parent", "object"),
    n("parent.subscription_details", "object"),
    n("parent.subscription_details.subscription", "string"),
    n("parent.subscription_details.metadata", "object"),
  ],
  invoice_payment: [
    r("status", "string"),
    r("payment", "object"),
    r("payment.type", "string"),
    r("payment.payment_intent", "string", { optional: "present when payment.type is payment_intent" }),
  ],
  payment_intent: [r("id", "string"), n("latest_charge", "string")],
  charge: [
    r("id", "string"),
    r("status", "string"),
    r("amount", "number"),
    r("amount_refunded", "number"),
    r("currency", "string"),
    r("created", "number"),
    r("disputed", "boolean"),
    r("refunded", "boolean"),
    n("payment_intent", "string"),
    n("balance_transaction", "string"),
    n("customer", "string"),
  ],
  refund: [
    r("id", "string"),
    r("amount", "number"),
    r("currency", "string"),
    r("created", "number"),
    n("status", "string"),
    n("charge", "string"),
    n("payment_intent", "string"),
    n("balance_transaction", "string"),
    r("failure_balance_transaction", "string", { optional: "present once the refund failed or was canceled" }),
  ],
  dispute: [
    r("id", "string"),
    r("amount", "number"),
    r("currency", "string"),
    r("status", "string"),
    r("created", "number"),
    r("charge", "string"),
    n("payment_intent", "string"),
    r("balance_transactions", "array"),
  ],
  balance_transaction: [
    r("id", "string"),
    r("amount", "number"),
    r("fee", "number"),
    r("net", "number"),
    r("currency", "string"),
    r("type", "string"),
    r("reporting_category", "string"),
    r("created", "number"),
    n("exchange_rate", "number"),
    n("source", "string"),
  ],
  subscription: [r("id", "string"), r("status", "string"), r("metadata", "object"), r("customer", "string")],
  event: [
    r("id", "string"),
    r("type", "string"),
    r("created", "number"),
    n("api_version", "string"),
    r("data", "object"),
    r("data.object", "object"),
  ],
  webhook_endpoint: [
    r("id", "string"),
    r("url", "string"),
    n("api_version", "string"),
    r("enabled_events", "array"),
    r("status", "string"),
    r("metadata", "object"),
  ],
  "billing_portal.configuration": [
    r("id", "string"),
    r("active", "boolean"),
    r("is_default", "boolean"),
    n("metadata", "object"),
    r("features.subscription_cancel.enabled", "boolean"),
    r("features.subscription_cancel.mode", "string"),
    r("features.payment_method_update.enabled", "boolean"),
  ],
};

const reference = JSON.parse(readFileSync(new URL("./fixtures/stripe-reference.json", import.meta.url), "utf8"))
  .resources as Record<string, Record<string, unknown>>;

const at = (obj: unknown, path: string): unknown =>
  path
    .split(".")
    .reduce<unknown>((o, k) => (o && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined), obj);
const kindOf = (v: unknown): Kind | "null" => (v === null ? "null" : Array.isArray(v) ? "array" : (typeof v as Kind));

/** Problems of one object against the reads of its type ("" when it is fine). */
function check(label: string, object: unknown, reads: Read[]): string[] {
  const problems: string[] = [];
  for (const read of reads) {
    // Under a null parent (checked as nullable on its own) there is nothing to read.
    const parent = read.path.includes(".") ? at(object, read.path.slice(0, read.path.lastIndexOf("."))) : object;
    if (parent === null) continue;
    const value = at(object, read.path);
    if (value === undefined) {
      if (!read.optional) problems.push(`${label}.${read.path} is missing`);
      continue;
    }
    const kind = kindOf(value);
    if (kind === "null" ? !read.nullable : kind !== read.type)
      problems.push(`${label}.${read.path} is ${kind}, the worker reads ${read.type}${read.nullable ? " | null" : ""}`);
  }
  return problems;
}

let emulator: Emulator;
let stripe: Stripe;
/** One object of each type, made by the emulator through the SDK the way the worker meets them. */
const made: Record<string, Record<string, unknown>[]> = {};

async function control(path: string, body: Record<string, unknown> = {}): Promise<any> {
  const res = await fetch(`${emulator.url}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  return res.json();
}

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, webhookSecret: "whsec_reference" });
  stripe = new Stripe("sk_test_x", { host: "127.0.0.1", port: emulator.port, protocol: "http", maxNetworkRetries: 0 });
  const add = (type: string, ...objects: unknown[]) => {
    made[type] = [...(made[type] ?? []), ...(objects as Record<string, unknown>[])];
  };
  const session = await stripe.checkout.sessions.create({
    mode: "subscription",
    success_url: "https://news.example/thanks",
    line_items: [
      {
        price_data: {
          currency: "usd",
          unit_amount: 1000,
          recurring: { interval: "month" },
          product_data: { name: "S" },
        },
        quantity: 1,
      },
    ],
    metadata: { pledge_id: "pl_1" },
    subscription_data: { metadata: { pledge_id: "pl_1" } },
  });
  const done = await control(`/_test/checkout/sessions/${session.id}/complete`);
  const once = await stripe.checkout.sessions.create({
    mode: "payment",
    success_url: "https://news.example/thanks",
    line_items: [{ price_data: { currency: "usd", unit_amount: 2500, product_data: { name: "O" } }, quantity: 1 }],
  });
  const paid = await control(`/_test/checkout/sessions/${once.id}/complete`);
  const { refund } = await control(`/_test/payment_intents/${paid.payment_intent}/refund`, { amount: 500 });
  await control(`/_test/refunds/${refund}/settle`, { outcome: "failed" });
  const { dispute } = await control(`/_test/payment_intents/${done.payment_intent}/dispute`, { outcome: "lost" });
  add("checkout.session", session, await stripe.checkout.sessions.retrieve(once.id));
  add("invoice", await stripe.invoices.retrieve(done.invoice));
  add("invoice_payment", ...(await stripe.invoicePayments.list({ invoice: done.invoice })).data);
  add("payment_intent", await stripe.paymentIntents.retrieve(paid.payment_intent));
  add("charge", await stripe.charges.retrieve(paid.charge), await stripe.charges.retrieve(done.charge));
  add("refund", await stripe.refunds.retrieve(refund));
  add("dispute", await stripe.disputes.retrieve(dispute));
  const charge = await stripe.charges.retrieve(paid.charge);
  add("balance_transaction", await stripe.balanceTransactions.retrieve(charge.balance_transaction as string));
  add("subscription", await stripe.subscriptions.retrieve(done.subscription));
  add("event", ...(await stripe.events.list({ limit: 100 })).data);
  const endpoint = await stripe.webhookEndpoints.create({ url: "https://news.example/hooks", enabled_events: ["*"] });
  add("webhook_endpoint", endpoint, await stripe.webhookEndpoints.retrieve(endpoint.id));
  add(
    "billing_portal.configuration",
    await stripe.billingPortal.configurations.create({ features: { payment_method_update: { enabled: true } } }),
    ...(await stripe.billingPortal.configurations.list()).data,
  );
});
afterAll(async () => {
  await emulator.close();
});

describe("the emulator's objects and Stripe's reference objects agree on every field the worker reads", () => {
  for (const [type, reads] of Object.entries(READS)) {
    it(type, () => {
      expect(reference[type], `Stripe's reference has a ${type}`).toBeDefined();
      expect(check(`reference ${type}`, reference[type], reads)).toEqual([]);
      expect(made[type]?.length, `the emulator made a ${type}`).toBeGreaterThan(0);
      for (const [i, object] of (made[type] ?? []).entries())
        expect(check(`emulator ${type}[${i}]`, object, reads)).toEqual([]);
    });
  }

  it("the fields read only when they apply are present in the emulator's objects where they apply", () => {
    const failed = made.refund?.[0] as Record<string, unknown>;
    expect(failed.status).toBe("failed");
    expect(typeof failed.failure_balance_transaction).toBe("string");
    expect(made.invoice_payment?.every((p) => typeof at(p, "payment.payment_intent") === "string")).toBe(true);
    // Disputes embed their balance transactions as objects with the balance transaction's fields.
    const [withdrawal] = (made.dispute?.[0]?.balance_transactions ?? []) as unknown[];
    expect(check("emulator dispute balance transaction", withdrawal, READS.balance_transaction as Read[])).toEqual([]);
  });

  it("a check that would miss a wrong type is not a check: a mismatch is reported", () => {
    expect(check("x", { amount: "12" }, [r("amount", "number")])).toEqual([
      "x.amount is string, the worker reads number",
    ]);
    expect(check("x", {}, [r("amount", "number")])).toEqual(["x.amount is missing"]);
    expect(check("x", { amount: null }, [r("amount", "number")])).toEqual([
      "x.amount is null, the worker reads number",
    ]);
  });
});
