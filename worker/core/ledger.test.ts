import { describe, expect, it } from "vitest";
import { effectsOf, type LedgerEvent, statusKey } from "./ledger";

const event = (type: string, object: Record<string, unknown>, created = 1_800_000_000): LedgerEvent => ({
  id: `evt_${type}_${created}`,
  type,
  created,
  data: { object },
});

describe("ledger transitions", () => {
  it("a paid one-time checkout is a payment of the session total, matched by metadata", () => {
    const effects = effectsOf(
      event("checkout.session.completed", {
        mode: "payment",
        payment_status: "paid",
        amount_total: 2561,
        currency: "usd",
        payment_intent: "pi_1",
        metadata: { pledge_id: "pl_1" },
        customer_details: { email: "r@example.org" },
      }),
    );
    expect(effects).toContainEqual({
      kind: "payment",
      id: "pi_1",
      pledgeId: "pl_1",
      amount: 2561,
      currency: "USD",
      paymentIntentId: "pi_1",
      paidAt: 1_800_000_000_000,
    });
    expect(effects).toContainEqual(expect.objectContaining({ kind: "status", status: "paid" }));
  });

  it("a subscription checkout records no money: invoice.paid alone counts it", () => {
    const effects = effectsOf(
      event("checkout.session.completed", {
        mode: "subscription",
        payment_status: "paid",
        amount_total: 1000,
        currency: "usd",
        subscription: "sub_1",
        metadata: { pledge_id: "pl_2" },
      }),
    );
    expect(effects.some((e) => e.kind === "payment")).toBe(false);
    expect(effects).toContainEqual(expect.objectContaining({ kind: "status", status: "active" }));
  });

  it("a delayed method's completed-but-unpaid session is processing, not paid", () => {
    const effects = effectsOf(
      event("checkout.session.completed", {
        mode: "payment",
        payment_status: "unpaid",
        amount_total: 1000,
        metadata: { pledge_id: "pl_3" },
      }),
    );
    expect(effects.some((e) => e.kind === "payment")).toBe(false);
    expect(effects).toContainEqual(expect.objectContaining({ kind: "status", status: "processing" }));
  });

  it("invoice.paid finds its pledge through parent.subscription_details (API 2025+)", () => {
    const effects = effectsOf(
      event("invoice.paid", {
        id: "in_1",
        amount_paid: 1000,
        currency: "eur",
        status_transitions: { paid_at: 1_800_000_100 },
        parent: {
          type: "subscription_details",
          subscription_details: { subscription: "sub_1", metadata: { pledge_id: "pl_4" } },
        },
      }),
      { invoicePaymentIntentId: "pi_9" },
    );
    expect(effects).toContainEqual({
      kind: "payment",
      id: "in_1",
      pledgeId: "pl_4",
      amount: 1000,
      currency: "EUR",
      paymentIntentId: "pi_9",
      paidAt: 1_800_000_100_000,
    });
  });

  it("a renewal failure is past due; the first invoice failing inside Checkout is not", () => {
    const parent = { subscription_details: { subscription: "sub_1", metadata: { pledge_id: "pl_5" } } };
    expect(effectsOf(event("invoice.payment_failed", { billing_reason: "subscription_cycle", parent }))).toContainEqual(
      expect.objectContaining({ status: "past_due" }),
    );
    expect(effectsOf(event("invoice.payment_failed", { billing_reason: "subscription_create", parent }))).toEqual([]);
  });

  it("refunds carry Stripe's running total; disputes say whether they are final", () => {
    expect(
      effectsOf(
        event("charge.refunded", { id: "ch_1", payment_intent: "pi_1", amount_refunded: 500, currency: "usd" }),
      ),
    ).toEqual([
      {
        kind: "refund",
        chargeId: "ch_1",
        paymentIntentId: "pi_1",
        currency: "USD",
        amountRefunded: 500,
        at: 1_800_000_000_000,
      },
    ]);
    const [lost] = effectsOf(
      event("charge.dispute.closed", {
        id: "dp_1",
        charge: "ch_1",
        payment_intent: "pi_1",
        amount: 1000,
        currency: "usd",
        status: "lost",
      }),
    );
    expect(lost).toMatchObject({ kind: "dispute", status: "lost", final: true });
  });

  it("ignores events it does not know and events without a pledge", () => {
    expect(effectsOf(event("customer.created", { id: "cus_1" }))).toEqual([]);
    expect(
      effectsOf(event("checkout.session.completed", { mode: "payment", payment_status: "paid", metadata: {} })),
    ).toEqual([]);
  });

  it("orders statuses so late events never undo later states", () => {
    const t = 1_800_000_000;
    expect(statusKey("paid", t)).toBeGreaterThan(statusKey("expired", t + 999));
    expect(statusKey("canceled", t)).toBeGreaterThan(statusKey("active", t + 999));
    expect(statusKey("past_due", t + 1)).toBeGreaterThan(statusKey("active", t));
    expect(statusKey("active", t + 1)).toBeGreaterThan(statusKey("past_due", t));
    expect(statusKey("processing", t + 999)).toBeLessThan(statusKey("failed", t));
  });
});
