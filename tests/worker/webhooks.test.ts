import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import {
  call,
  cancelSubscription,
  clearLedger,
  control,
  type Delivery,
  deliver,
  deliverAll,
  drain,
  ledgerSnapshot,
  restorePendingPledges,
  shuffle,
  startCheckout,
  summary,
} from "./helpers";

const eventCount = async () =>
  (await env.DB.prepare("SELECT count(*) AS n FROM stripe_events").first<{ n: number }>())?.n;
const inboxCount = async () =>
  (await env.DB.prepare("SELECT count(*) AS n FROM stripe_inbox").first<{ n: number }>())?.n;

beforeEach(async () => {
  await clearLedger();
  await drain();
});

/** Signs a body with the emulator's scheme but a chosen secret and time (for forged and stale webhooks). */
async function sign(payload: string, secret: string, t: number) {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`${t}.${payload}`)));
  return `t=${t},v1=${[...mac].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

describe("webhook signatures", () => {
  async function completedOnce(): Promise<Delivery> {
    const { sessionId } = await startCheckout({ frequency: "once" });
    await control(`/_test/checkout/sessions/${sessionId}/complete`, { outcome: "succeeded" });
    const completed = (await drain()).find((d) => d.type === "checkout.session.completed");
    if (!completed) throw new Error("no checkout.session.completed");
    return completed;
  }

  it("refuses unsigned, forged, tampered and stale deliveries with 400 and changes nothing", async () => {
    const d = await completedOnce();
    expect(d.payload).toMatch(/"amount_total":\s*2500/);
    const now = Math.floor(Date.now() / 1000);
    const attempts = [
      { ...d, signature: "" },
      { ...d, signature: await sign(d.payload, "whsec_someone_else", now) },
      { ...d, payload: d.payload.replace(/"amount_total":(\s*)2500/, '"amount_total":$1250000') },
      { ...d, signature: await sign(d.payload, "whsec_local_dev_only", now - 3600) },
    ];
    for (const attempt of attempts) {
      const response = await call("/api/webhooks/stripe", {
        method: "POST",
        headers: attempt.signature ? { "stripe-signature": attempt.signature } : {},
        body: attempt.payload,
      });
      expect(response.status).toBe(400);
    }
    expect(await eventCount()).toBe(0);
    expect(await inboxCount()).toBe(0);
    expect((await ledgerSnapshot()).payments).toEqual([]);
    // The genuine delivery still works afterwards.
    expect((await deliver(d)).status).toBe(200);
    expect((await ledgerSnapshot()).payments).toHaveLength(1);
  });

  it("refuses an absurdly large body with 413 before verifying it", async () => {
    const response = await call("/api/webhooks/stripe", {
      method: "POST",
      headers: { "stripe-signature": "t=1,v1=00" },
      body: `{"pad":"${"x".repeat(1_100_000)}"}`,
    });
    expect(response.status).toBe(413);
    expect(await eventCount()).toBe(0);
    expect(await inboxCount()).toBe(0);
  });

  it("answers 200 to event types it does not handle, and ignores them", async () => {
    const payload = JSON.stringify({
      id: "evt_unknown_1",
      object: "event",
      type: "product.created",
      created: 1,
      data: { object: { id: "prod_1" } },
    });
    const response = await deliver({
      event_id: "evt_unknown_1",
      type: "product.created",
      payload,
      signature: await sign(payload, "whsec_local_dev_only", Math.floor(Date.now() / 1000)),
    });
    expect(response.status).toBe(200);
    expect((await ledgerSnapshot()).payments).toEqual([]);
  });

  it("processes each event id once", async () => {
    const d = await completedOnce();
    expect((await deliver(d)).status).toBe(200);
    const again = await deliver(d);
    expect(await again.json()).toEqual({ received: true, duplicate: true });
    expect((await ledgerSnapshot()).payments).toHaveLength(1);
  });
});

describe("the money lifecycle, through the emulator", () => {
  it("once: checkout → paid → partial refund → rest refunded", async () => {
    const { pledgeId, sessionId } = await startCheckout({ frequency: "once", amount: 5000 });
    const done = await control(`/_test/checkout/sessions/${sessionId}/complete`, { outcome: "succeeded" });
    await deliverAll();
    let s = await summary();
    // Stripe keeps 2.9% + 30 of a card payment: 175 of 5000.
    expect(s.currencies).toEqual([
      expect.objectContaining({ currency: "USD", gross: 5000, refunded: 0, stripeFees: 175, net: 4825, payments: 1 }),
    ]);
    expect((await env.DB.prepare("SELECT status FROM pledges WHERE id = ?").bind(pledgeId).first())?.status).toBe(
      "paid",
    );

    await control(`/_test/payment_intents/${done.payment_intent}/refund`, { amount: 1500 });
    await deliverAll();
    s = await summary();
    expect(s.currencies[0]).toMatchObject({ gross: 5000, refunded: 1500, stripeFees: 175, net: 3325 });

    await control(`/_test/payment_intents/${done.payment_intent}/refund`, {});
    await deliverAll();
    s = await summary();
    // Refunding everything does not return Stripe's fee: the gift cost the newsroom 175.
    expect(s.currencies[0]).toMatchObject({
      gross: 5000,
      refunded: 5000,
      stripeFees: 175,
      net: -175,
      byFrequency: { once: { net: -175, payments: 1 } },
    });
  });

  it("monthly: checkout → first invoice → renewal → refund → lost dispute → cancel", async () => {
    const { pledgeId, sessionId } = await startCheckout({ frequency: "monthly", amount: 1000, coverFees: true });
    const done = await control(`/_test/checkout/sessions/${sessionId}/complete`, { outcome: "succeeded" });
    await deliverAll();
    let s = await summary();
    // 1000 + 61 fee cover, counted once although checkout.session.completed and invoice.paid both
    // arrived; the reader's 61 pays exactly Stripe's fee (2.9% of 1061 + 30), so the newsroom gets 1000.
    expect(s.currencies[0]).toMatchObject({
      currency: "USD",
      gross: 1061,
      stripeFees: 61,
      net: 1000,
      payments: 1,
      feesCovered: 61,
    });
    expect(s.recurring).toEqual([expect.objectContaining({ currency: "USD", active: 1, monthlyEquivalent: 1061 })]);

    const renewal = await control(`/_test/subscriptions/${done.subscription}/renew`);
    await deliverAll();
    s = await summary();
    expect(s.currencies[0]).toMatchObject({
      gross: 2122,
      stripeFees: 122,
      net: 2000,
      payments: 2,
      byFrequency: { monthly: { net: 2000, payments: 2 } },
    });

    await control(`/_test/payment_intents/${renewal.payment_intent}/refund`, { amount: 500 });
    await deliverAll();
    await control(`/_test/payment_intents/${done.payment_intent}/dispute`, { outcome: "lost" });
    await deliverAll();
    s = await summary();
    // A lost dispute takes the payment and a 1500 dispute fee.
    expect(s.currencies[0]).toMatchObject({
      gross: 2122,
      refunded: 500,
      disputed: 1061,
      disputeFees: 1500,
      net: 2122 - 500 - 1061 - 122 - 1500,
    });

    await cancelSubscription(done.subscription);
    await deliverAll();
    s = await summary();
    expect(s.recurring).toEqual([]);
    expect(s.currencies[0]).toMatchObject({ net: -1061 });
    expect((await env.DB.prepare("SELECT status FROM pledges WHERE id = ?").bind(pledgeId).first())?.status).toBe(
      "canceled",
    );
  });

  it("annual: a won dispute gives the amount back but not its fee; a failed renewal is past due, not active", async () => {
    const { pledgeId, sessionId } = await startCheckout({ frequency: "annual", amount: 12000, currency: "GBP" });
    const done = await control(`/_test/checkout/sessions/${sessionId}/complete`, { outcome: "succeeded" });
    await deliverAll();
    let s = await summary();
    expect(s.recurring).toEqual([expect.objectContaining({ currency: "GBP", active: 1, monthlyEquivalent: 1000 })]);
    await control(`/_test/payment_intents/${done.payment_intent}/dispute`, { outcome: "won" });
    await deliverAll();
    s = await summary();
    expect(s.currencies[0]).toMatchObject({
      currency: "GBP",
      gross: 12000,
      disputed: 0,
      disputedOpen: 0,
      stripeFees: 378,
      disputeFees: 1500,
      net: 12000 - 378 - 1500,
      byFrequency: { annual: { net: 12000 - 378 - 1500, payments: 1 } },
    });
    await control(`/_test/subscriptions/${done.subscription}/fail_renewal`);
    await deliverAll();
    expect((await env.DB.prepare("SELECT status FROM pledges WHERE id = ?").bind(pledgeId).first())?.status).toBe(
      "past_due",
    );
    expect((await summary()).recurring).toEqual([]);
  });

  it("currencies are never summed together", async () => {
    for (const [currency, amount] of [
      ["USD", 2500],
      ["EUR", 2500],
      ["JPY", 3000],
    ] as const) {
      const { sessionId } = await startCheckout({ frequency: "once", amount, currency });
      await control(`/_test/checkout/sessions/${sessionId}/complete`, { outcome: "succeeded" });
    }
    await deliverAll();
    const s = await summary();
    expect(s.currencies.map((c) => [c.currency, c.gross])).toEqual([
      ["EUR", 2500],
      ["JPY", 3000],
      ["USD", 2500],
    ]);
  });

  it("delayed methods: processing until the money settles; failure records no money", async () => {
    const a = await startCheckout({ frequency: "once", amount: 2000 });
    const b = await startCheckout({ frequency: "once", amount: 3000 });
    for (const x of [a, b]) await control(`/_test/checkout/sessions/${x.sessionId}/complete`, { outcome: "delayed" });
    await deliverAll();
    const status = async (id: string) =>
      (await env.DB.prepare("SELECT status FROM pledges WHERE id = ?").bind(id).first())?.status;
    expect(await status(a.pledgeId)).toBe("processing");
    expect((await summary()).currencies).toEqual([]);
    await control(`/_test/checkout/sessions/${a.sessionId}/settle`, { outcome: "succeeded" });
    await control(`/_test/checkout/sessions/${b.sessionId}/settle`, { outcome: "failed" });
    await deliverAll();
    expect(await status(a.pledgeId)).toBe("paid");
    expect(await status(b.pledgeId)).toBe("failed");
    expect((await summary()).currencies[0]).toMatchObject({ gross: 2000, payments: 1 });
  });

  it("an expired session marks the pledge expired", async () => {
    const { pledgeId, sessionId } = await startCheckout({ frequency: "once" });
    const response = await fetch(`${(env as any).STRIPE_API_BASE}/v1/checkout/sessions/${sessionId}/expire`, {
      method: "POST",
      headers: { authorization: "Bearer sk_test_x" },
    });
    expect(response.status).toBe(200);
    await deliverAll();
    expect((await env.DB.prepare("SELECT status FROM pledges WHERE id = ?").bind(pledgeId).first())?.status).toBe(
      "expired",
    );
  });
});

describe("order independence", () => {
  /** Runs a busy month through the emulator and returns every delivery it produced. */
  async function busyMonth(): Promise<Delivery[]> {
    const all: Delivery[] = [];
    const once = await startCheckout({ frequency: "once", amount: 4000 });
    const monthly = await startCheckout({ frequency: "monthly", amount: 1000, currency: "EUR", coverFees: true });
    const annual = await startCheckout({ frequency: "annual", amount: 10000 });
    const o = await control(`/_test/checkout/sessions/${once.sessionId}/complete`, { outcome: "succeeded" });
    const m = await control(`/_test/checkout/sessions/${monthly.sessionId}/complete`, { outcome: "succeeded" });
    const a = await control(`/_test/checkout/sessions/${annual.sessionId}/complete`, { outcome: "succeeded" });
    await control(`/_test/payment_intents/${o.payment_intent}/refund`, { amount: 1000 });
    const r = await control(`/_test/subscriptions/${m.subscription}/renew`);
    await control(`/_test/payment_intents/${r.payment_intent}/dispute`, { outcome: "lost" });
    await control(`/_test/subscriptions/${m.subscription}/fail_renewal`);
    await control(`/_test/payment_intents/${a.payment_intent}/refund`, { amount: 2500 });
    await control(`/_test/payment_intents/${a.payment_intent}/refund`, { amount: 2500 });
    all.push(...(await drain()));
    await cancelSubscription(a.subscription);
    all.push(...(await drain()));
    return all;
  }

  it("duplicated, shuffled deliveries give exactly the ledger of one clean in-order pass", async () => {
    const deliveries = await busyMonth();
    const pledges = (await env.DB.prepare("SELECT * FROM pledges").all()).results;
    for (const d of deliveries) expect((await deliver(d)).status).toBe(200);
    const clean = await ledgerSnapshot();
    const cleanSummary = await summary();
    expect(clean.payments.length).toBe(4);

    for (const seed of [1, 7, 42]) {
      // Back to the moment before any webhook: the pledges as checkout created them.
      await clearLedger();
      await restorePendingPledges(pledges);
      const noisy = shuffle([...deliveries, ...deliveries.filter((_, i) => (i * seed) % 3 === 0)], seed);
      for (const d of noisy) expect((await deliver(d)).status).toBe(200);
      expect(await ledgerSnapshot()).toEqual(clean);
      expect(await summary()).toEqual(cleanSummary);
    }
  });

  it("invoice.paid before checkout.session.completed still lands on the right pledge", async () => {
    const { pledgeId, sessionId } = await startCheckout({ frequency: "monthly", amount: 2000 });
    await control(`/_test/checkout/sessions/${sessionId}/complete`, { outcome: "succeeded" });
    const deliveries = await drain();
    const invoicePaid = deliveries.filter((d) => d.type === "invoice.paid");
    const rest = deliveries.filter((d) => d.type !== "invoice.paid");
    expect(invoicePaid).toHaveLength(1);
    for (const d of [...invoicePaid, ...rest.reverse()]) expect((await deliver(d)).status).toBe(200);
    const payment = await env.DB.prepare("SELECT pledge_id, amount FROM payments").first();
    expect(payment).toEqual({ pledge_id: pledgeId, amount: 2000 });
    expect((await env.DB.prepare("SELECT status FROM pledges WHERE id = ?").bind(pledgeId).first())?.status).toBe(
      "active",
    );
  });
});
