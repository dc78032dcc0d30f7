import { describe, expect, it } from "vitest";
import { sites } from "../sites.config";
import { beforeUpdate, effectsOf, type LedgerEvent, recurringChangeOf, termsKey } from "./ledger";
import { type MovementRow, monthsBetween, summarizeMovements } from "./recurring";
import { addMonths, nextPaymentAt, pauseEnd, switchedAmount } from "./self-service";
import { parseSites } from "./site-config";
import { reducedAmount, roundSuggestion } from "./upsell";

const T = Date.UTC(2031, 2, 10, 12) / 1000;

/** A subscription object as Stripe sends it, with the fields the ledger reads. */
function sub(overrides: Record<string, unknown> = {}, items: [number, "month" | "year"][] = [[1000, "month"]]) {
  return {
    id: "sub_1",
    object: "subscription",
    status: "active",
    currency: "usd",
    customer: "cus_1",
    metadata: { pledge_id: "pl_1", site: "demo", frequency: "monthly" },
    cancel_at_period_end: false,
    cancel_at: null,
    pause_collection: null,
    cancellation_details: { comment: null, feedback: null, reason: null },
    items: {
      object: "list",
      data: items.map(([amount, interval], i) => ({
        id: `si_${i}`,
        quantity: 1,
        current_period_end: T + 30 * 86_400,
        price: { unit_amount: amount, recurring: { interval, interval_count: 1 } },
      })),
    },
    ...overrides,
  };
}
const event = (
  type: string,
  object: Record<string, unknown>,
  previous?: Record<string, unknown>,
  id = "evt_1",
  created = T,
): LedgerEvent & { data: { previous_attributes?: Record<string, unknown> } } => ({
  id,
  type,
  created,
  data: { object, ...(previous ? { previous_attributes: previous } : {}) },
});
const items = (s: ReturnType<typeof sub>) => ({ items: s.items });

