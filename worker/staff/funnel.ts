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

/** One row of the monthly upsell's funnel: a campaign and variant's offers, answers and paid pledges. */
export type UpsellRow = {
  campaign: string;
  variant: string;
  offered: number;
  accepted: number;
  declined: number;
  paid: number;
};

/**
 * The monthly upsell's funnels, offered → accepted → paid (and declined), per campaign and variant:
 * `ask` for the offer after Once and Continue, `thanks` for the thank-you's after a one-off gift.
 * Offers and answers are the ask's counters; "paid" counts the pledges each started whose first
 * payment arrived in the range. Sorted by campaign, then variant.
 */
export function buildUpsellFunnel(
  counts: { campaign: string; variant: string; type: string; count: number }[],
  paid: { source: "ask" | "thanks"; campaign: string; variant: string; paid: number }[],
): { ask: UpsellRow[]; thanks: UpsellRow[] } {
  const tables = { ask: new Map<string, UpsellRow>(), thanks: new Map<string, UpsellRow>() };
  const row = (source: "ask" | "thanks", campaign: string, variant: string) => {
    const key = `${campaign}\u0000${variant}`;
    const found = tables[source].get(key);
    if (found) return found;
    const fresh = { campaign, variant, offered: 0, accepted: 0, declined: 0, paid: 0 };
    tables[source].set(key, fresh);
    return fresh;
  };
  for (const c of counts) {
    const source = c.type.startsWith("thanks_") ? "thanks" : "ask";
    const stage = c.type.replace(/^(thanks_)?upsell_/, "");
    if (stage === "offered" || stage === "accepted" || stage === "declined")
      row(source, c.campaign, c.variant)[stage] += c.count;
  }
  for (const p of paid) row(p.source, p.campaign, p.variant).paid += p.paid;
  const sorted = (m: Map<string, UpsellRow>) =>
    [...m.values()].sort((a, b) => a.campaign.localeCompare(b.campaign) || a.variant.localeCompare(b.variant));
  return { ask: sorted(tables.ask), thanks: sorted(tables.thanks) };
}
