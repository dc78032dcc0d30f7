import { describe, expect, it } from "vitest";
import type { LedgerEvent } from "../core/ledger";
import { parseSites } from "../core/site-config";
import { sites } from "../sites.config";
import { decide, outboxKeysOf, type PledgeFacts, RECOVERY_CAMPAIGN, renewalNoticeDue, triggerOf } from "./rules";

const [demo] = parseSites(sites);
if (!demo) throw new Error("demo site missing");
/** The demo site without any `emails` settings: the defaults. */
const [plain] = parseSites([{ ...structuredClone(sites[0]), emails: undefined }]);
if (!plain) throw new Error("plain site missing");

const NOW = Date.UTC(2026, 4, 14, 12);
const event = (type: string, object: Record<string, unknown>, created = NOW / 1000): LedgerEvent => ({
  id: `evt_${type}`,
  type,
  created,
  data: { object },
});
const pledge = (overrides: Partial<PledgeFacts> = {}): PledgeFacts => ({
  site: "demo",
  frequency: "monthly",
  status: "active",
  campaign: null,
  email: "pledge@example.org",
  lang: "en",
  ...overrides,
});
const invoice = (overrides: Record<string, unknown> = {}) => ({
  id: "in_1",
  number: "ABC-0002",
  customer: "cus_1",
  customer_email: "reader@example.org",
  amount_due: 1000,
  amount_paid: 0,
  currency: "usd",
  attempt_count: 1,
  next_payment_attempt: NOW / 1000 + 3 * 86_400,
  billing_reason: "subscription_cycle",
  parent: { subscription_details: { metadata: { pledge_id: "pl_1" }, subscription: "sub_1" } },
  lines: { data: [{ period: { start: NOW / 1000, end: NOW / 1000 + 31 * 86_400 } }] },
  ...overrides,
});

describe("what an event says", () => {
  it("a paid one-time session is a payment keyed by its payment intent; a subscription session is not", () => {
    const session = {
      id: "cs_1",
      mode: "payment",
      payment_status: "paid",
      payment_intent: "pi_1",
      amount_total: 2500,
      currency: "eur",
      metadata: { pledge_id: "pl_1", site: "demo" },
      customer_details: { email: "given@example.org" },
    };
    expect(triggerOf(event("checkout.session.completed", session))).toMatchObject({
      type: "payment",
      paymentId: "pi_1",
      amount: 2500,
      currency: "EUR",
      email: "given@example.org",
      recovered: false,
    });
    expect(triggerOf(event("checkout.session.completed", { ...session, mode: "subscription" }))).toBeNull();
    expect(triggerOf(event("checkout.session.completed", { ...session, payment_status: "unpaid" }))).toBeNull();
  });

  it("a paid invoice is a payment; after failed tries it is a recovered one, a first invoice never is", () => {
    const paid = invoice({ amount_paid: 1000, status_transitions: { paid_at: NOW / 1000 } });
    expect(triggerOf(event("invoice.paid", paid))).toMatchObject({
      paymentId: "in_1",
      reference: "ABC-0002",
      recovered: false,
      nextChargeAt: NOW + 31 * 86_400_000,
    });
    expect(triggerOf(event("invoice.paid", { ...paid, attempt_count: 3 }))).toMatchObject({ recovered: true });
    expect(
      triggerOf(event("invoice.paid", { ...paid, attempt_count: 2, billing_reason: "subscription_create" })),
    ).toMatchObject({ recovered: false });
    expect(triggerOf(event("invoice.paid", { ...paid, amount_paid: 0 }))).toBeNull();
  });

  it("a failed renewal carries its try and the next; a first invoice failing in Checkout causes nothing", () => {
    expect(triggerOf(event("invoice.payment_failed", invoice()))).toMatchObject({
      type: "payment_failed",
      attempt: 1,
      nextAttemptAt: NOW + 3 * 86_400_000,
      customerId: "cus_1",
    });
    expect(triggerOf(event("invoice.payment_failed", invoice({ billing_reason: "subscription_create" })))).toBeNull();
  });

  it("an expired session carries the reader's consent; a subscription event its period", () => {
    expect(
      triggerOf(
        event("checkout.session.expired", {
          id: "cs_2",
          client_reference_id: "pl_2",
          customer_email: "left@example.org",
          consent: { promotions: "opt_in" },
        }),
      ),
    ).toMatchObject({ type: "checkout_expired", pledgeId: "pl_2", consented: true, email: "left@example.org" });
    const sub = {
      id: "sub_1",
      status: "active",
      currency: "usd",
      metadata: { pledge_id: "pl_1" },
      cancel_at_period_end: false,
      cancel_at: null,
      pause_collection: null,
      items: {
        data: [
          {
            quantity: 1,
            current_period_end: NOW / 1000 + 86_400,
            price: { unit_amount: 9000, recurring: { interval: "year" } },
          },
          {
            quantity: 1,
            current_period_end: NOW / 1000 + 86_400,
            price: { unit_amount: 290, recurring: { interval: "year" } },
          },
        ],
      },
    };
    expect(triggerOf(event("customer.subscription.updated", sub))).toMatchObject({
      type: "subscription",
      interval: "year",
      amount: 9290,
      ending: false,
      periodEnd: NOW + 86_400_000,
    });
    expect(triggerOf(event("customer.subscription.updated", { ...sub, cancel_at_period_end: true }))).toMatchObject({
      ending: true,
    });
    expect(triggerOf(event("customer.subscription.deleted", sub))).toMatchObject({ status: "canceled" });
    expect(triggerOf(event("charge.refunded", { id: "ch_1" }))).toBeNull();
  });
});

