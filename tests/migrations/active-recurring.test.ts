// @vitest-environment node
/**
 * migrations/0009_active_recurring.sql on a database that already holds pledges: the roll-up starts
 * with exactly the active monthly and annual ones (count and amount + fee cover per currency and
 * frequency), and its triggers keep it so as pledges come, change and go.
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

describe("active recurring support, rolled up", () => {
  it("starts from the pledges already there and follows every change", () => {
    const db = new DatabaseSync(":memory:");
    apply(
      db,
      files.filter((f) => f < "0009"),
    );
    const pledge = (id: string, frequency: string, currency: string, amount: number, fee: number, status: string) =>
      db.exec(`INSERT INTO pledges (id, site, frequency, currency, amount, fee_amount, status, created_at, updated_at)
               VALUES ('${id}', 'demo', '${frequency}', '${currency}', ${amount}, ${fee}, '${status}', 0, 0)`);
    pledge("pl_m1", "monthly", "USD", 1000, 61, "active");
    pledge("pl_m2", "monthly", "USD", 500, 0, "active");
    pledge("pl_a", "annual", "EUR", 12000, 0, "active");
    pledge("pl_c", "monthly", "USD", 700, 0, "canceled");
    pledge("pl_d", "monthly", "USD", 700, 0, "past_due");
    pledge("pl_o", "once", "USD", 2500, 0, "paid");
    apply(
      db,
      files.filter((f) => f >= "0009"),
    );
    const rolled = () =>
      db.prepare("SELECT currency, frequency, n, total FROM admin_active_recurring WHERE n <> 0 ORDER BY 1, 2").all();
    const direct = () =>
      db
        .prepare(
          `SELECT currency, frequency, count(*) AS n, sum(amount + fee_amount) AS total FROM pledges
           WHERE status = 'active' AND frequency IN ('monthly', 'annual') GROUP BY 1, 2 ORDER BY 1, 2`,
        )
        .all();
    expect(rolled()).toEqual([
      { currency: "EUR", frequency: "annual", n: 1, total: 12000 },
      { currency: "USD", frequency: "monthly", n: 2, total: 1561 },
    ]);
    db.exec("UPDATE pledges SET status = 'active' WHERE id = 'pl_d'");
    db.exec("UPDATE pledges SET amount = 800, fee_amount = 40 WHERE id = 'pl_m2'");
    db.exec("UPDATE pledges SET frequency = 'annual', currency = 'EUR' WHERE id = 'pl_m1'");
    db.exec("UPDATE pledges SET status = 'canceled' WHERE id = 'pl_a'");
    db.exec("UPDATE pledges SET status = 'paid' WHERE id = 'pl_o'");
    db.exec("DELETE FROM pledges WHERE id = 'pl_d'");
    pledge("pl_new", "annual", "EUR", 5000, 0, "active");
    expect(rolled()).toEqual(direct());
    expect(rolled()).toEqual([
      { currency: "EUR", frequency: "annual", n: 2, total: 6061 },
      { currency: "USD", frequency: "monthly", n: 1, total: 840 },
    ]);
  });
});
