import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { addMonths } from "../../worker/core/self-service";
import { renderChangeEmail } from "../../worker/manage/change-email";
import { requestManageLinks } from "../../worker/manage/request";
import { MANAGE_SESSION_TTL_MS, signManageSession } from "../../worker/manage/session";
import { cardUpdateUrl, loadSupport } from "../../worker/manage/support";
import { findSite } from "../../worker/platform/sites";
import {
  ADMIN,
  call,
  clearLedgerAndRollups,
  control,
  deliver,
  deliverAll,
  drain,
  EMULATOR,
  expectReaderPageHeaders,
  HOSTILE,
  HOSTILE_HTML,
  ORIGIN,
  READER_PAGE_CSP_STRIPE_FORM,
  restorePendingPledges,
  shuffle,
  startCheckout,
  stripeApi,
} from "./helpers";

/**
 * Supporters change their own support at /manage/support, after an emailed link opened their
 * session: a lower amount, annual instead of monthly, a pause and its end, a cancellation after
 * declining the one offer; each through Stripe (the emulator), confirmed by email once, and in the
 * ledger from Stripe's events alone. Every route refuses bad input with a 4xx and changes nothing.
 */

const SECRET = (env as unknown as { SESSION_SECRET: string }).SESSION_SECRET;
const demo = findSite("demo");
if (!demo) throw new Error("demo site missing");

type Supporter = { pledgeId: string; customerId: string; subscriptionId: string; cookie: string; email: string };

beforeEach(async () => {
  await clearLedgerAndRollups();
  await drain();
  await env.DB.batch([
    env.DB.prepare("DELETE FROM mail_outbox"),
    env.DB.prepare("DELETE FROM manage_links"),
    env.DB.prepare("DELETE FROM recurring_changes"),
  ]);
});

/** A monthly supporter (checkout, payment, webhooks) whose emailed link was opened: their session cookie. */
async function supporter(email: string, amount = 1000, options: { coverFees?: boolean } = {}): Promise<Supporter> {
  const { pledgeId, sessionId } = await startCheckout({
    frequency: "monthly",
    amount,
    email,
    ...(options.coverFees ? { coverFees: true } : {}),
  });
  await control(`/_test/checkout/sessions/${sessionId}/complete`, { outcome: "succeeded" });
  await deliverAll();
  const row = await env.DB.prepare("SELECT stripe_customer_id, stripe_subscription_id FROM pledges WHERE id = ?")
    .bind(pledgeId)
    .first<{ stripe_customer_id: string; stripe_subscription_id: string }>();
  await requestManageLinks(env, { site: demo as never, email, lang: "en", returnUrl: `${ORIGIN}/demo` }, Date.now());
  const mail = await env.DB.prepare("SELECT text_body FROM mail_outbox WHERE kind = 'manage' AND recipient = ?")
    .bind(email)
    .first<{ text_body: string }>();
  const link = /(http:\/\/localhost:8787\/manage\/open\/\S+)/.exec(mail?.text_body ?? "")?.[1] ?? "";
  const u = new URL(link);
  const opened = await call(`${u.pathname}${u.search}`, { method: "POST", redirect: "manual" });
  expect(opened.status).toBe(303);
  const cookie = (opened.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  return {
    pledgeId,
    customerId: row?.stripe_customer_id ?? "",
    subscriptionId: row?.stripe_subscription_id ?? "",
    cookie,
    email,
  };
}

/** The support page as the supporter sees it. */
async function page(s: Pick<Supporter, "cookie">, query = "lang=en") {
  const response = await call(`/manage/support?${query}`, { headers: { cookie: s.cookie } });
  return { status: response.status, html: await response.text(), response };
}
const nonceIn = (html: string) => /name="nonce" value="([^"]+)"/.exec(html)?.[1] ?? "";

