import type { MovementRow } from "../core/recurring";
import { monthsBetween, summarizeMovements } from "../core/recurring";
import type { Database } from "../platform/db";
import { buildUpsellFunnel } from "./funnel";
import { growthData } from "./queries";
import { type DayRange, dayBounds, msBounds } from "./range";

/**
 * The staff view's figures of recurring support growing and changing, for one site and range:
 * recurring revenue movements per currency and month (months overlapping the range; from the first
 * change, for all time), the changes supporters made in the range, cancellations by reason and the
 * save offer's outcomes, and the monthly upsell's funnels. JSON at /admin/api/dashboard (`growth`),
 * and the dashboard's sections of the same names.
 */
export async function growthView(db: Database, site: string, range: DayRange, now: number) {
  const thisMonth = new Date(now).toISOString().slice(0, 7);
  const lastMonth = range.to ? range.to.slice(0, 7) : "9999-12";
  const data = await growthData(db, site, dayBounds(range), msBounds(range), lastMonth);
  const months = growthMonths(range, thisMonth, data.firstMonth, data.movements);
  const reasons = new Map<string, { reason: string; requested: number; ended: number }>();
  for (const r of data.reasons) {
    const entry = reasons.get(r.reason) ?? { reason: r.reason, requested: 0, ended: 0 };
    if (r.change === "cancel_requested") entry.requested += r.n;
    else entry.ended += r.n;
    reasons.set(r.reason, entry);
  }
  const offer = (outcome: string) => data.saveOffers.find((o) => o.outcome === outcome)?.n ?? 0;
  const saveOffer = {
    declined: offer("declined"),
    acceptedReduce: offer("accepted_reduce"),
    acceptedPause: offer("accepted_pause"),
  };
  return {
    months: months ? { first: months.first, last: months.last } : null,
    movements: months ? summarizeMovements(data.movements, months.first, months.last) : [],
    changes: data.changes,
    cancellations: {
      byReason: [...reasons.values()].sort((a, b) => a.reason.localeCompare(b.reason)),
      saveOffer: { offered: saveOffer.declined + saveOffer.acceptedReduce + saveOffer.acceptedPause, ...saveOffer },
    },
    upsell: buildUpsellFunnel(data.upsellCounts, data.upsellPaid),
  };
}

export type GrowthView = Awaited<ReturnType<typeof growthView>>;

/**
 * The months the movements table shows: those of the range, or from the first change to this
 * month (or the last month with a change, if later) for all time; null when there is nothing.
 * At most 36 months, the latest ones.
 */
export function growthMonths(
  range: Pick<DayRange, "from" | "to">,
  thisMonth: string,
  firstMonth: string | null,
  rows: MovementRow[],
): { first: string; last: string } | null {
  const latest = [thisMonth, ...rows.map((r) => r.month)].sort().at(-1) as string;
  const last = range.to ? range.to.slice(0, 7) : latest;
  const first = range.from ? range.from.slice(0, 7) : firstMonth;
  if (!first || first > last) return null;
  const all = monthsBetween(first, last);
  return { first: all.length > 36 ? (all[all.length - 36] as string) : first, last };
}
