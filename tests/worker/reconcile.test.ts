import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { parseWindow } from "../../worker/core/reconcile";
import worker from "../../worker/index";
import { DAILY_CRON } from "../../worker/scheduled";
import {
  ADMIN,
  call,
  cancelSubscription,
  clearLedgerAndRollups,
  control,
  deliver,
  deliverAll,
  drain,
  ORIGIN,
  restorePendingPledges,
  startCheckout,
  summary,
} from "./helpers";

/**
 * Reconciliation: the ledger checked against Stripe's own records. Events the ledger never
 * processed are replayed through the same `processEvent`; every charge of ours is compared with
 * the ledger; Stripe's newer states and late fees are taken in; money the ledger never saw is
 * reported, never invented. Runs and differences are stored and shown to staff.
 */

const db = env.DB;
type Report = {
  id: string;
  status: string;
  trigger: string;
  eventsSeen: number;
  eventsReplayed: number;
  chargesChecked: number;
  differences: { kind: string; objectId: string; repaired: boolean; detail: string }[];
};

async function reconcileApi(since = "1d") {
  const response = await call(`/admin/api/reconcile?since=${since}`, { method: "POST", headers: ADMIN });
  return { status: response.status, body: (await response.json()) as Report };
}
const kinds = (r: Report) => r.differences.map((d) => [d.kind, d.repaired]).sort();

beforeEach(async () => {
  // Stripe's events and charges are the emulator's: start each story from an empty account.
  await control("/_test/reset");
  await clearLedgerAndRollups();
  await db.batch(["reconciliation_runs", "reconciliation_differences"].map((t) => db.prepare(`DELETE FROM ${t}`)));
});

/** A monthly gift renewed with a partial refund, and a one-time gift disputed; all delivered. */
async function books(deliverNow = true) {
  const monthly = await startCheckout({ frequency: "monthly", amount: 1000, currency: "EUR" });
  const once = await startCheckout({ frequency: "once", amount: 4000, currency: "USD" });
  const m = await control(`/_test/checkout/sessions/${monthly.sessionId}/complete`, { outcome: "succeeded" });
  const o = await control(`/_test/checkout/sessions/${once.sessionId}/complete`, { outcome: "succeeded" });
  const renewal = await control(`/_test/subscriptions/${m.subscription}/renew`);
  const refund = await control(`/_test/payment_intents/${renewal.payment_intent}/refund`, { amount: 300 });
  const dispute = await control(`/_test/payment_intents/${o.payment_intent}/dispute`, { outcome: "open" });
  if (deliverNow) await deliverAll();
  return { m, o, renewal, refund, dispute };
}