/** Posts a form of the page, from our own origin, with the supporter's cookie. */
async function post(
  s: Pick<Supporter, "cookie" | "subscriptionId">,
  action: string,
  fields: Record<string, string> = {},
  headers: Record<string, string> = {},
) {
  const nonce = nonceIn((await page(s)).html) || "n".repeat(22);
  return call(`/manage/support/${action}`, {
    method: "POST",
    redirect: "manual",
    headers: {
      cookie: s.cookie,
      origin: ORIGIN,
      "content-type": "application/x-www-form-urlencoded",
      ...headers,
    },
    body: new URLSearchParams({ subscription: s.subscriptionId, nonce, lang: "en", ...fields }).toString(),
  });
}

const subscription = (id: string) => stripeApi("GET", `/v1/subscriptions/${id}`);
const changes = async (pledgeId: string) =>
  (
    await env.DB.prepare(
      `SELECT change, movement, monthly_delta, annual_delta, from_amount, to_amount, from_frequency, to_frequency,
              reason, comment, save_offer FROM recurring_changes WHERE pledge_id = ? ORDER BY at, rowid`,
    )
      .bind(pledgeId)
      .all()
  ).results;
const pledge = (id: string) =>
  env.DB.prepare("SELECT status, frequency, amount, fee_amount, paused, cancel_at FROM pledges WHERE id = ?")
    .bind(id)
    .first<{
      status: string;
      frequency: string;
      amount: number;
      fee_amount: number;
      paused: number;
      cancel_at: number | null;
    }>();
async function changeMails(): Promise<{ to: string; subject: string; text: string }[]> {
  const response = await call("/admin/api/outbox?site=demo&kind=change", { headers: ADMIN });
  expect(response.status).toBe(200);
  return ((await response.json()) as { messages: { to: string; subject: string; text: string }[] }).messages;
}
async function changeMailsAfter(n: number) {
  const deadline = Date.now() + 3000;
  let messages = await changeMails();
  while (messages.length < n && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    messages = await changeMails();
  }
  return messages;
}

