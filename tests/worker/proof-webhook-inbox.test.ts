import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { INBOX_DRAIN_LIMIT, INBOX_LATE_MS, inboxRetryDelayMs } from "../../worker/core/inbox";
import type { LedgerEvent } from "../../worker/core/ledger";
import { drainInbox } from "../../worker/ledger/inbox";
import { reconcile } from "../../worker/ledger/reconcile";
import { recordInboxFailure, storeInInbox } from "../../worker/ledger/store";
import { database } from "../../worker/platform/db";
import { STRIPE_TIMEOUT_MS } from "../../worker/platform/stripe";
import { runScheduled } from "../../worker/scheduled";
import {
  ADMIN,
  call,
  clearLedgerAndRollups,
  control,
  type Delivery,
  deliver,
  drain,
  ledgerSnapshot,
  startCheckout,
  summary,
} from "./helpers";

/**
 * Proof: the Stripe webhook stores, answers, then applies. A verified event is in the inbox (D1)
 * before the answer, and the answer never waits for what the event makes the worker ask Stripe;
 * the event is applied right after the answer, or, when Stripe cannot answer then, by the
 * 15-minute Cron after a backoff, oldest first and a bounded number per run. Duplicates, a
 * redelivery of an event still waiting, and the Cron applying it at the same time all count the
 * money once; the daily reconciliation applies, in the last resort, what still waits. Staff see
 * events that waited too long, with why, until they are applied.
 */

const MINUTE = 60_000;
const db = () => database(env.DB);

type InboxRow = {
  event_id: string;
  attempts: number;
  last_error: string | null;
  received_at: number;
  next_attempt_at: number;
};
const inbox = async () =>
  (
    await env.DB.prepare(
      "SELECT event_id, attempts, last_error, received_at, next_attempt_at FROM stripe_inbox ORDER BY received_at, event_id",
    ).all<InboxRow>()
  ).results;
const waiting = async (id: string) => (await inbox()).find((r) => r.event_id === id) ?? null;
const processed = async (id: string) =>
  (await env.DB.prepare("SELECT count(*) AS n FROM stripe_events WHERE id = ?").bind(id).first<{ n: number }>())?.n;

/** Posts a delivery through the runtime's own request path; returns as soon as the worker answers. */
const post = (d: Delivery) =>
  call("/api/webhooks/stripe", {
    method: "POST",
    headers: { "content-type": "application/json; charset=utf-8", "stripe-signature": d.signature },
    body: d.payload,
  });

