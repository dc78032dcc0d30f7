// @vitest-environment node
/**
 * Revenue recovery in the emulator: Checkout's consent collection and a session abandoned with an
 * address and consent; a failed renewal retried by Stripe (attempt counts, the next try, the last
 * one); the billing portal's card-update flow, after which the next retry succeeds; and the
 * refusals Stripe would give.
 */
import type Stripe from "stripe";
import { beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "./server.ts";
import { emulatorHarness, types } from "./test-harness.ts";

const SECRET = "whsec_test_recovery";
let emulator: Emulator;
let stripe: Stripe;
const harness = emulatorHarness(SECRET);
const { control } = harness;
beforeAll(() => {
  ({ emulator, stripe } = harness);
});

const drain = () => harness.drain();

const line = (interval?: "month" | "year") => ({
  price_data: {
    currency: "usd",
    unit_amount: 1000,
    product_data: { name: "Support" },
    ...(interval ? { recurring: { interval } } : {}),
  },
  quantity: 1,
});

/** A monthly subscriber whose renewal just failed once. */
async function failedRenewal() {
  const session = await stripe.checkout.sessions.create({
    mode: "subscription",
    success_url: "https://news.example/thanks",
    line_items: [line("month")],
    subscription_data: { metadata: { pledge_id: "pl_r" } },
  });
  const done = await control(`/_test/checkout/sessions/${session.id}/complete`);
  const failed = await control(`/_test/subscriptions/${done.subscription}/fail_renewal`);
  await drain();
  return {
    subscription: done.subscription as string,
    customer: done.customer as string,
    invoice: failed.invoice as string,
  };
}

describe("abandoned checkouts", () => {
  it("a session keeps consent_collection, and expires with the address and the consent the reader gave", async () => {
    const session = await stripe.checkout.sessions.create({
      mode: "payment",
      success_url: "https://news.example/thanks",
      line_items: [line()],
      consent_collection: { promotions: "auto" },
    });
    expect(session.consent_collection).toEqual({
      payment_method_reuse_agreement: null,
      promotions: "auto",
      terms_of_service: null,
    });
    await control(`/_test/checkout/sessions/${session.id}/abandon`, {
      email: "leaver@example.org",
      promotions: "opt_in",
    });
    const [event] = await drain();
    expect(event?.type).toBe("checkout.session.expired");
    const expired = event?.data.object as Stripe.Checkout.Session;
    expect(expired.status).toBe("expired");
    expect(expired.customer_details?.email).toBe("leaver@example.org");
    expect(expired.consent).toEqual({ promotions: "opt_in", terms_of_service: null });
  });

  it("refuses consent where the session does not collect it, a bad value, and a closed session", async () => {
    const session = await stripe.checkout.sessions.create({
      mode: "payment",
      success_url: "https://news.example/thanks",
      line_items: [line()],
    });
    await control(`/_test/checkout/sessions/${session.id}/abandon`, { promotions: "opt_in" }, 400);
    await expect(
      stripe.checkout.sessions.create({
        mode: "payment",
        success_url: "https://news.example/thanks",
        line_items: [line()],
        consent_collection: { promotions: "always" as "auto" },
      }),
    ).rejects.toThrow(/consent_collection\[promotions\]/);
    await control(`/_test/checkout/sessions/${session.id}/abandon`, { email: "a@example.org" });
    await control(`/_test/checkout/sessions/${session.id}/abandon`, {}, 400);
  });
});

describe("a failed renewal's retries", () => {
  it("each failed retry counts a try and schedules the next; the last leaves none, and the subscription past due", async () => {
    const { subscription, invoice } = await failedRenewal();
    for (let attempt = 2; attempt <= 4; attempt++) {
      const retry = await control(`/_test/invoices/${invoice}/retry`, { tries: 4 });
      const events = await drain();
      expect(types(events)).toEqual(["payment_intent.payment_failed", "invoice.payment_failed"]);
      const failed = events[1]?.data.object as Stripe.Invoice;
      expect(failed.attempt_count).toBe(attempt);
      expect(failed.status).toBe("open");
      if (attempt < 4) expect(failed.next_payment_attempt).toBeGreaterThan(events[1]?.created ?? 0);
      else expect(failed.next_payment_attempt).toBeNull();
      expect(retry.invoice).toBe(invoice);
    }
    expect((await stripe.subscriptions.retrieve(subscription)).status).toBe("past_due");
    await control(`/_test/invoices/${invoice}/retry`, {}, 400);
  });

  it("a retry fails while the old card is on file, and succeeds after the portal's card update", async () => {
    const { subscription, customer, invoice } = await failedRenewal();
    await control(`/_test/invoices/${invoice}/retry`);
    expect(types(await drain())).toEqual(["payment_intent.payment_failed", "invoice.payment_failed"]);

    const portal = await stripe.billingPortal.sessions.create({
      customer,
      return_url: "https://news.example/article",
      flow_data: {
        type: "payment_method_update",
        after_completion: { type: "redirect", redirect: { return_url: "https://support.example/r/card/t/done" } },
      },
    });
    expect(portal.flow?.type).toBe("payment_method_update");
    expect(portal.flow?.after_completion.redirect?.return_url).toBe("https://support.example/r/card/t/done");
    const pagePath = new URL(portal.url).pathname;
    const page = await fetch(`${emulator.url}${pagePath}`);
    expect(await page.text()).toContain("Update your card");
    const submit = await fetch(`${emulator.url}${pagePath}/payment_method`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "card=4242424242424242",
      redirect: "manual",
    });
    expect(submit.status).toBe(303);
    expect(submit.headers.get("location")).toBe("https://support.example/r/card/t/done");
    const updated = await drain();
    expect(types(updated)).toEqual(["customer.updated", "customer.subscription.updated"]);
    const pm = (updated[0]?.data.object as Stripe.Customer | undefined)?.invoice_settings.default_payment_method;
    expect(pm).toMatch(/^pm_/);
    expect((updated[1]?.data.object as Stripe.Subscription | undefined)?.default_payment_method).toBe(pm);

    const paid = await control(`/_test/invoices/${invoice}/retry`);
    const events = await drain();
    expect(types(events)).toEqual([
      "invoice.paid",
      "invoice.payment_succeeded",
      "payment_intent.succeeded",
      "charge.succeeded",
      "customer.subscription.updated",
    ]);
    const invoicePaid = events[0]?.data.object as Stripe.Invoice;
    expect(invoicePaid.attempt_count).toBe(3);
    expect(invoicePaid.status).toBe("paid");
    expect(paid.status).toBe("active");
    expect((await stripe.subscriptions.retrieve(subscription)).status).toBe("active");
    await control(`/_test/invoices/${invoice}/retry`, {}, 400);
  });

  it("portal flows other than the card update are refused, and a redirect needs its URL", async () => {
    const { customer } = await failedRenewal();
    await expect(
      stripe.billingPortal.sessions.create({
        customer,
        flow_data: { type: "subscription_cancel", subscription_cancel: { subscription: "sub_x" } },
      }),
    ).rejects.toThrow(/payment_method_update/);
    await expect(
      stripe.billingPortal.sessions.create({
        customer,
        flow_data: {
          type: "payment_method_update",
          after_completion: { type: "redirect" } as Stripe.BillingPortal.SessionCreateParams.FlowData.AfterCompletion,
        },
      }),
    ).rejects.toThrow(/return_url/);
    const plain = await stripe.billingPortal.sessions.create({ customer });
    expect(plain.flow).toBeNull();
  });
});
