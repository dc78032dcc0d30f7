import { describe, expect, it } from "vitest";
import { nextAttemptAt, outgoingOf, RETRY_MINUTES, webhookUrlProblem } from "./outgoing";

describe("outgoing webhook addresses", () => {
  it("production takes only https to public hosts", () => {
    expect(webhookUrlProblem("https://crm.example.org/hooks", false)).toBeNull();
    expect(webhookUrlProblem("https://203.0.113.9/hooks", false)).toBeNull();
    for (const url of [
      "http://crm.example.org/hooks",
      "https://localhost/hooks",
      "https://127.0.0.1/hooks",
      "https://10.1.2.3/",
      "https://172.20.0.1/",
      "https://192.168.1.10/",
      "https://169.254.169.254/latest/meta-data",
      "https://100.64.0.1/",
      "https://[::1]/",
      "https://[fd00::1]/",
      "https://[::ffff:127.0.0.1]/",
      "https://printer.local/",
      "https://intranet/",
      "https://user:pass@crm.example.org/",
      "ftp://crm.example.org/",
      "not a url",
    ])
      expect(webhookUrlProblem(url, false), url).not.toBeNull();
  });

  it("development and tests may also use http and local hosts", () => {
    expect(webhookUrlProblem("http://127.0.0.1:9999/hook", true)).toBeNull();
    expect(webhookUrlProblem("ftp://127.0.0.1/", true)).not.toBeNull();
  });
});

describe("retries", () => {
  it("back off from a minute to a day, then stop (about two days in all)", () => {
    const now = 1_700_000_000_000;
    expect(nextAttemptAt(1, now)).toBe(now + 60_000);
    expect(nextAttemptAt(2, now)).toBe(now + 5 * 60_000);
    expect(nextAttemptAt(RETRY_MINUTES.length, now)).toBe(now + 1440 * 60_000);
    expect(nextAttemptAt(RETRY_MINUTES.length + 1, now)).toBeNull();
    expect(RETRY_MINUTES.reduce((a, b) => a + b, 0) / 60).toBeGreaterThan(44);
  });
});

describe("what a Stripe event sends", () => {
  const event = (type: string, object: Record<string, unknown>, previous?: Record<string, unknown>) => ({
    id: `evt_${type}`,
    type,
    created: 1_700_000_000,
    data: { object, ...(previous ? { previous_attributes: previous } : {}) },
  });

  it("a completed one-off checkout: the pledge started and its payment", () => {
    const out = outgoingOf(
      event("checkout.session.completed", {
        id: "cs_1",
        mode: "payment",
        payment_status: "paid",
        payment_intent: "pi_1",
        amount_total: 2500,
        currency: "usd",
        metadata: { pledge_id: "pl_1" },
      }),
    );
    expect(out.map((o) => o.type)).toEqual(["pledge.started", "payment.succeeded"]);
    expect(out[1]?.data).toEqual({ payment: { id: "pi_1", amount: 2500, currency: "USD", paid_at: 1_700_000_000 } });
  });

  it("a renewal's invoice: a payment; a refund: once per refund id, only while its money leaves", () => {
    const paid = outgoingOf(
      event("invoice.paid", {
        id: "in_1",
        amount_paid: 1000,
        currency: "eur",
        billing_reason: "subscription_cycle",
        parent: { subscription_details: { metadata: { pledge_id: "pl_2" } } },
      }),
    );
    expect(paid.map((o) => [o.type, o.source])).toEqual([["payment.succeeded", "payment:in_1"]]);
    const refund = (status: string) =>
      outgoingOf(event("refund.updated", { id: "re_1", status, amount: 500, currency: "eur", payment_intent: "pi_2" }));
    expect(refund("succeeded").map((o) => [o.type, o.source, o.paymentIntentId])).toEqual([
      ["payment.refunded", "refund:re_1", "pi_2"],
    ]);
    expect(refund("failed")).toEqual([]);
  });

  it("nothing for events that mean nothing to a CRM", () => {
    expect(outgoingOf(event("charge.updated", { id: "ch_1" }))).toEqual([]);
    expect(outgoingOf(event("checkout.session.completed", { id: "cs_2", mode: "payment" }))).toEqual([]);
  });
});
