import { describe, expect, it } from "vitest";
import { effectsOf, type LedgerEvent, needsOf } from "./ledger";
import { parseApiVersion, toPinnedVersion, versionSupport } from "./stripe-versions";

const PINNED = "2026-10-28.endive";

const ev = (api_version: unknown, object: Record<string, unknown>, type = "invoice.paid") =>
  ({ id: "evt_1", type, created: 1_800_000_000, api_version, data: { object } }) as LedgerEvent;

/** An invoice.paid as an endpoint on 2024-06-20 receives it (before basil). */
const oldInvoice = {
  id: "in_old",
  object: "invoice",
  amount_paid: 1000,
  currency: "eur",
  status: "paid",
  customer: "cus_1",
  subscription: "sub_1",
  subscription_details: { metadata: { pledge_id: "pl_1" } },
  payment_intent: "pi_1",
  charge: "ch_1",
  paid: true,
  status_transitions: { paid_at: 1_800_000_100 },
};

describe("Stripe API versions at the door", () => {
  it("parses versions and decides what each means for a worker pinned to endive", () => {
    expect(parseApiVersion("2026-10-28.endive")).toEqual({ date: "2026-10-28", major: "endive" });
    expect(parseApiVersion("2020-08-27")).toEqual({ date: "2020-08-27", major: null });
    expect(parseApiVersion("latest")).toBeNull();
    expect(versionSupport(PINNED, PINNED)).toBe("as_is");
    expect(versionSupport("2026-09-30.endive", PINNED)).toBe("as_is");
    expect(versionSupport("2026-12-16.endive", PINNED)).toBe("as_is");
    expect(versionSupport("2026-03-25.dahlia", PINNED)).toBe("as_is");
    expect(versionSupport("2025-09-30.clover", PINNED)).toBe("as_is");
    expect(versionSupport("2025-03-31.basil", PINNED)).toBe("as_is");
    expect(versionSupport("2025-02-24.acacia", PINNED)).toBe("pre_basil");
    expect(versionSupport("2023-10-16", PINNED)).toBe("pre_basil");
    expect(versionSupport("2022-11-15", PINNED)).toBe("pre_basil");
    expect(versionSupport("2020-08-27", PINNED)).toBe("too_old");
    expect(versionSupport("2027-03-31.fig", PINNED)).toBe("newer_major");
    expect(versionSupport(null, PINNED)).toBe("missing_version");
    expect(versionSupport(undefined, PINNED)).toBe("missing_version");
    expect(versionSupport("2026/10/28", PINNED)).toBe("missing_version");
  });

  it("rewrites a pre-basil invoice into parent.subscription_details and payments, and the ledger reads it", () => {
    const verdict = toPinnedVersion(ev("2024-06-20", oldInvoice), PINNED);
    if (!verdict.ok) throw new Error(verdict.message);
    expect(verdict.adapted).toBe(true);
    const invoice = verdict.event.data.object;
    expect(invoice.parent).toEqual({
      type: "subscription_details",
      quote_details: null,
      subscription_details: { subscription: "sub_1", metadata: { pledge_id: "pl_1" } },
    });
    expect(invoice.payments).toMatchObject({
      data: [{ status: "paid", payment: { type: "payment_intent", payment_intent: "pi_1" } }],
    });
    for (const gone of ["subscription", "subscription_details", "payment_intent", "charge"])
      expect(invoice).not.toHaveProperty(gone);
    // The input is not changed.
    expect(oldInvoice.subscription).toBe("sub_1");
    // The ledger finds the pledge and the payment intent without asking Stripe for the invoice.
    expect(needsOf(verdict.event)).toEqual({ paymentIntent: "pi_1" });
    expect(effectsOf(verdict.event)).toContainEqual({
      kind: "payment",
      id: "in_old",
      pledgeId: "pl_1",
      amount: 1000,
      currency: "EUR",
      paymentIntentId: "pi_1",
      paidAt: 1_800_000_100_000,
    });
    // Without the adapter, the same event would be read as "no pledge": silently no payment.
    expect(effectsOf(ev("2024-06-20", oldInvoice)).some((e) => e.kind === "payment")).toBe(false);
  });

  it("moves a pre-basil subscription's period onto its items and drops a charge's invoice", () => {
    const sub = {
      id: "sub_1",
      object: "subscription",
      status: "active",
      metadata: { pledge_id: "pl_1" },
      current_period_start: 100,
      current_period_end: 200,
      items: { object: "list", data: [{ id: "si_1", object: "subscription_item" }] },
    };
    const verdict = toPinnedVersion(ev("2024-09-30.acacia", sub, "customer.subscription.updated"), PINNED);
    if (!verdict.ok) throw new Error(verdict.message);
    const object = verdict.event.data.object as typeof sub;
    expect(object.items.data[0]).toEqual({
      id: "si_1",
      object: "subscription_item",
      current_period_start: 100,
      current_period_end: 200,
    });
    expect(object).not.toHaveProperty("current_period_end");
    const charge = toPinnedVersion(
      ev("2024-04-10", { id: "ch_1", object: "charge", invoice: "in_1" }, "charge.updated"),
      PINNED,
    );
    expect(charge.ok && charge.event.data.object).not.toHaveProperty("invoice");
  });

  it("reads events of the pinned major as they are, and refuses what it cannot read with a reason", () => {
    const current = ev("2026-09-30.endive", { id: "in_1", object: "invoice" });
    expect(toPinnedVersion(current, PINNED)).toEqual({ ok: true, event: current, adapted: false });
    for (const [version, reason] of [
      [null, "missing_version"],
      ["2019-12-03", "too_old"],
      ["2027-03-31.fig", "newer_major"],
    ] as const) {
      const verdict = toPinnedVersion(ev(version, oldInvoice), PINNED);
      expect(verdict).toMatchObject({ ok: false, reason });
      expect(!verdict.ok && verdict.message).toContain("evt_1");
    }
  });
});
