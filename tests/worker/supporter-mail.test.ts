import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { app } from "../../worker/app";
import type { LedgerEvent } from "../../worker/core/ledger";
import { processEvent } from "../../worker/ledger/process-event";
import type { MailMessage } from "../../worker/platform/mail/message";
import { sendRenewalNotices } from "../../worker/supporter-mail/renewals";
import { mailAfterEvent } from "../../worker/supporter-mail/send";
import {
  ADMIN,
  call,
  cancelSubscription,
  checkoutBody,
  clearLedgerAndRollups,
  control,
  type Delivery,
  deliver,
  deliverAll,
  drain,
  EMULATOR,
  expectReaderPageHeaders,
  freshIp,
  insideOneWindow,
  ORIGIN,
  postCheckout,
  READER_PAGE_CSP_STRIPE_FORM,
  restorePendingPledges,
  shuffle,
  startCheckout,
  stripeApi,
} from "./helpers";

/**
 * Proof: the emails supporters receive after Stripe's events. Each event, delivered in any order
 * and duplicated, sends exactly the right email once, with the right amounts and links (every link
 * on PUBLIC_ORIGIN); events of other sites' checkouts send nothing. Then the links themselves (the
 * card update through Stripe's portal flow, the abandoned checkout's fresh start), the renewal
 * notice, the yearly statement, and the staff page.
 */

type Message = {
  kind: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  status: string;
  headers: Record<string, string> | null;
  createdAt: string;
};

const KINDS = ["receipt", "payment_failed", "payment_failed_again", "payment_recovered", "checkout_recovery"];

