import { and, eq, exists, inArray, isNotNull, lt, or, sql } from "drizzle-orm";
import { type Database, excluded } from "../platform/db";
import { askEventCounts, pledges } from "../platform/schema";
import { OTHER } from "./names";

/** One aggregated counter: what the ask reported, and how many times. */
export type CounterRow = {
  day: string;
  site: string;
  placement: string;
  campaign: string;
  variant: string;
  type: string;
  count: number;
};

const target = [
  askEventCounts.site,
  askEventCounts.day,
  askEventCounts.placement,
  askEventCounts.campaign,
  askEventCounts.variant,
  askEventCounts.type,
];

/** Adds `row.count` to its counter, creating it. */
const upsert = (db: Database, row: CounterRow) =>
  db
    .insert(askEventCounts)
    .values(row)
    .onConflictDoUpdate({ target, set: { count: sql`${askEventCounts.count} + ${excluded(askEventCounts.count)}` } });

/**
 * Adds counts to the per-day counters. A site has at most `cap` counters a day (plus one
 * `other`/`other` counter per placement and type): a count whose counter exists is added to
 * it; a new counter is created only while the day has fewer than `cap`, checked inside the
 * same statement, so concurrent writers cannot pass the cap together. What does not fit is
 * added to that placement and type's `other`/`other` counter instead. Returns how many counts overflowed.
 */
export async function addCounts(db: Database, rows: CounterRow[], cap: number): Promise<number> {
  const [first, ...rest] = rows.map((row) => {
    const today = and(eq(askEventCounts.site, row.site), eq(askEventCounts.day, row.day));
    const same = and(
      today,
      eq(askEventCounts.placement, row.placement),
      eq(askEventCounts.campaign, row.campaign),
      eq(askEventCounts.variant, row.variant),
      eq(askEventCounts.type, row.type),
    );
    return db
      .insert(askEventCounts)
      .select(
        db
          .select({
            day: sql<string>`${row.day}`.as("day"),
            site: sql<string>`${row.site}`.as("site"),
            placement: sql<string>`${row.placement}`.as("placement"),
            campaign: sql<string>`${row.campaign}`.as("campaign"),
            variant: sql<string>`${row.variant}`.as("variant"),
            type: sql<string>`${row.type}`.as("type"),
            count: sql<number>`${row.count}`.as("count"),
          })
          .from(sql`(SELECT 1)`)
          .where(
            or(
              lt(db.$count(askEventCounts, today), cap),
              exists(db.select({ one: sql`1` }).from(askEventCounts).where(same)),
            ),
          ),
      )
      .onConflictDoUpdate({ target, set: { count: sql`${askEventCounts.count} + ${excluded(askEventCounts.count)}` } })
      .returning({ day: askEventCounts.day });
  });
  if (!first) return 0;
  const written = await db.batch([first, ...rest]);
  const overflow = new Map<string, CounterRow>();
  rows.forEach((row, i) => {
    if ((written[i]?.length ?? 0) > 0) return;
    const key = [row.day, row.site, row.placement, row.type].join("|");
    const folded = overflow.get(key) ?? { ...row, campaign: OTHER, variant: OTHER, count: 0 };
    folded.count += row.count;
    overflow.set(key, folded);
  });
  const [o, ...os] = [...overflow.values()].map((row) => upsert(db, row));
  if (o) await db.batch([o, ...os]);
  return [...overflow.values()].reduce((sum, row) => sum + row.count, 0);
}

/** Which of `names` some pledge of the site carried as its campaign (a checkout saw them). */
export async function campaignsSeenAtCheckout(db: Database, site: string, names: string[]): Promise<string[]> {
  if (names.length === 0) return [];
  const rows = await db
    .selectDistinct({ campaign: pledges.campaign })
    .from(pledges)
    .where(and(eq(pledges.site, site), isNotNull(pledges.campaign), inArray(pledges.campaign, names)))
    .all();
  return rows.flatMap((r) => (r.campaign === null ? [] : [r.campaign]));
}
