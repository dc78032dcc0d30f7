import { describe, expect, it } from "vitest";
import {
  allocate,
  chanceOfBest,
  epsilonGreedy,
  MIN_IMPRESSIONS,
  perMille,
  rpmInterval,
  seededRandom,
  type VariantStats,
} from "./allocation";

const stats = (id: string, impressions: number, gifts: number[]): VariantStats => ({
  id,
  impressions,
  conversions: gifts.length,
  revenue: gifts.reduce((a, b) => a + b, 0),
  revenueSq: gifts.reduce((a, b) => a + b * b, 0),
});

/** A Poisson-ish count of conversions: each of `n` impressions converts with `p`. */
function binomial(n: number, p: number, random: () => number): number {
  // Normal approximation is plenty for these sizes; never below 0.
  const mean = n * p;
  const sd = Math.sqrt(n * p * (1 - p));
  const u = 1 - random();
  const v = random();
  return Math.max(0, Math.round(mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)));
}

/**
 * A month of one site: 4,000 impressions a day shared by the current weights, re-allocated every
 * 6 hours (the worker does it every 15 minutes). The control converts 1% at $10, the challenger 2%
 * at $10, a third 0.8% at $12.
 */
function simulateMonth(mode: "epsilon_greedy" | "thompson", seed: number) {
  const random = seededRandom(seed);
  const truth: Record<string, { p: number; gift: number }> = {
    control: { p: 0.01, gift: 1000 },
    challenger: { p: 0.02, gift: 1000 },
    third: { p: 0.008, gift: 1200 },
  };
  const variants = Object.keys(truth).map((id) => ({ id, weight: 1 }));
  const totals = new Map(variants.map((v) => [v.id, stats(v.id, 0, [])]));
  const daily: Record<string, number>[] = [];
  let weights: Record<string, number> = { control: 334, challenger: 333, third: 333 };
  for (let step = 0; step < 30 * 4; step++) {
    const impressions = 1000;
    for (const v of variants) {
      const n = Math.round((impressions * (weights[v.id] ?? 0)) / 1000);
      const t = truth[v.id] as { p: number; gift: number };
      const k = binomial(n, t.p, random);
      const s = totals.get(v.id) as VariantStats;
      s.impressions += n;
      s.conversions += k;
      s.revenue += k * t.gift;
      s.revenueSq += k * t.gift * t.gift;
    }
    weights = allocate(
      { mode, variants, control: "control", controlShare: 20, epsilon: 10, stats: [...totals.values()] },
      random,
    );
    if (step % 4 === 3) daily.push(weights);
  }
  return daily;
}

describe("automatic allocation", () => {
  for (const mode of ["epsilon_greedy", "thompson"] as const)
    it(`${mode}: a clearly better variant gets most of the traffic within a month, and the control keeps its 20%`, () => {
      const days = simulateMonth(mode, 42);
      expect(days).toHaveLength(30);
      for (const w of days) {
        expect(Object.values(w).reduce((a, b) => a + b, 0)).toBe(1000);
        // The control's share never drops below the configured 20%, whatever it earns.
        expect(w.control).toBeGreaterThanOrEqual(200);
      }
      const last = days.at(-1) as Record<string, number>;
      // Most readers (outside the control's share, which it keeps) see the better variant by the month's end.
      expect(last.challenger).toBeGreaterThan(600);
      expect(last.challenger).toBeGreaterThan((last.control ?? 0) + (last.third ?? 0));
      // Already in the second week.
      expect((days[10] as Record<string, number>).challenger).toBeGreaterThan(500);
    });

  it("fixed keeps the configured weights", () => {
    const w = allocate(
      {
        mode: "fixed",
        variants: [
          { id: "a", weight: 30 },
          { id: "b", weight: 70 },
        ],
        control: "a",
        controlShare: 50,
        epsilon: 10,
        stats: [],
      },
      Math.random,
    );
    expect(w).toEqual({ a: 30, b: 70 });
  });

  it("epsilon-greedy explores evenly until every variant has enough impressions, then favours the leader", () => {
    const few = [stats("a", MIN_IMPRESSIONS - 1, [1000]), stats("b", 5000, [])];
    expect(epsilonGreedy(few, 0.1)).toEqual([0.5, 0.5]);
    const known = [stats("a", 5000, [1000, 1000]), stats("b", 5000, [1000, 1000, 1000, 1000])];
    const shares = epsilonGreedy(known, 0.1);
    expect(shares[0]).toBeCloseTo(0.05);
    expect(shares[1]).toBeCloseTo(0.95);
  });

  it("a 90% control share (the most allowed) holds even when the control earns nothing", () => {
    const w = allocate(
      {
        mode: "thompson",
        variants: [
          { id: "a", weight: 1 },
          { id: "b", weight: 1 },
        ],
        control: "a",
        controlShare: 90,
        epsilon: 10,
        stats: [stats("a", 10000, []), stats("b", 10000, Array(50).fill(1000))],
      },
      seededRandom(1),
    );
    expect(w.a).toBeGreaterThanOrEqual(900);
    expect((w.a ?? 0) + (w.b ?? 0)).toBe(1000);
  });

  it("Thompson's chance of being best is even with no data and certain with a lot", () => {
    const none = chanceOfBest([stats("a", 0, []), stats("b", 0, [])], seededRandom(7), 4000);
    expect(none[0]).toBeGreaterThan(0.4);
    expect(none[1]).toBeGreaterThan(0.4);
    const lots = chanceOfBest(
      [stats("a", 100000, Array(1000).fill(1000)), stats("b", 100000, Array(2000).fill(1000))],
      seededRandom(7),
      4000,
    );
    expect(lots[1]).toBeGreaterThan(0.99);
  });

  it("per mille weights always add up to exactly 1000", () => {
    expect(perMille([1 / 3, 1 / 3, 1 / 3])).toEqual([334, 333, 333]);
    expect(perMille([0, 0])).toEqual([500, 500]);
    expect(perMille([0.2, 0.05, 0.75]).reduce((a, b) => a + b, 0)).toBe(1000);
  });
});

describe("revenue per thousand impressions", () => {
  it("is revenue ÷ impressions × 1000 with a 95% interval that narrows with data and never goes below 0", () => {
    const small = rpmInterval(stats("a", 1000, [2500, 1000]));
    expect(small?.rpm).toBe(3500);
    expect(small?.low).toBe(0);
    expect(small?.high).toBeGreaterThan(small?.rpm ?? 0);
    const large = rpmInterval(stats("a", 100000, Array(200).fill(1750)));
    expect(large?.rpm).toBe(3500);
    expect((large?.high ?? 0) - (large?.low ?? 0)).toBeLessThan((small?.high ?? 0) - (small?.low ?? 0));
    expect(large?.low).toBeGreaterThan(2900);
    expect(rpmInterval(stats("a", 0, []))).toBeNull();
  });
});