async function outbox(kind?: string): Promise<Message[]> {
  const response = await call(`/admin/api/outbox?site=demo&limit=200${kind ? `&kind=${kind}` : ""}`, {
    headers: ADMIN,
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { messages: Message[] }).messages.reverse();
}

/** Waits for work handed to waitUntil (the answer never waits for it). */
async function outboxAfter(kind: string, expected: number, timeoutMs = 3000): Promise<Message[]> {
  const deadline = Date.now() + timeoutMs;
  let messages = await outbox(kind);
  while (messages.length < expected && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    messages = await outbox(kind);
  }
  return messages;
}

/** Intl writes non-breaking spaces in some languages' amounts and dates. */
const plain = (text: string) => text.replace(/[\u00a0\u202f]/g, " ");
const pathOf = (url: string) => {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
};

async function resetAll() {
  await clearLedgerAndRollups();
  await drain();
  await env.DB.batch(
    ["mail_outbox", "mail_links", "subscription_periods", "thank_yous"].map((t) => env.DB.prepare(`DELETE FROM ${t}`)),
  );
}

beforeAll(async () => {
  // The emulator's clock back to the wall clock: dates in the emails are today's.
  await control("/_test/reset");
});
beforeEach(resetAll);

/** A recurring supporter made through the emulator; `lang` is the browser's language at checkout. */
async function supporter(frequency: "monthly" | "annual", email: string, amount = 1000, lang?: string) {
  const response = await postCheckout(
    checkoutBody({ frequency, amount, email }),
    lang ? { "accept-language": lang } : {},
  );
  expect(response.status).toBe(201);
  const { id: pledgeId, url } = (await response.json()) as { id: string; url: string };
  const sessionId = /\/(cs_test_[A-Za-z0-9]+)/.exec(url)?.[1] as string;
  const done = await control(`/_test/checkout/sessions/${sessionId}/complete`);
  await deliverAll();
  return {
    pledgeId,
    sessionId,
    subscription: done.subscription as string,
    customer: done.customer as string,
    invoice: done.invoice as string,
  };
}

const money = (minor: number) => `$${(minor / 100).toFixed(2)} (USD)`;

describe("receipts", () => {
  it("a one-time gift: one receipt with amount, currency, date, kind, what it supports, the publisher and the statement link, once whatever the deliveries", async () => {
    const { sessionId } = await startCheckout({ amount: 2500, email: "once@example.org", coverFees: true });
    const session = await stripeApi("GET", `/v1/checkout/sessions/${sessionId}`);
    await control(`/_test/checkout/sessions/${sessionId}/complete`);
    const deliveries = await drain();
    for (const d of [...deliveries].reverse()) expect((await deliver(d)).status).toBe(200);
    for (const d of deliveries) expect((await deliver(d)).status).toBe(200);

    const [receipt, ...more] = await outbox("receipt");
    expect(more).toHaveLength(0);
    expect(receipt?.to).toBe("once@example.org");
    expect(receipt?.subject).toBe("Thank you: your receipt from The Harbour Courier");
    const text = plain(receipt?.text ?? "");
    expect(session.amount_total).toBeGreaterThan(2500);
    expect(text).toContain(`Amount: ${money(session.amount_total)}`);
    expect(text).toContain(
      `Date: ${new Intl.DateTimeFormat("en-GB", { dateStyle: "long", timeZone: "UTC" }).format(new Date())}`,
    );
    expect(text).toContain("Type: One-time gift");
    expect(text).toContain("Supports: independent reporting on the coast");
    expect(text).toMatch(/Reference: pi_/);
    expect(text).toContain("Harbour Courier Media Ltd");
    expect(text).toContain("you received no goods or services in return");
    expect(text).toContain(`${ORIGIN}/manage/statement?site=demo&lang=en`);
    // A one-time gift has nothing to manage.
    expect(text).not.toContain(`${ORIGIN}/manage?`);
    expect(receipt?.headers).toEqual({ "Reply-To": "members@courier.example.org" });
    expect(await outbox()).toHaveLength(1);
  });

  it("a monthly supporter: a receipt for the first payment and each renewal, with the manage link, in Russian for a Russian reader", async () => {
    const { subscription } = await supporter("monthly", "ru@example.org", 1000, "ru-RU,ru;q=0.9,en;q=0.8");
    await control(`/_test/subscriptions/${subscription}/renew`);
    await deliverAll();
    const receipts = await outbox("receipt");
    expect(receipts).toHaveLength(2);
    for (const r of receipts) {
      expect(r.subject).toBe("Спасибо! Квитанция от The Harbour Courier");
      expect(plain(r.text)).toContain("Сумма: 10,00 $ (USD)");
      expect(r.text).toContain("Вид: Ежемесячная поддержка");
      expect(r.text).toContain(`Управлять поддержкой: ${ORIGIN}/manage?site=demo&lang=ru`);
      expect(r.text).toContain("Следующий платёж:");
      expect(r.html).toContain('<html lang="ru">');
    }
    expect(new Set(receipts.map((r) => /Номер: (\S+)/.exec(r.text)?.[1])).size).toBe(2);
  });

  it("comes from the site's name, with a plain-text part, and a delayed payment is thanked when it settles, not before", async () => {
    const { sessionId } = await startCheckout({ amount: 4000, email: "sepa@example.org" });
    await control(`/_test/checkout/sessions/${sessionId}/complete`, { outcome: "delayed" });
    await deliverAll();
    expect(await outbox("receipt")).toHaveLength(0);
    await control(`/_test/checkout/sessions/${sessionId}/settle`, { outcome: "succeeded" });
    const settled = await drain();
    const sent: MailMessage[] = [];
    const capture = {
      name: "outbox" as const,
      keepsContent: true,
      async send(message: MailMessage) {
        sent.push(message);
        return { providerId: null };
      },
    };
    for (const d of settled) {
      expect((await deliver(d)).status).toBe(200);
    }
    const receipts = await outbox("receipt");
    expect(receipts).toHaveLength(1);
    expect(plain(receipts[0]?.text ?? "")).toContain(`Amount: ${money(4000)}`);
    // The same event through a transport that records the whole message: sender and both parts.
    await env.DB.prepare("DELETE FROM mail_outbox").run();
    const event = JSON.parse(
      settled.find((d) => d.type === "checkout.session.async_payment_succeeded")?.payload ?? "{}",
    );
    await mailAfterEvent(env, event as LedgerEvent, { transport: capture });
    expect(sent).toHaveLength(1);
    expect(sent[0]?.from).toBe('"The Harbour Courier" <support@courier.example.org>');
    expect(sent[0]?.text).toContain("Thank you for supporting The Harbour Courier.");
    expect(sent[0]?.html).toContain("<table");
  });

  it("an email that cannot go never fails the event or touches the ledger; a later delivery sends it", async () => {
    const { sessionId } = await startCheckout({ amount: 2500, email: "unlucky@example.org" });
    await control(`/_test/checkout/sessions/${sessionId}/complete`);
    const deliveries = await drain();
    const through = async (d: Delivery, vars: Record<string, unknown>) => {
      const ctx = createExecutionContext();
      const response = await app.fetch(
        new Request(`${ORIGIN}/api/webhooks/stripe`, {
          method: "POST",
          headers: { "content-type": "application/json", "stripe-signature": d.signature },
          body: d.payload,
        }),
        { ...env, ...vars },
        ctx,
      );
      await waitOnExecutionContext(ctx);
      return response;
    };
    // A transport that refuses (Resend without its key), then no public origin at all.
    for (const d of deliveries)
      expect((await through(d, { MAIL_TRANSPORT: "resend", RESEND_API_KEY: "" })).status).toBe(200);
    for (const d of deliveries) expect((await through(d, { PUBLIC_ORIGIN: "" })).status).toBe(200);
    const payments = await env.DB.prepare("SELECT amount FROM payments").all();
    expect(payments.results).toEqual([{ amount: 2500 }]);
    const [failed] = await outbox("receipt");
    expect(failed).toMatchObject({ status: "failed", to: "u•••@example.org" });
    // Stripe delivers again (or reconciliation replays): the receipt goes, once.
    for (const d of deliveries) expect((await deliver(d)).status).toBe(200);
    for (const d of deliveries) expect((await deliver(d)).status).toBe(200);
    const receipts = await outbox("receipt");
    expect(receipts).toHaveLength(1);
    expect(receipts[0]).toMatchObject({ status: "sent", to: "unlucky@example.org" });
  });

  it("events of other sites' checkouts and renewals send nothing", async () => {
    const metadata = { pledge_id: "pl_0123456789abcdef01234567", site: "another-newsroom" };
    const once = await stripeApi("POST", "/v1/checkout/sessions", {
      mode: "payment",
      success_url: "https://other.example/thanks",
      line_items: [{ quantity: 1, price_data: { currency: "usd", unit_amount: 500, product_data: { name: "Gift" } } }],
      metadata,
      client_reference_id: metadata.pledge_id,
      customer_email: "theirs@example.org",
      consent_collection: { promotions: "auto" },
    });
    await control(`/_test/checkout/sessions/${once.id}/complete`);
    const monthly = await stripeApi("POST", "/v1/checkout/sessions", {
      mode: "subscription",
      success_url: "https://other.example/thanks",
      line_items: [
        {
          quantity: 1,
          price_data: {
            currency: "usd",
            unit_amount: 500,
            product_data: { name: "Gift" },
            recurring: { interval: "year" },
          },
        },
      ],
      metadata,
      subscription_data: { metadata },
    });
    const done = await control(`/_test/checkout/sessions/${monthly.id}/complete`);
    await control(`/_test/subscriptions/${done.subscription}/renew`);
    await control(`/_test/subscriptions/${done.subscription}/fail_renewal`);
    const left = await stripeApi("POST", "/v1/checkout/sessions", {
      mode: "payment",
      success_url: "https://other.example/thanks",
      line_items: [{ quantity: 1, price_data: { currency: "usd", unit_amount: 500, product_data: { name: "Gift" } } }],
      metadata,
      consent_collection: { promotions: "auto" },
    });
    await control(`/_test/checkout/sessions/${left.id}/abandon`, { email: "theirs@example.org", promotions: "opt_in" });
    const deliveries = await deliverAll();
    expect(deliveries.map((d) => d.type)).toEqual(
      expect.arrayContaining(["invoice.paid", "invoice.payment_failed", "checkout.session.expired"]),
    );
    expect(await outbox()).toHaveLength(0);
    expect((await env.DB.prepare("SELECT count(*) AS n FROM subscription_periods").first<{ n: number }>())?.n).toBe(0);
    expect(await sendRenewalNotices(env, Date.now() + 360 * 86_400_000)).toMatchObject({ due: 0, sent: 0 });
  });
});

/** The card-update link in a failed-renewal email. */
const cardLinkIn = (text: string) =>
  /(http:\/\/localhost:8787\/r\/card\/[A-Za-z0-9._-]+\?site=demo&lang=en)/.exec(text)?.[1];

describe("the receipt's reads ride on the ledger's batch", () => {
  /** env whose D1 records each round trip: the SQL of its statements, one entry per call. */
  const countingEnv = () => {
    const trips: string[][] = [];
    const texts = new WeakMap<object, string>();
    const statement = (s: D1PreparedStatement, text: string): D1PreparedStatement => {
      const proxy = new Proxy(s, {
        get(target, name) {
          const value = Reflect.get(target, name);
          if (typeof value !== "function") return value;
          if (name === "bind") return (...args: unknown[]) => statement(value.apply(target, args), text);
          return (...args: unknown[]) => {
            trips.push([text]);
            return value.apply(target, args);
          };
        },
      });
      texts.set(proxy, text);
      return proxy;
    };
    const db = new Proxy(env.DB, {
      get(target, name) {
        if (name === "prepare") return (text: string) => statement(target.prepare(text), text);
        if (name === "batch")
          return (statements: D1PreparedStatement[]) => {
            trips.push(statements.map((s) => texts.get(s) ?? "?"));
            return target.batch(statements);
          };
        const value = Reflect.get(target, name);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    return { env: { ...env, DB: db }, trips };
  };
  const reads = (trip: string[], table: string) =>
    trip.filter((q) => /^select/i.test(q) && q.includes(`from "${table}"`));

  it("a gift's event is written and its receipt decided in one round trip; another event for the same payment costs one in all", async () => {
    const { sessionId } = await startCheckout({ amount: 1800, email: "trips@example.org" });
    await control(`/_test/checkout/sessions/${sessionId}/complete`);
    const completed = (await drain()).find((d) => d.type === "checkout.session.completed");
    const event = JSON.parse(completed?.payload ?? "{}") as LedgerEvent;

    const first = countingEnv();
    // As the webhook applies it right after storing it (it has just checked the id).
    expect(await processEvent(first.env, event, undefined, { justStored: true })).toBe("applied");
    expect(await outbox("receipt")).toHaveLength(1);
    const ledger = first.trips.filter((trip) => trip.some((q) => q.includes('insert into "stripe_events"')));
    expect(ledger).toHaveLength(1);
    // The same batch ends with what the email needs: the pledge and the outbox under its key.
    expect(reads(ledger[0] ?? [], "pledges")).toHaveLength(1);
    expect(reads(ledger[0] ?? [], "mail_outbox")).toHaveLength(1);
    // And nothing reads them on its own afterwards.
    expect(first.trips.filter((trip) => trip !== ledger[0] && reads(trip, "pledges").length > 0)).toEqual([]);

    // Stripe sends another event about the same payment (here: the same one under a new id).
    const again = countingEnv();
    const copy = { ...event, id: `${event.id}_again` };
    expect(await processEvent(again.env, copy, undefined, { justStored: true })).toBe("applied");
    expect(again.trips).toHaveLength(1);
    expect(await outbox("receipt")).toHaveLength(1);
  });
});

describe("a failed renewal", () => {
  it("first email with a single-use card link, a second at the try that leaves one, the card updated through Stripe's portal flow, and the next retry's success thanks the reader", async () => {
    const { subscription } = await supporter("monthly", "lapsing@example.org", 1000);
    const failed = await control(`/_test/subscriptions/${subscription}/fail_renewal`);
    await deliverAll();
    const [first, ...more] = await outbox("payment_failed");
    expect(more).toHaveLength(0);
    expect(first?.to).toBe("lapsing@example.org");
    expect(first?.subject).toBe("Your payment to The Harbour Courier didn't go through");
    expect(plain(first?.text ?? "")).toContain(`We tried to take your monthly support payment of ${money(1000)}`);
    expect(first?.text).toMatch(/Stripe, will try again on \d{1,2} \w+ \d{4}\./);
    expect(first?.text).toContain(`${ORIGIN}/manage?site=demo&lang=en`);
    const link = cardLinkIn(first?.text ?? "");
    expect(link).toBeTruthy();

    // Tries 2 to 6 of Stripe's 8 fail quietly; the 7th, which leaves one, brings the second email.
    for (let attempt = 2; attempt <= 7; attempt++) {
      await control(`/_test/invoices/${failed.invoice}/retry`, { outcome: "failed" });
      await deliverAll();
      expect((await outbox("payment_failed_again")).length, `after try ${attempt}`).toBe(attempt === 7 ? 1 : 0);
    }
    expect(await outbox("payment_failed")).toHaveLength(1);
    const [again] = await outbox("payment_failed_again");
    expect(again?.subject).toBe("Your support for The Harbour Courier is about to lapse");
    expect(again?.text).toMatch(/Stripe will make its last try on \d{1,2} \w+ \d{4}\./);

    // The first email's button: a page with a button (mail scanners open links), then Stripe's card update.
    const path = pathOf(link as string);
    const page = await call(path);
    expect(page.status).toBe(200);
    expectReaderPageHeaders(page, READER_PAGE_CSP_STRIPE_FORM);
    expect(await page.text()).toContain("Update my card");
    const open = await call(path, { method: "POST", redirect: "manual" });
    expect(open.status).toBe(303);
    const portal = open.headers.get("location") ?? "";
    expect(portal).toMatch(/\/p\/session\/bps_/);
    const portalPath = new URL(portal).pathname;
    expect(await (await fetch(`${EMULATOR}${portalPath}`)).text()).toContain("Update your card");
    const updated = await fetch(`${EMULATOR}${portalPath}/payment_method`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "card=4242424242424242",
      redirect: "manual",
    });
    const done = updated.headers.get("location") ?? "";
    expect(done).toBe(link?.replace("?", "/done?"));
    await deliverAll();
    const back = await call(pathOf(done));
    expect(back.status).toBe(200);
    expect(await back.text()).toContain("Thank you: your card is updated");
    // The link worked once.
    const reused = await call(path, { method: "POST", redirect: "manual" });
    expect(reused.status).toBe(410);
    expect(await reused.text()).toContain("This link was already used");

    // Stripe's next retry goes through with the new card: the thank-you, and nothing after it.
    await control(`/_test/invoices/${failed.invoice}/retry`);
    await deliverAll();
    const [thanks, ...others] = await outbox("payment_recovered");
    expect(others).toHaveLength(0);
    expect(thanks?.subject).toBe("Thank you: your payment to The Harbour Courier went through");
    expect(plain(thanks?.text ?? "")).toContain(`Amount: ${money(1000)}`);
    expect(await outbox("receipt")).toHaveLength(1);
    // A failure of this invoice replayed now (reconciliation, a late retry of Stripe's) sends nothing.
    const failures = await stripeApi("GET", "/v1/events", { type: "invoice.payment_failed", limit: 7 });
    expect(failures.data).toHaveLength(7);
    for (const e of failures.data)
      expect(await mailAfterEvent(env, e as LedgerEvent)).toMatchObject({ status: "none" });
    expect(await outbox("payment_failed")).toHaveLength(1);
    expect(await outbox("payment_failed_again")).toHaveLength(1);

    // The staff page counts each kind and what followed.
    const staff = await call("/admin/emails?site=demo", { headers: ADMIN });
    expect(staff.status).toBe(200);
    const html = await staff.text();
    const row = (kind: string) =>
      new RegExp(`<tr data-kind="${kind}">.*?data-figure="sent">(\\d+)<`, "s").exec(html)?.[1];
    expect(row("receipt")).toBe("1");
    expect(row("payment_failed")).toBe("1");
    expect(row("payment_failed_again")).toBe("1");
    expect(row("payment_recovered")).toBe("1");
    expect(html).toMatch(/data-figure="cards-updated">1</);
    expect(html).toMatch(/data-figure="payments-recovered">1</);
  });

  it("in any order, duplicated: each email at most once, the thank-you and the first receipt exactly once, no failure email once the payment is recorded", async () => {
    const response = await postCheckout(
      checkoutBody({ frequency: "monthly", amount: 1000, email: "order@example.org" }),
    );
    const { url } = (await response.json()) as { url: string };
    const sessionId = /\/(cs_test_[A-Za-z0-9]+)/.exec(url)?.[1] as string;
    const pending = (await env.DB.prepare("SELECT * FROM pledges").all()).results;
    const done = await control(`/_test/checkout/sessions/${sessionId}/complete`);
    const failed = await control(`/_test/subscriptions/${done.subscription}/fail_renewal`);
    for (let i = 0; i < 6; i++) await control(`/_test/invoices/${failed.invoice}/retry`, { outcome: "failed" });
    await control(`/_test/invoices/${failed.invoice}/retry`, { outcome: "succeeded" });
    const deliveries = await drain();

    const count = async (kind: string) =>
      (await env.DB.prepare("SELECT count(*) AS n FROM mail_outbox WHERE kind = ?").bind(kind).first<{ n: number }>())
        ?.n ?? 0;
    const replay = async (order: Delivery[]) => {
      await resetAll();
      await restorePendingPledges(pending);
      let paidSeen = false;
      let againSeen = false;
      for (const d of order) {
        const before = { failed: await count("payment_failed"), again: await count("payment_failed_again") };
        expect((await deliver(d)).status).toBe(200);
        const after = { failed: await count("payment_failed"), again: await count("payment_failed_again") };
        // Once the renewal is paid, no failure email; once the second went, never the first.
        if (paidSeen) expect(after).toEqual(before);
        if (againSeen) expect(after.failed).toBe(before.failed);
        if (d.type === "invoice.paid" && d.payload.includes(failed.invoice)) paidSeen = true;
        if (after.again > 0) againSeen = true;
      }
      const sent = await outbox();
      expect(new Set(sent.map((m) => m.to))).toEqual(new Set(["order@example.org"]));
      const kinds = sent.map((m) => m.kind);
      expect(kinds.filter((k) => k === "receipt")).toHaveLength(1);
      expect(kinds.filter((k) => k === "payment_recovered")).toHaveLength(1);
      expect(kinds.filter((k) => k === "payment_failed").length).toBeLessThanOrEqual(1);
      expect(kinds.filter((k) => k === "payment_failed_again").length).toBeLessThanOrEqual(1);
      expect(kinds.every((k) => KINDS.includes(k))).toBe(true);
      return kinds;
    };

    // In Stripe's order, every email of the story, once.
    expect((await replay(deliveries)).sort()).toEqual(
      ["payment_failed", "payment_failed_again", "payment_recovered", "receipt"].sort(),
    );
    // Shuffled, with a third of the deliveries repeated.
    for (const seed of [7, 21, 1999]) {
      const repeated = shuffle(deliveries, seed).filter((_, i) => i % 3 === 0);
      await replay(shuffle([...deliveries, ...repeated], seed + 1));
    }
  });
});

describe("the annual renewal notice", () => {
  it("an annual supporter hears 7 days before the charge, once, with the amount and the manage link; monthly and cancelling supporters do not", async () => {
    const annual = await supporter("annual", "yearly@example.org", 10000);
    await supporter("monthly", "monthly@example.org", 1000);
    const leaving = await supporter("annual", "leaving@example.org", 5000);
    await stripeApi("POST", `/v1/subscriptions/${leaving.subscription}`, { cancel_at_period_end: "true" });
    await deliverAll();
    const row = await env.DB.prepare(
      "SELECT period_end, amount, interval FROM subscription_periods WHERE subscription_id = ?",
    )
      .bind(annual.subscription)
      .first<{ period_end: number; amount: number; interval: string }>();
    expect(row).toMatchObject({ amount: 10000, interval: "year" });
    const chargeAt = row?.period_end as number;
    expect(chargeAt).toBeGreaterThan(Date.now() + 360 * 86_400_000);

    expect(await sendRenewalNotices(env, chargeAt - 8 * 86_400_000)).toEqual({ due: 0, sent: 0, failed: 0 });
    expect(await sendRenewalNotices(env, chargeAt - 7 * 86_400_000 + 60_000)).toEqual({ due: 1, sent: 1, failed: 0 });
    expect(await sendRenewalNotices(env, chargeAt - 3 * 86_400_000)).toEqual({ due: 0, sent: 0, failed: 0 });
    const [notice, ...more] = await outbox("renewal_notice");
    expect(more).toHaveLength(0);
    expect(notice?.to).toBe("yearly@example.org");
    const when = new Intl.DateTimeFormat("en-GB", { dateStyle: "long", timeZone: "UTC" }).format(new Date(chargeAt));
    expect(notice?.subject).toBe(`Your annual support for The Harbour Courier renews on ${when}`);
    expect(plain(notice?.text ?? "")).toContain(
      `On ${when} your annual support renews, and ${money(10000)} is charged`,
    );
    expect(notice?.text).toContain(`Manage your support: ${ORIGIN}/manage?site=demo&lang=en`);

    // Renewed for another year: the next period gets its own notice.
    await control(`/_test/subscriptions/${annual.subscription}/renew`);
    await deliverAll();
    const next = await env.DB.prepare("SELECT period_end FROM subscription_periods WHERE subscription_id = ?")
      .bind(annual.subscription)
      .first<{ period_end: number }>();
    expect(next?.period_end).toBeGreaterThan(chargeAt);
    expect((await sendRenewalNotices(env, (next?.period_end as number) - 86_400_000)).sent).toBe(1);

    // Canceled outright: nothing more.
    await cancelSubscription(annual.subscription);
    await deliverAll();
    await env.DB.prepare("UPDATE subscription_periods SET notice_for = NULL").run();
    expect((await sendRenewalNotices(env, (next?.period_end as number) - 86_400_000)).sent).toBe(0);
  });

  it("the schedule keeps the newest period whatever the order of the subscription's events", async () => {
    const response = await postCheckout(
      checkoutBody({ frequency: "annual", amount: 10000, email: "order@example.org" }),
    );
    const { url } = (await response.json()) as { url: string };
    const sessionId = /\/(cs_test_[A-Za-z0-9]+)/.exec(url)?.[1] as string;
    const pending = (await env.DB.prepare("SELECT * FROM pledges").all()).results;
    const done = await control(`/_test/checkout/sessions/${sessionId}/complete`);
    await control(`/_test/subscriptions/${done.subscription}/renew`);
    const deliveries = await drain();
    const ends: number[] = [];
    for (const order of [deliveries, [...deliveries].reverse(), shuffle(deliveries, 3)]) {
      await resetAll();
      await restorePendingPledges(pending);
      for (const d of order) expect((await deliver(d)).status).toBe(200);
      const row = await env.DB.prepare("SELECT period_end FROM subscription_periods").first<{ period_end: number }>();
      ends.push(row?.period_end as number);
    }
    expect(new Set(ends).size).toBe(1);
    const sub = await stripeApi("GET", `/v1/subscriptions/${done.subscription}`);
    expect(ends[0]).toBe(sub.items.data[0].current_period_end * 1000);
  });
});

/** The fresh-start link in an abandoned checkout's email. */
const giveLinkIn = (text: string) =>
  /(http:\/\/localhost:8787\/r\/give\/[A-Za-z0-9._-]+\?site=demo&lang=en)/.exec(text)?.[1];

describe("an abandoned checkout", () => {
  it("one email when the reader agreed to hear from the site, with a link that starts the same choice again and returns to the article", async () => {
    const article = `${ORIGIN}/demo?story=harbour-dues`;
    const { sessionId, pledgeId } = await startCheckout({
      amount: 2500,
      email: "left@example.org",
      returnUrl: article,
    });
    const session = await stripeApi("GET", `/v1/checkout/sessions/${sessionId}`);
    expect(session.consent_collection?.promotions).toBe("auto");
    await control(`/_test/checkout/sessions/${sessionId}/abandon`, { promotions: "opt_in" });
    const deliveries = await drain();
    for (const d of [...deliveries, ...deliveries]) expect((await deliver(d)).status).toBe(200);
    const [email, ...more] = await outbox("checkout_recovery");
    expect(more).toHaveLength(0);
    expect(email?.to).toBe("left@example.org");
    expect(email?.subject).toBe("Your support for The Harbour Courier: pick up where you left off");
    expect(plain(email?.text ?? "")).toContain(
      `You started to give ${money(2500)} as a one-time gift to The Harbour Courier`,
    );
    const link = giveLinkIn(email?.text ?? "");
    expect(link).toBeTruthy();

    const page = await call(pathOf(link as string));
    expect(page.status).toBe(200);
    expectReaderPageHeaders(page, READER_PAGE_CSP_STRIPE_FORM);
    expect(plain(await page.text())).toContain(`You chose to give ${money(2500)} once to The Harbour Courier`);
    const started = await call(pathOf(link as string), { method: "POST", redirect: "manual" });
    expect(started.status).toBe(303);
    const checkout = started.headers.get("location") ?? "";
    const fresh = /\/(cs_test_[A-Za-z0-9]+)/.exec(checkout)?.[1] as string;
    expect(fresh).toBeTruthy();
    expect(fresh).not.toBe(sessionId);
    const pledge = await env.DB.prepare(
      "SELECT id, frequency, amount, currency, campaign, email, page_url FROM pledges WHERE stripe_session_id = ?",
    )
      .bind(fresh)
      .first<Record<string, unknown>>();
    expect(pledge).toMatchObject({
      frequency: "once",
      amount: 2500,
      currency: "USD",
      campaign: "recovery",
      email: "left@example.org",
      page_url: article,
    });
    expect(pledge?.id).not.toBe(pledgeId);
    const freshSession = await stripeApi("GET", `/v1/checkout/sessions/${fresh}`);
    expect(freshSession.success_url).toMatch(/^http:\/\/localhost:8787\/demo\?story=harbour-dues&rs=thanks&rs_pledge=/);
    expect(freshSession.amount_total).toBe(2500);

    await control(`/_test/checkout/sessions/${fresh}/complete`);
    await deliverAll();
    expect(await outbox("receipt")).toHaveLength(1);
    // Paid: the link starts no second checkout.
    const again = await call(pathOf(link as string), { method: "POST", redirect: "manual" });
    expect(again.status).toBe(200);
    expect(await again.text()).toContain("Thank you: this support is in place");
    const staff = await (await call("/admin/emails?site=demo", { headers: ADMIN })).text();
    expect(staff).toMatch(/data-figure="recovered-checkouts">1</);
  });

  it("no email without consent, without an address, or for a checkout started from a recovery email; a made-up link starts nothing", async () => {
    const declined = await startCheckout({ amount: 2500, email: "no@example.org" });
    await control(`/_test/checkout/sessions/${declined.sessionId}/abandon`, { promotions: "opt_out" });
    const silent = await startCheckout({ amount: 2500 });
    await control(`/_test/checkout/sessions/${silent.sessionId}/abandon`, { promotions: "opt_in" });
    const plainExpiry = await startCheckout({ amount: 2500, email: "quiet@example.org" });
    await control(`/_test/checkout/sessions/${plainExpiry.sessionId}/expire`);
    const recovered = await startCheckout({ amount: 2500, email: "twice@example.org", campaign: "recovery" });
    await control(`/_test/checkout/sessions/${recovered.sessionId}/abandon`, { promotions: "opt_in" });
    await deliverAll();
    expect(await outbox("checkout_recovery")).toHaveLength(0);
    expect((await call("/r/give/not-a-token?site=demo")).status).toBe(410);
    expect((await call("/r/give/not-a-token?site=demo", { method: "POST" })).status).toBe(410);
    expect((await call("/r/card/not-a-token?site=demo")).status).toBe(410);
    expect((await call("/r/card/not-a-token/done?site=demo")).status).toBe(404);
  });
});

describe("the yearly statement", () => {
  const ask = (email: string, extra: Record<string, string> = {}, ip = freshIp()) =>
    call("/manage/statement", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        site: "demo",
        lang: "en",
        email,
        year: String(new Date().getUTCFullYear()),
        ...extra,
      }).toString(),
      ip,
    });

  it("answers the same for every address; the supporter's gets each payment and refund of the year, with totals", async () => {
    const gift = await startCheckout({ amount: 2500, email: "Statement@Example.org" });
    const paid = await control(`/_test/checkout/sessions/${gift.sessionId}/complete`);
    const { subscription } = await supporter("monthly", "statement@example.org", 1000);
    await control(`/_test/subscriptions/${subscription}/renew`);
    await control(`/_test/payment_intents/${paid.payment_intent}/refund`, { amount: 500 });
    await deliverAll();
    await env.DB.prepare("DELETE FROM mail_outbox").run();

    const known = await ask("STATEMENT@example.org");
    const unknown = await ask("nobody@example.org");
    expect(known.status).toBe(200);
    expect(unknown.status).toBe(200);
    const body = await known.text();
    expect(body).toContain("If this address made payments to us in");
    expect(await unknown.text()).toBe(body);
    expectReaderPageHeaders(known);

    const [statement, ...more] = await outboxAfter("statement", 1);
    await new Promise((r) => setTimeout(r, 200));
    expect(more).toHaveLength(0);
    expect(await outbox("statement")).toHaveLength(1);
    expect(statement?.to).toBe("statement@example.org");
    const year = new Date().getUTCFullYear();
    expect(statement?.subject).toBe(`Your ${year} statement from The Harbour Courier`);
    const text = plain(statement?.text ?? "");
    expect(text.match(/Monthly support {2}\$10\.00 \(USD\)/g)).toHaveLength(2);
    expect(text).toMatch(/One-time gift {2}\$25\.00 \(USD\)/);
    expect(text).toMatch(/Refund: One-time gift {2}−\$5\.00 \(USD\)/);
    expect(text).toContain(`Paid (3 payments): ${money(4500)}`);
    expect(text).toContain(`Refunded: ${money(500)}`);
    expect(text).toContain(`Net: ${money(4000)}`);
    expect(text).toContain("Harbour Courier Media Ltd");
  });

  it("refuses bad input with the form, limits each address to three a day and each client to five a minute", async () => {
    const bad = await ask("not-an-address");
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('role="alert"');
    expect((await ask("a@example.org", { year: "1999" })).status).toBe(400);
    expect((await ask("a@example.org", { site: "nope" })).status).toBe(400);

    const { sessionId } = await startCheckout({ amount: 2500, email: "often@example.org" });
    await control(`/_test/checkout/sessions/${sessionId}/complete`);
    await deliverAll();
    for (let i = 1; i <= 3; i++) {
      expect((await ask("often@example.org")).status).toBe(200);
      expect(await outboxAfter("statement", i)).toHaveLength(i);
    }
    expect((await ask("OFTEN@example.org")).status).toBe(200);
    expect(await outboxAfter("statement", 4, 1000)).toHaveLength(3);

    await insideOneWindow();
    const ip = freshIp();
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push((await ask("x@example.org", {}, ip)).status);
    expect(answers).toEqual([200, 200, 200, 200, 200, 429]);
  });

  it("the form: a labelled address and year, on the reader pages' look, linked from /manage", async () => {
    const page = await call("/manage/statement?site=demo&lang=ru");
    expect(page.status).toBe(200);
    expectReaderPageHeaders(page);
    const html = await page.text();
    expect(html).toContain("Выписка о вашей поддержке");
    expect(html).toContain('<label for="year" class="spaced">Год</label>');
    expect(html).not.toMatch(/<script|<style|style=/i);
    expect((await call("/manage/statement?site=nope")).status).toBe(404);
    expect(await (await call("/manage?site=demo")).text()).toContain('href="/manage/statement?site=demo&amp;lang=en"');
  });
});

