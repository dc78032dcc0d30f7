// @vitest-environment node
/**
 * migrations/0008_growth_upsell_and_changes.sql on a database that already holds recurring support:
 * live and canceled monthly and annual pledges start (and the canceled ones end) in the recurring
 * movements, one-off and unpaid pledges do not, and a replayed Stripe event cannot start one twice.
 * Runs the real migration files on SQLite (node:sqlite, the engine D1 runs), in order.
 */
import { readdirSync, readFileSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";
import { describe, expect, it } from "vitest";

const files = readdirSync("migrations")
  .filter((f) => f.endsWith(".sql"))
  .sort();
const apply = (db: DatabaseSync, names: string[]) => {
  for (const f of names) db.exec(readFileSync(`migrations/${f}`, "utf8"));
};

describe("migrating recurring support that already exists", () => {
  it("starts live and canceled supporters in the movements, at their creation", () => {
    const db = new DatabaseSync(":memory:");
    apply(
      db,
      files.filter((f) => f < "0008"),
    );
    const created = Date.parse("2031-01-15T10:00:00Z");
    const ended = Date.parse("2031-03-02T10:00:00Z");
    const pledge = (id: string, frequency: string, amount: number, fee: number, status: string) =>
      db.exec(`INSERT INTO pledges (id, site, frequency, currency, amount, fee_amount, status, created_at, updated_at)
               VALUES ('${id}', 'demo', '${frequency}', 'USD', ${amount}, ${fee}, '${status}', ${created}, ${ended})`);
    pledge("pl_m", "monthly", 1000, 61, "active");
    pledge("pl_a", "annual", 12000, 0, "past_due");
    pledge("pl_c", "monthly", 500, 0, "canceled");
    pledge("pl_o", "once", 2500, 0, "paid");
    pledge("pl_p", "monthly", 700, 0, "pending");
    apply(
      db,
      files.filter((f) => f >= "0008"),
    );
    expect(
      db
        .prepare(
          "SELECT event_id, pledge_id, month, change, movement, monthly_delta, annual_delta, at FROM recurring_changes ORDER BY event_id",
        )
        .all(),
    ).toEqual([
      row("backfill_end_pl_c", "pl_c", "2031-03", "ended", "churned", -500, 0, ended),
      row("backfill_start_pl_a", "pl_a", "2031-01", "started", "new", 0, 12000, created),
      row("backfill_start_pl_c", "pl_c", "2031-01", "started", "new", 500, 0, created),
      row("backfill_start_pl_m", "pl_m", "2031-01", "started", "new", 1061, 0, created),
    ]);
    expect(db.prepare("SELECT upsell, terms_key, paused FROM pledges WHERE id = 'pl_m'").get()).toEqual({
      upsell: null,
      terms_key: 0,
      paused: 0,
    });
    // Stripe's own event for the same start, replayed later, is kept out by the start/end index.
    db.exec(`INSERT OR IGNORE INTO recurring_changes (event_id, pledge_id, site, currency, at, month, change, movement, monthly_delta)
             VALUES ('evt_replayed', 'pl_m', 'demo', 'USD', ${created}, '2031-01', 'started', 'new', 1061)`);
    expect(db.prepare("SELECT count(*) AS n FROM recurring_changes WHERE pledge_id = 'pl_m'").get()).toEqual({ n: 1 });
  });
});

function row(
  event_id: string,
  pledge_id: string,
  month: string,
  change: string,
  movement: string,
  monthly_delta: number,
  annual_delta: number,
  at: number,
) {
  return { event_id, pledge_id, month, change, movement, monthly_delta, annual_delta, at };
}