describe("a supporter changes their support", () => {
  it("lowers the amount, pauses and resumes, switches to annual, and cancels after declining the offer", async () => {
    const s = await supporter("changer@example.com", 1000);
    const first = await page(s);
    expect(first.status).toBe(200);
    expectReaderPageHeaders(first.response, READER_PAGE_CSP_STRIPE_FORM);
    expect(first.html).toContain('<dd data-figure="amount">$10 a month');
    expect(first.html).toContain('<dd data-figure="payments">1 payment, $10 in total</dd>');
    expect(first.html).toContain('href="/manage/statement?site=demo&amp;lang=en"');
    expect(first.html).not.toMatch(/<script|<style|style=/i);
    const periodEnd = (await subscription(s.subscriptionId)).items.data[0].current_period_end as number;
    const nextDay = new Intl.DateTimeFormat("en", {
      day: "numeric",
      month: "long",
      year: "numeric",
      timeZone: "UTC",
    }).format(periodEnd * 1000);
    expect(first.html).toContain(`<dd data-figure="next">${nextDay}</dd>`);
    expect(first.html).toContain(`It applies from your next payment on ${nextDay}; nothing is charged now.`);

    // A lower amount: from the next payment, nothing charged now.
    const lowered = await post(s, "amount", { amount: "7" });
    expect(lowered.status).toBe(303);
    expect(lowered.headers.get("location")).toBe("/manage/support?lang=en&done=amount");
    let sub = await subscription(s.subscriptionId);
    expect(sub.items.data.map((i: any) => i.price.unit_amount)).toEqual([700]);
    expect(sub.items.data[0].current_period_end).toBe(periodEnd);
    expect((await stripeApi("GET", "/v1/invoices", { subscription: s.subscriptionId })).data).toHaveLength(1);
    expect((await page(s, "lang=en&done=amount")).html).toContain(
      `Done. From your next payment on ${nextDay} you give $7 a month. Nothing is charged now.`,
    );
    await deliverAll();

    // A pause of one month (the next payment is skipped), then its end.
    const pauseOption = new Intl.DateTimeFormat("en", {
      day: "numeric",
      month: "long",
      year: "numeric",
      timeZone: "UTC",
    }).format(addMonths(periodEnd * 1000, 1));
    expect((await page(s)).html).toContain(`1 month (next payment on ${pauseOption})`);
    const paused = await post(s, "pause", { months: "1" });
    expect(paused.status).toBe(303);
    sub = await subscription(s.subscriptionId);
    expect(sub.pause_collection.behavior).toBe("void");
    expect((await page(s)).html).toContain("Your payments are paused until");
    await deliverAll();
    expect((await pledge(s.pledgeId))?.paused).toBe(1);
    const resumed = await post(s, "resume");
    expect(resumed.status).toBe(303);
    expect((await subscription(s.subscriptionId)).pause_collection).toBeNull();
    await deliverAll();
    expect((await pledge(s.pledgeId))?.paused).toBe(0);

    // Annual instead of monthly: the annual amount is billed on the date already paid up to.
    const switched = await post(s, "frequency", { frequency: "annual", amount: "72" });
    expect(switched.status).toBe(303);
    sub = await subscription(s.subscriptionId);
    expect(sub.items.data.map((i: any) => [i.price.unit_amount, i.price.recurring.interval])).toEqual([[7200, "year"]]);
    expect(sub.trial_end).toBe(periodEnd);
    expect(sub.metadata.frequency).toBe("annual");
    expect((await stripeApi("GET", `/v1/products/${sub.items.data[0].price.product}`)).name).toBe(
      "Annual support for The Harbour Courier",
    );
    expect((await page(s)).html).toContain('<dd data-figure="amount">$72 a year');
    await deliverAll();
    expect(await pledge(s.pledgeId)).toMatchObject({ status: "active", frequency: "annual", amount: 7200 });

    // Cancel: a reason, then the one offer (give less or pause), declined.
    const form = await call("/manage/support/cancel?lang=en", { headers: { cookie: s.cookie } });
    expect(form.status).toBe(200);
    const formHtml = await form.text();
    expect(formHtml).toContain(`Your support continues until ${nextDay}`);
    const offer = await post(s, "cancel", { reason: "too_expensive", comment: "Money is tight this year" });
    expect(offer.status).toBe(200);
    const offerHtml = await offer.text();
    expect(offerHtml).toContain("<h1>Before you go</h1>");
    expect(offerHtml).toContain("Give $36 a year instead");
    // Annual support is not paused (a pause over its renewal would skip a whole year).
    expect(offerHtml).not.toContain("Pause for");
    // Nothing changed by being offered something.
    expect((await subscription(s.subscriptionId)).cancel_at_period_end).toBe(false);
    const declineNonce = /name="nonce" value="([^"]+)"/.exec(offerHtml)?.[1] ?? "";
    const cancelled = await call("/manage/support/cancel", {
      method: "POST",
      redirect: "manual",
      headers: { cookie: s.cookie, origin: ORIGIN, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        subscription: s.subscriptionId,
        nonce: declineNonce,
        lang: "en",
        step: "confirm",
        reason: "too_expensive",
        comment: "Money is tight this year",
      }).toString(),
    });
    expect(cancelled.status).toBe(303);
    expect(cancelled.headers.get("location")).toBe("/manage/support?lang=en&done=cancel");
    sub = await subscription(s.subscriptionId);
    expect(sub.cancel_at_period_end).toBe(true);
    expect(sub.cancellation_details).toMatchObject({ feedback: "too_expensive", comment: "Money is tight this year" });
    expect(sub.metadata.rs_save_offer).toMatch(/^declined:\d+$/);
    const after = (await page(s, "lang=en&done=cancel")).html;
    expect(after).toContain(`Your support ends on ${nextDay}; no further payments will be taken.`);
    expect(after).toContain("Keep my support");
    await deliverAll();
    expect((await pledge(s.pledgeId))?.cancel_at).toBe(periodEnd * 1000);

    // The period ends: Stripe ends the subscription.
    await control(`/_test/subscriptions/${s.subscriptionId}/renew`);
    await deliverAll();
    expect((await pledge(s.pledgeId))?.status).toBe("canceled");
    expect((await page(s)).html).toContain("Your support has ended");

    // The ledger, from Stripe's events alone: each change with its exact figures.
    expect(await changes(s.pledgeId)).toEqual([
      row("started", "new", 1000, 0, null, 1000, null, "monthly"),
      row("amount", "contraction", -300, 0, 1000, 700, "monthly", "monthly"),
      row("paused", "paused", -700, 0, 700, 700, "monthly", "monthly"),
      row("resumed", "resumed", 700, 0, 700, 700, "monthly", "monthly"),
      row("frequency", "contraction", -700, 7200, 700, 7200, "monthly", "annual"),
      {
        ...row("cancel_requested", null, 0, 0, 7200, 7200, "annual", "annual"),
        reason: "too_expensive",
        comment: "Money is tight this year",
        save_offer: "declined",
      },
      {
        ...row("ended", "churned", 0, -7200, 7200, null, "annual", null),
        reason: "too_expensive",
        comment: "Money is tight this year",
      },
    ]);

    // The staff view: each movement with its exact figures, the reason and the offer's outcome.
    const dashboard = await call("/admin/api/dashboard?site=demo&range=all", { headers: ADMIN });
    expect(dashboard.status).toBe(200);
    const { growth } = (await dashboard.json()) as { growth: any };
    const usd = growth.movements.find((c: { currency: string }) => c.currency === "USD");
    expect(usd.months.find((m: { new: number }) => m.new !== 0)).toEqual({
      month: expect.stringMatching(/^\d{4}-\d{2}$/),
      opening: 0,
      new: 1000,
      expansion: 0,
      contraction: -400,
      paused: -700,
      resumed: 700,
      churned: -600,
      closing: 0,
      supportersAtStart: 0,
      started: 1,
      ended: 1,
      churnRateBps: null,
      revenueChurnRateBps: null,
    });
    expect(growth.cancellations).toEqual({
      byReason: [{ reason: "too_expensive", requested: 1, ended: 1 }],
      saveOffer: { offered: 1, declined: 1, acceptedReduce: 0, acceptedPause: 0 },
    });
    expect(growth.changes.map((c: { change: string }) => c.change)).toEqual([
      "ended",
      "cancel_requested",
      "frequency",
      "resumed",
      "paused",
      "amount",
    ]);
    const staffPage = await (await call("/admin?site=demo&range=all", { headers: ADMIN })).text();
    expect(staffPage).toContain('<h2 id="movements">Recurring revenue movements</h2>');
    expect(staffPage).toMatch(/<td data-figure="contraction">−\$4\.00<\/td>/);
    expect(staffPage).toMatch(/<td data-figure="new">\+\$10\.00<\/td>/);
    expect(staffPage).toContain("$10.00 a month → $7.00 a month");
    expect(staffPage).toContain("$7.00 a month → $72.00 a year");
    expect(staffPage).toContain("Costs too much right now “Money is tight this year”");

    // One confirmation per change, to the supporter, in our words.
    const mails = await changeMailsAfter(5);
    expect(mails.map((m) => m.subject).sort()).toEqual(
      [
        "Your support for The Harbour Courier has a new amount",
        "Your support for The Harbour Courier has a new schedule",
        "Your support for The Harbour Courier is paused",
        "Your support for The Harbour Courier is back on",
        "Your support for The Harbour Courier will end",
      ].sort(),
    );
    expect(mails.every((m) => m.to === "changer@example.com")).toBe(true);
    const amountMail = mails.find((m) => m.subject.endsWith("a new amount"));
    expect(amountMail?.text).toContain(
      `from your next payment on ${nextDay} you give $7 a month. Nothing was charged now.`,
    );
    expect(amountMail?.text).toContain("http://localhost:8787/manage?site=demo&lang=en");
  });

  it("takes the offer to give less instead: the amount drops, the subscription stays, and the ledger says why", async () => {
    const s = await supporter("stays@example.com", 2000);
    const offer = await post(s, "cancel", { reason: "too_expensive" });
    expect(offer.status).toBe(200);
    const html = await offer.text();
    expect(html).toContain("Give $10 a month instead");
    const nonce = /name="nonce" value="([^"]+)"/.exec(html)?.[1] ?? "";
    const took = await call("/manage/support/offer", {
      method: "POST",
      redirect: "manual",
      headers: { cookie: s.cookie, origin: ORIGIN, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ subscription: s.subscriptionId, nonce, lang: "en", choice: "reduce" }).toString(),
    });
    expect(took.status).toBe(303);
    const sub = await subscription(s.subscriptionId);
    expect(sub.cancel_at_period_end).toBe(false);
    expect(sub.items.data.map((i: any) => i.price.unit_amount)).toEqual([1000]);
    await deliverAll();
    expect((await changes(s.pledgeId)).at(-1)).toMatchObject({
      change: "amount",
      movement: "contraction",
      monthly_delta: -1000,
      save_offer: "accepted_reduce",
    });
  });

  it("keeps the fee cover in step with a new amount", async () => {
    const s = await supporter("covers@example.com", 1000, { coverFees: true });
    expect((await page(s)).html).toContain("your $10 gift and $0.61 to cover processing fees");
    expect((await post(s, "amount", { amount: "20" })).status).toBe(303);
    const sub = await subscription(s.subscriptionId);
    expect(sub.items.data.map((i: any) => i.price.unit_amount).sort((a: number, b: number) => b - a)).toEqual([
      2000, 91,
    ]);
    await deliverAll();
    expect(await pledge(s.pledgeId)).toMatchObject({ amount: 2000, fee_amount: 91 });
  });

  it("a second press of the same form changes nothing more and sends one email", async () => {
    const s = await supporter("twice@example.com", 1000);
    const nonce = nonceIn((await page(s)).html);
    const send = () =>
      call("/manage/support/pause", {
        method: "POST",
        redirect: "manual",
        headers: { cookie: s.cookie, origin: ORIGIN, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ subscription: s.subscriptionId, nonce, lang: "en", months: "2" }).toString(),
      });
    expect((await send()).status).toBe(303);
    expect((await send()).status).toBe(303);
    const events = (await drain()).filter((d) => d.type === "customer.subscription.updated");
    expect(events).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(await changeMailsAfter(1)).toHaveLength(1);
  });

  it("opens Stripe's portal for the card alone, with the configured portal configuration", async () => {
    const s = await supporter("card@example.com");
    const session = {
      site: "demo",
      customerId: s.customerId,
      subscriptionId: s.subscriptionId,
      pledgeId: s.pledgeId,
      expiresAt: Date.now() + 60_000,
    };
    const support = await loadSupport(env, session);
    if ("problem" in support) throw new Error(support.problem);
    const config = await stripeApi("POST", "/v1/billing_portal/configurations", {
      features: { payment_method_update: { enabled: true } },
    });
    await expect(
      cardUpdateUrl({ ...env, STRIPE_PORTAL_CONFIGURATION: "bpc_1Unknown" }, support, `${ORIGIN}/manage/support`, "en"),
    ).rejects.toThrow();
    const url = await cardUpdateUrl(
      { ...env, STRIPE_PORTAL_CONFIGURATION: config.id },
      support,
      `${ORIGIN}/manage/support`,
      "en",
    );
    const portal = await (await fetch(`${EMULATOR}${new URL(url).pathname}`)).text();
    expect(portal).toContain("Update your card");
    expect(portal).not.toContain("Cancel support");
  });

  it("speaks Russian when asked, and escapes what it writes", async () => {
    const s = await supporter("ru@example.com");
    const { html } = await page(s, "lang=ru");
    expect(html).toContain('<html lang="ru">');
    expect(html).toContain("<h1>Ваша поддержка</h1>");
    expect(html).toMatch(/<dd data-figure="amount">10\s\$ в месяц<\/dd>/);
    const mail = renderChangeEmail({
      lang: "en",
      siteName: HOSTILE,
      kind: "cancel",
      facts: { amount: HOSTILE, next: null, resumes: null, ends: HOSTILE },
      manageUrl: `https://x.example/manage?site=${HOSTILE}`,
    });
    expect(mail.html).toContain(HOSTILE_HTML);
    expect(mail.html).not.toMatch(/<script|<b>/);
  });
});

