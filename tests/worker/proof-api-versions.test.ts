import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { HANDLED_EVENT_TYPES } from "../../worker/core/ledger";
import {
  call,
  cancelSubscription,
  clearLedgerAndRollups,
  control,
  type Delivery,
  deliver,
  drain,
  ledgerSnapshot,
  resigned,
  restorePendingPledges,
  sign,
  startCheckout,
  stripeApi,
  summary,
} from "./helpers";

/**
 * Proof: Stripe renders webhook events at the endpoint's API version, not the worker's. An
 * endpoint created on an older version (before 2025-03-31.basil, when invoices, subscriptions and
 * charges changed shape) must give exactly the ledger the pinned version gives; an event of a
 * version the worker cannot read must be refused (non-2xx, a log line), never acknowledged and
 * dropped, so Stripe keeps it and it can still be applied once readable.
 */

const eventCount = async (id?: string) =>
  (
    await env.DB.prepare(`SELECT count(*) AS n FROM stripe_events${id ? " WHERE id = ?" : ""}`)
      .bind(...(id ? [id] : []))
      .first<{ n: number }>()
  )?.n;

let endpoint: { id: string; secret: string } | null = null;

beforeEach(async () => {
  await clearLedgerAndRollups();
  await drain();
});
afterEach(async () => {
  if (endpoint) await stripeApi("DELETE", `/v1/webhook_endpoints/${endpoint.id}`);
  endpoint = null;
  vi.restoreAllMocks();
});

/** Money stories of both kinds: a monthly gift renewed, refunded and disputed, and a one-time gift, cancelled. */
async function stories() {
  const monthly = await startCheckout({ frequency: "monthly", amount: 1000, currency: "EUR", coverFees: true });
  const once = await startCheckout({ frequency: "once", amount: 2500, currency: "USD" });
  const m = await control(`/_test/checkout/sessions/${monthly.sessionId}/complete`, { outcome: "succeeded" });
  const o = await control(`/_test/checkout/sessions/${once.sessionId}/complete`, { outcome: "succeeded" });
  const renewal = await control(`/_test/subscriptions/${m.subscription}/renew`);
  await control(`/_test/payment_intents/${renewal.payment_intent}/refund`, { amount: 400 });
  await control(`/_test/payment_intents/${m.payment_intent}/dispute`, { outcome: "lost" });
  await control(`/_test/payment_intents/${o.payment_intent}/refund`, { amount: 500 });
  await cancelSubscription(m.subscription);
}

describe("proof: events from an endpoint on another API version", () => {
  it("an endpoint on 2024-06-20 (old invoice, subscription and charge shapes) gives the ledger the pinned version gives", async () => {
    const created = await stripeApi("POST", "/v1/webhook_endpoints", {
      url: "https://courier.example.org/api/webhooks/stripe",
      enabled_events: [...HANDLED_EVENT_TYPES],
      api_version: "2024-06-20",
    });
    endpoint = { id: created.id, secret: created.secret };
    await stories();
    const pinned = await drain();
    const old = await drain(endpoint.id);
    const pledges = (await env.DB.prepare("SELECT * FROM pledges").all<Record<string, unknown>>()).results;
    // The endpoint really got the old shapes, and only the event types it is subscribed to.
    expect(old.length).toBeGreaterThan(10);
    expect(old.every((d) => (HANDLED_EVENT_TYPES as readonly string[]).includes(d.type))).toBe(true);
    const invoicePaid = JSON.parse((old.find((d) => d.type === "invoice.paid") as Delivery).payload);
    expect(invoicePaid.api_version).toBe("2024-06-20");
    expect(invoicePaid.data.object.parent).toBeUndefined();
    expect(invoicePaid.data.object.subscription).toMatch(/^sub_/);
    expect(invoicePaid.data.object.payment_intent).toMatch(/^pi_/);

    for (const d of old) expect((await deliver(await resigned(d))).status, d.type).toBe(200);
    const fromOld = { ledger: await ledgerSnapshot(), summary: await summary() };
    // Every payment found its payment intent, so refunds and the dispute attached to it.
    expect(fromOld.ledger.payments.every((p) => typeof p.payment_intent_id === "string")).toBe(true);
    const eur = fromOld.summary.currencies.find((c) => c.currency === "EUR");
    expect(eur).toMatchObject({ payments: 2, refunded: 400, disputeFees: 1500, feesPending: 0 });
    expect(eur?.disputed).toBe((eur?.gross ?? 0) / 2);
    expect(fromOld.summary.currencies.find((c) => c.currency === "USD")).toMatchObject({ refunded: 500, payments: 1 });

    await clearLedgerAndRollups();
    await restorePendingPledges(pledges);
    for (const d of pinned) expect((await deliver(d)).status, d.type).toBe(200);
    expect(await ledgerSnapshot()).toEqual(fromOld.ledger);
    expect(await summary()).toEqual(fromOld.summary);
  });

  it("an event of a version the worker cannot read is refused with 422 and a log line, never marked processed", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const { sessionId } = await startCheckout({ frequency: "once", amount: 3000 });
    await control(`/_test/checkout/sessions/${sessionId}/complete`, { outcome: "succeeded" });
    const completed = (await drain()).find((d) => d.type === "checkout.session.completed") as Delivery;
    const event = JSON.parse(completed.payload);

    for (const version of ["2019-12-03", "2027-03-31.fig", null]) {
      const payload = JSON.stringify({ ...event, api_version: version }, null, 2);
      const response = await deliver({ ...completed, payload, signature: await sign(payload) });
      expect(response.status, String(version)).toBe(422);
      const body = (await response.json()) as { error: { code: string; message: string; field: string } };
      expect(body.error).toMatchObject({ code: "unsupported_api_version", field: "api_version" });
      expect(body.error.message).toContain(event.id);
    }
    expect(errors).toHaveBeenCalledTimes(3);
    expect(String(errors.mock.calls[0]?.[0])).toMatch(/stripe webhook refused \(too_old\).*stripe:setup/);
    // Nothing was recorded, not even in the inbox, so the event is not "processed": Stripe retries it, and once it arrives
    // readable (the endpoint pinned, or reconciliation fetching it) it is applied, not a duplicate.
    expect(await eventCount(event.id)).toBe(0);
    expect((await env.DB.prepare("SELECT count(*) AS n FROM stripe_inbox").first<{ n: number }>())?.n).toBe(0);
    expect((await ledgerSnapshot()).payments).toEqual([]);
    const readable = await deliver(completed);
    expect(readable.status).toBe(200);
    expect(await readable.json()).toEqual({ received: true, duplicate: false });
    expect((await ledgerSnapshot()).payments).toHaveLength(1);

    // An event the ledger does not read is only recorded, whatever its version.
    const other = JSON.stringify({ ...event, id: "evt_other_old", type: "product.created", api_version: "2019-12-03" });
    const ignored = await call("/api/webhooks/stripe", {
      method: "POST",
      headers: { "stripe-signature": await sign(other) },
      body: other,
    });
    expect(ignored.status).toBe(200);
  });
});
