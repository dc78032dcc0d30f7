import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { database } from "../../worker/platform/db";
import { dashboardData, growthData, staffSummary } from "../../worker/staff/queries";
import { dayBounds } from "../../worker/staff/range";
import rebuildSql from "../../worker/staff/rollups-rebuild.sql?raw";
import {
  ADMIN,
  call,
  cancelSubscription,
  clearLedger,
  control,
  type Delivery,
  deliver,
  drain,
  restorePendingPledges,
  shuffle,
  startCheckout,
} from "./helpers";
import { moneySummary, recurringSummary } from "./ledger-oracle";

/**
 * The staff view reads roll-ups kept by triggers (migrations/0002_admin.sql, 0009_active_recurring.sql).
 * These tests hold them to the ledger itself: the direct query over payments, refunds and
 * disputes (ledger-oracle.ts) and count(DISTINCT) for supporters.
 */

const db = env.DB;
const DAY = 86_400_000;

async function clearAll() {
  await clearLedger();
  await db.batch(
    [
      "admin_daily_money",
      "admin_daily_payers",
      "admin_daily_cancellations",
      "admin_active_recurring",
      "admin_daily_first_payments",
      "ask_event_counts",
    ].map((t) => db.prepare(`DELETE FROM ${t}`)),
  );
}

/** The ledger's own answer for a range of days, straight from the base tables. */
async function fromLedger(from: string | null, to: string | null) {
  const ms = {
    from: from ? Date.parse(`${from}T00:00:00Z`) : 0,
    to: to ? Date.parse(`${to}T00:00:00Z`) + DAY : 8_640_000_000_000_000,
  };
  return { currencies: await moneySummary(db, "demo", ms), recurring: await recurringSummary(db, "demo") };
}

async function fromRollups(from: string | null, to: string | null) {
  return staffSummary(database(db), "demo", dayBounds({ from, to }));
}

const RANGES: [string | null, string | null][] = [
  [null, null],
  ["2025-01-01", "2025-01-31"],
  ["2025-01-10", "2025-02-20"],
  ["2025-02-01", null],
  [null, "2025-01-15"],
  ["2025-03-01", "2025-03-01"],
];

beforeEach(clearAll);