describe("the ledger follows Stripe's events alone", () => {
  it("in any order and duplicated, the same changes, movements and terms", async () => {
    const { pledgeId, sessionId } = await startCheckout({
      frequency: "monthly",
      amount: 1500,
      email: "order@example.com",
    });
    const pending = (await env.DB.prepare("SELECT * FROM pledges WHERE id = ?").bind(pledgeId).all()).results;
    await control(`/_test/checkout/sessions/${sessionId}/complete`, { outcome: "succeeded" });
    const deliveries = await deliverAll();
    const row = await env.DB.prepare("SELECT stripe_customer_id, stripe_subscription_id FROM pledges WHERE id = ?")
      .bind(pledgeId)
      .first<{ stripe_customer_id: string; stripe_subscription_id: string }>();
    const s = {
      subscriptionId: row?.stripe_subscription_id ?? "",
      cookie: `rs_manage=${await signManageSession(SECRET, {
        site: "demo",
        customerId: row?.stripe_customer_id ?? "",
        subscriptionId: row?.stripe_subscription_id ?? "",
        pledgeId,
        expiresAt: Date.now() + 60_000,
      })}`,
    };
    for (const [action, fields] of [
      ["amount", { amount: "25" }],
      ["pause", { months: "2" }],
      ["resume", {}],
      ["frequency", { frequency: "annual", amount: "240" }],
      ["amount", { amount: "180" }],
      ["cancel", { step: "confirm", reason: "unused" }],
      ["keep", {}],
      ["cancel", { step: "confirm" }],
    ] as const) {
      expect((await post(s, action, fields)).status, action).toBe(303);
      deliveries.push(...(await deliverAll()));
    }
    await control(`/_test/subscriptions/${s.subscriptionId}/renew`);
    deliveries.push(...(await deliverAll()));
    const snapshot = async () => ({
      changes: (
        await env.DB.prepare(
          "SELECT event_id, change, movement, monthly_delta, annual_delta, from_amount, to_amount, reason, save_offer FROM recurring_changes ORDER BY event_id",
        ).all()
      ).results,
      pledge: await env.DB.prepare(
        "SELECT status, frequency, amount, fee_amount, paused, resumes_at, cancel_at, terms_key FROM pledges WHERE id = ?",
      )
        .bind(pledgeId)
        .first(),
    });
    const inOrder = await snapshot();
    expect(inOrder.changes.map((c) => c.change).sort()).toEqual(
      [
        "started",
        "amount",
        "paused",
        "resumed",
        "frequency",
        "amount",
        "cancel_requested",
        "cancel_withdrawn",
        "cancel_requested",
        "ended",
      ].sort(),
    );
    expect(inOrder.pledge).toMatchObject({ status: "canceled", frequency: "annual", amount: 18000 });

    for (const seed of [1, 7, 42]) {
      await clearLedgerAndRollups();
      await env.DB.prepare("DELETE FROM recurring_changes").run();
      await restorePendingPledges(pending);
      const replay = shuffle([...deliveries, ...deliveries.filter((_, i) => i % 3 === 0)], seed);
      for (const d of replay) expect((await deliver(d)).status).toBe(200);
      expect(await snapshot(), `seed ${seed}`).toEqual(inOrder);
    }
  });
});

