import { env } from "cloudflare:workers";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import type { CurrencySummary } from "../../worker/core/summary";
import { database } from "../../worker/platform/db";
import { staffSummary } from "../../worker/staff/queries";
import {
  ADMIN,
  call,
  clearLedgerAndRollups,
  control,
  type Delivery,
  deliver,
  drain,
  restorePendingPledges,
  shuffle,
  startCheckout,
  stripeApi,
  summary,
} from "./helpers";
import { moneySummary } from "./ledger-oracle";

/**
 * Proof: Stripe's documented money stories — refunds that are pending, fail or are canceled;
 * inquiries, chargebacks, prevented disputes, appeals; trials and 100% coupons; balance
 * transactions Stripe settles late — each played through the emulator once and then delivered to
 * the worker in order, reversed, shuffled and duplicated. Every delivery order must end in the
 * same exact staff figures per currency (gross, refunds, disputes, Stripe's fees, dispute fees,
 * net as Stripe pays it out), and the roll-ups must equal the ledger computed directly.
 *
 * Fees are the emulator's (tools/stripe-emulator/objects.ts): cards 2.9% + 30 (no fixed part in
 * yen), SEPA Direct Debit 0.8% (at most 500), a dispute fee of 1500 kept even when won.
 */

type Figures = Pick<
  CurrencySummary,
  "gross" | "refunded" | "disputed" | "disputedOpen" | "stripeFees" | "disputeFees" | "feesPending" | "net" | "payments"
>;
type Story = {
  name: string;
  /** Plays the story through the worker (pledges) and the emulator; returns its deliveries. */
  play: () => Promise<Delivery[]>;
  /** The staff figures it must end in, per currency. */
  figures: Record<string, Figures>;
  /** Pledge statuses it must end in (checked by amount, as every story has one pledge). */
  status?: string;
};

const card = (amount: number, yen = false) => Math.round(amount * 0.029) + (yen ? 0 : 30);
const DISPUTE_FEE = 1500;
const zero = { refunded: 0, disputed: 0, disputedOpen: 0, disputeFees: 0, feesPending: 0 };
/** Each story's own figures, with net computed the one way the staff view does. */
const figures = (f: Omit<Figures, "net" | keyof typeof zero> & Partial<typeof zero>): Figures => {
  const all = { ...zero, ...f };
  return {
    ...all,
    net: all.gross - all.refunded - all.disputed - all.disputedOpen - all.stripeFees - all.disputeFees,
  };
};

/** One minute passes on the emulator's clock: a dispute's stages happen on different days in life. */
const later = () => control("/_test/clock/advance", { seconds: 60 });

async function paidOnce(amount: number, currency: string) {
  const { sessionId } = await startCheckout({ frequency: "once", amount, currency });
  return control(`/_test/checkout/sessions/${sessionId}/complete`, { outcome: "succeeded" });
}

/** A disputed payment moved through the given statuses, a minute apart. */
async function disputed(amount: number, currency: string, start: string, moves: string[]) {
  const done = await paidOnce(amount, currency);
  await later();
  const { dispute } = await control(`/_test/payment_intents/${done.payment_intent}/dispute`, { outcome: start });
  for (const to of moves) {
    await later();
    await control(`/_test/disputes/${dispute}/advance`, { to });
  }
  return drain();
}

/**
 * A monthly pledge started through the worker, paid through a Checkout Session the newsroom made
 * in Stripe itself (the worker's own checkout offers no trials or coupons), then renewed once.
 */
