// @vitest-environment node
/**
 * migrations/0011_first_payments.sql on a database that already holds pledges and payments: the
 * roll-up starts with exactly the pledges with a placement or an upsell, by the day of their first
 * payment and of their creation, and its triggers keep it so as payments and pledges come, change
 * and go. Runs the real migration files on SQLite (node:sqlite, the engine D1 runs), in order.
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
const DAY = 86_400_000;
const at = (day: number, hour = 0) => Date.parse("2025-03-01T00:00:00Z") + day * DAY + hour * 3_600_000;

describe("first payments of the ask's and the upsell's pledges, rolled up", () => {
  it("starts from the ledger already there and follows every change", () => {
    const db = new DatabaseSync(":memory:");
    apply(
      db,
      files.filter((f) => f < "0011"),
    );
    const pledge = (
      id: string,
      placement: string | null,
      upsell: string | null,
      created: number,
      campaign = "spring",
    ) =>
      db
        .prepare(
          `INSERT INTO pledges (id, site, frequency, currency, amount, placement, upsell, campaign, created_at, updated_at)
           VALUES (?, 'demo', 'monthly', 'USD', 1000, ?, ?, ?, ?, ?)`,
        )
        .run(id, placement, upsell, campaign, created, created);
    const payment = (id: string, pledgeId: string, paidAt: number) =>
      db
        .prepare(
          "INSERT INTO payments (id, pledge_id, site, frequency, currency, amount, paid_at) VALUES (?, ?, 'demo', 'monthly', 'USD', 1000, ?)",
        )
        .run(id, pledgeId, paidAt);
    pledge("pl_i", "inline", null, at(0));
    pledge("pl_b", "banner", "ask", at(1));
    pledge("pl_u", null, "thanks", at(2));
    pledge("pl_none", null, null, at(0));
    pledge("pl_unpaid", "inline", null, at(3));
    payment("in_i1", "pl_i", at(0, 5));
    payment("in_i2", "pl_i", at(31));
    payment("in_b1", "pl_b", at(2));
    payment("in_u1", "pl_u", at(2, 1));
    payment("in_n1", "pl_none", at(0, 2));
    apply(
      db,
      files.filter((f) => f >= "0011"),
    );
    const rolled = () =>
      db
        .prepare(
          "SELECT day, created_day, placement, upsell, campaign, n FROM admin_daily_first_payments WHERE n <> 0 ORDER BY 1, 2, 3, 4",
        )
        .all();
    const direct = () =>
      db
        .prepare(
          `SELECT date(first / 1000, 'unixepoch') AS day, date(created_at / 1000, 'unixepoch') AS created_day,
             coalesce(placement, '') AS placement, coalesce(upsell, '') AS upsell, coalesce(campaign, '') AS campaign, count(*) AS n
           FROM (SELECT *, (SELECT min(paid_at) FROM payments WHERE pledge_id = pledges.id) AS first FROM pledges
                 WHERE placement IS NOT NULL OR upsell IS NOT NULL)
           WHERE first IS NOT NULL GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4`,
        )
        .all();
    expect(rolled()).toEqual([
      { day: "2025-03-01", created_day: "2025-03-01", placement: "inline", upsell: "", campaign: "spring", n: 1 },
      { day: "2025-03-03", created_day: "2025-03-02", placement: "banner", upsell: "ask", campaign: "spring", n: 1 },
      { day: "2025-03-03", created_day: "2025-03-03", placement: "", upsell: "thanks", campaign: "spring", n: 1 },
    ]);
    // An earlier payment arriving late, the first one deleted, a pledge's first payment, edits and deletions.
    payment("in_b0", "pl_b", at(1, 3));
    db.exec("DELETE FROM payments WHERE id = 'in_i1'");
    payment("in_unpaid", "pl_unpaid", at(40));
    payment("in_i0", "pl_i", at(31));
    db.prepare("UPDATE pledges SET placement = 'banner', campaign = 'autumn' WHERE id = 'pl_unpaid'").run();
    db.prepare("UPDATE pledges SET placement = 'inline' WHERE id = 'pl_none'").run();
    db.prepare("DELETE FROM pledges WHERE id = 'pl_u'").run();
    pledge("pl_late", "inline", null, at(5));
    payment("in_late", "pl_late", at(6));
    expect(rolled()).toEqual(direct());
    expect(rolled()).toEqual([
      { day: "2025-03-01", created_day: "2025-03-01", placement: "inline", upsell: "", campaign: "spring", n: 1 },
      { day: "2025-03-02", created_day: "2025-03-02", placement: "banner", upsell: "ask", campaign: "spring", n: 1 },
      { day: "2025-03-07", created_day: "2025-03-06", placement: "inline", upsell: "", campaign: "spring", n: 1 },
      { day: "2025-04-01", created_day: "2025-03-01", placement: "inline", upsell: "", campaign: "spring", n: 1 },
      { day: "2025-04-10", created_day: "2025-03-04", placement: "banner", upsell: "", campaign: "autumn", n: 1 },
    ]);
  });
});
