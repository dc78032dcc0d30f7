import { describe, expect, it } from "vitest";
import { sites } from "../sites.config";
import { checkoutSessionParams, planCheckout } from "./checkout";
import { NO_DEMO_ORIGINS } from "./origins";
import { parseSites } from "./site-config";

const [site] = parseSites(sites);
if (!site) throw new Error("demo site missing");
const base = {
  frequency: "monthly" as const,
  amount: 1000,
  currency: "USD",
  returnUrl: "https://courier.example.org/news/a?x=1",
};

describe("planCheckout", () => {
  it("accepts an amount within the currency's limits, at the limits too", () => {
    expect(planCheckout(site, { ...base, amount: 100 }, NO_DEMO_ORIGINS).ok).toBe(true);
    expect(planCheckout(site, { ...base, amount: 1000000 }, NO_DEMO_ORIGINS).ok).toBe(true);
  });

  it("refuses amounts outside the limits with the limit in words", () => {
    expect(planCheckout(site, { ...base, amount: 99 }, NO_DEMO_ORIGINS)).toEqual({
      ok: false,
      error: { code: "amount_too_small", field: "amount", message: "The amount must be at least $1." },
    });
    expect(planCheckout(site, { ...base, currency: "JPY", amount: 1000001 }, NO_DEMO_ORIGINS)).toMatchObject({
      ok: false,
      error: { code: "amount_too_large", message: "The amount must be at most ¥1,000,000." },
    });
  });

  it("refuses currencies the site does not offer and foreign return URLs", () => {
    expect(planCheckout(site, { ...base, currency: "CHF" }, NO_DEMO_ORIGINS)).toMatchObject({
      error: { code: "currency_not_offered" },
    });
    expect(planCheckout(site, { ...base, returnUrl: "https://evil.example.com/" }, NO_DEMO_ORIGINS)).toMatchObject({
      error: { code: "return_url_not_allowed" },
    });
    expect(planCheckout(site, { ...base, returnUrl: "http://localhost:8787/demo" }, NO_DEMO_ORIGINS)).toMatchObject({
      error: { code: "return_url_not_allowed" },
    });
    const local = { own: null, anyLocal: true };
    expect(planCheckout(site, { ...base, returnUrl: "http://localhost:8787/demo" }, local).ok).toBe(true);
    // The worker's own origin, while it serves the demo article, and nothing else.
    const own = { own: "https://support.example.org", anyLocal: false };
    expect(planCheckout(site, { ...base, returnUrl: "https://support.example.org/demo" }, own).ok).toBe(true);
    expect(planCheckout(site, { ...base, returnUrl: "http://localhost:8787/demo" }, own).ok).toBe(false);
  });

  it("adds the fee cover computed in the core", () => {
    const planned = planCheckout(site, { ...base, coverFees: true }, NO_DEMO_ORIGINS);
    expect(planned).toMatchObject({ ok: true, plan: { amount: 1000, feeAmount: 61 } });
  });
});

describe("checkoutSessionParams", () => {
  it("monthly: subscription mode with a monthly price, the pledge id in session and subscription metadata", () => {
    const planned = planCheckout(site, { ...base, coverFees: true }, NO_DEMO_ORIGINS);
    if (!planned.ok) throw new Error("plan refused");
    const params = checkoutSessionParams({ pledgeId: "pl_1", thanksToken: "pl_1.signature", site, plan: planned.plan });
    expect(params.mode).toBe("subscription");
    expect(params.line_items).toEqual([
      {
        quantity: 1,
        price_data: {
          currency: "usd",
          unit_amount: 1000,
          product_data: { name: "Monthly support for The Harbour Courier" },
          recurring: { interval: "month" },
        },
      },
      {
        quantity: 1,
        price_data: {
          currency: "usd",
          unit_amount: 61,
          product_data: { name: "Processing fee cover (added by you)" },
          recurring: { interval: "month" },
        },
      },
    ]);
    expect(params).toMatchObject({
      metadata: { pledge_id: "pl_1" },
      subscription_data: { metadata: { pledge_id: "pl_1" } },
    });
    expect(params).not.toHaveProperty("submit_type");
    // The return link carries the signed token only: the frequency comes from the worker, not the URL.
    expect(params.success_url).toBe("https://courier.example.org/news/a?x=1&rs=thanks&rs_pledge=pl_1.signature");
    expect(params.cancel_url).toBe("https://courier.example.org/news/a?x=1&rs=cancelled");
  });

  it("once: payment mode, submit_type donate, the pledge id on the payment intent", () => {
    const planned = planCheckout(site, { ...base, frequency: "once", currency: "JPY", amount: 3000 }, NO_DEMO_ORIGINS);
    if (!planned.ok) throw new Error("plan refused");
    const params = checkoutSessionParams({ pledgeId: "pl_2", thanksToken: "pl_2.signature", site, plan: planned.plan });
    expect(params).toMatchObject({
      mode: "payment",
      submit_type: "donate",
      payment_intent_data: { metadata: { pledge_id: "pl_2" } },
      line_items: [{ price_data: { currency: "jpy", unit_amount: 3000 } }],
    });
    expect(params.line_items[0]?.price_data).not.toHaveProperty("recurring");
  });
});