async function monthlyFromStripe(currency: string, amount: number, extra: Record<string, unknown>) {
  const { pledgeId } = await startCheckout({ frequency: "monthly", amount, currency });
  const session = await stripeApi("POST", "/v1/checkout/sessions", {
    mode: "subscription",
    success_url: "https://courier.example.org/thanks",
    line_items: [
      {
        price_data: {
          currency,
          unit_amount: amount,
          recurring: { interval: "month" },
          product_data: { name: "Support" },
        },
        quantity: 1,
      },
    ],
    metadata: { pledge_id: pledgeId },
    ...extra,
    subscription_data: { metadata: { pledge_id: pledgeId }, ...((extra.subscription_data as object) ?? {}) },
  });
  const done = await control(`/_test/checkout/sessions/${session.id}/complete`, { outcome: "succeeded" });
  await later();
  await control(`/_test/subscriptions/${done.subscription}/renew`);
  return drain();
}

const STORIES: Story[] = [
  {
    name: "a bank debit refunded in four parts: one succeeds, one fails, one is canceled, one is still pending",
    async play() {
      const { sessionId } = await startCheckout({ frequency: "once", amount: 6000, currency: "EUR" });
      await control(`/_test/checkout/sessions/${sessionId}/complete`, { outcome: "delayed" });
      const settled = await control(`/_test/checkout/sessions/${sessionId}/settle`, { outcome: "succeeded" });
      const refunds: string[] = [];
      for (let i = 0; i < 4; i++)
        refunds.push(
          (await control(`/_test/payment_intents/${settled.payment_intent}/refund`, { amount: 1000 })).refund,
        );
      await later();
      await control(`/_test/refunds/${refunds[0]}/settle`, { outcome: "succeeded" });
      await control(`/_test/refunds/${refunds[1]}/settle`, { outcome: "failed" });
      await control(`/_test/refunds/${refunds[2]}/settle`, { outcome: "canceled" });
      return drain();
    },
    // SEPA: 0.8% of 6000 = 48. Counted refunds: the succeeded one and the pending one.
    figures: { EUR: figures({ gross: 6000, refunded: 2000, stripeFees: 48, payments: 1 }) },
    status: "paid",
  },
  {
    name: "a card refund that fails after it succeeded, and a smaller refund that stands",
    async play() {
      const done = await paidOnce(5000, "USD");
      const { refund } = await control(`/_test/payment_intents/${done.payment_intent}/refund`, {});
      await later();
      await control(`/_test/refunds/${refund}/settle`, { outcome: "failed" });
      await later();
      await control(`/_test/payment_intents/${done.payment_intent}/refund`, { amount: 1000 });
      return drain();
    },
    figures: { USD: figures({ gross: 5000, refunded: 1000, stripeFees: card(5000), payments: 1 }) },
  },
  {
    name: "an inquiry answered and closed: no money lost, no fee",
    play: () => disputed(2500, "GBP", "inquiry", ["warning_under_review", "warning_closed"]),
    figures: { GBP: figures({ gross: 2500, stripeFees: card(2500), payments: 1 }) },
  },
  {
    name: "an inquiry escalated to a chargeback, then lost",
    play: () => disputed(3000, "USD", "inquiry", ["needs_response", "under_review", "lost"]),
    figures: {
      USD: figures({ gross: 3000, disputed: 3000, stripeFees: card(3000), disputeFees: DISPUTE_FEE, payments: 1 }),
    },
  },
  {
    name: "a dispute prevented before it became a chargeback",
    play: () => disputed(5000, "JPY", "prevented", []),
    figures: { JPY: figures({ gross: 5000, stripeFees: card(5000, true), payments: 1 }) },
  },
  {
    name: "a chargeback lost, appealed and won on appeal: the money comes back, the fee does not",
    play: () => disputed(4000, "EUR", "open", ["lost", "appeal_needs_response", "appeal_under_review", "won"]),
    figures: { EUR: figures({ gross: 4000, stripeFees: card(4000), disputeFees: DISPUTE_FEE, payments: 1 }) },
  },
  {
    name: "a chargeback lost, appealed and lost again",
    play: () => disputed(2000, "USD", "open", ["under_review", "lost", "appeal_needs_response", "lost"]),
    figures: {
      USD: figures({ gross: 2000, disputed: 2000, stripeFees: card(2000), disputeFees: DISPUTE_FEE, payments: 1 }),
    },
  },
  {
    name: "a chargeback still under review: the money is withdrawn until it is decided",
    play: () => disputed(4000, "GBP", "open", ["under_review"]),
    figures: {
      GBP: figures({ gross: 4000, disputedOpen: 4000, stripeFees: card(4000), disputeFees: DISPUTE_FEE, payments: 1 }),
    },
  },
  {
    name: "a monthly gift with a 14-day trial: a zero invoice, then the first renewal pays",
    play: () => monthlyFromStripe("EUR", 1000, { subscription_data: { trial_period_days: 14 } }),
    figures: { EUR: figures({ gross: 1000, stripeFees: card(1000), payments: 1 }) },
    status: "active",
  },
  {
    name: "a 100% coupon for the first month: a zero invoice, then full price",
    async play() {
      const coupon = await stripeApi("POST", "/v1/coupons", { percent_off: 100, duration: "once" });
      return monthlyFromStripe("USD", 1500, { discounts: [{ coupon: coupon.id }] });
    },
    figures: { USD: figures({ gross: 1500, stripeFees: card(1500), payments: 1 }) },
    status: "active",
  },
  {
    name: "a payment whose balance transaction Stripe settles later (charge.updated)",
    async play() {
      const { sessionId } = await startCheckout({ frequency: "once", amount: 2000, currency: "USD" });
      const done = await control(`/_test/checkout/sessions/${sessionId}/complete`, {
        outcome: "succeeded",
        balance_transaction: "later",
      });
      await later();
      await control(`/_test/charges/${done.charge}/balance_transaction`);
      return drain();
    },
    figures: { USD: figures({ gross: 2000, stripeFees: card(2000), payments: 1 }) },
    status: "paid",
  },
];

