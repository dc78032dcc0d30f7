// @vitest-environment node
/**
 * The Stripe emulator, driven through the official `stripe` SDK and plain HTTP: checkout
 * creation and validation, idempotency, auth, test controls, signed webhook deliveries
 * (drained and live with retries), hosted checkout and billing portal pages, faults.
 */
import { spawnSync } from "node:child_process";
import { createServer, type Server } from "node:http";
import { fileURLToPath } from "node:url";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "./server.ts";
import { emulatorHarness } from "./test-harness.ts";

const SECRET = "whsec_test_emulator_secret";
let emulator: Emulator;
let stripe: Stripe;
const harness = emulatorHarness(SECRET);
const { control } = harness;
beforeAll(() => {
  ({ emulator, stripe } = harness);
});

/** Drains queued deliveries and verifies each signature with the SDK. */
async function drainVerified(): Promise<Stripe.Event[]> {
  const { deliveries } = await control("/_test/deliveries/drain");
  const events: Stripe.Event[] = [];
  for (const d of deliveries) {
    const event = await stripe.webhooks.constructEventAsync(d.payload, d.signature, SECRET);
    expect(event.id).toBe(d.event_id);
    events.push(event);
  }
  return events;
}

const paymentParams = (): Stripe.Checkout.SessionCreateParams => ({
  mode: "payment",
  success_url: "https://news.example/thanks?session={CHECKOUT_SESSION_ID}",
  cancel_url: "https://news.example/support",
  submit_type: "donate",
  customer_email: "reader@example.org",
  client_reference_id: "pl_123",
  metadata: { pledge_id: "pl_123" },
  payment_intent_data: { metadata: { pledge_id: "pl_123" } },
  line_items: [
    { price_data: { currency: "usd", unit_amount: 1500, product_data: { name: "One-time support" } }, quantity: 1 },
  ],
});

const subscriptionParams = (interval: "month" | "year" = "month"): Stripe.Checkout.SessionCreateParams => ({
  mode: "subscription",
  success_url: "https://news.example/thanks?session={CHECKOUT_SESSION_ID}",
  cancel_url: "https://news.example/support",
  customer_email: "member@example.org",
  metadata: { pledge_id: "pl_sub" },
  subscription_data: { metadata: { pledge_id: "pl_sub" } },
  line_items: [
    {
      price_data: {
        currency: "eur",
        unit_amount: 500,
        recurring: { interval },
        product_data: { name: "Monthly support" },
      },
      quantity: 1,
    },
  ],
});

