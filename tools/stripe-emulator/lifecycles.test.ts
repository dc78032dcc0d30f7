// @vitest-environment node
/**
 * The emulator's money sequences as Stripe documents them: balance transactions and their
 * fees, asynchronous refunds that succeed, fail or are canceled, the whole dispute lifecycle
 * (inquiries, chargebacks, prevented, appeals, dispute fees, funds withdrawn and reinstated),
 * balance transactions Stripe settles later, trials and 100% coupons (zero invoices), webhook
 * endpoints on their own API version (older invoice, subscription and charge shapes), Customer
 * Portal configurations, the events list's pagination, and the clock.
 */
import Stripe from "stripe";
import { beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "./server.ts";
import { emulatorHarness, types } from "./test-harness.ts";

const SECRET = "whsec_test_lifecycles";
let emulator: Emulator;
let stripe: Stripe;
const harness = emulatorHarness(SECRET);
const { control } = harness;
beforeAll(() => {
  ({ emulator, stripe } = harness);
});

const drain = harness.drain;

const line = (currency: string, amount: number, interval?: "month" | "year") => ({
  price_data: {
    currency,
    unit_amount: amount,
    product_data: { name: interval ? "Monthly support" : "One-time support" },
    ...(interval ? { recurring: { interval } } : {}),
  },
  quantity: 1,
});

async function paid(currency = "usd", amount = 1500, extra: Record<string, unknown> = {}) {
  const session = await stripe.checkout.sessions.create({
    mode: "payment",
    success_url: "https://news.example/thanks",
    line_items: [line(currency, amount)],
  });
  const done = await control(`/_test/checkout/sessions/${session.id}/complete`, extra);
  await drain();
  return done as { payment_intent: string; charge: string; session: string };
}

async function subscribed(params: Partial<Stripe.Checkout.SessionCreateParams> = {}) {
  const session = await stripe.checkout.sessions.create({
    mode: "subscription",
    success_url: "https://news.example/thanks",
    line_items: [line("eur", 1000, "month")],
    metadata: { pledge_id: "pl_sub" },
    subscription_data: { metadata: { pledge_id: "pl_sub" } },
    ...params,
  });
  const done = await control(`/_test/checkout/sessions/${session.id}/complete`);
  return { done, events: await drain(), session };
}

describe("balance transactions and fees", () => {
  it("a card charge's balance transaction keeps 2.9% + 30; JPY has no fixed part; SEPA 0.8% capped at 500", async () => {
    const usd = await paid("usd", 1500);
    const charge = await stripe.charges.retrieve(usd.charge, { expand: ["balance_transaction"] });
    const bt = charge.balance_transaction as Stripe.BalanceTransaction;
    expect(bt).toMatchObject({ object: "balance_transaction", amount: 1500, fee: 74, net: 1426, type: "charge" });
    expect(bt.source).toBe(usd.charge);
    expect(bt.fee_details).toEqual([expect.objectContaining({ amount: 74, type: "stripe_fee" })]);
    const jpy = await paid("jpy", 3000);
    const jpyBt = await stripe.balanceTransactions.retrieve(
      (await stripe.charges.retrieve(jpy.charge)).balance_transaction as string,
    );
    expect(jpyBt).toMatchObject({ currency: "jpy", amount: 3000, fee: 87, net: 2913 });

    const session = await stripe.checkout.sessions.create({
      mode: "payment",
      success_url: "https://news.example/thanks",
      line_items: [line("eur", 100_000)],
    });
    const delayed = await control(`/_test/checkout/sessions/${session.id}/complete`, { outcome: "delayed" });
    expect((await stripe.charges.retrieve(delayed.charge)).balance_transaction).toBeNull();
    await control(`/_test/checkout/sessions/${session.id}/settle`, { outcome: "succeeded" });
    const sepa = await stripe.charges.retrieve(delayed.charge, { expand: ["balance_transaction"] });
    expect(sepa.balance_transaction).toMatchObject({ amount: 100_000, fee: 500, net: 99_500 });
  });

  it("a balance transaction Stripe settles later: none on the charge, then charge.updated", async () => {
    const done = await paid("usd", 2000, { balance_transaction: "later" });
    expect((await stripe.charges.retrieve(done.charge)).balance_transaction).toBeNull();
    const intent = await stripe.paymentIntents.retrieve(done.payment_intent, {
      expand: ["latest_charge.balance_transaction"],
    });
    expect((intent.latest_charge as Stripe.Charge).balance_transaction).toBeNull();
    await control(`/_test/charges/${done.charge}/balance_transaction`);
    const [updated] = await drain();
    expect(updated?.type).toBe("charge.updated");
    expect(updated?.data.previous_attributes).toEqual({ balance_transaction: null });
    const bt = await stripe.balanceTransactions.retrieve(
      (updated?.data.object as Stripe.Charge | undefined)?.balance_transaction as string,
    );
    expect(bt).toMatchObject({ amount: 2000, fee: 88 });
    await control(`/_test/charges/${done.charge}/balance_transaction`, {}, 400);
  });
});

describe("refunds", () => {
  it("a card refund succeeds at once with its balance transaction, and can still fail later", async () => {
    const { payment_intent, charge } = await paid("usd", 1500);
    const { refund } = await control(`/_test/payment_intents/${payment_intent}/refund`, { amount: 500 });
    let events = await drain();
    expect(types(events)).toEqual(["refund.created", "charge.refunded"]);
    const created = events[0]?.data.object as Stripe.Refund;
    expect(created).toMatchObject({ id: refund, status: "succeeded", amount: 500 });
    expect(await stripe.balanceTransactions.retrieve(created.balance_transaction as string)).toMatchObject({
      amount: -500,
      fee: 0,
      type: "refund",
      source: refund,
    });
    await control(`/_test/refunds/${refund}/settle`, { outcome: "failed" });
    events = await drain();
    expect(types(events)).toEqual(["refund.updated", "refund.failed"]);
    const failed = events[1]?.data.object as Stripe.Refund;
    expect(failed).toMatchObject({ status: "failed", failure_reason: "expired_or_canceled_card" });
    expect(events[0]?.data.previous_attributes).toEqual({ status: "succeeded" });
    expect(await stripe.balanceTransactions.retrieve(failed.failure_balance_transaction as string)).toMatchObject({
      amount: 500,
      type: "refund_failure",
    });
    expect((await stripe.charges.retrieve(charge)).amount_refunded).toBe(0);
    await control(`/_test/refunds/${refund}/settle`, { outcome: "succeeded" }, 400);
  });

  it("a bank debit refund is pending until it succeeds, fails or is canceled", async () => {
    const session = await stripe.checkout.sessions.create({
      mode: "payment",
      success_url: "https://news.example/thanks",
      line_items: [line("eur", 6000)],
    });
    await control(`/_test/checkout/sessions/${session.id}/complete`, { outcome: "delayed" });
    const settled = await control(`/_test/checkout/sessions/${session.id}/settle`, { outcome: "succeeded" });
    await drain();
    const refunds = [];
    for (let i = 0; i < 3; i++)
      refunds.push((await control(`/_test/payment_intents/${settled.payment_intent}/refund`, { amount: 1000 })).refund);
    const created = await drain();
    expect(
      created.filter((e) => e.type === "refund.created").map((e) => (e.data.object as Stripe.Refund).status),
    ).toEqual(["pending", "pending", "pending"]);
    await control(`/_test/refunds/${refunds[0]}/settle`, { outcome: "succeeded" });
    await control(`/_test/refunds/${refunds[1]}/settle`, { outcome: "failed" });
    await control(`/_test/refunds/${refunds[2]}/settle`, { outcome: "canceled" });
    const moved = await drain();
    expect(types(moved)).toEqual(["refund.updated", "refund.updated", "refund.failed", "refund.updated"]);
    const list = await stripe.refunds.list({ charge: settled.charge });
    expect(Object.fromEntries(list.data.map((r) => [r.id, r.status]))).toEqual({
      [refunds[0]]: "succeeded",
      [refunds[1]]: "failed",
      [refunds[2]]: "canceled",
    });
    expect((await stripe.charges.retrieve(settled.charge)).amount_refunded).toBe(1000);
    const expanded = await stripe.charges.list({ expand: ["data.refunds"] });
    expect(expanded.data.find((c) => c.id === settled.charge)?.refunds?.data).toHaveLength(3);
  });
});

describe("disputes", () => {
  const btSum = (d: Stripe.Dispute) => d.balance_transactions.reduce((s, bt) => s + bt.amount, 0);
  const feeSum = (d: Stripe.Dispute) => d.balance_transactions.reduce((s, bt) => s + bt.fee, 0);

  it("an inquiry moves no money and closes as warning_closed", async () => {
    const { payment_intent } = await paid();
    const { dispute } = await control(`/_test/payment_intents/${payment_intent}/dispute`, { outcome: "inquiry" });
    await control(`/_test/disputes/${dispute}/advance`, { to: "warning_under_review" });
    await control(`/_test/disputes/${dispute}/advance`, { to: "warning_closed" });
    const events = await drain();
    expect(types(events)).toEqual(["charge.dispute.created", "charge.dispute.updated", "charge.dispute.closed"]);
    const closed = events[2]?.data.object as Stripe.Dispute;
    expect(closed).toMatchObject({ status: "warning_closed", balance_transactions: [] });
    expect(closed.payment_method_details?.card?.case_type).toBe("inquiry");
    // An inquiry leaves the charge refundable.
    await control(`/_test/payment_intents/${payment_intent}/refund`, { amount: 100 });
  });

  it("an inquiry escalated to a chargeback withdraws the amount and the dispute fee", async () => {
    const { payment_intent } = await paid();
    const { dispute } = await control(`/_test/payment_intents/${payment_intent}/dispute`, { outcome: "inquiry" });
    await control(`/_test/disputes/${dispute}/advance`, { to: "needs_response" });
    const events = await drain();
    expect(types(events)).toEqual([
      "charge.dispute.created",
      "charge.dispute.updated",
      "charge.dispute.funds_withdrawn",
    ]);
    const withdrawn = events[2]?.data.object as Stripe.Dispute;
    expect(withdrawn.balance_transactions).toEqual([
      expect.objectContaining({
        amount: -1500,
        fee: 1500,
        net: -3000,
        type: "adjustment",
        reporting_category: "dispute",
      }),
    ]);
    await control(`/_test/payment_intents/${payment_intent}/refund`, { amount: 100 }, 400);
  });

  it("prevented: closed before it became a chargeback, no money moved", async () => {
    const { payment_intent } = await paid();
    await control(`/_test/payment_intents/${payment_intent}/dispute`, { outcome: "prevented" });
    const events = await drain();
    expect(types(events)).toEqual(["charge.dispute.created", "charge.dispute.closed"]);
    expect(events[1]?.data.object).toMatchObject({ status: "prevented", balance_transactions: [] });
  });

  it("lost, appealed and won: the amount comes back, the dispute fee does not", async () => {
    const { payment_intent } = await paid("usd", 4000);
    const { dispute } = await control(`/_test/payment_intents/${payment_intent}/dispute`, { outcome: "lost" });
    await control(`/_test/disputes/${dispute}/advance`, { to: "appeal_needs_response" });
    await control(`/_test/disputes/${dispute}/advance`, { to: "appeal_under_review" });
    await control(`/_test/disputes/${dispute}/advance`, { to: "won" });
    const events = await drain();
    expect(types(events)).toEqual([
      "charge.dispute.created",
      "charge.dispute.funds_withdrawn",
      "charge.dispute.closed",
      "charge.dispute.updated",
      "charge.dispute.updated",
      "charge.dispute.closed",
      "charge.dispute.funds_reinstated",
    ]);
    const won = events[6]?.data.object as Stripe.Dispute;
    expect(won.status).toBe("won");
    expect(btSum(won)).toBe(0);
    expect(feeSum(won)).toBe(1500);
    expect(won.balance_transactions[1]).toMatchObject({ amount: 4000, fee: 0, reporting_category: "dispute_reversal" });
    await control(`/_test/disputes/${dispute}/advance`, { to: "lost" }, 400);
  });

  it("an appeal can be lost too; the lifecycle refuses moves Stripe never makes", async () => {
    const { payment_intent } = await paid();
    const { dispute } = await control(`/_test/payment_intents/${payment_intent}/dispute`, { outcome: "open" });
    await control(`/_test/disputes/${dispute}/advance`, { to: "warning_closed" }, 400);
    await control(`/_test/disputes/${dispute}/advance`, { to: "under_review" });
    await control(`/_test/disputes/${dispute}/advance`, { to: "lost" });
    await control(`/_test/disputes/${dispute}/advance`, { to: "appeal_needs_response" });
    await control(`/_test/disputes/${dispute}/advance`, { to: "lost" });
    const last = (await drain()).at(-1)?.data.object as Stripe.Dispute;
    expect(last).toMatchObject({ status: "lost" });
    expect(btSum(last)).toBe(-1500);
    const listed = await stripe.disputes.list({ payment_intent });
    expect(listed.data.map((d) => d.status)).toEqual(["lost"]);
  });
});

describe("trials and coupons: zero invoices", () => {
  it("a trial starts trialing with a zero invoice paid, then its first renewal bills", async () => {
    const { done, events, session } = await subscribed({
      subscription_data: { trial_period_days: 14, metadata: { pledge_id: "pl_sub" } },
    });
    expect(session.amount_total).toBe(0);
    const paidInvoice = events.find((e) => e.type === "invoice.paid")?.data.object as Stripe.Invoice;
    expect(paidInvoice).toMatchObject({ amount_paid: 0, amount_due: 0, total: 0, status: "paid" });
    expect(events.map((e) => e.type)).not.toContain("payment_intent.succeeded");
    expect(done.payment_intent).toBeNull();
    const completed = events.find((e) => e.type === "checkout.session.completed")?.data
      .object as Stripe.Checkout.Session;
    expect(completed.payment_status).toBe("no_payment_required");
    const sub = await stripe.subscriptions.retrieve(done.subscription);
    expect(sub.status).toBe("trialing");
    expect(sub.trial_end).toBe((sub.trial_start as number) + 14 * 86_400);
    await control(`/_test/subscriptions/${done.subscription}/renew`);
    const renewal = await drain();
    const updated = renewal.find((e) => e.type === "customer.subscription.updated");
    expect(updated?.data.object).toMatchObject({ status: "active" });
    expect(updated?.data.previous_attributes).toMatchObject({ status: "trialing" });
    expect(renewal.find((e) => e.type === "invoice.paid")?.data.object).toMatchObject({ amount_paid: 1000 });
  });

  it("a 100% coupon once: the first invoice is zero, the next is paid in full", async () => {
    const coupon = await stripe.coupons.create({ percent_off: 100, duration: "once" });
    const { done, events } = await subscribed({ discounts: [{ coupon: coupon.id }] });
    const first = events.find((e) => e.type === "invoice.paid")?.data.object as Stripe.Invoice;
    expect(first).toMatchObject({ subtotal: 1000, total: 0, amount_paid: 0 });
    expect(first.total_discount_amounts).toEqual([expect.objectContaining({ amount: 1000 })]);
    await control(`/_test/subscriptions/${done.subscription}/renew`);
    expect((await drain()).find((e) => e.type === "invoice.paid")?.data.object).toMatchObject({ amount_paid: 1000 });
  });

  it("a 100% coupon forever keeps every renewal zero; a one-time session needs no payment", async () => {
    const coupon = await stripe.coupons.create({ percent_off: 100, duration: "forever" });
    const { done } = await subscribed({ discounts: [{ coupon: coupon.id }] });
    await control(`/_test/subscriptions/${done.subscription}/renew`);
    const renewal = await drain();
    expect(renewal.find((e) => e.type === "invoice.paid")?.data.object).toMatchObject({ amount_paid: 0 });
    expect(types(renewal)).not.toContain("charge.succeeded");

    const session = await stripe.checkout.sessions.create({
      mode: "payment",
      success_url: "https://news.example/thanks",
      line_items: [line("eur", 2500)],
      discounts: [{ coupon: coupon.id }],
    });
    expect(session).toMatchObject({ amount_subtotal: 2500, amount_total: 0 });
    await control(`/_test/checkout/sessions/${session.id}/complete`);
    const [completed] = await drain();
    expect(completed?.data.object).toMatchObject({ payment_status: "no_payment_required", payment_intent: null });
  });
});

describe("webhook endpoints on their own API version", () => {
  it("an endpoint on an API version before basil receives the old invoice, subscription and charge shapes", async () => {
    const endpoint = await stripe.webhookEndpoints.create({
      url: "https://news.example/api/webhooks/stripe",
      enabled_events: ["invoice.paid", "customer.subscription.created", "charge.succeeded"],
      api_version: "2024-06-20" as Stripe.WebhookEndpointCreateParams.ApiVersion,
    });
    expect(endpoint.secret).toMatch(/^whsec_/);
    expect((await stripe.webhookEndpoints.retrieve(endpoint.id)).secret).toBeUndefined();
    const { done, events } = await subscribed();
    const old = await drain({ id: endpoint.id, secret: endpoint.secret as string });
    expect(types(old)).toEqual(["customer.subscription.created", "invoice.paid", "charge.succeeded"]);
    expect(old.every((e) => e.api_version === "2024-06-20")).toBe(true);
    const invoice = old[1]?.data.object as unknown as Record<string, any>;
    expect(invoice.subscription).toBe(done.subscription);
    expect(invoice.subscription_details).toEqual({ metadata: { pledge_id: "pl_sub" } });
    expect(invoice.payment_intent).toBe(done.payment_intent);
    expect(invoice.charge).toBe(done.charge);
    expect(invoice.parent).toBeUndefined();
    const sub = old[0]?.data.object as unknown as Record<string, any>;
    expect(typeof sub.current_period_end).toBe("number");
    expect(sub.items.data[0].current_period_end).toBeUndefined();
    expect((old[2]?.data.object as unknown as Record<string, any> | undefined)?.invoice).toBe(done.invoice);
    // The emulator's own target got every event in the pinned shape, as before.
    const current = events.find((e) => e.type === "invoice.paid")?.data.object as Stripe.Invoice;
    expect(current.parent?.subscription_details?.subscription).toBe(done.subscription);
    expect(events[0]?.api_version).toBe(Stripe.API_VERSION);
  });

  it("lists, updates (not the API version) and deletes endpoints", async () => {
    const endpoint = await stripe.webhookEndpoints.create({
      url: "https://news.example/hooks",
      enabled_events: ["charge.refunded"],
    });
    expect(endpoint.api_version).toBeNull();
    const updated = await stripe.webhookEndpoints.update(endpoint.id, {
      enabled_events: ["charge.refunded", "refund.updated"],
      url: "https://news.example/api/webhooks/stripe",
    });
    expect(updated).toMatchObject({ enabled_events: ["charge.refunded", "refund.updated"], status: "enabled" });
    const refused = await fetch(`${emulator.url}/v1/webhook_endpoints/${endpoint.id}`, {
      method: "POST",
      headers: { authorization: "Bearer sk_test_x", "content-type": "application/x-www-form-urlencoded" },
      body: "api_version=2026-10-28.endive",
    });
    expect(refused.status).toBe(400);
    expect((await stripe.webhookEndpoints.list()).data.map((e) => e.id)).toEqual([endpoint.id]);
    expect(await stripe.webhookEndpoints.del(endpoint.id)).toMatchObject({ id: endpoint.id, deleted: true });
    expect((await stripe.webhookEndpoints.list()).data).toEqual([]);
  });
});

describe("Customer Portal configurations", () => {
  it("creates, lists, updates a configuration and opens portal sessions with it", async () => {
    const config = await stripe.billingPortal.configurations.create({
      business_profile: { headline: "Manage your support" },
      features: {
        payment_method_update: { enabled: true },
        subscription_cancel: { enabled: true, mode: "immediately" },
        invoice_history: { enabled: true },
      },
      metadata: { reader_support: "1" },
    });
    expect(config).toMatchObject({
      is_default: false,
      active: true,
      business_profile: { headline: "Manage your support" },
      features: {
        payment_method_update: { enabled: true },
        subscription_cancel: { enabled: true, mode: "immediately" },
        customer_update: { enabled: false },
      },
    });
    const list = await stripe.billingPortal.configurations.list();
    expect(list.data.map((c) => c.is_default).sort()).toEqual([false, true]);
    const updated = await stripe.billingPortal.configurations.update(config.id, {
      features: { subscription_cancel: { mode: "at_period_end" } },
    });
    expect(updated.features.subscription_cancel.mode).toBe("at_period_end");
    const { done } = await subscribed();
    const session = await stripe.billingPortal.sessions.create({ customer: done.customer, configuration: config.id });
    expect(session.configuration).toBe(config.id);
    await expect(
      stripe.billingPortal.sessions.create({ customer: done.customer, configuration: "bpc_nope" }),
    ).rejects.toMatchObject({ statusCode: 404 });
  });
});

describe("the events list, for reconciliation", () => {
  it("pages newest first through every event of a window, filtered by types", async () => {
    for (let i = 0; i < 12; i++) await paid("usd", 1000 + i);
    const all: Stripe.Event[] = [];
    let page = await stripe.events.list({ limit: 10, types: ["checkout.session.completed", "charge.succeeded"] });
    all.push(...page.data);
    while (page.has_more) {
      page = await stripe.events.list({
        limit: 10,
        types: ["checkout.session.completed", "charge.succeeded"],
        starting_after: page.data.at(-1)?.id,
      });
      all.push(...page.data);
    }
    expect(all).toHaveLength(24);
    expect(new Set(all.map((e) => e.id)).size).toBe(24);
    expect(all.every((e) => ["checkout.session.completed", "charge.succeeded"].includes(e.type))).toBe(true);
    expect(all.map((e) => e.created)).toEqual([...all.map((e) => e.created)].sort((a, b) => b - a));
    const auto = [];
    for await (const e of stripe.events.list({ limit: 5, type: "charge.succeeded" })) auto.push(e);
    expect(auto).toHaveLength(12);
  });

  it("the clock moves forward on request, and `created` filters follow it", async () => {
    const before = await paid();
    const t0 = (await stripe.charges.retrieve(before.charge)).created;
    await control("/_test/clock/advance", { seconds: 86_400 });
    const after = await paid();
    expect((await stripe.charges.retrieve(after.charge)).created).toBeGreaterThanOrEqual(t0 + 86_400);
    const recent = await stripe.charges.list({ created: { gte: t0 + 3600 } });
    expect(recent.data.map((c) => c.id)).toEqual([after.charge]);
  });
});