describe("totals equal the ledger after the emulator lifecycle", () => {
  /** Checkout, renewal, refunds, a lost and a won dispute, a failed renewal and a cancellation. */
  async function lifecycle(): Promise<Delivery[]> {
    const once = await startCheckout({ frequency: "once", amount: 4000, campaign: "spring", variant: "a" });
    const monthly = await startCheckout({
      frequency: "monthly",
      amount: 1000,
      currency: "EUR",
      coverFees: true,
      campaign: "spring",
      variant: "b",
    });
    const annual = await startCheckout({ frequency: "annual", amount: 10000, currency: "GBP" });
    const jpy = await startCheckout({ frequency: "once", amount: 3000, currency: "JPY" });
    const o = await control(`/_test/checkout/sessions/${once.sessionId}/complete`, { outcome: "succeeded" });
    const m = await control(`/_test/checkout/sessions/${monthly.sessionId}/complete`, { outcome: "succeeded" });
    const a = await control(`/_test/checkout/sessions/${annual.sessionId}/complete`, { outcome: "succeeded" });
    const j = await control(`/_test/checkout/sessions/${jpy.sessionId}/complete`, { outcome: "succeeded" });
    await control(`/_test/payment_intents/${o.payment_intent}/refund`, { amount: 1000 });
    const r = await control(`/_test/subscriptions/${m.subscription}/renew`);
    await control(`/_test/payment_intents/${r.payment_intent}/dispute`, { outcome: "lost" });
    await control(`/_test/payment_intents/${j.payment_intent}/dispute`, { outcome: "won" });
    await control(`/_test/subscriptions/${m.subscription}/renew`);
    await control(`/_test/subscriptions/${m.subscription}/fail_renewal`);
    await control(`/_test/payment_intents/${a.payment_intent}/refund`, { amount: 2500 });
    await control(`/_test/payment_intents/${a.payment_intent}/refund`, { amount: 2500 });
    const all = await drain();
    await cancelSubscription(a.subscription);
    all.push(...(await drain()));
    return all;
  }

  it("in order, and again shuffled with duplicates: the staff figures are the ledger's", async () => {
    const deliveries = await lifecycle();
    const pledges = (await db.prepare("SELECT * FROM pledges").all()).results;
    for (const d of deliveries) expect((await deliver(d)).status).toBe(200);

    const reference = await fromLedger(null, null);
    const response = await call("/admin/api/summary?site=demo", { headers: ADMIN });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { currencies: unknown[]; recurring: unknown[] };
    expect(body.currencies).toEqual(reference.currencies);
    expect(body.recurring).toEqual(reference.recurring);
    // The figures themselves, so a wrong reference cannot hide a wrong roll-up.
    const byCurrency = Object.fromEntries((body.currencies as { currency: string }[]).map((c) => [c.currency, c]));
    expect(Object.keys(byCurrency).sort()).toEqual(["EUR", "GBP", "JPY", "USD"]);
    // Card fees are 2.9% + 30 (no fixed part in yen); a dispute costs a 1500 fee, won or lost.
    expect(byCurrency.USD).toMatchObject({
      gross: 4000,
      refunded: 1000,
      disputed: 0,
      stripeFees: 146,
      net: 4000 - 1000 - 146,
      payments: 1,
      supporters: 1,
      feesPending: 0,
    });
    expect(byCurrency.GBP).toMatchObject({ gross: 10000, refunded: 5000, stripeFees: 320, net: 4680, payments: 1 });
    expect(byCurrency.JPY).toMatchObject({ gross: 3000, disputed: 0, stripeFees: 87, disputeFees: 1500, net: 1413 });
    const eur = byCurrency.EUR as unknown as {
      payments: number;
      supporters: number;
      disputed: number;
      gross: number;
      stripeFees: number;
      disputeFees: number;
      feesCovered: number;
      net: number;
    };
    expect(eur.payments).toBe(3);
    expect(eur.supporters).toBe(1);
    expect(eur.disputed).toBe(eur.gross / 3);
    expect(eur.disputeFees).toBe(1500);
    expect(eur.net).toBe(eur.gross - eur.disputed - eur.stripeFees - 1500);
    // The monthly supporter lapsed (past due) and the annual one cancelled: nobody is active.
    expect(body.recurring).toEqual([]);

    // The dashboard's extra figures: one monthly and one annual supporter started, the annual one cancelled.
    const today = new Date().toISOString().slice(0, 10);
    const dash = await dashboardData(database(db), "demo", dayBounds({ from: today, to: today }), {
      from: Date.parse(`${today}T00:00:00Z`),
      to: Date.parse(`${today}T00:00:00Z`) + DAY,
    });
    expect(
      dash.newRecurring
        .filter((r) => r.n > 0)
        .map((r) => [r.currency, r.frequency, r.n])
        .sort(),
    ).toEqual([
      ["EUR", "monthly", 1],
      ["GBP", "annual", 1],
    ]);
    expect(dash.cancelled.filter((r) => r.n > 0).map((r) => [r.currency, r.frequency, r.n])).toEqual([
      ["GBP", "annual", 1],
    ]);
    expect(dash.paid.find((p) => p.campaign === "spring" && p.variant === "b")?.paid).toBe(1);
    expect(dash.recent).toHaveLength(4);

    for (const seed of [3, 11]) {
      await clearAll();
      await restorePendingPledges(pledges);
      for (const d of shuffle([...deliveries, ...deliveries.slice(0, 9)], seed))
        expect((await deliver(d)).status).toBe(200);
      const again = await call("/admin/api/summary?site=demo", { headers: ADMIN });
      expect(((await again.json()) as typeof body).currencies).toEqual(reference.currencies);
    }
  });
});

