import { allocate } from "../core/allocation";
import type { SiteConfig } from "../core/site-config";
import { database } from "../platform/db";
import type { WorkerEnv } from "../platform/env";
import { allSites, settingsVersionOf } from "../platform/sites";
import { allocationOf, deleteAllocation, saveAllocation } from "../settings/store";
import { type VariantFigures, variantFigures } from "./stats";
import { impressionsByVariant, settledByPledge, unsettledPayments } from "./store";

const DAY = 86_400_000;

/** The variants' figures over the site's allocation window up to `now`. */
export async function figuresOf(env: WorkerEnv, site: SiteConfig, now: number): Promise<VariantFigures> {
  const db = database(env.DB);
  const since = now - site.allocation.windowDays * DAY;
  const [impressions, settled, unsettled] = await Promise.all([
    impressionsByVariant(db, site.id, new Date(since).toISOString().slice(0, 10)),
    settledByPledge(db, site.id, since, now),
    unsettledPayments(db, site.id, since, now),
  ]);
  return variantFigures(site, impressions, settled, unsettled, Math.floor(now / DAY));
}

/**
 * The Cron Trigger's allocation run (every 15 minutes): for each site that allocates its variants
 * automatically, the weights from the figures of its window, kept in D1 for every isolate (live
 * within half a minute). Sites back on fixed weights lose their stored allocation.
 */
export async function allocateVariants(env: WorkerEnv, now: number, random: () => number = Math.random) {
  const db = database(env.DB);
  const done: { site: string; weights: Record<string, number> }[] = [];
  for (const site of allSites()) {
    if (site.allocation.mode === "fixed" || site.variants.length < 2) {
      if (await allocationOf(db, site.id)) await deleteAllocation(db, site.id);
      continue;
    }
    const figures = await figuresOf(env, site, now);
    const weights = allocate(
      {
        mode: site.allocation.mode,
        variants: site.variants,
        control: site.allocation.control ?? (site.variants[0]?.id as string),
        controlShare: site.allocation.controlShare,
        epsilon: site.allocation.epsilon,
        stats: figures.variants,
      },
      random,
    );
    await saveAllocation(db, {
      site: site.id,
      computedAt: now,
      mode: site.allocation.mode,
      settingsVersion: settingsVersionOf(site.id),
      weights: JSON.stringify(weights),
      stats: JSON.stringify({
        currency: figures.currency,
        variants: figures.variants.map(({ id, impressions, conversions, revenue }) => ({
          id,
          impressions,
          conversions,
          revenue,
        })),
      }),
    });
    done.push({ site: site.id, weights });
  }
  return done;
}