describe("which email goes", () => {
  const failed = (attempt: number, next: number | null = NOW + 86_400_000) => ({
    type: "payment_failed" as const,
    pledgeId: "pl_1",
    invoiceId: "in_1",
    customerId: "cus_1",
    amount: 1000,
    currency: "USD",
    email: null,
    attempt,
    nextAttemptAt: next,
  });

  it("nothing for a pledge that is not ours, of another site, or of a site no longer configured", () => {
    const payment = triggerOf(
      event("checkout.session.completed", {
        mode: "payment",
        payment_status: "paid",
        payment_intent: "pi_1",
        amount_total: 100,
        metadata: { pledge_id: "pl_1", site: "elsewhere" },
      }),
    );
    if (payment?.type !== "payment") throw new Error("no payment trigger");
    expect(decide(payment, { pledge: null, site: demo }, NOW)).toEqual({ send: false, reason: "no pledge of ours" });
    expect(decide(payment, { pledge: pledge(), site: demo }, NOW)).toEqual({
      send: false,
      reason: "the event names another site",
    });
    expect(decide({ ...payment, siteHint: null }, { pledge: pledge(), site: undefined }, NOW).send).toBe(false);
  });

  it("the first failure's email, then the second with the try that leaves one, never the first after the second", () => {
    const facts = { pledge: pledge(), site: demo };
    expect(decide(failed(1), facts, NOW)).toMatchObject({
      send: true,
      kind: "payment_failed",
      key: "payment_failed:in_1",
    });
    // Tries 2–6 of 8 would send the first again: its key finds it sent.
    expect(decide(failed(5), facts, NOW)).toMatchObject({ kind: "payment_failed", key: "payment_failed:in_1" });
    expect(decide(failed(7), facts, NOW)).toMatchObject({
      kind: "payment_failed_again",
      key: "payment_failed:in_1:again",
    });
    expect(decide(failed(8, null), facts, NOW)).toMatchObject({ kind: "payment_failed" });
    expect(decide(failed(3), { ...facts, secondSent: true }, NOW)).toEqual({
      send: false,
      reason: "the second email went already",
    });
    expect(decide(failed(2), { ...facts, invoicePaid: true }, NOW)).toEqual({
      send: false,
      reason: "the invoice was paid",
    });
    expect(decide(failed(1), { pledge: pledge({ status: "canceled" }), site: demo }, NOW).send).toBe(false);
    expect(decide(failed(1), { pledge: pledge({ email: null }), site: demo }, NOW)).toEqual({
      send: false,
      reason: "no address",
    });
  });

  it("an abandoned checkout's email only when the site turned it on (off by default), with consent, unpaid, within 48 hours", () => {
    const expired = {
      type: "checkout_expired" as const,
      pledgeId: "pl_1",
      sessionId: "cs_1",
      email: "left@example.org",
      consented: true,
      expiredAt: NOW,
      siteHint: "demo",
    };
    const facts = { pledge: pledge({ status: "expired" }), site: demo };
    expect(decide(expired, facts, NOW)).toMatchObject({
      send: true,
      kind: "checkout_recovery",
      key: "checkout_recovery:cs_1",
    });
    expect(plain.emails.checkoutRecovery.enabled).toBe(false);
    expect(decide(expired, { ...facts, site: plain }, NOW)).toEqual({
      send: false,
      reason: "turned off for this site",
    });
    expect(decide({ ...expired, consented: false }, facts, NOW).send).toBe(false);
    expect(decide(expired, { ...facts, pledge: pledge({ status: "paid" }) }, NOW).send).toBe(false);
    expect(
      decide(expired, { ...facts, pledge: pledge({ campaign: RECOVERY_CAMPAIGN, status: "expired" }) }, NOW).send,
    ).toBe(false);
    expect(decide(expired, facts, NOW + 49 * 3_600_000)).toEqual({ send: false, reason: "expired too long ago" });
  });

  it("receipts and the failed-payment emails follow the site's switches", () => {
    const receipt = {
      type: "payment" as const,
      pledgeId: "pl_1",
      paymentId: "in_1",
      amount: 1000,
      currency: "USD",
      paidAt: NOW,
      email: null,
      reference: "in_1",
      recovered: false,
      nextChargeAt: null,
      siteHint: null,
    };
    const off = structuredClone(plain);
    off.emails.receipts = false;
    off.emails.failedPayments.enabled = false;
    expect(decide(receipt, { pledge: pledge(), site: plain }, NOW)).toEqual({
      send: true,
      kind: "receipt",
      key: "receipt:in_1",
      to: "pledge@example.org",
    });
    expect(decide(receipt, { pledge: pledge(), site: off }, NOW).send).toBe(false);
    expect(decide({ ...receipt, recovered: true }, { pledge: pledge(), site: plain }, NOW)).toMatchObject({
      kind: "payment_recovered",
      key: "receipt:in_1",
    });
    expect(decide({ ...receipt, recovered: true }, { pledge: pledge(), site: off }, NOW).send).toBe(false);
    expect(decide(failed(1), { pledge: pledge(), site: off }, NOW).send).toBe(false);
  });

  it("every key an email is sent under is among the keys read before deciding (outboxKeysOf)", () => {
    const receipt = { ...failed(1), type: "payment" as const, paymentId: "pi_9", paidAt: NOW, reference: "pi_9" };
    const triggers = [
      { ...receipt, recovered: false, nextChargeAt: null, siteHint: null },
      { ...receipt, recovered: true, nextChargeAt: null, siteHint: null },
      failed(1),
      failed(7),
      failed(8, null),
      {
        type: "checkout_expired" as const,
        pledgeId: "pl_1",
        sessionId: "cs_9",
        email: "left@example.org",
        consented: true,
        expiredAt: NOW,
        siteHint: "demo",
      },
    ];
    const sent = triggers.map((trigger) => {
      const decision = decide(trigger, { pledge: pledge({ status: "expired" }), site: demo }, NOW);
      if (!decision.send) throw new Error(`no email for ${trigger.type}: ${decision.reason}`);
      expect(outboxKeysOf(trigger)).toContain(decision.key);
      return decision.key;
    });
    expect(new Set(sent)).toEqual(
      new Set(["receipt:pi_9", "payment_failed:in_1", "payment_failed:in_1:again", "checkout_recovery:cs_9"]),
    );
    // The second failure's key is read with the first's: the first must not follow it.
    expect(outboxKeysOf(failed(1))).toEqual(["payment_failed:in_1", "payment_failed:in_1:again"]);
  });
});

