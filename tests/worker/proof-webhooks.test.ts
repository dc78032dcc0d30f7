import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { seededRandom } from "../../worker/core/allocation";
import type { LedgerEvent } from "../../worker/core/ledger";
import { processEvent } from "../../worker/ledger/process-event";
import {
  cancelSubscription,
  clearLedger,
  control,
  type Delivery,
  deliver,
  drain,
  EMULATOR,
  ledgerSnapshot,
  startCheckout,
  summary,
} from "./helpers";

/**
 * Proof: Stripe delivers at least once and in any order. 10,000 deliveries — 7,000
 * distinct events plus 3,000 duplicates, shuffled with a seeded PRNG and applied concurrently —
 * must leave exactly the ledger that one clean, in-order pass of the 7,000 leaves.
 *
 * The events are the emulator's own: a handful of real money stories (gifts, refunds, disputes,
 * renewals, lapses, cancellations, delayed and failed payments) are played once through the
 * emulator, and their deliveries are cloned with fresh ids until there are 7,000. So every
 * payload has exactly the shape Stripe (and the emulator) sends.
 * Most deliveries go through the exported `processEvent` for speed; every 25th goes over HTTP,
 * freshly signed with the webhook secret, through signature verification and the inbox.
 * Change SEED to re-run with another order and another choice of duplicates.
 */
const SEED = 0x5eed_0007;
const UNIQUE = 7_000;
const DUPLICATES = 3_000;
const WIDTH = 4;
const SECRET = "whsec_local_dev_only";