describe("what a subscription event changed", () => {
  it("a start is new recurring revenue; a subscription that is not paid for yet is not", () => {
    expect(recurringChangeOf(event("customer.subscription.created", sub()), "pl_1")).toMatchObject({
      change: "started",
      movement: "new",
      monthlyDelta: 1000,
      annualDelta: 0,
      toAmount: 1000,
      toFrequency: "monthly",
      month: "2031-03",
    });
    expect(recurringChangeOf(event("customer.subscription.created", sub({ status: "incomplete" })), "pl_1")).toBeNull();
    expect(
      recurringChangeOf(event("customer.subscription.updated", sub(), { status: "incomplete" }), "pl_1"),
    ).toMatchObject({ change: "started", movement: "new", monthlyDelta: 1000 });
  });

  it("a higher amount is expansion, a lower one contraction, annual for less than twelve months too", () => {
    const old = sub();
    const up = recurringChangeOf(
      event("customer.subscription.updated", sub({}, [[1500, "month"]]), items(old)),
      "pl_1",
    );
    expect(up).toMatchObject({
      change: "amount",
      movement: "expansion",
      monthlyDelta: 500,
      fromAmount: 1000,
      toAmount: 1500,
    });
    const down = recurringChangeOf(
      event("customer.subscription.updated", sub({}, [[700, "month"]]), items(old)),
      "pl_1",
    );
    expect(down).toMatchObject({ change: "amount", movement: "contraction", monthlyDelta: -300 });
    const annual = recurringChangeOf(
      event("customer.subscription.updated", sub({ status: "trialing" }, [[9600, "year"]]), {
        ...items(old),
        status: "active",
      }),
      "pl_1",
    );
    expect(annual).toMatchObject({
      change: "frequency",
      movement: "contraction",
      monthlyDelta: -1000,
      annualDelta: 9600,
      fromFrequency: "monthly",
      toFrequency: "annual",
    });
    const same = recurringChangeOf(
      event("customer.subscription.updated", sub({}, [[12000, "year"]]), items(old)),
      "pl_1",
    );
    expect(same).toMatchObject({ change: "frequency", movement: null, monthlyDelta: -1000, annualDelta: 12000 });
  });

  it("pauses and resumptions move the whole amount; a renewal or a retry moves nothing", () => {
    const pause = { behavior: "void", resumes_at: T + 40 * 86_400 };
    expect(
      recurringChangeOf(
        event("customer.subscription.updated", sub({ pause_collection: pause }), { pause_collection: null }),
        "pl_1",
      ),
    ).toMatchObject({ change: "paused", movement: "paused", monthlyDelta: -1000 });
    expect(
      recurringChangeOf(event("customer.subscription.updated", sub(), { pause_collection: pause }), "pl_1"),
    ).toMatchObject({ change: "resumed", movement: "resumed", monthlyDelta: 1000 });
    const renewed = sub();
    expect(
      recurringChangeOf(
        event("customer.subscription.updated", renewed, { ...items(renewed), latest_invoice: "in_0" }),
        "pl_1",
      ),
    ).toBeNull();
    expect(
      recurringChangeOf(
        event("customer.subscription.updated", sub({ status: "past_due" }), { status: "active" }),
        "pl_1",
      ),
    ).toBeNull();
  });

  it("a cancellation asked for moves nothing yet and keeps its reason and the offer's outcome; the end is churn", () => {
    const asked = sub({
      cancel_at_period_end: true,
      cancel_at: T + 30 * 86_400,
      cancellation_details: { comment: "Tight", feedback: "too_expensive", reason: "cancellation_requested" },
      metadata: { pledge_id: "pl_1", rs_save_offer: "declined:1" },
    });
    const previous = {
      cancel_at_period_end: false,
      cancel_at: null,
      cancellation_details: { comment: null, feedback: null, reason: null },
      metadata: { rs_save_offer: null },
    };
    expect(recurringChangeOf(event("customer.subscription.updated", asked, previous), "pl_1")).toMatchObject({
      change: "cancel_requested",
      movement: null,
      monthlyDelta: 0,
      reason: "too_expensive",
      comment: "Tight",
      saveOffer: "declined",
    });
    const ended = recurringChangeOf(event("customer.subscription.deleted", { ...asked, status: "canceled" }), "pl_1");
    expect(ended).toMatchObject({
      change: "ended",
      movement: "churned",
      monthlyDelta: -1000,
      fromAmount: 1000,
      toAmount: null,
      saveOffer: null,
      at: T * 1000 + 999,
    });
    // A paused supporter who ends is churn of nothing more: the pause already took the revenue.
    const pausedEnd = recurringChangeOf(
      event("customer.subscription.deleted", sub({ status: "canceled", pause_collection: { behavior: "void" } })),
      "pl_1",
    );
    expect(pausedEnd).toMatchObject({ movement: "churned", monthlyDelta: 0 });
    expect(
      recurringChangeOf(
        event("customer.subscription.updated", sub(), { cancel_at_period_end: true, cancel_at: T }),
        "pl_1",
      ),
    ).toMatchObject({ change: "cancel_withdrawn", movement: null });
  });

  it("reads previous_attributes as Stripe writes them: nested objects by changed key, lists whole", () => {
    const now = sub({ metadata: { pledge_id: "pl_1", a: "2" } });
    const before = beforeUpdate(now, { metadata: { a: null, b: "1" }, items: { data: [] } });
    expect(before.metadata).toEqual({ pledge_id: "pl_1", a: null, b: "1" });
    expect((before.items as { data: unknown[] }).data).toEqual([]);
  });

  it("orders same-second changes by /manage's revision, and only within that second", () => {
    const e = event("customer.subscription.updated", sub());
    expect(termsKey(e, { rs_rev: String(T * 1000 + 250) })).toBe(T * 1000 + 250);
    expect(termsKey(e, { rs_rev: String(T * 1000 - 5) })).toBe(T * 1000);
    expect(termsKey(e, { rs_rev: String(T * 1000 + 5000) })).toBe(T * 1000);
    expect(termsKey(e, { rs_rev: "soon" })).toBe(T * 1000);
  });

  it("gives the pledge the subscription's terms, and its change, for every subscription event", () => {
    const effects = effectsOf(
      event(
        "customer.subscription.updated",
        sub({ metadata: { pledge_id: "pl_1", fee_amount: "61", frequency: "monthly" } }, [
          [1000, "month"],
          [61, "month"],
        ]),
        { pause_collection: { behavior: "void", resumes_at: T } },
      ),
    );
    expect(effects.find((e) => e.kind === "terms")).toEqual({
      kind: "terms",
      pledgeId: "pl_1",
      key: T * 1000,
      total: 1061,
      feeAmount: 61,
      frequency: "monthly",
      paused: false,
      resumesAt: null,
      cancelAt: null,
    });
    expect(effects.find((e) => e.kind === "change")).toMatchObject({ change: "resumed", monthlyDelta: 1061 });
  });
});