describe("roll-ups stay exact whatever order rows arrive, change or disappear in", () => {
  it("random payments, late payment intents, refunds, disputes and deletions", async () => {
    let x = 20250101;
    const rand = () => {
      x = (x * 1103515245 + 12345) % 2147483648;
      return x / 2147483648;
    };
    const start = Date.parse("2025-01-01T00:00:00Z");
    const pledges = Array.from({ length: 12 }, (_, i) => ({
      id: `pl_t${i}`,
      frequency: (["once", "monthly", "annual"] as const)[i % 3],
      currency: (["USD", "EUR", "JPY"] as const)[Math.floor(i / 4)],
      campaign: i % 2 ? "spring" : null,
      variant: i % 4 < 2 ? "a" : "b",
      // Where the ask started it, or which upsell; some are created after payments already in the ledger.
      placement: (["inline", null, "banner"] as const)[i % 3] ?? null,
      upsell: (["ask", null, null, "thanks"] as const)[i % 4] ?? null,
      createdAt: start + (i % 5) * 9 * DAY,
    }));
    await db.batch(
      pledges.map((p) =>
        db
          .prepare(
            "INSERT INTO pledges (id, site, frequency, currency, amount, status, campaign, variant, placement, upsell, created_at, updated_at) VALUES (?, 'demo', ?, ?, 1000, 'active', ?, ?, ?, ?, ?, ?)",
          )
          .bind(p.id, p.frequency, p.currency, p.campaign, p.variant, p.placement, p.upsell, p.createdAt, start),
      ),
    );
    // Payments spread over three months, inserted in random order, some without their intent at first.
    const payments = Array.from({ length: 80 }, (_, i) => {
      const p = pledges[Math.floor(rand() * pledges.length)] as (typeof pledges)[number];
      return {
        id: `in_t${i}`,
        p,
        paidAt: start + Math.floor(rand() * 75) * DAY + Math.floor(rand() * 3) * 3_600_000,
        amount: 100 + Math.floor(rand() * 5000),
        late: rand() < 0.3,
      };
    });
    const insert = (q: (typeof payments)[number]) =>
      db
        .prepare(
          "INSERT INTO payments (id, pledge_id, site, frequency, currency, amount, fee_amount, payment_intent_id, paid_at, campaign, variant) VALUES (?, ?, 'demo', ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(
          q.id,
          q.p.id,
          q.p.frequency,
          q.p.currency,
          q.amount,
          q.amount % 7,
          q.late ? null : `pi_${q.id}`,
          q.paidAt,
          q.p.campaign,
          q.p.variant,
        )
        .run();
    type Payment = (typeof payments)[number];
    /** A refund row changing status, as the ledger's upsert writes it (core/ledger.ts orders them). */
    const refund = (q: Payment, n: number, amount: number, status: string, at: number) =>
      db
        .prepare(
          `INSERT INTO refunds (id, charge_id, payment_intent_id, currency, amount, status, status_key, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET status = excluded.status, status_key = excluded.status_key, updated_at = excluded.updated_at`,
        )
        .bind(`re_${q.id}_${n}`, `ch_${q.id}`, `pi_${q.id}`, q.p.currency, amount, status, at, at, at)
        .run();
    const dispute = (q: Payment, status: string, phase: string, at: number) =>
      db
        .prepare(
          `INSERT INTO disputes (id, charge_id, payment_intent_id, currency, amount, status, phase, status_key, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET status = excluded.status, phase = excluded.phase, status_key = excluded.status_key`,
        )
        .bind(`dp_${q.id}`, `ch_${q.id}`, `pi_${q.id}`, q.p.currency, q.amount, status, phase, at, at, at)
        .run();
    /** A balance transaction; `currency` differs from the payment's when Stripe converted it. */
    const balance = (
      q: Payment,
      id: string,
      use: string,
      amount: number,
      fee: number,
      currency = q.p.currency as string,
    ) =>
      db
        .prepare(
          `INSERT INTO balance_transactions (id, use, source, payment_intent_id, type, currency, amount, fee, net, created)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0) ON CONFLICT (id) DO NOTHING`,
        )
        .bind(
          id,
          use,
          `src_${q.id}`,
          `pi_${q.id}`,
          use === "payment" ? "charge" : use,
          currency,
          amount,
          fee,
          amount - fee,
        )
        .run();
    const feeOf = (q: Payment) => Math.round(q.amount * 0.029) + 30;

    // Refunds, disputes and balance transactions may arrive before their payment row.
    for (const q of payments.slice(0, 6)) await refund(q, 1, Math.floor(q.amount / 2), "pending", 1);
    for (const q of payments.slice(6, 10)) await dispute(q, "needs_response", "open", 1);
    for (const q of payments.slice(40, 50)) await balance(q, `txn_p_${q.id}`, "payment", q.amount, feeOf(q));
    await dispute(payments[10] as Payment, "warning_needs_response", "inquiry", 1);
    for (const q of shuffle(payments, 5)) await insert(q);
    for (const q of payments.filter((q) => q.late))
      await db.prepare("UPDATE payments SET payment_intent_id = ? WHERE id = ?").bind(`pi_${q.id}`, q.id).run();
    // Most payments' fees become known; some stay pending; two were converted to another currency.
    for (const q of payments.slice(50, 75)) await balance(q, `txn_p_${q.id}`, "payment", q.amount, feeOf(q));
    for (const q of payments.slice(75, 77)) await balance(q, `txn_p_${q.id}`, "payment", q.amount * 2, 99, "GBP");
    // Refunds move on: succeeded, then one fails (its money comes back), another is canceled.
    for (const q of payments.slice(0, 6)) await refund(q, 1, Math.floor(q.amount / 2), "succeeded", 2);
    for (const q of payments.slice(0, 6)) await refund(q, 2, q.amount - Math.floor(q.amount / 2), "pending", 2);
    await refund(payments[0] as Payment, 2, 0, "failed", 3);
    await refund(payments[1] as Payment, 2, 0, "canceled", 3);
    for (const q of payments.slice(10, 14)) await refund(q, 1, 50, "succeeded", 3);
    for (const q of payments.slice(0, 6)) await balance(q, `txn_r_${q.id}`, "refund", -50, 0);
    // Disputes: two lost (with their withdrawal and fee), one won (withdrawn, then reinstated).
    for (const q of payments.slice(6, 8)) {
      await dispute(q, "lost", "lost", 2);
      await balance(q, `txn_d1_${q.id}`, "dispute", -q.amount, 1500);
    }
    await dispute(payments[8] as Payment, "won", "won", 2);
    await balance(payments[8] as Payment, `txn_d1_${payments[8]?.id}`, "dispute", -100, 1500);
    await balance(payments[8] as Payment, `txn_d2_${payments[8]?.id}`, "dispute", 100, 0);
    await dispute(payments[10] as Payment, "warning_closed", "inquiry_closed", 2);
    // Rows disappearing (tests and manual repair do this) must take their share with them.
    for (const q of payments.slice(20, 30)) await db.prepare("DELETE FROM payments WHERE id = ?").bind(q.id).run();
    await db.prepare("DELETE FROM refunds WHERE id = ?").bind(`re_${payments[12]?.id}_1`).run();
    await db.prepare("DELETE FROM disputes WHERE id = ?").bind(`dp_${payments[7]?.id}`).run();
    await db.prepare("DELETE FROM balance_transactions WHERE id = ?").bind(`txn_p_${payments[60]?.id}`).run();
    await db.prepare("DELETE FROM balance_transactions WHERE id = ?").bind(`txn_p_${payments[75]?.id}`).run();

    // Pledges change as well: terms, frequency, currency and status (a cancellation, a lapse and its
    // recovery), a new supporter arrives and a pledge disappears; active recurring support follows.
    const pledge = (sql: string, ...values: unknown[]) =>
      db
        .prepare(sql)
        .bind(...values)
        .run();
    await pledge("UPDATE pledges SET amount = 2500, fee_amount = 80 WHERE id = 'pl_t1'");
    await pledge("UPDATE pledges SET frequency = 'annual' WHERE id = 'pl_t4'");
    await pledge("UPDATE pledges SET status = 'canceled', updated_at = ? WHERE id = 'pl_t2'", start + 40 * DAY);
    await pledge("UPDATE pledges SET status = 'past_due' WHERE id = 'pl_t5'");
    await pledge("UPDATE pledges SET status = 'active', amount = 1200 WHERE id = 'pl_t5'");
    await pledge("UPDATE pledges SET currency = 'GBP' WHERE id = 'pl_t7'");
    await pledge("UPDATE pledges SET status = 'canceled', updated_at = ? WHERE id = 'pl_t10'", start + 50 * DAY);
    await pledge("DELETE FROM pledges WHERE id = 'pl_t8'");
    await pledge("UPDATE pledges SET placement = 'inline', campaign = 'autumn' WHERE id = 'pl_t2'");
    await pledge("UPDATE pledges SET placement = NULL, upsell = NULL WHERE id = 'pl_t3'");
    await pledge("UPDATE pledges SET upsell = 'ask', created_at = ? WHERE id = 'pl_t1'", start + 30 * DAY);
    await pledge(
      "INSERT INTO pledges (id, site, frequency, currency, amount, fee_amount, status, created_at, updated_at) VALUES ('pl_new', 'demo', 'monthly', 'USD', 700, 51, 'active', ?, ?)",
      start,
      start,
    );
    expect((await fromRollups(null, null)).recurring).toEqual((await fromLedger(null, null)).recurring);

    // The story is not trivial: every kind of figure is non-zero somewhere.
    const all = await fromLedger(null, null);
    for (const key of [
      "refunded",
      "disputed",
      "disputedOpen",
      "stripeFees",
      "disputeFees",
      "feesPending",
      "feesElsewhere",
    ])
      expect(
        all.currencies.some((c) => (c as unknown as Record<string, number>)[key] !== 0),
        key,
      ).toBe(true);

    for (const [from, to] of RANGES) {
      const ledger = await fromLedger(from, to);
      const rolled = await fromRollups(from, to);
      expect(rolled.currencies, `${from}..${to}`).toEqual(ledger.currencies);
      const f = from ? Date.parse(`${from}T00:00:00Z`) : 0;
      const t = to ? Date.parse(`${to}T00:00:00Z`) + DAY : 8.64e15;
      const distinct = (
        await db
          .prepare(
            "SELECT currency, count(DISTINCT pledge_id) AS n FROM payments WHERE site = 'demo' AND paid_at >= ? AND paid_at < ? GROUP BY currency",
          )
          .bind(f, t)
          .all<{ currency: string; n: number }>()
      ).results;
      expect(
        rolled.currencies.map((c) => [c.currency, c.supporters]),
        `supporters ${from}..${to}`,
      ).toEqual(distinct.map((d) => [d.currency, d.n]));
      // "Paid" in the funnel: pledges whose first payment falls in the range.
      const firsts = (
        await db
          .prepare(
            `SELECT coalesce(campaign, '') AS campaign, coalesce(variant, '') AS variant, count(*) AS paid FROM
               (SELECT pledge_id, min(paid_at) AS first, campaign, variant FROM payments WHERE site = 'demo' GROUP BY pledge_id)
             WHERE first >= ? AND first < ? GROUP BY 1, 2 ORDER BY 1, 2`,
          )
          .bind(f, t)
          .all<{ campaign: string; variant: string; paid: number }>()
      ).results;
      const dash = await dashboardData(database(db), "demo", dayBounds({ from, to }), { from: f, to: t });
      expect(
        dash.paid
          .filter((p) => p.paid > 0)
          .sort((a, b) => `${a.campaign}|${a.variant}`.localeCompare(`${b.campaign}|${b.variant}`)),
      ).toEqual(firsts);
    }

    // "Paid" per placement and per upsell: pledges created before the range's end whose first payment falls in it.
    const paidBy = async (key: string, groups: string, f: number, t: number) => {
      const rows = await db
        .prepare(
          `SELECT ${key}, count(*) AS paid FROM pledges
             WHERE site = 'demo' AND created_at < ?2 AND (SELECT min(paid_at) FROM payments WHERE pledge_id = pledges.id) >= ?1
               AND (SELECT min(paid_at) FROM payments WHERE pledge_id = pledges.id) < ?2
             GROUP BY ${groups} ORDER BY ${groups}`,
        )
        .bind(f, t)
        .all();
      return rows.results;
    };
    let placements = 0;
    let upsells = 0;
    for (const [from, to] of RANGES) {
      const f = from ? Date.parse(`${from}T00:00:00Z`) : 0;
      const t = to ? Date.parse(`${to}T00:00:00Z`) + DAY : 8.64e15;
      const byPlacement = await paidBy("placement", "1", f, t);
      const byUpsell = await paidBy(
        "upsell AS source, coalesce(campaign, '') AS campaign, coalesce(variant, '') AS variant",
        "1, 2, 3",
        f,
        t,
      );
      const dash = await dashboardData(database(db), "demo", dayBounds({ from, to }), { from: f, to: t });
      expect(dash.paidByPlacement, `placement ${from}..${to}`).toEqual(byPlacement.filter((r) => r.placement !== null));
      const growth = await growthData(database(db), "demo", dayBounds({ from, to }), { from: f, to: t }, "9999-12");
      expect(growth.upsellPaid, `upsell ${from}..${to}`).toEqual(byUpsell.filter((r) => r.source !== null));
      placements += dash.paidByPlacement.length;
      upsells += growth.upsellPaid.length;
    }
    expect(placements).toBeGreaterThan(3);
    expect(upsells).toBeGreaterThan(3);

    // The one-pass rebuild that `npm run seed` runs gives exactly what the triggers kept.
    const rollups = async () =>
      Promise.all(
        [
          "admin_daily_money",
          "admin_daily_payers",
          "admin_daily_cancellations",
          "admin_active_recurring",
          "admin_daily_first_payments",
        ].map(async (table) => {
          const key = table === "admin_daily_first_payments" ? "1, 2, 3, 4, 5, 6, 7" : "1, 2, 3, 4, 5";
          return (await db.prepare(`SELECT * FROM ${table} ORDER BY ${key}`).all()).results;
        }),
      );
    const kept = await rollups();
    await db.batch(
      rebuildSql
        .split(/;\s*\n/)
        .map((statement) => statement.replace(/^--.*$/gm, "").trim())
        .filter(Boolean)
        .map((statement) => db.prepare(statement)),
    );
    const rebuilt = await rollups();
    const nonZero = (rows: Record<string, unknown>[]) =>
      rows.filter((row) => Object.entries(row).some(([k, v]) => typeof v === "number" && v !== 0 && k !== "day"));
    expect(rebuilt.map(nonZero)).toEqual(kept.map(nonZero));
  });

  it("payments are facts: changing one's amount or day is refused", async () => {
    await db
      .prepare(
        "INSERT INTO pledges (id, site, frequency, currency, amount, created_at, updated_at) VALUES ('pl_x', 'demo', 'once', 'USD', 500, 0, 0)",
      )
      .run();
    await db
      .prepare(
        "INSERT INTO payments (id, pledge_id, site, frequency, currency, amount, paid_at) VALUES ('pi_x', 'pl_x', 'demo', 'once', 'USD', 500, 1000)",
      )
      .run();
    await expect(db.prepare("UPDATE payments SET amount = 1 WHERE id = 'pi_x'").run()).rejects.toThrow(/immutable/);
    await expect(db.prepare("UPDATE payments SET paid_at = 5 WHERE id = 'pi_x'").run()).rejects.toThrow(/immutable/);
    expect((await fromRollups(null, null)).currencies[0]).toMatchObject({ gross: 500, payments: 1 });
  });
});

