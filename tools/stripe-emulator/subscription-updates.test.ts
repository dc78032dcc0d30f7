// @vitest-environment node
/**
 * Subscriptions that change, through the official SDK: new prices for items (no proration), an
 * interval switch that keeps the billing date (trial_end), pause_collection and its end,
 * cancel_at_period_end with a reason, Stripe-shaped previous_attributes, renewals of each, product
 * renames, and the portal's card update flow.
 */
import Stripe from "stripe";
import { beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "./server.ts";
import { emulatorHarness, types } from "./test-harness.ts";

const SECRET = "whsec_test_updates";
let emulator: Emulator;
let stripe: Stripe;
const harness = emulatorHarness(SECRET);
const { control } = harness;
beforeAll(() => {
  ({ emulator, stripe } = harness);
});

const drain = () => harness.drain();

/** A monthly subscription of 1000 (with a 60 fee-cover item) paid through Checkout. */
async function monthly() {
  const item = (name: string, amount: number) => ({
    price_data: {
      currency: "usd",
      unit_amount: amount,
      product_data: { name },
      recurring: { interval: "month" as const },
    },
    quantity: 1,
  });
  const session = await stripe.checkout.sessions.create({
    mode: "subscription",
    success_url: "https://news.example/thanks",
    line_items: [item("Monthly support", 1000), item("Fee cover", 60)],
    subscription_data: { metadata: { pledge_id: "pl_sub", frequency: "monthly" } },
  });
  const done = await control(`/_test/checkout/sessions/${session.id}/complete`);
  await drain();
  return stripe.subscriptions.retrieve(done.subscription as string);
}

const updated = (events: Stripe.Event[]) => {
  const event = events.find((e) => e.type === "customer.subscription.updated");
  if (!event) throw new Error(`no customer.subscription.updated in ${types(events)}`);
  return event as Stripe.CustomerSubscriptionUpdatedEvent;
};

describe("changing a subscription", () => {
  it("takes a new price for an item with proration_behavior=none; the next renewal bills it", async () => {
    const sub = await monthly();
    const [gift, fee] = sub.items.data as [Stripe.SubscriptionItem, Stripe.SubscriptionItem];
    const periodEnd = gift.current_period_end;
    const changed = await stripe.subscriptions.update(sub.id, {
      items: [
        {
          id: gift.id,
          price_data: {
            currency: "usd",
            product: gift.price.product as string,
            unit_amount: 500,
            recurring: { interval: "month" },
          },
        },
        { id: fee.id, deleted: true },
      ],
      proration_behavior: "none",
      metadata: { fee_amount: "0" },
    });
    expect(changed.items.data.map((i) => i.price.unit_amount)).toEqual([500]);
    expect(changed.items.data[0]?.current_period_end).toBe(periodEnd);
    const events = await drain();
    expect(types(events)).toEqual(["customer.subscription.updated"]);
    const event = updated(events);
    const previous = event.data.previous_attributes as Record<string, any>;
    expect(previous.items.data.map((i: Stripe.SubscriptionItem) => i.price.unit_amount)).toEqual([1000, 60]);
    expect(previous.metadata).toEqual({ fee_amount: null });
    // Nothing is invoiced now; the renewal bills the new amount.
    expect((await stripe.invoices.list({ subscription: sub.id })).data).toHaveLength(1);
    const renewal = await control(`/_test/subscriptions/${sub.id}/renew`);
    expect((await stripe.invoices.retrieve(renewal.invoice)).amount_paid).toBe(500);
  });

  it("refuses what it cannot do as Stripe would answer, and changes nothing", async () => {
    const sub = await monthly();
    const gift = sub.items.data[0] as Stripe.SubscriptionItem;
    const price = (overrides: Record<string, unknown>) => ({
      currency: "usd",
      product: gift.price.product as string,
      unit_amount: 700,
      recurring: { interval: "month" as const },
      ...overrides,
    });
    const attempts: [Stripe.SubscriptionUpdateParams, string][] = [
      [{ items: [{ id: gift.id, price_data: price({}) }] }, "proration_behavior"],
      [{ items: [{ id: "si_nope", price_data: price({}) }], proration_behavior: "none" }, "items[0][id]"],
      [
        { items: [{ id: gift.id, price_data: price({ currency: "eur" }) }], proration_behavior: "none" },
        "items[0][price_data][currency]",
      ],
      [
        { items: [{ id: gift.id, price_data: price({ product: "prod_nope" }) }], proration_behavior: "none" },
        "items[0][price_data][product]",
      ],
      [
        {
          items: [{ id: gift.id, price_data: price({ recurring: { interval: "year" } }) }],
          proration_behavior: "none",
        },
        "items",
      ],
      [
        { pause_collection: { behavior: "void", resumes_at: Math.floor(Date.now() / 1000) - 10 } },
        "pause_collection[resumes_at]",
      ],
    ];
    for (const [params, param] of attempts) {
      const error = await stripe.subscriptions.update(sub.id, params).catch((e: Stripe.errors.StripeError) => e);
      expect(error, JSON.stringify(params)).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
      expect((error as Stripe.errors.StripeError).param).toBe(param);
    }
    expect(await drain()).toEqual([]);
    const after = await stripe.subscriptions.retrieve(sub.id);
    expect(after.items.data.map((i) => i.price.unit_amount)).toEqual([1000, 60]);
    expect(after.pause_collection).toBeNull();
  });

  it("switches monthly to annual with trial_end at the paid period's end: nothing billed now, the annual amount then", async () => {
    const sub = await monthly();
    const [gift, fee] = sub.items.data as [Stripe.SubscriptionItem, Stripe.SubscriptionItem];
    const periodEnd = gift.current_period_end;
    const switched = await stripe.subscriptions.update(sub.id, {
      items: [
        {
          id: gift.id,
          price_data: {
            currency: "usd",
            product: gift.price.product as string,
            unit_amount: 12000,
            recurring: { interval: "year" },
          },
        },
        { id: fee.id, deleted: true },
      ],
      proration_behavior: "none",
      trial_end: periodEnd,
      metadata: { frequency: "annual" },
    });
    expect(switched.status).toBe("trialing");
    expect(switched.trial_end).toBe(periodEnd);
    expect(switched.items.data[0]?.current_period_end).toBe(periodEnd);
    const event = updated(await drain());
    expect(event.data.previous_attributes).toMatchObject({
      status: "active",
      trial_end: null,
      metadata: { frequency: "monthly" },
    });
    const renewal = await control(`/_test/subscriptions/${sub.id}/renew`);
    const invoice = await stripe.invoices.retrieve(renewal.invoice);
    expect(invoice.amount_paid).toBe(12000);
    const after = await stripe.subscriptions.retrieve(sub.id);
    expect(after.status).toBe("active");
    const nextYear = new Date(periodEnd * 1000);
    nextYear.setUTCFullYear(nextYear.getUTCFullYear() + 1);
    expect(after.items.data[0]?.current_period_end).toBe(nextYear.getTime() / 1000);
  });

  it("pauses collection: a renewal inside the pause voids its invoice; clearing it resumes, and so does time", async () => {
    const sub = await monthly();
    const resumesAt = Math.floor(Date.now() / 1000) + 40 * 86_400;
    const paused = await stripe.subscriptions.update(sub.id, {
      pause_collection: { behavior: "void", resumes_at: resumesAt },
    });
    expect(paused.pause_collection).toEqual({ behavior: "void", resumes_at: resumesAt });
    expect(paused.status).toBe("active");
    expect(updated(await drain()).data.previous_attributes).toEqual({ pause_collection: null });

    const skipped = await control(`/_test/subscriptions/${sub.id}/renew`);
    const events = await drain();
    expect(types(events)).toEqual([
      "customer.subscription.updated",
      "invoice.created",
      "invoice.finalized",
      "invoice.voided",
    ]);
    expect((await stripe.invoices.retrieve(skipped.invoice)).status).toBe("void");

    const resumed = await stripe.subscriptions.update(sub.id, { pause_collection: "" });
    expect(resumed.pause_collection).toBeNull();
    expect(updated(await drain()).data.previous_attributes).toEqual({
      pause_collection: { behavior: "void", resumes_at: resumesAt },
    });

    // Paused again until a date the clock then passes: the renewal resumes collection first, then bills.
    await stripe.subscriptions.update(sub.id, { pause_collection: { behavior: "void", resumes_at: resumesAt } });
    await drain();
    await control("/_test/clock/advance", { seconds: 41 * 86_400 });
    const billed = await control(`/_test/subscriptions/${sub.id}/renew`);
    const after = await drain();
    expect(types(after).slice(0, 2)).toEqual(["customer.subscription.updated", "customer.subscription.updated"]);
    expect(after[0]?.data.previous_attributes).toEqual({
      pause_collection: { behavior: "void", resumes_at: resumesAt },
    });
    expect(types(after)).toContain("invoice.paid");
    expect((await stripe.invoices.retrieve(billed.invoice)).amount_paid).toBe(1060);
  });

  it("cancels at the period's end with a reason; previous_attributes say only what changed; the renewal ends it", async () => {
    const sub = await monthly();
    const scheduled = await stripe.subscriptions.update(sub.id, {
      cancel_at_period_end: true,
      cancellation_details: { feedback: "too_expensive", comment: "Money is tight" },
      metadata: { rs_save_offer: "declined:1" },
    });
    expect(scheduled.cancel_at_period_end).toBe(true);
    expect(scheduled.cancel_at).toBe(sub.items.data[0]?.current_period_end);
    const event = updated(await drain());
    expect(event.data.object.cancellation_details).toEqual({
      comment: "Money is tight",
      feedback: "too_expensive",
      reason: "cancellation_requested",
    });
    expect(event.data.previous_attributes).toEqual({
      cancel_at: null,
      cancel_at_period_end: false,
      canceled_at: null,
      cancellation_details: { comment: null, feedback: null, reason: null },
      metadata: { rs_save_offer: null },
    });
    await control(`/_test/subscriptions/${sub.id}/renew`);
    const ended = await drain();
    expect(types(ended)).toEqual(["customer.subscription.deleted"]);
    expect((await stripe.subscriptions.retrieve(sub.id)).status).toBe("canceled");
    await expect(stripe.subscriptions.update(sub.id, { pause_collection: "" })).rejects.toThrow(/canceled/);
  });

  it("renames a product (product.updated)", async () => {
    const sub = await monthly();
    const product = sub.items.data[0]?.price.product as string;
    const renamed = await stripe.products.update(product, { name: "Annual support" });
    expect(renamed.name).toBe("Annual support");
    const [event] = await drain();
    expect(event?.type).toBe("product.updated");
    expect(event?.data.previous_attributes).toEqual({ name: "Monthly support", updated: expect.any(Number) });
  });
});

describe("the portal's card update flow", () => {
  it("shows a card form only, saves a new default payment method, and returns to the site", async () => {
    const sub = await monthly();
    const portal = await stripe.billingPortal.sessions.create({
      customer: sub.customer as string,
      return_url: "https://news.example/manage",
      flow_data: {
        type: "payment_method_update",
        after_completion: { type: "redirect", redirect: { return_url: "https://news.example/manage/support" } },
      },
    });
    expect(portal.flow?.type).toBe("payment_method_update");
    const page = await (await fetch(portal.url)).text();
    expect(page).toContain("Update your card");
    expect(page).not.toContain("Cancel support");
    const saved = await fetch(`${emulator.url}/p/session/${portal.id}/payment_method`, {
      method: "POST",
      redirect: "manual",
      body: "card=4242",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(saved.status).toBe(303);
    expect(saved.headers.get("location")).toBe("https://news.example/manage/support");
    const customer = (await stripe.customers.retrieve(sub.customer as string)) as Stripe.Customer;
    const pm = customer.invoice_settings.default_payment_method as string;
    expect(pm).toMatch(/^pm_/);
    expect((await stripe.subscriptions.retrieve(sub.id)).default_payment_method).toBe(pm);
    expect(types(await drain())).toEqual(["customer.updated", "customer.subscription.updated"]);
    await expect(
      stripe.billingPortal.sessions.create({
        customer: sub.customer as string,
        flow_data: { type: "subscription_cancel" } as never,
      }),
    ).rejects.toThrow(/payment_method_update/);
  });
});