const db = env.DB;

/** The staff summary's figures per currency, and a check that the roll-ups equal the ledger itself. */
async function staffFigures(): Promise<Record<string, Figures>> {
  const { currencies } = await summary();
  expect(currencies).toEqual(await moneySummary(db, "demo", { from: 0, to: 8.64e15 }));
  expect((await staffSummary(database(db), "demo", { fromDay: "", toDay: "9999-12-31" })).currencies).toEqual(
    currencies,
  );
  return Object.fromEntries(
    currencies.map((c) => [
      c.currency,
      {
        gross: c.gross,
        refunded: c.refunded,
        disputed: c.disputed,
        disputedOpen: c.disputedOpen,
        stripeFees: c.stripeFees,
        disputeFees: c.disputeFees,
        feesPending: c.feesPending,
        net: c.net,
        payments: c.payments,
      },
    ]),
  );
}

/** The same deliveries in five orders: as emitted, reversed, two shuffles, and shuffled with each twice. */
const orders = (deliveries: Delivery[]): [string, Delivery[]][] => [
  ["in order", deliveries],
  ["reversed", [...deliveries].reverse()],
  ["shuffled (seed 7)", shuffle(deliveries, 7)],
  ["shuffled (seed 19)", shuffle(deliveries, 19)],
  ["duplicated and shuffled", shuffle([...deliveries, ...deliveries], 23)],
];

type Pledge = Record<string, unknown>;

/** Delivers one order on the ledger as it was before any webhook; every delivery is accepted. */
async function replay(pledges: Pledge[], deliveries: Delivery[]) {
  await clearLedgerAndRollups();
  await restorePendingPledges(pledges);
  for (const d of deliveries) expect((await deliver(d)).status, `${d.type} ${d.event_id}`).toBe(200);
}

beforeEach(async () => {
  await clearLedgerAndRollups();
  await drain();
});
afterAll(async () => {
  // Forget the stories and put the emulator's clock back for the files after this one.
  await control("/_test/reset");
});