describe("the ask's funnel", () => {
  it("sums the counters per placement, campaign and variant within the range", async () => {
    const rows = [
      ["2025-05-01", "inline", "spring", "a", "impression", 100],
      ["2025-05-01", "inline", "spring", "a", "view", 60],
      ["2025-05-02", "inline", "spring", "a", "view", 10],
      ["2025-05-02", "banner", "spring", "b", "click", 7],
      ["2025-06-01", "inline", "spring", "a", "impression", 999],
    ] as const;
    await db.batch(
      rows.map((r) =>
        db
          .prepare(
            "INSERT INTO ask_event_counts (day, site, placement, campaign, variant, type, count) VALUES (?, 'demo', ?, ?, ?, ?, ?)",
          )
          .bind(...r),
      ),
    );
    const response = await call("/admin/api/dashboard?site=demo&range=custom&from=2025-05-01&to=2025-05-31", {
      headers: ADMIN,
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      funnel: { placement: string; variant: string; type: string; count: number }[];
    };
    const get = (placement: string, variant: string, type: string) =>
      body.funnel.find((f) => f.placement === placement && f.variant === variant && f.type === type)?.count;
    expect(get("inline", "a", "impression")).toBe(100);
    expect(get("inline", "a", "view")).toBe(70);
    expect(get("banner", "b", "click")).toBe(7);
  });
});
