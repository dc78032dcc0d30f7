// @vitest-environment node
/**
 * migrations/0004_ledger_truth.sql and 0005 on a database that already holds money: refund totals
 * kept per charge become refund rows, disputes get their phase, the roll-ups are rebuilt with the
 * new figures, and what 0005 drops is gone. Runs the real migration files on SQLite (node:sqlite,
 * the engine D1 runs), in order, as `wrangler d1 migrations apply` does.
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

describe("migrating a ledger with money in it", () => {
  it("carries refunds and disputes over, and the roll-ups count them with fees pending", () => {
    const db = new DatabaseSync(":memory:");
    const before = files.filter((f) => f < "0004");
    expect(before).toEqual(["0000_init.sql", "0001_mail.sql", "0002_admin.sql", "0003_placement.sql"]);
    apply(db, before);
    const day = Date.parse("2025-06-01T12:00:00Z");
    db.exec(`INSERT INTO pledges (id, site, frequency, currency, amount, status, created_at, updated_at)
             VALUES ('pl_1', 'demo', 'once', 'USD', 5000, 'paid', ${day}, ${day})`);
    for (const [id, amount] of [
      ["pi_a", 5000],
      ["pi_b", 3000],
      ["pi_c", 2000],
      ["pi_d", 700],
    ] as const)
      db.exec(`INSERT INTO payments (id, pledge_id, site, frequency, currency, amount, payment_intent_id, paid_at)
               VALUES ('${id}', 'pl_1', 'demo', 'once', 'USD', ${amount}, '${id}', ${day})`);
    db.exec(`INSERT INTO charge_refunds VALUES ('ch_a', 'pi_a', 'USD', 1500, ${day})`);
    db.exec(`INSERT INTO disputes (id, charge_id, payment_intent_id, currency, amount, status, final, updated_at)
             VALUES ('dp_b', 'ch_b', 'pi_b', 'USD', 3000, 'lost', 1, ${day}),
                    ('dp_c', 'ch_c', 'pi_c', 'USD', 2000, 'under_review', 0, ${day}),
                    ('dp_d', 'ch_d', 'pi_d', 'USD', 700, 'warning_needs_response', 0, ${day})`);
    const rollup = () => db.prepare("SELECT * FROM admin_daily_money").get() as Record<string, number>;
    expect(rollup()).toMatchObject({ gross: 10700, refunded: 1500, disputed: 3000, disputed_open: 2700 });

    apply(
      db,
      files.filter((f) => f >= "0004"),
    );
    expect(db.prepare("SELECT id, charge_id, amount, status FROM refunds").all()).toEqual([
      { id: "legacy_ch_a", charge_id: "ch_a", amount: 1500, status: "succeeded" },
    ]);
    expect(db.prepare("SELECT id, status, phase FROM disputes ORDER BY id").all()).toEqual([
      { id: "dp_b", status: "lost", phase: "lost" },
      { id: "dp_c", status: "under_review", phase: "open" },
      { id: "dp_d", status: "warning_needs_response", phase: "inquiry" },
    ]);
    // An open inquiry is no longer counted as money withdrawn; no fees are known yet: all four pending.
    expect(rollup()).toMatchObject({
      gross: 10700,
      payments: 4,
      refunded: 1500,
      disputed: 3000,
      disputed_open: 2000,
      stripe_fees: 0,
      dispute_fees: 0,
      fees_pending: 4,
      fees_elsewhere: 0,
    });
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
    expect(tables.map((t) => t.name)).not.toContain("charge_refunds");
    const columns = db.prepare("PRAGMA table_info(disputes)").all() as { name: string }[];
    expect(columns.map((c) => c.name)).not.toContain("final");
    // The new triggers work on the migrated data: a fee learned later settles one payment's fees.
    db.exec(`INSERT INTO balance_transactions (id, use, source, payment_intent_id, type, currency, amount, fee, net, created)
             VALUES ('txn_a', 'payment', 'ch_a', 'pi_a', 'charge', 'USD', 5000, 175, 4825, ${day})`);
    expect(rollup()).toMatchObject({ stripe_fees: 175, fees_pending: 3 });
    expect(() => db.exec("UPDATE balance_transactions SET fee = 0")).toThrow(/immutable/);
  });
});