async function expectStripeError(promise: Promise<unknown>, match: Partial<Record<string, unknown>>): Promise<any> {
  const err = await promise.then(
    () => {
      throw new Error("expected a Stripe error");
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Stripe.errors.StripeError);
  expect(err).toMatchObject(match);
  return err;
}

describe("checkout sessions", () => {
  it("creates and retrieves a payment session shaped like Stripe", async () => {
    const session = await stripe.checkout.sessions.create(paymentParams());
    expect(session.id).toMatch(/^cs_test_/);
    expect(session).toMatchObject({
      object: "checkout.session",
      mode: "payment",
      status: "open",
      payment_status: "unpaid",
      amount_total: 1500,
      currency: "usd",
      submit_type: "donate",
      customer_email: "reader@example.org",
      client_reference_id: "pl_123",
      metadata: { pledge_id: "pl_123" },
      payment_intent: null,
      livemode: false,
      url: `http://localhost:${emulator.port}/c/pay/${session.id}`,
    });
    const again = await stripe.checkout.sessions.retrieve(session.id);
    expect(again).toEqual(session);
    const items = await stripe.checkout.sessions.listLineItems(session.id);
    expect(items.object).toBe("list");
    expect(items.data[0]).toMatchObject({
      object: "item",
      amount_total: 1500,
      description: "One-time support",
      quantity: 1,
      price: { object: "price", unit_amount: 1500, currency: "usd", type: "one_time", recurring: null },
    });
  });

  it("creates a subscription session", async () => {
    const session = await stripe.checkout.sessions.create(subscriptionParams());
    expect(session).toMatchObject({ mode: "subscription", amount_total: 500, currency: "eur", subscription: null });
    const items = await stripe.checkout.sessions.listLineItems(session.id);
    expect(items.data[0]?.price?.recurring).toMatchObject({ interval: "month", interval_count: 1 });
  });

  it("validates like Stripe", async () => {
    const p = paymentParams();
    await expectStripeError(stripe.checkout.sessions.create({ ...p, success_url: undefined }), {
      type: "StripeInvalidRequestError",
      statusCode: 400,
      code: "parameter_missing",
      param: "success_url",
    });
    await expectStripeError(
      stripe.checkout.sessions.create({
        ...p,
        line_items: [
          {
            price_data: {
              currency: "usd",
              unit_amount: 900,
              recurring: { interval: "month" },
              product_data: { name: "x" },
            },
            quantity: 1,
          },
        ],
      }),
      { statusCode: 400, param: "line_items[0][price_data][recurring]" },
    );
    await expectStripeError(
      stripe.checkout.sessions.create({
        ...p,
        line_items: [{ price_data: { currency: "usd", unit_amount: 12.5, product_data: { name: "x" } }, quantity: 1 }],
      }),
      { statusCode: 400, code: "parameter_invalid_integer", param: "line_items[0][price_data][unit_amount]" },
    );
    const small = await expectStripeError(
      stripe.checkout.sessions.create({
        ...p,
        line_items: [{ price_data: { currency: "usd", unit_amount: 49, product_data: { name: "x" } }, quantity: 1 }],
      }),
      { statusCode: 400, code: "amount_too_small" },
    );
    expect(small.message).toContain("$0.50 usd");
    await expectStripeError(
      stripe.checkout.sessions.create({
        ...p,
        line_items: [{ price_data: { currency: "xyz", unit_amount: 500, product_data: { name: "x" } }, quantity: 1 }],
      }),
      { statusCode: 400, param: "line_items[0][price_data][currency]" },
    );
    await expectStripeError(stripe.checkout.sessions.create({ ...p, mode: undefined }), {
      code: "parameter_missing",
      param: "mode",
    });
    await expectStripeError(stripe.checkout.sessions.create({ ...subscriptionParams(), submit_type: "donate" }), {
      param: "submit_type",
    });
    const s = subscriptionParams();
    await expectStripeError(
      stripe.checkout.sessions.create({
        ...s,
        line_items: [{ price_data: { currency: "eur", unit_amount: 500, product_data: { name: "x" } }, quantity: 1 }],
      }),
      { statusCode: 400 },
    );
    // JPY is zero-decimal: ¥50 is the minimum.
    const jpy = await stripe.checkout.sessions.create({
      ...p,
      line_items: [{ price_data: { currency: "jpy", unit_amount: 500, product_data: { name: "x" } }, quantity: 1 }],
    });
    expect(jpy.amount_total).toBe(500);
    await expectStripeError(stripe.checkout.sessions.retrieve("cs_test_missing"), {
      statusCode: 404,
      code: "resource_missing",
    });
  });

  it("replays idempotent requests and refuses a key reused with other params", async () => {
    const key = `idem-${Date.now()}`;
    const first = await stripe.checkout.sessions.create(paymentParams(), { idempotencyKey: key });
    const second = await stripe.checkout.sessions.create(paymentParams(), { idempotencyKey: key });
    expect(second.id).toBe(first.id);
    expect(second.lastResponse.headers["idempotent-replayed"]).toBe("true");
    await expectStripeError(
      stripe.checkout.sessions.create({ ...paymentParams(), client_reference_id: "other" }, { idempotencyKey: key }),
      { type: "StripeIdempotencyError", statusCode: 400 },
    );
    expect(first.lastResponse.requestId).toMatch(/^req_/);
    expect(first.lastResponse.headers["stripe-version"]).toBe(Stripe.API_VERSION);
  });

  it("refuses missing, invalid and live keys with 401", async () => {
    const live = new Stripe(`sk_live_${"fake"}`, {
      host: "127.0.0.1",
      port: emulator.port,
      protocol: "http",
      maxNetworkRetries: 0,
    });
    await expectStripeError(live.checkout.sessions.create(paymentParams()), {
      type: "StripeAuthenticationError",
      statusCode: 401,
    });
    const res = await fetch(`${emulator.url}/v1/events`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as any).error.type).toBe("invalid_request_error");
    const bad = await fetch(`${emulator.url}/v1/events`, { headers: { Authorization: "Bearer nonsense" } });
    expect(bad.status).toBe(401);
  });

  it("the CLI refuses to start with a live key", () => {
    const node = fileURLToPath(new URL("../../node_modules/.bin/node", import.meta.url));
    const main = fileURLToPath(new URL("./main.ts", import.meta.url));
    const run = spawnSync(node, [main], {
      env: { ...process.env, STRIPE_SECRET_KEY: "rk_live_123", STRIPE_EMULATOR_PORT: "0" },
      encoding: "utf8",
      timeout: 10_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("LIVE key");
  });

  it("expires an open session", async () => {
    const session = await stripe.checkout.sessions.create(paymentParams());
    const expired = await stripe.checkout.sessions.expire(session.id);
    expect(expired.status).toBe("expired");
    const events = await drainVerified();
    expect(events.map((e) => e.type)).toEqual(["checkout.session.expired"]);
    expect(events[0]?.request?.id).toBe(expired.lastResponse.requestId);
    await expectStripeError(stripe.checkout.sessions.expire(session.id), { statusCode: 400 });
  });
});

describe("completing checkout", () => {
  it("payment mode: PI, charge, session completed, signed events", async () => {
    const session = await stripe.checkout.sessions.create(paymentParams());
    const done = await control(`/_test/checkout/sessions/${session.id}/complete`, { outcome: "succeeded" });
    expect(done.payment_intent).toMatch(/^pi_/);
    expect(done.charge).toMatch(/^ch_/);
    const events = await drainVerified();
    expect(events.map((e) => e.type)).toEqual([
      "payment_intent.succeeded",
      "charge.succeeded",
      "checkout.session.completed",
    ]);
    for (const e of events) {
      expect(e).toMatchObject({ object: "event", api_version: Stripe.API_VERSION, livemode: false });
      expect(e.id).toMatch(/^evt_/);
    }
    const completed = events[2]?.data.object as Stripe.Checkout.Session;
    expect(completed).toMatchObject({
      status: "complete",
      payment_status: "paid",
      payment_intent: done.payment_intent,
    });
    expect(completed.customer_details?.email).toBe("reader@example.org");
    const pi = await stripe.paymentIntents.retrieve(done.payment_intent);
    expect(pi).toMatchObject({
      status: "succeeded",
      amount: 1500,
      metadata: { pledge_id: "pl_123" },
      latest_charge: done.charge,
    });
    const charge = await stripe.charges.retrieve(done.charge);
    expect(charge).toMatchObject({
      paid: true,
      status: "succeeded",
      amount: 1500,
      currency: "usd",
      payment_intent: pi.id,
    });
    expect(charge.balance_transaction).toMatch(/^txn_/);
    expect(charge.billing_details.email).toBe("reader@example.org");
    const listed = await stripe.events.list({ limit: 2 });
    expect(listed.data.map((e) => e.type)).toEqual(["checkout.session.completed", "charge.succeeded"]);
    expect(listed.has_more).toBe(true);
    const older = await stripe.events.list({ starting_after: listed.data[1]?.id });
    expect(older.data.map((e) => e.type)).toEqual(["payment_intent.succeeded"]);
    const filtered = await stripe.events.list({ type: "charge.succeeded" });
    expect(filtered.data).toHaveLength(1);
    expect((await stripe.events.retrieve(events[0]?.id as string)).type).toBe("payment_intent.succeeded");
    const expanded = await stripe.checkout.sessions.retrieve(session.id, {
      expand: ["line_items", "payment_intent.latest_charge"],
    });
    expect(expanded.line_items?.data[0]?.amount_total).toBe(1500);
    expect(expanded.payment_intent).toMatchObject({ id: done.payment_intent, latest_charge: { id: done.charge } });
  });

  it("subscription mode: customer, subscription, invoice via parent, invoice_payment", async () => {
    const session = await stripe.checkout.sessions.create(subscriptionParams());
    const done = await control(`/_test/checkout/sessions/${session.id}/complete`, { outcome: "succeeded" });
    const events = await drainVerified();
    expect(events.map((e) => e.type)).toEqual([
      "customer.created",
      "customer.subscription.created",
      "invoice.created",
      "invoice.finalized",
      "invoice.paid",
      "invoice.payment_succeeded",
      "payment_intent.succeeded",
      "charge.succeeded",
      "checkout.session.completed",
    ]);
    const sub = await stripe.subscriptions.retrieve(done.subscription);
    expect(sub).toMatchObject({
      status: "active",
      metadata: { pledge_id: "pl_sub" },
      latest_invoice: done.invoice,
      customer: done.customer,
    });
    const item = sub.items.data[0] as Stripe.SubscriptionItem;
    expect(item.price.recurring?.interval).toBe("month");
    expect(item.current_period_end).toBeGreaterThan(item.current_period_start);
    const invoice = events[4]?.data.object as Stripe.Invoice;
    expect(invoice).toMatchObject({
      status: "paid",
      billing_reason: "subscription_create",
      amount_paid: 500,
      parent: { subscription_details: { subscription: sub.id, metadata: { pledge_id: "pl_sub" } } },
    });
    expect(invoice).not.toHaveProperty("subscription");
    expect(invoice).not.toHaveProperty("payment_intent");
    expect(invoice.status_transitions.paid_at).toBeTypeOf("number");
    const payments = await stripe.invoicePayments.list({ invoice: done.invoice });
    expect(payments.data[0]?.payment).toMatchObject({ type: "payment_intent", payment_intent: done.payment_intent });
    const pi = await stripe.paymentIntents.retrieve(done.payment_intent);
    expect(pi.metadata).toEqual({});
    const completed = events[8]?.data.object as Stripe.Checkout.Session;
    expect(completed).toMatchObject({
      subscription: sub.id,
      customer: done.customer,
      invoice: done.invoice,
      payment_status: "paid",
    });
    const customer = await stripe.customers.retrieve(done.customer);
    expect(customer).toMatchObject({ email: "member@example.org" });
  });

  it("declined keeps the session open; delayed settles later", async () => {
    const session = await stripe.checkout.sessions.create(paymentParams());
    const declined = await control(`/_test/checkout/sessions/${session.id}/complete`, { outcome: "declined" });
    expect((await drainVerified()).map((e) => e.type)).toEqual(["payment_intent.payment_failed"]);
    expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe("open");
    expect((await stripe.paymentIntents.retrieve(declined.payment_intent)).last_payment_error?.code).toBe(
      "card_declined",
    );

    await control(`/_test/checkout/sessions/${session.id}/complete`, { outcome: "delayed" });
    const delayed = await drainVerified();
    expect(delayed.map((e) => e.type)).toEqual(["checkout.session.completed"]);
    expect(delayed[0]?.data.object).toMatchObject({ status: "complete", payment_status: "unpaid" });
    expect((await stripe.paymentIntents.retrieve(declined.payment_intent)).status).toBe("processing");
    await control(`/_test/checkout/sessions/${session.id}/settle`, { outcome: "succeeded" });
    const settled = await drainVerified();
    expect(settled.map((e) => e.type)).toEqual([
      "payment_intent.succeeded",
      "charge.succeeded",
      "checkout.session.async_payment_succeeded",
    ]);
    expect(settled[2]?.data.object).toMatchObject({ payment_status: "paid" });

    const other = await stripe.checkout.sessions.create(subscriptionParams());
    await control(`/_test/checkout/sessions/${other.id}/complete`, { outcome: "declined" });
    expect(await drainVerified()).toEqual([]);
    await control(`/_test/checkout/sessions/${other.id}/complete`, { outcome: "delayed" });
    await drainVerified();
    await control(`/_test/checkout/sessions/${other.id}/settle`, { outcome: "failed" });
    const failed = (await drainVerified()).map((e) => e.type);
    expect(failed).toContain("checkout.session.async_payment_failed");
    expect(failed).toContain("invoice.payment_failed");
  });
});

describe("after payment", () => {
  async function paidPayment() {
    const session = await stripe.checkout.sessions.create(paymentParams());
    const done = await control(`/_test/checkout/sessions/${session.id}/complete`);
    await drainVerified();
    return done;
  }
  async function paidSubscription() {
    const session = await stripe.checkout.sessions.create(subscriptionParams());
    const done = await control(`/_test/checkout/sessions/${session.id}/complete`);
    await drainVerified();
    return done;
  }

  it("refunds partially, then the rest, then refuses over-refunds", async () => {
    const { payment_intent, charge } = await paidPayment();
    const part = await control(`/_test/payment_intents/${payment_intent}/refund`, { amount: 500 });
    expect(part.refund).toMatch(/^re_/);
    let events = await drainVerified();
    expect(events.map((e) => e.type)).toEqual(["refund.created", "charge.refunded"]);
    expect(events[1]?.data.object).toMatchObject({ id: charge, amount_refunded: 500, refunded: false });
    expect(events[1]?.data.previous_attributes).toMatchObject({ amount_refunded: 0 });
    await control(`/_test/payment_intents/${payment_intent}/refund`);
    events = await drainVerified();
    expect(events[0]?.data.object).toMatchObject({ object: "refund", amount: 1000, charge, status: "succeeded" });
    expect(events[1]?.data.object).toMatchObject({ amount_refunded: 1500, refunded: true });
    const over = await control(`/_test/payment_intents/${payment_intent}/refund`, { amount: 1 }, 400);
    expect(over.error.type).toBe("invalid_request_error");
  });

  it("refunds through the API too", async () => {
    const { payment_intent } = await paidPayment();
    await expectStripeError(stripe.refunds.create({ payment_intent, amount: 99_999 }), {
      statusCode: 400,
      param: "amount",
    });
    const refund = await stripe.refunds.create({ payment_intent, amount: 300, reason: "requested_by_customer" });
    expect(refund).toMatchObject({ object: "refund", amount: 300, payment_intent, reason: "requested_by_customer" });
  });

  it("disputes: created then closed as lost", async () => {
    const { payment_intent, charge } = await paidPayment();
    const res = await control(`/_test/payment_intents/${payment_intent}/dispute`, { outcome: "lost" });
    expect(res.dispute).toMatch(/^dp_/);
    const events = await drainVerified();
    expect(events.map((e) => e.type)).toEqual([
      "charge.dispute.created",
      "charge.dispute.funds_withdrawn",
      "charge.dispute.closed",
    ]);
    expect(events[0]?.data.object).toMatchObject({
      object: "dispute",
      charge,
      payment_intent,
      amount: 1500,
      currency: "usd",
      status: "needs_response",
    });
    expect(events[2]?.data.object).toMatchObject({ status: "lost" });
  });

  it("renews: a paid subscription_cycle invoice and an advanced period", async () => {
    const { subscription, invoice: firstInvoice } = await paidSubscription();
    const before = await stripe.subscriptions.retrieve(subscription);
    const renewed = await control(`/_test/subscriptions/${subscription}/renew`);
    expect(renewed.invoice).not.toBe(firstInvoice);
    const events = await drainVerified();
    const types = events.map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining(["invoice.created", "invoice.paid", "invoice.payment_succeeded", "charge.succeeded"]),
    );
    const paid = events.find((e) => e.type === "invoice.paid")?.data.object as Stripe.Invoice;
    expect(paid).toMatchObject({ billing_reason: "subscription_cycle", status: "paid", amount_paid: 500 });
    expect(paid.parent?.subscription_details?.subscription).toBe(subscription);
    const after = await stripe.subscriptions.retrieve(subscription);
    expect(after.items.data[0]?.current_period_start).toBe(before.items.data[0]?.current_period_end);
    expect(after.latest_invoice).toBe(renewed.invoice);
    const payments = await stripe.invoicePayments.list({ invoice: renewed.invoice });
    expect(payments.data[0]?.payment.payment_intent).toBe(renewed.payment_intent);
  });

  it("fail_renewal: open invoice, payment_failed, past_due", async () => {
    const { subscription } = await paidSubscription();
    const res = await control(`/_test/subscriptions/${subscription}/fail_renewal`);
    const events = await drainVerified();
    const failed = events.find((e) => e.type === "invoice.payment_failed")?.data.object as Stripe.Invoice;
    expect(failed).toMatchObject({ id: res.invoice, status: "open", billing_reason: "subscription_cycle" });
    const updated = events.find((e) => e.type === "customer.subscription.updated");
    expect(updated?.data.object).toMatchObject({ status: "past_due" });
    expect(updated?.data.previous_attributes).toMatchObject({ status: "active" });
  });

  it("cancels with the SDK, and cancel_at_period_end emits previous_attributes", async () => {
    const { subscription } = await paidSubscription();
    const updated = await stripe.subscriptions.update(subscription, { cancel_at_period_end: true });
    expect(updated.cancel_at_period_end).toBe(true);
    let events = await drainVerified();
    expect(events.map((e) => e.type)).toEqual(["customer.subscription.updated"]);
    expect(events[0]?.data.previous_attributes).toMatchObject({ cancel_at_period_end: false });
    const canceled = await stripe.subscriptions.cancel(subscription);
    expect(canceled.status).toBe("canceled");
    events = await drainVerified();
    expect(events.map((e) => e.type)).toEqual(["customer.subscription.deleted"]);
    expect(events[0]?.data.object).toMatchObject({ id: subscription, status: "canceled" });
  });

  it("billing portal session and its cancel button", async () => {
    const { subscription, customer } = await paidSubscription();
    const portal = await stripe.billingPortal.sessions.create({ customer, return_url: "https://news.example/account" });
    expect(portal).toMatchObject({
      object: "billing_portal.session",
      customer,
      return_url: "https://news.example/account",
    });
    expect(portal.url).toBe(`http://localhost:${emulator.port}/p/session/${portal.id}`);
    const pagePath = new URL(portal.url).pathname;
    const html = await (await fetch(`${emulator.url}${pagePath}`)).text();
    expect(html).toContain("LOCAL TEST billing portal");
    expect(html).toContain("Cancel support");
    expect(html).toContain("https://news.example/account");
    const res = await fetch(`${emulator.url}${pagePath}/subscriptions/${subscription}/cancel`, {
      method: "POST",
      redirect: "manual",
    });
    expect(res.status).toBe(303);
    expect((await stripe.subscriptions.retrieve(subscription)).status).toBe("canceled");
    expect((await drainVerified()).map((e) => e.type)).toEqual(["customer.subscription.deleted"]);
    await expectStripeError(stripe.billingPortal.sessions.create({ customer: "cus_missing" }), { statusCode: 400 });
  });
});

describe("hosted checkout page", () => {
  it("shows Pay and Cancel, and Pay redirects to success_url with the session id", async () => {
    const session = await stripe.checkout.sessions.create(paymentParams());
    const path = new URL(session.url as string).pathname;
    const html = await (await fetch(`${emulator.url}${path}`)).text();
    expect(html).toContain("Local test checkout — no real money moves");
    expect(html).toMatch(/<button[^>]*>Pay<\/button>/);
    expect(html).toMatch(/<button[^>]*>Cancel<\/button>/);
    expect(html).toContain("$15.00");
    expect(html).toContain('value="reader@example.org"');
    const cancel = await fetch(`${emulator.url}${path}/cancel`, { method: "POST", redirect: "manual" });
    expect(cancel.headers.get("location")).toBe("https://news.example/support");
    const pay = await fetch(`${emulator.url}${path}/pay`, {
      method: "POST",
      redirect: "manual",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "email=paid%40example.org",
    });
    expect(pay.status).toBe(303);
    expect(pay.headers.get("location")).toBe(`https://news.example/thanks?session=${session.id}`);
    const done = await stripe.checkout.sessions.retrieve(session.id);
    expect(done).toMatchObject({ status: "complete", payment_status: "paid" });
    expect(done.customer_details?.email).toBe("paid@example.org");
    const after = await (await fetch(`${emulator.url}${path}`)).text();
    expect(after).toContain("already complete");
  });

  it("formats zero-decimal JPY", async () => {
    const session = await stripe.checkout.sessions.create({
      ...paymentParams(),
      line_items: [{ price_data: { currency: "jpy", unit_amount: 1000, product_data: { name: "x" } }, quantity: 1 }],
    });
    const html = await (await fetch(`${emulator.url}${new URL(session.url as string).pathname}`)).text();
    expect(html).toMatch(/¥1,000(?!\.)/);
  });
});

describe("faults", () => {
  it("error mode makes the SDK throw StripeAPIError until reset", async () => {
    await control("/_test/faults", { mode: "error" });
    await expectStripeError(stripe.events.list(), { type: "StripeAPIError", statusCode: 500 });
    await control("/_test/faults", { mode: "none" });
    await expect(stripe.events.list()).resolves.toMatchObject({ object: "list" });
  });

  it("count limits the faults", async () => {
    await control("/_test/faults", { mode: "error", count: 1 });
    await expectStripeError(stripe.events.list(), { type: "StripeAPIError" });
    await expect(stripe.events.list()).resolves.toMatchObject({ object: "list" });
  });

  it("hang mode never answers", async () => {
    await control("/_test/faults", { mode: "hang", count: 1 });
    const slow = new Stripe("sk_test_x", {
      host: "127.0.0.1",
      port: emulator.port,
      protocol: "http",
      maxNetworkRetries: 0,
      timeout: 300,
    });
    await expectStripeError(slow.events.list(), { type: "StripeConnectionError" });
  });
});

describe("live webhook delivery", () => {
  let receiver: Server;
  let live: Emulator;
  const received: { body: string; signature: string; userAgent: string; contentType: string }[] = [];
  let failuresLeft = 1;

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        if (failuresLeft > 0) {
          failuresLeft -= 1;
          res.writeHead(500).end("try again");
          return;
        }
        received.push({
          body: Buffer.concat(chunks).toString("utf8"),
          signature: String(req.headers["stripe-signature"]),
          userAgent: String(req.headers["user-agent"]),
          contentType: String(req.headers["content-type"]),
        });
        res.writeHead(200).end("ok");
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    const address = receiver.address();
    const port = typeof address === "object" && address ? address.port : 0;
    live = await startEmulator({
      port: 0,
      webhookSecret: SECRET,
      webhookUrl: `http://127.0.0.1:${port}/webhooks/stripe`,
      retryDelaysMs: [20, 20],
    });
  });
  afterAll(async () => {
    await live.close();
    await new Promise((resolve) => receiver.close(resolve));
  });

  it("delivers signed events in order and retries after a 500", async () => {
    const client = new Stripe("sk_test_x", {
      host: "127.0.0.1",
      port: live.port,
      protocol: "http",
      maxNetworkRetries: 0,
    });
    const session = await client.checkout.sessions.create(paymentParams());
    const res = await fetch(`${live.url}/_test/checkout/sessions/${session.id}/complete?wait=1`, { method: "POST" });
    const { events } = (await res.json()) as any;
    expect(received).toHaveLength(3);
    const verified = await Promise.all(
      received.map((r) => client.webhooks.constructEventAsync(r.body, r.signature, SECRET)),
    );
    expect(verified.map((e) => e.id)).toEqual(events);
    expect(received[0]?.userAgent).toBe("Stripe/1.0 (+https://stripe.com/docs/webhooks)");
    expect(received[0]?.contentType).toBe("application/json; charset=utf-8");
    const log = (await (await fetch(`${live.url}/_test/deliveries`)).json()) as any;
    expect(log.log[0].attempts.map((a: { status: number }) => a.status)).toEqual([500, 200]);

    const resend = await fetch(`${live.url}/_test/events/${events[0]}/resend?wait=1`, { method: "POST" });
    expect(resend.status).toBe(200);
    expect(received).toHaveLength(4);
    expect(JSON.parse(received[3]?.body as string).id).toBe(events[0]);
  });
});