/** Polls until `ok` (work the worker does after its answer, which nothing here can await). */
async function until<T>(what: () => Promise<T>, ok: (v: T) => boolean, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await what();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A one-off gift paid in the emulator, and its `checkout.session.completed` (which asks Stripe for the fee). */
async function paidGift(amount: number): Promise<Delivery> {
  const { sessionId } = await startCheckout({ amount });
  await control(`/_test/checkout/sessions/${sessionId}/complete`, { outcome: "succeeded" });
  const completed = (await drain()).find((d) => d.type === "checkout.session.completed");
  if (!completed) throw new Error("no checkout.session.completed");
  return completed;
}

beforeEach(async () => {
  await clearLedgerAndRollups();
  await control("/_test/reset");
  await drain();
});

describe("proof: store, answer, then apply", () => {
  it("answers 200 before asking Stripe: with the look-up hanging, the answer comes at once and the event is in the inbox", async () => {
    const gift = await paidGift(3100);
    await control("/_test/faults", { mode: "hang", count: 1 });
    const started = Date.now();
    const response = await post(gift);
    const answeredMs = Date.now() - started;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: true, duplicate: false });
    // Asking Stripe hangs until the SDK gives up (STRIPE_TIMEOUT_MS); the answer did not wait for it.
    expect(answeredMs).toBeLessThan(STRIPE_TIMEOUT_MS);
    // Stored before the answer, not applied yet: the request's own waitUntil work is still asking Stripe.
    expect(await waiting(gift.event_id)).toMatchObject({ attempts: 0, last_error: null });
    expect(await processed(gift.event_id)).toBe(0);

    // After the answer, the apply gives up at Stripe's timeout and says why; nothing is half-applied.
    const failed = await until(
      () => waiting(gift.event_id),
      (r) => r?.attempts === 1,
      STRIPE_TIMEOUT_MS + 10_000,
    );
    expect(failed?.last_error).toMatch(/timeout/i);
    expect(await processed(gift.event_id)).toBe(0);
    expect((await ledgerSnapshot()).payments).toEqual([]);

    // Stripe answers again: the Cron's run after the backoff applies it, fee and all.
    await runScheduled(env, Date.now() + 2 * MINUTE);
    expect(await inbox()).toEqual([]);
    expect((await summary()).currencies).toEqual([
      expect.objectContaining({ currency: "USD", gross: 3100, stripeFees: 120, feesPending: 0, payments: 1 }),
    ]);
  }, 30_000);

  it("a duplicate of a processed event answers duplicate: true, stores nothing and asks Stripe nothing", async () => {
    const gift = await paidGift(2500);
    const first = await deliver(gift);
    expect(await first.json()).toEqual({ received: true, duplicate: false });
    expect(await inbox()).toEqual([]);
    const books = await ledgerSnapshot();
    expect(books.payments).toHaveLength(1);

    // Stripe down: a duplicate still gets its answer, from D1 alone.
    await control("/_test/faults", { mode: "error" });
    const again = await post(gift);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ received: true, duplicate: true });
    expect(await inbox()).toEqual([]);
    expect(await deliver(gift).then((r) => r.json())).toEqual({ received: true, duplicate: true });
    expect(await inbox()).toEqual([]);
    expect(await processed(gift.event_id)).toBe(1);
    expect(await ledgerSnapshot()).toEqual(books);
  });

  it("a redelivery of an event still waiting keeps the first copy, and with a Cron run at the same time counts the money once", async () => {
    const gift = await paidGift(3100);
    await control("/_test/faults", { mode: "error", count: 1 });
    expect((await deliver(gift)).status).toBe(200);
    const first = await waiting(gift.event_id);
    expect(first).toMatchObject({ attempts: 1 });

    // Stripe delivers it again while Stripe's API still fails: 200, not a duplicate, the same row, one more attempt.
    await control("/_test/faults", { mode: "error", count: 1 });
    const redelivered = await deliver(gift);
    expect(await redelivered.json()).toEqual({ received: true, duplicate: false });
    expect(await inbox()).toEqual([
      expect.objectContaining({ event_id: gift.event_id, attempts: 2, received_at: first?.received_at }),
    ]);
    expect(await processed(gift.event_id)).toBe(0);

    // Stripe answers again. Two more redeliveries and the Cron's run, all at once, each applying it.
    const [a, b, cron] = await Promise.all([deliver(gift), deliver(gift), drainInbox(env, Date.now() + 60 * MINUTE)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(cron.due).toBe(1);
    expect(await inbox()).toEqual([]);
    expect(await processed(gift.event_id)).toBe(1);
    const books = await ledgerSnapshot();
    expect(books.payments).toHaveLength(1);
    expect(books.balance).toHaveLength(1);
    expect((await summary()).currencies).toEqual([
      expect.objectContaining({ currency: "USD", gross: 3100, stripeFees: 120, net: 2980, payments: 1 }),
    ]);
  });
});

describe("proof: the last resort", () => {
  it("the daily reconciliation applies an event still waiting in the inbox, and the event leaves it", async () => {
    const gift = await paidGift(2700);
    await control("/_test/faults", { mode: "error", count: 1 });
    expect((await deliver(gift)).status).toBe(200);
    expect(await inbox()).toEqual([expect.objectContaining({ event_id: gift.event_id, attempts: 1 })]);

    const report = await reconcile(env, { since: Date.now() - 60 * MINUTE, until: Date.now() + MINUTE }, "api");
    expect(report.error).toBeNull();
    expect(report.eventsReplayed).toBeGreaterThan(0);
    expect(await processed(gift.event_id)).toBe(1);
    expect(await inbox()).toEqual([]);
    expect((await summary()).currencies).toEqual([
      expect.objectContaining({ currency: "USD", gross: 2700, payments: 1, feesPending: 0 }),
    ]);
    // The Cron finds nothing left to do.
    expect(await drainInbox(env, Date.now() + 60 * MINUTE)).toMatchObject({ due: 0 });
  });
});

