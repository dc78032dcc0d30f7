import { chanceOfBest, DRAWS, rpmInterval, seededRandom, type VariantStats } from "../core/allocation";
import type { SiteConfig } from "../core/site-config";

/**
 * The variants' figures over a window, in one currency. Revenue is what Stripe's balance
 * transactions say reached the balance (in the settlement currency, converted by Stripe when a
 * reader paid in another), so gifts in dollars, euros and yen are compared in the money the
 * newsroom actually receives, at Stripe's own rates, and never added up as raw numbers. An
 * account that settles in several currencies is compared in the one holding most payments; the
 * others are left out and counted. Pure.
 */
export type VariantFigures = {
  /** The comparison currency, or null when nothing has been paid yet. */
  currency: string | null;
  variants: (VariantStats & {
    rpm: { rpm: number; low: number; high: number } | null;
    /** The chance it has the highest revenue per impression (0–1). */
    chanceOfBest: number;
  })[];
  /** Pledges whose money settled in another currency, and payments not settled yet: not in the figures. */
  leftOut: { otherCurrencies: number; unsettled: number };
  /** The variant with the highest revenue per thousand impressions, and whether it leads clearly (≥ 95% chance). */
  leader: { id: string; clear: boolean } | null;
};

export function variantFigures(
  site: SiteConfig,
  impressions: { variant: string; impressions: number }[],
  settled: { currency: string; variant: string; pledgeId: string; amount: number }[],
  unsettled: number,
  seed: number,
): VariantFigures {
  const byCurrency = new Map<string, number>();
  for (const r of settled) byCurrency.set(r.currency, (byCurrency.get(r.currency) ?? 0) + 1);
  const currency = [...byCurrency].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? null;
  const ids = site.variants.map((v) => v.id);
  const stats: VariantStats[] = ids.map((id) => ({
    id,
    impressions: impressions.filter((i) => i.variant === id).reduce((n, i) => n + Number(i.impressions), 0),
    conversions: 0,
    revenue: 0,
    revenueSq: 0,
  }));
  let otherCurrencies = 0;
  for (const r of settled) {
    if (r.currency !== currency) {
      otherCurrencies++;
      continue;
    }
    const s = stats.find((v) => v.id === r.variant);
    if (!s) continue;
    s.conversions++;
    s.revenue += r.amount;
    s.revenueSq += r.amount * r.amount;
  }
  const chances = stats.length > 1 ? chanceOfBest(stats, seededRandom(seed), DRAWS) : stats.map(() => 1);
  const variants = stats.map((s, i) => ({ ...s, rpm: rpmInterval(s), chanceOfBest: chances[i] ?? 0 }));
  const ranked = variants.filter((v) => v.rpm).sort((a, b) => (b.rpm?.rpm ?? 0) - (a.rpm?.rpm ?? 0));
  const top = ranked[0];
  return {
    currency,
    variants,
    leftOut: { otherCurrencies, unsettled },
    leader: top && top.revenue > 0 ? { id: top.id, clear: top.chanceOfBest >= 0.95 } : null,
  };
}