describe("every bad input is refused with a 4xx and changes nothing", () => {
  /** Stripe's view of the subscription and the emulator's queued events: nothing may move. */
  async function unchanged(s: Supporter, attempt: () => Promise<Response>, status: number, code: string) {
    await drain();
    const before = await subscription(s.subscriptionId);
    const response = await attempt();
    expect(response.status, code).toBe(status);
    const after = await subscription(s.subscriptionId);
    expect(after, code).toEqual(before);
    expect(await drain(), code).toEqual([]);
    return response;
  }
  const json = { accept: "application/json" };

  it("no session, a forged one, an expired one", async () => {
    const s = await supporter("nosession@example.com");
    const noCookie = await call("/manage/support?lang=en");
    expect(noCookie.status).toBe(401);
    expect(await noCookie.text()).toContain("Your session has ended");
    expect((await call("/manage/support/cancel?lang=en")).status).toBe(401);
    // Back from Stripe needs no session and shows nothing of anyone's support.
    const returned = await call("/manage/support/returned?site=nope&lang=ru");
    expect(returned.status).toBe(200);
    expect(await returned.text()).toContain("Вы вернулись со страницы Stripe");
    for (const [cookie, code] of [
      ["", "session_required"],
      [`${s.cookie.slice(0, -3)}AAA`, "session_required"],
      [
        `rs_manage=${await signManageSession(SECRET, {
          site: "demo",
          customerId: s.customerId,
          subscriptionId: s.subscriptionId,
          pledgeId: s.pledgeId,
          expiresAt: Date.now() - 1000,
        })}`,
        "session_expired",
      ],
    ] as const) {
      const response = await unchanged(
        s,
        () => post({ cookie, subscriptionId: s.subscriptionId }, "amount", { amount: "5" }, json),
        401,
        code,
      );
      expect(await response.json()).toEqual({ error: { code, message: expect.any(String) } });
    }
  });

  it("another customer's subscription: named in a form, or in a session made for someone else", async () => {
    const mine = await supporter("mine@example.com");
    const theirs = await supporter("theirs@example.com");
    const named = await unchanged(
      theirs,
      () => post({ cookie: mine.cookie, subscriptionId: theirs.subscriptionId }, "pause", { months: "1" }, json),
      403,
      "not_your_subscription",
    );
    expect(await named.json()).toMatchObject({ error: { code: "not_your_subscription", field: "subscription" } });
    // A session signed for one customer that names another's subscription opens nothing.
    const mixed = `rs_manage=${await signManageSession(SECRET, {
      site: "demo",
      customerId: mine.customerId,
      subscriptionId: theirs.subscriptionId,
      pledgeId: theirs.pledgeId,
      expiresAt: Date.now() + MANAGE_SESSION_TTL_MS,
    })}`;
    expect((await page({ cookie: mixed })).status).toBe(403);
    await unchanged(
      theirs,
      () => post({ cookie: mixed, subscriptionId: theirs.subscriptionId }, "cancel", { step: "confirm" }),
      403,
      "not_your_subscription",
    );
    // Their page is untouched, and mine still works.
    expect((await page(mine)).status).toBe(200);
  });

  it("amounts out of the site's bounds or not amounts at all", async () => {
    const s = await supporter("bounds@example.com");
    for (const [amount, code] of [
      ["0.50", "amount_too_small"],
      ["10000.01", "amount_too_large"],
      ["ten", "invalid_amount"],
      ["", "invalid_amount"],
      ["7.555", "invalid_amount"],
    ] as const) {
      const response = await unchanged(s, () => post(s, "amount", { amount }, json), 400, code);
      expect(await response.json()).toMatchObject({ error: { code, field: "amount" } });
    }
    // In words on the page, with the field marked.
    const page400 = await unchanged(s, () => post(s, "amount", { amount: "0.50" }), 400, "page");
    const html = await page400.text();
    expect(html).toContain('role="alert"');
    expect(html).toContain("The amount must be at least $1.");
    expect(html).toContain('aria-invalid="true"');
    await unchanged(s, () => post(s, "frequency", { frequency: "annual", amount: "0" }), 400, "switch amount");
  });

  it("a frequency, a pause, a reason or an offer the page never offered, an old form, another origin", async () => {
    const s = await supporter("odd@example.com");
    await unchanged(s, () => post(s, "frequency", { frequency: "weekly", amount: "10" }), 400, "invalid_frequency");
    await unchanged(s, () => post(s, "pause", { months: "4" }), 400, "invalid_months");
    await unchanged(s, () => post(s, "pause", {}), 400, "invalid_months");
    await unchanged(s, () => post(s, "cancel", { reason: "bored" }), 400, "invalid_reason");
    await unchanged(s, () => post(s, "cancel", { comment: "x".repeat(501) }), 400, "comment_too_long");
    await unchanged(s, () => post(s, "offer", { choice: "free" }), 400, "offer_not_available");
    await unchanged(s, () => post(s, "amount", { amount: "5", nonce: "short" }), 400, "invalid_form");
    await unchanged(s, () => post(s, "amount", { amount: "5" }, { origin: "https://evil.example" }), 403, "csrf");
    await unchanged(s, () => post(s, "nothing-here"), 404, "unknown action");
  });

  it("a session for a site that is not configured, a used link and an expired one", async () => {
    const s = await supporter("site@example.com");
    const elsewhere = `rs_manage=${await signManageSession(SECRET, {
      site: "nope",
      customerId: s.customerId,
      subscriptionId: s.subscriptionId,
      pledgeId: s.pledgeId,
      expiresAt: Date.now() + 60_000,
    })}`;
    const response = await unchanged(
      s,
      () => post({ cookie: elsewhere, subscriptionId: s.subscriptionId }, "amount", { amount: "5" }, json),
      404,
      "unknown_site",
    );
    expect(await response.json()).toMatchObject({ error: { code: "unknown_site" } });
    expect((await call("/manage?site=nope")).status).toBe(404);
    // The link that opened the session is spent; an expired one never opens one.
    await requestManageLinks(
      env,
      { site: demo as never, email: s.email, lang: "en", returnUrl: ORIGIN },
      Date.now() - 31 * 60_000,
    );
    const rows = (
      await env.DB.prepare("SELECT text_body FROM mail_outbox WHERE kind = 'manage' ORDER BY created_at").all<{
        text_body: string;
      }>()
    ).results;
    for (const mail of rows) {
      const link = new URL(/(http:\/\/localhost:8787\/manage\/open\/\S+)/.exec(mail.text_body)?.[1] ?? "");
      const again = await call(`${link.pathname}${link.search}`, { method: "POST", redirect: "manual" });
      expect(again.status).toBe(410);
      expect(again.headers.get("set-cookie")).toBeNull();
    }
  });

  it("annual support is not paused", async () => {
    const s = await supporter("yearly@example.com");
    expect((await post(s, "frequency", { frequency: "annual", amount: "100" })).status).toBe(303);
    expect((await page(s)).html).toContain("Breaks are for monthly support");
    const response = await unchanged(s, () => post(s, "pause", { months: "1" }, json), 409, "pause_monthly_only");
    expect(await response.json()).toMatchObject({ error: { code: "pause_monthly_only", field: "months" } });
  });

  it("a support that has ended can no longer be changed", async () => {
    const s = await supporter("ended@example.com");
    await stripeApi("DELETE", `/v1/subscriptions/${s.subscriptionId}`);
    await deliverAll();
    await unchanged(s, () => post(s, "resume", {}, json), 409, "support_ended");
  });
});

function row(
  change: string,
  movement: string | null,
  monthly: number,
  annual: number,
  from: number | null,
  to: number | null,
  fromFrequency: string | null,
  toFrequency: string | null,
) {
  return {
    change,
    movement,
    monthly_delta: monthly,
    annual_delta: annual,
    from_amount: from,
    to_amount: to,
    from_frequency: fromFrequency,
    to_frequency: toFrequency,
    reason: null,
    comment: null,
    save_offer: null,
  };
}
