/**
 * Variants that allocate themselves: how much of the ask's traffic each copy variant gets, from
 * what each has earned per impression. Pure: the statistics come in, `random` is injected, and
 * the same inputs and random stream give the same weights.
 *
 * Revenue is in one currency only (the caller picks the settlement currency of the site's Stripe
 * balance transactions, see variants/store.ts), never a sum across currencies.
 */

/** What one variant did over the allocation's window. */
export type VariantStats = {
  id: string;
  /** Times the ask was rendered with this variant (the ask's `impression` counters). */
  impressions: number;
  /** Pledges that paid (each counted once, however many payments). */
  conversions: number;
  /** What those pledges paid, in minor units of the comparison currency. */
  revenue: number;
  /** The sum over those pledges of (what each paid)², for the variance of revenue per impression. */
  revenueSq: number;
};

export type AllocationMode = "fixed" | "epsilon_greedy" | "thompson";

export type AllocationInput = {
  mode: AllocationMode;
  /** The variants in the site's order, with their fixed weights. */
  variants: { id: string; weight: number }[];
  /** The variant that always keeps `controlShare` percent of readers. */
  control: string;
  controlShare: number;
  /** epsilon_greedy: percent of the bandit's share spread evenly among all variants. */
  epsilon: number;
  stats: VariantStats[];
};

/** Weights are per mille: they add up to exactly this. */
export const TOTAL = 1000;
/** Below this many impressions for some variant, every variant gets the same share (nothing is known yet). */
export const MIN_IMPRESSIONS = 200;
/** Monte Carlo draws for Thompson sampling and the chance of being best. */
export const DRAWS = 4000;

/** Revenue per impression (minor units), 0 with no impressions. */
export const perImpression = (s: VariantStats) => (s.impressions > 0 ? s.revenue / s.impressions : 0);

/**
 * The weights (per mille, in the variants' order) the ask should use now. `fixed` keeps the
 * configured weights as they are. The automatic modes share `100 − controlShare` percent by the
 * bandit, then add `controlShare` percent to the control variant, so the control never falls
 * below its share, whatever it earned.
 */
export function allocate(input: AllocationInput, random: () => number): Record<string, number> {
  const ids = input.variants.map((v) => v.id);
  if (input.mode === "fixed" || ids.length === 0)
    return Object.fromEntries(input.variants.map((v) => [v.id, v.weight]));
  const stats = ids.map((id) => input.stats.find((s) => s.id === id) ?? empty(id));
  const bandit =
    input.mode === "epsilon_greedy" ? epsilonGreedy(stats, input.epsilon / 100) : chanceOfBest(stats, random, DRAWS);
  const control = input.controlShare / 100;
  const weights = perMille(ids.map((id, i) => (1 - control) * (bandit[i] ?? 0) + (id === input.control ? control : 0)));
  return Object.fromEntries(ids.map((id, i) => [id, weights[i] ?? 0]));
}

const empty = (id: string): VariantStats => ({ id, impressions: 0, conversions: 0, revenue: 0, revenueSq: 0 });

/** Even shares while any variant has too few impressions; then ε spread evenly and 1 − ε to the leader. */
export function epsilonGreedy(stats: VariantStats[], epsilon: number): number[] {
  const k = stats.length;
  if (stats.some((s) => s.impressions < MIN_IMPRESSIONS)) return stats.map(() => 1 / k);
  let leader = 0;
  stats.forEach((s, i) => {
    if (perImpression(s) > perImpression(stats[leader] as VariantStats)) leader = i;
  });
  return stats.map((_, i) => epsilon / k + (i === leader ? 1 - epsilon : 0));
}

/**
 * Each variant's chance of having the highest revenue per impression (Thompson sampling: the
 * share of draws in which it is best). Per draw, revenue per impression = conversion rate × mean
 * gift: the rate from its Beta(1 + conversions, 1 + impressions − conversions) posterior, the
 * mean gift from a normal around the variant's mean gift with its standard error (or, with fewer
 * than two gifts, around the mean gift of all variants with a wide spread).
 */
export function chanceOfBest(stats: VariantStats[], random: () => number, draws: number): number[] {
  const allConversions = stats.reduce((n, s) => n + s.conversions, 0);
  const allRevenue = stats.reduce((n, s) => n + s.revenue, 0);
  const pooledMean = allConversions > 0 ? allRevenue / allConversions : 1;
  const gift = stats.map((s) => {
    if (s.conversions < 2) return { mean: pooledMean, se: pooledMean };
    const mean = s.revenue / s.conversions;
    const variance = Math.max(0, (s.revenueSq - s.conversions * mean * mean) / (s.conversions - 1));
    return { mean, se: Math.sqrt(variance / s.conversions) };
  });
  const wins = stats.map(() => 0);
  for (let d = 0; d < draws; d++) {
    let best = -1;
    let bestValue = Number.NEGATIVE_INFINITY;
    stats.forEach((s, i) => {
      const g = gift[i] as { mean: number; se: number };
      const rate = beta(1 + s.conversions, 1 + Math.max(0, s.impressions - s.conversions), random);
      const value = rate * Math.max(0, g.mean + g.se * normal(random));
      if (value > bestValue) {
        bestValue = value;
        best = i;
      }
    });
    wins[best] = (wins[best] ?? 0) + 1;
  }
  return wins.map((w) => w / draws);
}

/** Shares as whole per-mille weights adding up to exactly 1000 (largest remainders; no shares at all: even). */
export function perMille(shares: number[]): number[] {
  const sum = shares.reduce((a, b) => a + b, 0);
  if (!(sum > 0)) return perMille(shares.map(() => 1));
  const raw = shares.map((s) => (s / sum) * TOTAL);
  const out = raw.map(Math.floor);
  let left = TOTAL - out.reduce((a, b) => a + b, 0);
  const order = raw.map((r, i) => [r - Math.floor(r), i] as const).sort((a, b) => b[0] - a[0]);
  for (const [, i] of order) {
    if (left <= 0) break;
    out[i] = (out[i] ?? 0) + 1;
    left--;
  }
  return out;
}

/** A standard normal draw (Box–Muller). */
export function normal(random: () => number): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** A Gamma(shape, 1) draw (Marsaglia and Tsang; shape < 1 boosted). */
export function gamma(shape: number, random: () => number): number {
  if (shape < 1) return gamma(shape + 1, random) * (1 - random()) ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(random);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - random();
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** A Beta(a, b) draw. */
export function beta(a: number, b: number, random: () => number): number {
  const x = gamma(a, random);
  const y = gamma(b, random);
  return x / (x + y);
}

/**
 * Revenue per thousand impressions with a 95% interval: each impression is a draw worth what
 * its pledge paid, or 0; the interval is the mean ± 1.96 standard errors of that mean (normal
 * approximation), never below 0. Null without impressions.
 */
export function rpmInterval(s: VariantStats): { rpm: number; low: number; high: number } | null {
  if (s.impressions <= 0) return null;
  const n = s.impressions;
  const mean = s.revenue / n;
  const variance = Math.max(0, s.revenueSq / n - mean * mean);
  const se = Math.sqrt(variance / n);
  return { rpm: mean * 1000, low: Math.max(0, mean - 1.96 * se) * 1000, high: (mean + 1.96 * se) * 1000 };
}

/** A seeded random stream (mulberry32), for reproducible draws: tests and the dashboard's chance of being best. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
