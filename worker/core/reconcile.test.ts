import { describe, expect, it } from "vitest";
import { compareCharge, type LedgerView } from "./reconcile";

const NOW = 1_800_000_000;
const charge = (over: Record<string, unknown> = {}) => ({
  id: "ch_1",
  status: "succeeded",
  amount: 2500,
  currency: "usd",
  payment_intent: "pi_1",
  balance_transaction: {
    id: "txn_1",
    amount: 2500,
    fee: 103,
    net: 2397,
    currency: "usd",
    type: "charge",
    source: "ch_1",
  },
  refunds: { object: "list", has_more: false, data: [] as Record<string, unknown>[] },
  ...over,
});
const ledger = (over: Partial<LedgerView> = {}): LedgerView => ({
  payment: { id: "pi_1", amount: 2500, currency: "USD" },
  unlinkedPayment: null,
  hasBalance: true,
  refunds: new Map(),
  disputes: new Map(),
  ...over,
});
const refund = (status: string) => ({
  id: "re_1",
  object: "refund",
  charge: "ch_1",
  payment_intent: "pi_1",
  amount: 500,
  currency: "usd",
  status,
  created: NOW - 100,
  balance_transaction: "txn_r1",
});

describe("comparing one Stripe charge with the ledger", () => {
  it("a charge the ledger holds exactly: nothing to say, nothing to write but the listing's completeness", () => {
    expect(compareCharge(charge(), ledger(), null, NOW)).toEqual({
      differences: [],
      effects: [{ kind: "refunds_listed", chargeId: "ch_1" }],
    });
  });

  it("money the ledger never saw, or saw as another amount, is reported and not repaired", () => {
    const missing = compareCharge(charge(), ledger({ payment: null }), null, NOW);
    expect(missing.differences.map((d) => [d.kind, d.repaired])).toEqual([["missing_payment", false]]);
    expect(missing.effects).toEqual([]);
    const other = compareCharge(
      charge(),
      ledger({ payment: { id: "pi_1", amount: 2000, currency: "USD" } }),
      null,
      NOW,
    );
    expect(other.differences).toEqual([
      expect.objectContaining({
        kind: "amount_mismatch",
        stripeValue: "2500 USD",
        ledgerValue: "2000 USD",
        repaired: false,
      }),
    ]);
  });

  it("repairs what Stripe is the authority on: a late fee, a refund's newer state, an unknown dispute, an invoice's intent", () => {
    const found = compareCharge(
      charge({ refunds: { has_more: false, data: [refund("failed")] }, disputed: true }),
      ledger({
        payment: null,
        unlinkedPayment: { id: "in_1", amount: 2500, currency: "USD" },
        hasBalance: false,
        refunds: new Map([["re_1", { status: "succeeded", amount: 500 }]]),
      }),
      [
        {
          id: "dp_1",
          charge: "ch_1",
          payment_intent: "pi_1",
          amount: 2500,
          currency: "usd",
          status: "lost",
          balance_transactions: [],
        },
      ],
      NOW,
    );
    expect(found.differences.map((d) => [d.kind, d.repaired])).toEqual([
      ["payment_linked", true],
      ["fees_filled", true],
      ["status_drift", true],
      ["unknown_dispute", true],
    ]);
    expect(found.effects).toEqual([
      { kind: "payment_intent", paymentId: "in_1", paymentIntentId: "pi_1" },
      expect.objectContaining({ kind: "balance", id: "txn_1", use: "payment", fee: 103 }),
      expect.objectContaining({ kind: "refund", id: "re_1", status: "failed", force: true }),
      { kind: "refunds_listed", chargeId: "ch_1" },
      expect.objectContaining({ kind: "dispute", id: "dp_1", phase: "lost", force: true }),
    ]);
  });

  it("a charge that did not succeed, or has no payment intent, is not compared", () => {
    expect(compareCharge(charge({ status: "failed" }), ledger({ payment: null }), null, NOW).differences).toEqual([]);
    expect(compareCharge(charge({ payment_intent: null }), ledger({ payment: null }), null, NOW).differences).toEqual(
      [],
    );
  });
});