describe("reconciliation against Stripe", () => {
  it("webhooks that never arrived: their events are replayed, the books end as if they had", async () => {
    const pledges = (await db.prepare("SELECT * FROM pledges").all<Record<string, unknown>>()).results;
    await books(true);
    const delivered = await summary();
    // The pledges as checkout made them, and nothing from Stripe ever arrived.
    const started = (await db.prepare("SELECT * FROM pledges").all<Record<string, unknown>>()).results;
    expect(pledges).toEqual([]);
    await clearLedgerAndRollups();
    await restorePendingPledges(started);
    const { status, body } = await reconcileApi("1d");
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: "ok", trigger: "api", differences: [] });
    expect(body.eventsSeen).toBeGreaterThan(8);
    expect(body.eventsReplayed).toBe(body.eventsSeen);
    expect(body.chargesChecked).toBe(3);
    expect(await summary()).toEqual(delivered);
    // A second run finds everything processed and nothing different.
    const again = (await reconcileApi("1d")).body;
    expect(again).toMatchObject({ status: "ok", eventsReplayed: 0, differences: [] });
  });

  it("drift: Stripe's newer refund and dispute states, a fee not recorded, an invoice payment without its intent are repaired", async () => {
    const { renewal, refund, dispute } = await books(true);
    const before = await summary();
    // The ledger drifts from Stripe (a lost update, a repair by hand, an old bug):
    await db.prepare("UPDATE refunds SET status = 'failed' WHERE id = ?").bind(refund.refund).run();
    await db.prepare("DELETE FROM disputes WHERE id = ?").bind(dispute.dispute).run();
    await db
      .prepare("DELETE FROM balance_transactions WHERE payment_intent_id = ? AND use = 'payment'")
      .bind(renewal.payment_intent)
      .run();
    await db.prepare("UPDATE payments SET payment_intent_id = NULL WHERE id = ?").bind(renewal.invoice).run();
    expect(await summary()).not.toEqual(before);

    const { body } = await reconcileApi("1d");
    expect(body.status).toBe("differences");
    expect(body.eventsReplayed).toBe(0);
    expect(kinds(body)).toEqual([
      ["fees_filled", true],
      ["payment_linked", true],
      ["status_drift", true],
      ["unknown_dispute", true],
    ]);
    expect(body.differences.find((d) => d.kind === "status_drift")?.detail).toContain(
      "succeeded at Stripe but was failed",
    );
    expect(await summary()).toEqual(before);
  });

  it("money the ledger never saw, or saw as another amount, is reported and left for a person", async () => {
    const { o, m } = await books(true);
    const row = await db.prepare("SELECT * FROM payments WHERE id = ?").bind(m.invoice).first<Record<string, any>>();
    await db.prepare("DELETE FROM payments WHERE id = ?").bind(o.payment_intent).run();
    await db.prepare("DELETE FROM payments WHERE id = ?").bind(m.invoice).run();
    await db
      .prepare(
        "INSERT INTO payments (id, pledge_id, site, frequency, currency, amount, fee_amount, payment_intent_id, paid_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      )
      .bind(
        row?.id,
        row?.pledge_id,
        row?.site,
        row?.frequency,
        row?.currency,
        999,
        0,
        row?.payment_intent_id,
        row?.paid_at,
      )
      .run();
    const { body } = await reconcileApi("1d");
    expect(kinds(body)).toEqual([
      ["amount_mismatch", false],
      ["missing_payment", false],
    ]);
    expect(body.differences.find((d) => d.kind === "missing_payment")?.detail).toContain("4000 USD");
    expect(
      (
        await db
          .prepare("SELECT count(*) AS n FROM payments WHERE id = ?")
          .bind(o.payment_intent)
          .first<{ n: number }>()
      )?.n,
    ).toBe(0);
    // Stored, and listed for staff.
    const listed = await call("/admin/api/reconcile", { headers: ADMIN });
    const { runs, differences } = (await listed.json()) as {
      runs: { id: string; status: string }[];
      differences: unknown[];
    };
    expect(runs[0]).toMatchObject({ id: body.id, status: "differences" });
    expect(differences).toHaveLength(2);
  });

  it("charges that are not ours are none of its business", async () => {
    // A payment someone took on the same Stripe account, outside Reader Support.
    const other = await fetch(`${env.STRIPE_API_BASE ?? ""}/v1/checkout/sessions`, {
      method: "POST",
      headers: { authorization: "Bearer sk_test_x", "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        mode: "payment",
        success_url: "https://shop.example/thanks",
        "line_items[0][price_data][currency]": "usd",
        "line_items[0][price_data][unit_amount]": "5000",
        "line_items[0][price_data][product_data][name]": "Tote bag",
        "line_items[0][quantity]": "1",
      }),
    });
    const session = (await other.json()) as { id: string };
    await control(`/_test/checkout/sessions/${session.id}/complete`, { outcome: "succeeded" });
    await drain();
    const { body } = await reconcileApi("1d");
    expect(body).toMatchObject({ status: "ok", chargesChecked: 0, differences: [] });
  });

  it("the daily Cron step reconciles the last three days; staff press a button; bad windows are refused", async () => {
    const { sessionId } = await startCheckout({ frequency: "once", amount: 2500 });
    await control(`/_test/checkout/sessions/${sessionId}/complete`, { outcome: "succeeded" });
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: DAILY_CRON }), env, ctx);
    await waitOnExecutionContext(ctx);
    const run = await db.prepare("SELECT * FROM reconciliation_runs").first<Record<string, any>>();
    // Of the three events (payment_intent.succeeded, charge.succeeded, checkout.session.completed) one is the ledger's.
    expect(run).toMatchObject({ trigger: "cron", status: "ok", events_seen: 1, events_replayed: 1 });
    expect(run?.until - run?.since).toBe(3 * 86_400_000);
    expect((await summary()).currencies[0]).toMatchObject({ gross: 2500, payments: 1, feesPending: 0 });

    // The dashboard's button: from our own page only.
    const form = { method: "POST", headers: { ...ADMIN, "content-type": "application/x-www-form-urlencoded" } };
    const forged = await call("/admin/reconcile", {
      ...form,
      headers: { ...form.headers, origin: "https://evil.example" },
      body: "site=demo&since=7d",
    });
    expect(forged.status).toBe(403);
    const pressed = await call("/admin/reconcile", {
      ...form,
      headers: { ...form.headers, origin: ORIGIN },
      body: "site=demo&since=7d",
      redirect: "manual",
    });
    expect(pressed.status).toBe(303);
    expect(pressed.headers.get("location")).toBe("/admin?site=demo#reconciliation");
    const page = await (await call("/admin?site=demo", { headers: ADMIN })).text();
    expect(page).toMatch(/Last checked \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC by staff/);
    expect(page).toContain("<strong>no differences</strong>");
    expect(page).toContain('action="/admin/reconcile"');

    for (const since of ["45d", "tomorrow", "0d"]) {
      const { status, body } = await reconcileApi(since);
      expect(status, since).toBe(400);
      expect(body as unknown).toMatchObject({ error: { code: "invalid_since", field: "since" } });
    }
    const bad = await call("/admin/reconcile", {
      ...form,
      headers: { ...form.headers, origin: ORIGIN },
      body: "site=demo&since=90d",
    });
    expect(bad.status).toBe(400);
    expect((await db.prepare("SELECT count(*) AS n FROM reconciliation_runs").first<{ n: number }>())?.n).toBe(2);
  });

  it("a cancelled subscription and its late events: replay after delivery changes nothing", async () => {
    const { m } = await books(true);
    await cancelSubscription(m.subscription);
    for (const d of await drain()) expect((await deliver(d)).status).toBe(200);
    const before = await summary();
    const { body } = await reconcileApi("1d");
    expect(body).toMatchObject({ status: "ok", eventsReplayed: 0, differences: [] });
    expect(await summary()).toEqual(before);
  });
});

describe("the reconciliation window", () => {
  it("reads 30d, 12h and a day; refuses the future, nonsense and more than 30 days", () => {
    const now = Date.parse("2026-11-10T12:00:00Z");
    expect(parseWindow("30d", now)).toEqual({ since: now - 30 * 86_400_000, until: now });
    expect(parseWindow("12h", now)).toEqual({ since: now - 12 * 3_600_000, until: now });
    expect(parseWindow("2026-11-01", now)).toEqual({ since: Date.parse("2026-11-01T00:00:00Z"), until: now });
    expect(parseWindow(undefined, now)).toEqual({ since: now - 86_400_000, until: now });
    for (const bad of ["31d", "2026-10-01", "2026-11-11", "soon", "0h"])
      expect(parseWindow(bad, now)).toHaveProperty("error");
  });
});