describe("proof: the Cron drains the inbox", () => {
  it("takes due events oldest first, at most the bound per run, each after its backoff", async () => {
    const gifts = [await paidGift(1000), await paidGift(2000), await paidGift(3000)];
    await control("/_test/faults", { mode: "error" });
    for (const g of gifts) expect((await deliver(g)).status).toBe(200);
    await control("/_test/faults", { mode: "none" });
    expect((await inbox()).map((r) => r.attempts)).toEqual([1, 1, 1]);
    // Received in the order 3000, 1000, 2000 (not the order they were stored in).
    const base = Date.now() - 10 * MINUTE;
    for (const [i, g] of [gifts[2], gifts[0], gifts[1]].entries())
      await env.DB.prepare("UPDATE stripe_inbox SET received_at = ? WHERE event_id = ?")
        .bind(base + i * 1000, g?.event_id)
        .run();
    const amounts = async () => (await ledgerSnapshot()).payments.map((p) => p.amount);

    // Within the first backoff (a minute) nothing is due.
    expect(await drainInbox(env, Date.now())).toMatchObject({ due: 0, applied: 0 });
    expect(await amounts()).toEqual([]);

    // After it, a run bound to two takes the two received first.
    const t = Date.now() + 2 * MINUTE;
    expect(await drainInbox(env, t, { limit: 2 })).toEqual({ due: 2, applied: 2, duplicate: 0, failed: 0, left: 0 });
    expect((await amounts()).sort()).toEqual([1000, 3000]);
    expect((await inbox()).map((r) => r.event_id)).toEqual([gifts[1]?.event_id]);

    // It fails again: the second step of the backoff (5 minutes) from that run.
    await control("/_test/faults", { mode: "error", count: 1 });
    expect(await drainInbox(env, t)).toMatchObject({ due: 1, failed: 1 });
    expect(await inbox()).toEqual([
      expect.objectContaining({ attempts: 2, next_attempt_at: t + inboxRetryDelayMs(2) }),
    ]);
    expect(await drainInbox(env, t + 4 * MINUTE)).toMatchObject({ due: 0 });
    expect(await drainInbox(env, t + 6 * MINUTE)).toMatchObject({ due: 1, applied: 1 });
    expect(await inbox()).toEqual([]);
    expect((await amounts()).sort()).toEqual([1000, 2000, 3000]);
    expect((await summary()).currencies[0]).toMatchObject({ gross: 6000, payments: 3, feesPending: 0 });
  });

  it(`the 15-minute Cron takes at most ${INBOX_DRAIN_LIMIT} events a run, the oldest, and the next run the rest`, async () => {
    const now = Date.now();
    const events: LedgerEvent[] = Array.from({ length: INBOX_DRAIN_LIMIT + 5 }, (_, i) => ({
      id: `evt_inbox_bound_${String(i).padStart(4, "0")}`,
      type: "product.created",
      created: Math.floor(now / 1000),
      data: { object: { id: `prod_${i}` } },
    }));
    // Stored as the webhook stores them, one received per millisecond, left waiting by an apply that never ran.
    for (const [i, e] of events.entries()) expect(await storeInInbox(db(), e, now - 60 * MINUTE + i)).toBe("stored");
    expect(await inbox()).toHaveLength(INBOX_DRAIN_LIMIT + 5);

    await runScheduled(env, now);
    const left = await inbox();
    expect(left.map((r) => r.event_id)).toEqual(events.slice(INBOX_DRAIN_LIMIT).map((e) => e.id));
    const done = await env.DB.prepare("SELECT count(*) AS n FROM stripe_events").first<{ n: number }>();
    expect(done?.n).toBe(INBOX_DRAIN_LIMIT);

    await runScheduled(env, now + 15 * MINUTE);
    expect(await inbox()).toEqual([]);
    expect((await env.DB.prepare("SELECT count(*) AS n FROM stripe_events").first<{ n: number }>())?.n).toBe(
      INBOX_DRAIN_LIMIT + 5,
    );
    // Processed events answer as duplicates and are not stored again.
    expect(await storeInInbox(db(), events[0] as LedgerEvent, now)).toBe("duplicate");
    expect(await inbox()).toEqual([]);
  }, 60_000);

  it("each failure waits the next step of the backoff (1, 5, 15, 60 minutes, then hourly)", async () => {
    const event: LedgerEvent = { id: "evt_inbox_backoff", type: "product.created", created: 1, data: { object: {} } };
    const now = Date.now();
    await storeInInbox(db(), event, now);
    for (let failures = 1; failures <= 6; failures++) {
      await recordInboxFailure(db(), event.id, `failure ${failures}`, now);
      expect(await waiting(event.id)).toMatchObject({
        attempts: failures,
        last_error: `failure ${failures}`,
        next_attempt_at: now + inboxRetryDelayMs(failures),
      });
    }
    expect([1, 2, 3, 4, 5, 6].map((n) => inboxRetryDelayMs(n) / MINUTE)).toEqual([1, 5, 15, 60, 60, 60]);
    // A failure recorded for an event another apply already removed changes nothing.
    await env.DB.prepare("DELETE FROM stripe_inbox").run();
    await recordInboxFailure(db(), event.id, "late", now);
    expect(await inbox()).toEqual([]);
  });
});

