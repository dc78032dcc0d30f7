import { sql } from "drizzle-orm";
import { type Database, excluded, runBatch } from "../platform/db";
import { askEventCounts } from "../platform/schema";

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

/** Adds counts to the per-day counters in one D1 batch. */
export async function addCounts(db: Database, rows: CounterRow[]): Promise<void> {
  await runBatch(
    db,
    rows.map((row) =>
      db
        .insert(askEventCounts)
        .values(row)
        .onConflictDoUpdate({
          target: [
            askEventCounts.site,
            askEventCounts.day,
            askEventCounts.placement,
            askEventCounts.campaign,
            askEventCounts.variant,
            askEventCounts.type,
          ],
          set: { count: sql`${askEventCounts.count} + ${excluded(askEventCounts.count)}` },
        }),
    ),
  );
}