describe("recurring revenue per month", () => {
  const rows: MovementRow[] = [
    { currency: "USD", month: "2031-01", movement: "new", monthly: 3000, annual: 12000, n: 4 },
    { currency: "USD", month: "2031-02", movement: "new", monthly: 1000, annual: 0, n: 1 },
    { currency: "USD", month: "2031-02", movement: "churned", monthly: -1000, annual: -12000, n: 2 },
    { currency: "USD", month: "2031-02", movement: "contraction", monthly: -500, annual: 0, n: 1 },
    { currency: "USD", month: "2031-03", movement: "paused", monthly: -1000, annual: 0, n: 1 },
    { currency: "EUR", month: "2031-03", movement: "new", monthly: 500, annual: 0, n: 1 },
    { currency: "USD", month: "2031-05", movement: "new", monthly: 999, annual: 0, n: 1 },
  ];

  it("opens each month with everything before it, and says the churn rates", () => {
    const [eur, usd] = summarizeMovements(rows, "2031-02", "2031-04");
    expect(eur?.months.map((m) => [m.month, m.opening, m.new, m.closing])).toEqual([
      ["2031-02", 0, 0, 0],
      ["2031-03", 0, 500, 500],
      ["2031-04", 500, 0, 500],
    ]);
    expect(usd?.months[0]).toEqual({
      month: "2031-02",
      opening: 4000,
      closing: 2500,
      new: 1000,
      expansion: 0,
      contraction: -500,
      paused: 0,
      resumed: 0,
      churned: -2000,
      supportersAtStart: 4,
      started: 1,
      ended: 2,
      churnRateBps: 5000,
      revenueChurnRateBps: 5000,
    });
    expect(usd?.months[1]).toMatchObject({
      month: "2031-03",
      opening: 2500,
      paused: -1000,
      closing: 1500,
      supportersAtStart: 3,
    });
    // A month after the last one asked for is not counted.
    expect(usd?.months[2]).toMatchObject({ month: "2031-04", opening: 1500, closing: 1500 });
  });

  it("lists months across a year's end", () => {
    expect(monthsBetween("2030-11", "2031-02")).toEqual(["2030-11", "2030-12", "2031-01", "2031-02"]);
    expect(monthsBetween("2031-02", "2031-01")).toEqual([]);
  });
});

describe("self-service rules", () => {
  const [demo] = parseSites(sites);
  if (!demo) throw new Error("demo site missing");

  it("a pause skips that many monthly payments, and says when the next one falls", () => {
    const periodEnd = Date.UTC(2031, 0, 31, 9);
    const monthly = { periodEnd, frequency: "monthly" as const };
    expect(new Date(pauseEnd(periodEnd, 1)).toISOString()).toBe("2031-02-01T09:00:00.000Z");
    const next = (months: number) =>
      nextPaymentAt({ ...monthly, paused: true, resumesAt: pauseEnd(periodEnd, months), cancelAt: null });
    expect([1, 2, 3].map((m) => new Date(next(m) ?? 0).toISOString().slice(0, 10))).toEqual([
      "2031-02-28",
      "2031-03-31",
      "2031-04-30",
    ]);
    // Paused with no end: no next payment to name; ending first: none either.
    expect(nextPaymentAt({ ...monthly, paused: true, resumesAt: null, cancelAt: null })).toBeNull();
    expect(nextPaymentAt({ ...monthly, paused: false, resumesAt: null, cancelAt: periodEnd })).toBeNull();
  });

  it("adds months the way billing does, clamped to the month's end", () => {
    expect(new Date(addMonths(Date.UTC(2031, 0, 31), 1)).toISOString().slice(0, 10)).toBe("2031-02-28");
    expect(new Date(addMonths(Date.UTC(2032, 0, 31), 1)).toISOString().slice(0, 10)).toBe("2032-02-29");
  });

  it("suggests amounts: the same money when switching, a rounded share when offering less", () => {
    expect(switchedAmount(demo, "USD", 700, "annual")).toBe(8400);
    expect(switchedAmount(demo, "USD", 10000, "monthly")).toBe(800);
    expect(switchedAmount(demo, "JPY", 1000, "annual")).toBe(12000);
    expect(reducedAmount(2000, 50, 100, 1_000_000)).toBe(1000);
    expect(reducedAmount(100, 50, 100, 1_000_000)).toBeNull();
    expect(roundSuggestion(149, 100, 1000)).toBe(100);
    expect(roundSuggestion(150, 100, 1000)).toBe(200);
  });
});
