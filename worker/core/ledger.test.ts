import { describe, expect, it } from "vitest";
import {
  disputeKey,
  disputePhase,
  effectsOf,
  type LedgerEvent,
  needsOf,
  REFUND_COUNTED,
  refundKey,
  statusKey,
} from "./ledger";

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

  it("a refund is a row of its own with its status; its balance transactions come with it", () => {
    const refund = {
      id: "re_1",
      object: "refund",
      charge: "ch_1",
      payment_intent: "pi_1",
      amount: 500,
      currency: "usd",
      status: "pending",
      created: 1_799_999_000,
      balance_transaction: "txn_r1",
    };
    const e = event("refund.created", refund);
    expect(needsOf(e)).toEqual({ balanceTransactions: ["txn_r1"] });
    const bt = {
      id: "txn_r1",
      amount: -500,
      fee: 0,
      net: -500,
      currency: "usd",
      type: "refund",
      source: "re_1",
      created: 1,
    };
    expect(effectsOf(e, { balanceTransactions: [bt] })).toEqual([
      {
        kind: "refund",
        id: "re_1",
        chargeId: "ch_1",
        paymentIntentId: "pi_1",
        currency: "USD",
        amount: 500,
        status: "pending",
        key: refundKey("pending", 1_800_000_000),
        createdAt: 1_799_999_000_000,
        at: 1_800_000_000_000,
      },
      expect.objectContaining({ kind: "balance", id: "txn_r1", use: "refund", source: "re_1", amount: -500, fee: 0 }),
    ]);
    // charge.refunded carries only a running total: the refunds themselves come from Stripe.
    const refunded = event("charge.refunded", { id: "ch_1", payment_intent: "pi_1", amount_refunded: 500 });
    expect(needsOf(refunded)).toEqual({ chargeRefunds: "ch_1" });
    expect(effectsOf(refunded, { chargeRefunds: [{ ...refund, balance_transaction: bt }] })).toEqual([
      expect.objectContaining({ kind: "refund", id: "re_1" }),
      expect.objectContaining({ kind: "balance", id: "txn_r1" }),
      { kind: "refunds_listed", chargeId: "ch_1" },
    ]);
  });

  it("a refund's later stage always wins; failed and canceled end it, even after succeeded", () => {
    const t = 1_800_000_000;
    expect(refundKey("succeeded", t)).toBeGreaterThan(refundKey("pending", t + 999));
    expect(refundKey("failed", t)).toBeGreaterThan(refundKey("succeeded", t + 999));
    expect(refundKey("canceled", t)).toBeGreaterThan(refundKey("requires_action", t + 999));
    expect(refundKey("pending", t + 1)).toBeGreaterThan(refundKey("pending", t));
    expect(REFUND_COUNTED).toEqual(["requires_action", "pending", "succeeded"]);
  });

  it("a dispute's phase says what its status means for the money, for every status Stripe documents", () => {
    expect(
      Object.fromEntries(
        [
          "warning_needs_response",
          "warning_under_review",
          "warning_closed",
          "needs_response",
          "under_review",
          "appeal_needs_response",
          "appeal_under_review",
          "won",
          "lost",
          "prevented",
        ].map((s) => [s, disputePhase(s)]),
      ),
    ).toEqual({
      warning_needs_response: "inquiry",
      warning_under_review: "inquiry",
      warning_closed: "inquiry_closed",
      needs_response: "open",
      under_review: "open",
      appeal_needs_response: "open",
      appeal_under_review: "open",
      won: "won",
      lost: "lost",
      prevented: "prevented",
    });
    const [lost, ...balances] = effectsOf(
      event("charge.dispute.closed", {
        id: "dp_1",
        charge: "ch_1",
        payment_intent: "pi_1",
        amount: 1000,
        currency: "usd",
        status: "lost",
        created: 1_799_000_000,
        balance_transactions: [
          { id: "txn_d1", amount: -1000, fee: 1500, net: -2500, currency: "usd", type: "adjustment", source: "dp_1" },
        ],
      }),
    );
    expect(lost).toMatchObject({
      kind: "dispute",
      status: "lost",
      phase: "lost",
      key: disputeKey("lost", 1_800_000_000),
    });
    expect(balances).toEqual([expect.objectContaining({ kind: "balance", use: "dispute", fee: 1500, amount: -1000 })]);
  });

  it("the newest dispute status wins; in one second a later stage of its life wins; a win after an appeal stands", () => {
    const t = 1_800_000_000;
    expect(disputeKey("lost", t + 1)).toBeGreaterThan(disputeKey("won", t));
    expect(disputeKey("appeal_under_review", t)).toBeGreaterThan(disputeKey("lost", t));
    expect(disputeKey("won", t)).toBeGreaterThan(disputeKey("appeal_under_review", t));
    expect(disputeKey("needs_response", t)).toBeGreaterThan(disputeKey("warning_closed", t));
    expect(disputeKey("under_review", t)).toBeGreaterThan(disputeKey("needs_response", t));
  });

  it("a payment's fees come from its balance transaction, expanded or looked up; none yet means pending", () => {
    const session = {
      mode: "payment",
      payment_status: "paid",
      amount_total: 2500,
      currency: "usd",
      payment_intent: "pi_7",
      metadata: { pledge_id: "pl_7" },
    };
    const e = event("checkout.session.completed", session);
    expect(needsOf(e)).toEqual({ paymentIntent: "pi_7" });
    const intent = (bt: unknown) => ({
      id: "pi_7",
      latest_charge: { id: "ch_7", status: "succeeded", balance_transaction: bt },
    });
    const bt = {
      id: "txn_7",
      amount: 2500,
      fee: 103,
      net: 2397,
      currency: "usd",
      type: "charge",
      source: "ch_7",
      created: 5,
    };
    expect(effectsOf(e, { paymentIntent: intent(bt) })).toContainEqual({
      kind: "balance",
      id: "txn_7",
      use: "payment",
      source: "ch_7",
      paymentIntentId: "pi_7",
      type: "charge",
      reportingCategory: null,
      currency: "USD",
      amount: 2500,
      fee: 103,
      net: 2397,
      exchangeRate: null,
      created: 5000,
    });
    expect(effectsOf(e, { paymentIntent: intent(null) }).some((x) => x.kind === "balance")).toBe(false);
    // An expanded payment intent in the payload needs no lookup.
    const expanded = event("checkout.session.completed", { ...session, payment_intent: intent(bt) });
    expect(needsOf(expanded)).toEqual({});
    expect(effectsOf(expanded).filter((x) => x.kind === "balance")).toHaveLength(1);
  });

  it("a zero invoice (trial, 100% coupon) keeps the supporter active and moves no money", () => {
    const parent = { subscription_details: { subscription: "sub_1", metadata: { pledge_id: "pl_9" } } };
    const e = event("invoice.paid", { id: "in_0", amount_paid: 0, currency: "eur", parent });
    expect(needsOf(e)).toEqual({});
    expect(effectsOf(e)).toEqual([expect.objectContaining({ kind: "status", pledgeId: "pl_9", status: "active" })]);
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