function shuffle<T>(items: T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

const stripeGet = async (path: string) =>
  (await (await fetch(`${EMULATOR}${path}`, { headers: { authorization: "Bearer sk_test_x" } })).json()) as Record<
    string,
    any
  >;

type Template = {
  deliveries: Delivery[];
  pledges: Record<string, unknown>[];
  invoiceIntents: Map<string, string>;
  /** Payment intents with `latest_charge.balance_transaction` expanded, by id. */
  intents: Map<string, Record<string, unknown>>;
  /** Balance transactions refunds name, by id. */
  balances: Map<string, Record<string, unknown>>;
};

/** Plays real money stories through the worker and the emulator and keeps their webhook deliveries. */
async function recordTemplates(): Promise<Template> {
  await clearLedger();
  await drain();
  const deliveries: Delivery[] = [];
  const take = async () => deliveries.push(...(await drain()));

  // One-time gift, refunded in two steps.
  const a = await startCheckout({ frequency: "once", amount: 5000 });
  const aDone = await control(`/_test/checkout/sessions/${a.sessionId}/complete`, { outcome: "succeeded" });
  await control(`/_test/payment_intents/${aDone.payment_intent}/refund`, { amount: 1500 });
  await control(`/_test/payment_intents/${aDone.payment_intent}/refund`, {});
  // One-time gift with fee cover, disputed and lost.
  const b = await startCheckout({ frequency: "once", amount: 2000, coverFees: true, campaign: "spring" });
  const bDone = await control(`/_test/checkout/sessions/${b.sessionId}/complete`, { outcome: "succeeded" });
  await control(`/_test/payment_intents/${bDone.payment_intent}/dispute`, { outcome: "lost" });
  // Monthly: first invoice, a renewal partly refunded, a failed renewal, its retry, then cancelled.
  const c = await startCheckout({ frequency: "monthly", amount: 1000, coverFees: true });
  const cDone = await control(`/_test/checkout/sessions/${c.sessionId}/complete`, { outcome: "succeeded" });
  const renewal = await control(`/_test/subscriptions/${cDone.subscription}/renew`);
  await control(`/_test/payment_intents/${renewal.payment_intent}/refund`, { amount: 400 });
  await control(`/_test/subscriptions/${cDone.subscription}/fail_renewal`);
  await control(`/_test/subscriptions/${cDone.subscription}/renew`);
  await take();
  await cancelSubscription(cDone.subscription);
  // Annual in euros, a dispute won.
  const d = await startCheckout({ frequency: "annual", amount: 6000, currency: "EUR", variant: "b" });
  const dDone = await control(`/_test/checkout/sessions/${d.sessionId}/complete`, { outcome: "succeeded" });
  await control(`/_test/payment_intents/${dDone.payment_intent}/dispute`, { outcome: "won" });
  // Delayed (SEPA-like) gift in yen that settles; a delayed monthly that fails.
  const e = await startCheckout({ frequency: "once", amount: 3000, currency: "JPY" });
  await control(`/_test/checkout/sessions/${e.sessionId}/complete`, { outcome: "delayed" });
  await control(`/_test/checkout/sessions/${e.sessionId}/settle`, { outcome: "succeeded" });
  const f = await startCheckout({ frequency: "monthly", amount: 1500, currency: "GBP" });
  await control(`/_test/checkout/sessions/${f.sessionId}/complete`, { outcome: "delayed" });
  await control(`/_test/checkout/sessions/${f.sessionId}/settle`, { outcome: "failed" });
  // Declined card, then the session expires.
  const g = await startCheckout({ frequency: "once", amount: 1000 });
  await control(`/_test/checkout/sessions/${g.sessionId}/complete`, { outcome: "declined" });
  await control(`/_test/checkout/sessions/${g.sessionId}/expire`);
  await take();

  const pledges = (await env.DB.prepare("SELECT * FROM pledges ORDER BY id").all<Record<string, unknown>>()).results;
  // Events name what the ledger also needs by id (an invoice's payment intent, a payment's
  // balance transaction, a refund's); the worker asks Stripe. Clones are unknown to the
  // emulator, so they carry those objects expanded instead (Stripe's includable `payments`,
  // expanded payment intents and balance transactions), read from the emulator here.
  const invoiceIntents = new Map<string, string>();
  const intents = new Map<string, Record<string, unknown>>();
  const balances = new Map<string, Record<string, unknown>>();
  for (const dl of deliveries) {
    const object = JSON.parse(dl.payload).data.object as Record<string, any>;
    if (object.object === "invoice" && !invoiceIntents.has(object.id)) {
      const list = await stripeGet(`/v1/invoice_payments?invoice=${object.id}`);
      const paid = (list.data as any[]).find((p) => p.status === "paid") ?? list.data[0];
      if (paid?.payment?.payment_intent) invoiceIntents.set(object.id, paid.payment.payment_intent);
    }
    if (object.object === "refund")
      for (const id of [object.balance_transaction, object.failure_balance_transaction])
        if (typeof id === "string" && !balances.has(id))
          balances.set(id, await stripeGet(`/v1/balance_transactions/${id}`));
  }
  for (const id of [
    ...invoiceIntents.values(),
    ...deliveries.map((dl) => JSON.parse(dl.payload).data.object.payment_intent),
  ])
    if (typeof id === "string" && id.startsWith("pi_") && !intents.has(id))
      intents.set(id, await stripeGet(`/v1/payment_intents/${id}?expand[]=latest_charge.balance_transaction`));
  await clearLedger();
  return { deliveries, pledges, invoiceIntents, intents, balances };
}

/** Every Stripe-style id (prefix_ + base62) and pledge id in a text. */
const ID_PATTERN =
  /\b((?:evt|pi|ch|cs_test|in|inpay|sub|si|cus|re|dp|du|pm|txn|prod|price|li|il|ii|py|pl|req)_[A-Za-z0-9]{6,})\b/g;

type Generated = { events: LedgerEvent[]; pledges: Record<string, unknown>[] };

/** Clones the template stories with fresh ids until there are `UNIQUE` distinct events, in emission order. */
function generate(t: Template): Generated {
  const events: LedgerEvent[] = [];
  const pledges: Record<string, unknown>[] = [];
  for (let copy = 0; events.length < UNIQUE; copy++) {
    const rename = (text: string) => text.replace(ID_PATTERN, (id) => `${id}c${copy}`);
    for (const p of t.pledges) {
      pledges.push({
        ...p,
        id: rename(String(p.id)),
        stripe_session_id: rename(String(p.stripe_session_id)),
        // Where the ask started some copies, and the upsell others (the first-payment roll-up).
        placement: (["inline", "banner", null] as const)[copy % 3],
        upsell: p.frequency === "monthly" && copy % 2 ? "ask" : null,
      });
    }
    for (const dl of t.deliveries) {
      if (events.length === UNIQUE) break;
      const event = JSON.parse(rename(dl.payload)) as LedgerEvent;
      const object = event.data.object as Record<string, any>;
      const original = JSON.parse(dl.payload).data.object as Record<string, any>;
      const expanded = (found: Record<string, unknown> | undefined) =>
        found && JSON.parse(rename(JSON.stringify(found)));
      const intent = original.object === "invoice" ? t.invoiceIntents.get(original.id) : undefined;
      if (intent) {
        object.payments = {
          object: "list",
          data: [
            {
              object: "invoice_payment",
              status: "paid",
              payment: { type: "payment_intent", payment_intent: expanded(t.intents.get(intent)) },
            },
          ],
          has_more: false,
        };
      }
      if (original.object === "checkout.session" && t.intents.has(original.payment_intent))
        object.payment_intent = expanded(t.intents.get(original.payment_intent));
      if (original.object === "refund")
        for (const field of ["balance_transaction", "failure_balance_transaction"])
          if (t.balances.has(original[field])) object[field] = expanded(t.balances.get(original[field]));
      events.push(event);
    }
  }
  return { events, pledges };
}

async function seedPledges(pledges: Record<string, unknown>[]) {
  await clearLedger();
  // The roll-ups are derived from the ledger: start them from empty with it.
  for (const t of Object.keys(await rollups())) await env.DB.prepare(`DELETE FROM ${t}`).run();
  const columns = Object.keys(pledges[0] as object);
  const sql = `INSERT INTO pledges (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`;
  for (let i = 0; i < pledges.length; i += 50) {
    await env.DB.batch(
      pledges.slice(i, i + 50).map((p) => env.DB.prepare(sql).bind(...columns.map((c) => p[c] ?? null))),
    );
  }
}

async function sign(payload: string, t: number) {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(SECRET),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`${t}.${payload}`)));
  return `t=${t},v1=${[...mac].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/**
 * One delivery over HTTP, signed now, as Stripe would send it (pretty-printed JSON): stored in the
 * inbox, answered, then applied after the answer (`deliver` waits for that), concurrently with the
 * other deliveries of the pool, its duplicates among them.
 */
async function deliverSigned(event: LedgerEvent) {
  const payload = JSON.stringify(event, null, 2);
  const signature = await sign(payload, Math.floor(Date.now() / 1000));
  const response = await deliver({ event_id: event.id, type: event.type, payload, signature });
  expect(response.status, event.id).toBe(200);
}

/** Runs `work` over `items` with at most `width` in flight. */
async function pool<T>(items: T[], width: number, work: (item: T, index: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        await work(items[i] as T, i);
      }
    }),
  );
}

const tableCounts = async () =>
  Object.fromEntries(
    await Promise.all(
      ["pledges", "payments", "refunds", "disputes", "balance_transactions", "stripe_events"].map(async (t) => [
        t,
        (await env.DB.prepare(`SELECT count(*) AS n FROM ${t}`).first<{ n: number }>())?.n,
      ]),
    ),
  );

/** Every derived table the ledger's triggers keep (the staff view's daily roll-ups), row by row. */
async function rollups() {
  const tables = (
    await env.DB.prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'admin_daily_%' ORDER BY name",
    ).all<{
      name: string;
    }>()
  ).results.map((t) => t.name);
  const out: Record<string, unknown[]> = {};
  for (const t of tables) {
    const key = t === "admin_daily_first_payments" ? "1, 2, 3, 4, 5, 6, 7" : "1, 2, 3, 4, 5";
    out[t] = (await env.DB.prepare(`SELECT * FROM ${t} ORDER BY ${key}`).all()).results;
  }
  return out;
}

describe("proof: webhooks at least once, in any order", () => {
  it(`${UNIQUE + DUPLICATES} deliveries with ${DUPLICATES} duplicates, shuffled, equal one clean in-order pass`, async () => {
    const started = Date.now();
    const templates = await recordTemplates();
    expect(templates.deliveries.length).toBeGreaterThan(50);
    const { events, pledges } = generate(templates);
    expect(new Set(events.map((e) => e.id)).size).toBe(UNIQUE);

    // The reference: each distinct event once, in the order Stripe emitted it.
    await seedPledges(pledges);
    for (const event of events) expect(await processEvent(env, event)).toBe("applied");
    const cleanMs = Date.now() - started;
    const clean = await ledgerSnapshot();
    const cleanSummary = await summary();
    const cleanCounts = await tableCounts();
    const cleanRollups = await rollups();
    expect(Object.values(cleanRollups).every((rows) => rows.length > 0)).toBe(true);

    // The story is not trivial: money arrived, was refunded and disputed, subscriptions lapsed and ended.
    expect(clean.payments.length).toBeGreaterThan(500);
    expect(clean.refunds.length).toBeGreaterThan(100);
    expect(clean.disputes.length).toBeGreaterThan(100);
    const statuses = new Set(clean.pledges.map((p) => p.status));
    for (const s of ["paid", "canceled", "expired", "active", "past_due"]) expect(statuses).toContain(s);

    // The stress: 30% duplicates, shuffled, 4 in flight at a time, some over signed HTTP.
    const random = seededRandom(SEED);
    const duplicates = Array.from({ length: DUPLICATES }, () => events[Math.floor(random() * UNIQUE)] as LedgerEvent);
    const deliveries = shuffle([...events, ...duplicates], random);
    expect(deliveries).toHaveLength(10_000);
    await seedPledges(pledges);
    const outcomes = { applied: 0, duplicate: 0, http: 0 };
    await pool(deliveries, WIDTH, async (event, i) => {
      if (i % 25 === 0) {
        await deliverSigned(event);
        outcomes.http++;
      } else outcomes[await processEvent(env, event)]++;
    });
    expect(outcomes.http).toBe(400);

    expect(await ledgerSnapshot()).toEqual(clean);
    expect(await summary()).toEqual(cleanSummary);
    expect(await tableCounts()).toEqual(cleanCounts);
    expect(await rollups()).toEqual(cleanRollups);
    expect(cleanCounts.stripe_events).toBe(UNIQUE);
    // Every event that came over HTTP was applied and left the inbox.
    expect((await env.DB.prepare("SELECT count(*) AS n FROM stripe_inbox").first<{ n: number }>())?.n).toBe(0);
    console.log(
      `proof-webhooks: seed ${SEED.toString(16)}, ${deliveries.length} deliveries (${outcomes.http} over HTTP), ` +
        `${cleanCounts.payments} payments, ${Date.now() - started} ms (clean pass done at ${cleanMs} ms)`,
    );
  }, 120_000);
});