describe("proof: every documented money story ends in the same exact figures, whatever the delivery order", () => {
  for (const story of STORIES) {
    it(story.name, async () => {
      const deliveries = await story.play();
      const pledges = (await db.prepare("SELECT * FROM pledges").all<Pledge>()).results;
      expect(pledges.every((p) => p.status === "pending")).toBe(true);
      for (const [order, list] of orders(deliveries)) {
        await replay(pledges, list);
        expect(await staffFigures(), order).toEqual(story.figures);
        if (story.status) {
          const statuses = (await db.prepare("SELECT status FROM pledges").all<{ status: string }>()).results;
          expect(
            statuses.map((s) => s.status),
            order,
          ).toEqual([story.status]);
        }
      }
    }, 60_000);
  }

  it("all the stories at once, shuffled with duplicates: each currency's figures are the sum of its own stories", async () => {
    const deliveries: Delivery[] = [];
    for (const story of STORIES) deliveries.push(...(await story.play()));
    const pledges = (await db.prepare("SELECT * FROM pledges").all<Pledge>()).results;
    expect(pledges).toHaveLength(STORIES.length);
    const expected: Record<string, Figures> = {};
    for (const story of STORIES)
      for (const [currency, f] of Object.entries(story.figures)) {
        const sum = expected[currency];
        expected[currency] = sum
          ? (Object.fromEntries(Object.entries(f).map(([k, v]) => [k, v + sum[k as keyof Figures]])) as Figures)
          : { ...f };
      }
    await replay(pledges, shuffle([...deliveries, ...deliveries.filter((_, i) => i % 3 === 0)], 99));
    expect(await staffFigures()).toEqual(expected);
    // Net as Stripe pays it out, per currency, is what the balance transactions of those payments
    // add up to (Stripe's own arithmetic): the status-based figures and Stripe's agree.
    const balances = (
      await db
        .prepare(
          `SELECT p.currency AS currency, sum(b.net) AS net FROM balance_transactions b
           JOIN payments p ON p.payment_intent_id = b.payment_intent_id AND p.currency = b.currency GROUP BY p.currency`,
        )
        .all<{ currency: string; net: number }>()
    ).results;
    expect(Object.fromEntries(balances.map((b) => [b.currency, b.net]))).toEqual(
      Object.fromEntries(Object.entries(expected).map(([currency, f]) => [currency, f.net])),
    );
  }, 120_000);

  it("a payment whose balance transaction is not known yet shows as pending, never as zero fees", async () => {
    const { sessionId } = await startCheckout({ frequency: "once", amount: 2000, currency: "USD" });
    const done = await control(`/_test/checkout/sessions/${sessionId}/complete`, {
      outcome: "succeeded",
      balance_transaction: "later",
    });
    for (const d of await drain()) expect((await deliver(d)).status).toBe(200);
    // The worker asked Stripe: the charge has no balance transaction yet.
    expect((await staffFigures()).USD).toMatchObject({ gross: 2000, stripeFees: 0, feesPending: 1, net: 2000 });
    const csv = await (await call("/admin/api/payments.csv?site=demo", { headers: ADMIN })).text();
    const [header, row] = csv.replace(/^\uFEFF/, "").split("\r\n");
    const cells = Object.fromEntries((header as string).split(",").map((h, i) => [h, (row as string).split(",")[i]]));
    expect(cells).toMatchObject({ amount: "20.00", stripe_fees: "", net: "", fee_status: "pending", settled_in: "" });
    // Stripe settles it: charge.updated brings the fee.
    await control(`/_test/charges/${done.charge}/balance_transaction`);
    const updates = await drain();
    expect(updates.map((d) => d.type)).toEqual(["charge.updated"]);
    for (const d of updates) expect((await deliver(d)).status).toBe(200);
    expect((await staffFigures()).USD).toEqual(figures({ gross: 2000, stripeFees: card(2000), payments: 1 }));
  });
});
