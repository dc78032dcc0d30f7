import type { SiteConfig } from "../core/site-config";
import { REMINDER_CAMPAIGN } from "../reminders/links";
import type { CounterRow } from "./store";

/** What a counter says instead of a campaign or variant name the site does not know. */
export const OTHER = "other";

/**
 * The names a site's counters keep: its configured variants, and the campaigns it lists, the
 * reminder emails' campaign and those a checkout has carried (`seenAtCheckout`). Any other name
 * a client sends is counted as `other`, so made-up names cannot grow the staff funnel.
 */
export type KnownNames = { campaigns: ReadonlySet<string>; variants: ReadonlySet<string> };

/** The campaigns a site knows without asking D1. */
export const configuredCampaigns = (site: SiteConfig): Set<string> => new Set([...site.campaigns, REMINDER_CAMPAIGN]);

export function knownNames(site: SiteConfig, seenAtCheckout: Iterable<string>): KnownNames {
  const campaigns = configuredCampaigns(site);
  for (const name of seenAtCheckout) campaigns.add(name);
  return { campaigns, variants: new Set(site.variants.map((v) => v.id)) };
}

/** Counter rows with unknown names folded into `other` (no name stays empty) and equal rows merged. Pure. */
export function foldNames(rows: CounterRow[], known: (site: string) => KnownNames): CounterRow[] {
  const merged = new Map<string, CounterRow>();
  for (const row of rows) {
    const names = known(row.site);
    const campaign = row.campaign === "" || names.campaigns.has(row.campaign) ? row.campaign : OTHER;
    const variant = row.variant === "" || names.variants.has(row.variant) ? row.variant : OTHER;
    const key = [row.day, row.site, row.placement, campaign, variant, row.type].join("|");
    const existing = merged.get(key);
    if (existing) existing.count += row.count;
    else merged.set(key, { ...row, campaign, variant });
  }
  return [...merged.values()];
}
