import type { FunnelCount, PaidByPlacement, PaidCount } from "./queries";

/**
 * The ask's funnel: impressions → views → clicks → checkouts started → paid.
 * The first four come from the ask's counters (per placement, campaign and variant); "paid" is
 * the pledges whose first payment fell in the range, per campaign and variant, and per
 * placement for pledges whose widget reported where the reader met the ask.
 */

export const STAGES = ["impression", "view", "click", "checkout", "paid"] as const;
export type Stage = (typeof STAGES)[number];
export type Counts = Record<Stage, number>;

export const STAGE_LABELS: Record<Stage, string> = {
  impression: "Impressions",
  view: "Views",
  click: "Clicks",
  checkout: "Checkouts started",
  paid: "Paid",
};

const zero = (): Counts => ({ impression: 0, view: 0, click: 0, checkout: 0, paid: 0 });

export type Funnel = {
  placements: { placement: string; counts: Counts }[];
  campaigns: { campaign: string; variants: { variant: string; counts: Counts }[] }[];
};

/** Folds counter rows and paid rows into per-placement and per-campaign funnels, sorted by name. */
export function buildFunnel(events: FunnelCount[], paid: PaidCount[], paidByPlacement: PaidByPlacement[] = []): Funnel {
  const placements = new Map<string, Counts>();
  const campaigns = new Map<string, Map<string, Counts>>();
  const cell = (campaign: string, variant: string) => {
    const variants = campaigns.get(campaign) ?? new Map<string, Counts>();
    campaigns.set(campaign, variants);
    const counts = variants.get(variant) ?? zero();
    variants.set(variant, counts);
    return counts;
  };
  for (const e of events) {
    if (!(STAGES as readonly string[]).includes(e.type) || e.type === "paid") continue;
    const stage = e.type as Stage;
    const p = placements.get(e.placement) ?? zero();
    placements.set(e.placement, p);
    p[stage] += e.count;
    cell(e.campaign, e.variant)[stage] += e.count;
  }
  for (const r of paid) cell(r.campaign, r.variant).paid += r.paid;
  for (const r of paidByPlacement) {
    const p = placements.get(r.placement) ?? zero();
    placements.set(r.placement, p);
    p.paid += r.paid;
  }
  const byName = <T>(a: [string, T], b: [string, T]) => a[0].localeCompare(b[0]);
  return {
    placements: [...placements].sort(byName).map(([placement, counts]) => ({ placement, counts })),
    campaigns: [...campaigns].sort(byName).map(([campaign, variants]) => ({
      campaign,
      variants: [...variants].sort(byName).map(([variant, counts]) => ({ variant, counts })),
    })),
  };
}