describe("staff: /admin/emails", () => {
  it("behind the staff guard; every template previewed in each language, HTML framed from its own document and text", async () => {
    expect((await call("/admin/emails")).status).toBe(401);
    expect((await call("/admin/emails/preview?kind=receipt&lang=en")).status).toBe(401);
    const page = await call("/admin/emails?site=demo&kind=payment_failed&lang=ru", { headers: ADMIN });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("frame-src 'self'");
    expect(page.headers.get("content-security-policy")).toContain("style-src 'self'");
    const html = await page.text();
    expect(html).toContain(
      '<iframe class="mail" title="The HTML part" sandbox src="/admin/emails/preview?site=demo&amp;kind=payment_failed&amp;lang=ru"',
    );
    expect(html).toContain("Платёж в пользу The Harbour Courier не прошёл");
    expect(html).not.toMatch(/<script|style=/i);
    for (const kind of [
      "receipt",
      "payment_failed",
      "payment_failed_again",
      "payment_recovered",
      "renewal_notice",
      "checkout_recovery",
      "statement",
    ]) {
      for (const lang of ["en", "ru"]) {
        const preview = await call(`/admin/emails/preview?site=demo&kind=${kind}&lang=${lang}`, { headers: ADMIN });
        expect(preview.status, `${kind} ${lang}`).toBe(200);
        expect(preview.headers.get("content-security-policy")).toBe(
          "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; frame-ancestors 'self'; base-uri 'none'",
        );
        expect(await preview.text()).toContain(`<html lang="${lang}">`);
      }
    }
    expect((await call("/admin/emails/preview?kind=nope&lang=en", { headers: ADMIN })).status).toBe(400);
    // What the Cron Trigger runs, for staff and scripts; a future `now` only in development.
    const run = await call("/admin/emails/renewal-notices", { method: "POST", headers: ADMIN });
    expect(run.status).toBe(200);
    expect(await run.json()).toMatchObject({ due: 0, sent: 0, failed: 0 });
    const future = await call("/admin/emails/renewal-notices?now=2030-01-01T00:00:00Z", {
      method: "POST",
      headers: ADMIN,
    });
    expect(future.status).toBe(400);
    expect(await future.json()).toMatchObject({ error: { code: "now_not_allowed", field: "now" } });
    expect((await call("/admin/emails/renewal-notices", { method: "POST" })).status).toBe(401);
    const dashboard = await (await call("/admin?site=demo", { headers: ADMIN })).text();
    expect(dashboard).toContain('href="/admin/emails?site=demo"');
  });
});