describe("proof: staff see events that wait too long", () => {
  type Backlog = {
    waiting: number;
    late: number;
    oldest: { eventId: string; type: string; attempts: number; lastError: string | null } | null;
  };
  const dashboard = async () => {
    const response = await call("/admin/api/dashboard?site=demo&range=today", { headers: ADMIN });
    expect(response.status).toBe(200);
    return ((await response.json()) as { stripeInbox: Backlog }).stripeInbox;
  };
  const page = async () => {
    const response = await call("/admin?site=demo", { headers: ADMIN });
    expect(response.status).toBe(200);
    return response.text();
  };
  const WARNING = /Stripe events? ha(s|ve) waited more than 30 minutes/;

  it("a warning with how many, the oldest and its last error, on the dashboard and in its JSON, gone once applied", async () => {
    const gift = await paidGift(4200);
    await control("/_test/faults", { mode: "error", count: 1 });
    expect((await deliver(gift)).status).toBe(200);

    // Just received: waiting, but not late.
    expect(await dashboard()).toMatchObject({ waiting: 1, late: 0, oldest: { eventId: gift.event_id, attempts: 1 } });
    expect(await page()).not.toMatch(WARNING);

    // It has waited 31 minutes (the Cron could not apply it either).
    await env.DB.prepare("UPDATE stripe_inbox SET received_at = ? WHERE event_id = ?")
      .bind(Date.now() - INBOX_LATE_MS - MINUTE, gift.event_id)
      .run();
    expect(await dashboard()).toEqual({
      waiting: 1,
      late: 1,
      oldest: expect.objectContaining({
        eventId: gift.event_id,
        type: "checkout.session.completed",
        attempts: 1,
        lastError: expect.stringMatching(/unknown error occurred/),
      }),
    });
    const html = await page();
    expect(html).toMatch(WARNING);
    expect(html).toContain("1 Stripe event has waited more than 30 minutes");
    expect(html).toContain(gift.event_id);
    expect(html).toContain("1 failed attempt; last error: An unknown error occurred");

    // Stripe answers again and the Cron applies it: the warning is gone.
    await runScheduled(env, Date.now() + 2 * MINUTE);
    expect(await dashboard()).toEqual({ waiting: 0, late: 0, oldest: null });
    expect(await page()).not.toMatch(WARNING);
    expect((await summary()).currencies[0]).toMatchObject({ gross: 4200, payments: 1 });
  });
});