describe("the renewal notice", () => {
  const row = (overrides = {}) => ({
    interval: "year",
    status: "active",
    ending: 0,
    periodEnd: NOW + 6 * 86_400_000,
    noticeFor: null,
    ...overrides,
  });
  it("is due within the site's days before an annual charge, once per period, never for monthly or ending support", () => {
    expect(plain.emails.renewalNotice.daysBefore).toBe(7);
    expect(renewalNoticeDue(row(), plain, NOW)).toBe(true);
    expect(renewalNoticeDue(row({ periodEnd: NOW + 8 * 86_400_000 }), plain, NOW)).toBe(false);
    expect(renewalNoticeDue(row({ periodEnd: NOW - 1 }), plain, NOW)).toBe(false);
    expect(renewalNoticeDue(row({ noticeFor: NOW + 6 * 86_400_000 }), plain, NOW)).toBe(false);
    expect(renewalNoticeDue(row({ interval: "month" }), plain, NOW)).toBe(false);
    expect(renewalNoticeDue(row({ ending: 1 }), plain, NOW)).toBe(false);
    expect(renewalNoticeDue(row({ status: "past_due" }), plain, NOW)).toBe(false);
    const longer = structuredClone(plain);
    longer.emails.renewalNotice.daysBefore = 14;
    expect(renewalNoticeDue(row({ periodEnd: NOW + 13 * 86_400_000 }), longer, NOW)).toBe(true);
  });
});
