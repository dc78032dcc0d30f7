import { env } from "cloudflare:workers";
import { eq, sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { compiled, compiledSelect, database, runBatch } from "../../worker/platform/db";
import { pledges, stripeEvents } from "../../worker/platform/schema";

/**
 * The ledger's hot statements are `compiled`: Drizzle builds their SQL once per isolate with named
 * placeholders, and each call only binds values. These tests hold the helper to what the ledger
 * relies on: one build whatever the calls, each call's own values, NULL for a missing optional value,
 * booleans as 0 and 1, a missing placeholder refused, rows read back under the selection's names,
 * and compiled statements mixed with Drizzle's in one atomic batch.
 */
describe("compiled statements", () => {
  const db = database(env.DB);

  beforeEach(async () => {
    await env.DB.prepare("DELETE FROM stripe_events WHERE id LIKE 'evt_compiled_%'").run();
  });

  it("builds the SQL once and binds each call's values", async () => {
    let builds = 0;
    const insert = compiled<{ id: string; type: string; created: number; at: number }>((d, slot) => {
      builds++;
      return d
        .insert(stripeEvents)
        .values({ id: slot("id"), type: slot("type"), created: slot("created"), processedAt: slot("at") });
    });
    await insert(db, { id: "evt_compiled_1", type: "a.one", created: 1, at: 10 }).run();
    await insert(db, { id: "evt_compiled_2", type: "b.two", created: 2, at: 20 }).run();
    expect(builds).toBe(1);
    const rows = await env.DB.prepare(
      "SELECT id, type, created, processed_at FROM stripe_events WHERE id LIKE 'evt_compiled_%' ORDER BY id",
    ).all();
    expect(rows.results).toEqual([
      { id: "evt_compiled_1", type: "a.one", created: 1, processed_at: 10 },
      { id: "evt_compiled_2", type: "b.two", created: 2, processed_at: 20 },
    ]);
  });

  it("refuses a call without a value its statement needs, and writes nothing", async () => {
    const insert = compiled<{ id: string; type: string }>((d, slot) =>
      d.insert(stripeEvents).values({ id: slot("id"), type: slot("type"), created: 1, processedAt: 1 }),
    );
    expect(() => insert(db, { id: "evt_compiled_3" } as { id: string; type: string })).toThrow(/type/);
    const left = await env.DB.prepare("SELECT count(*) AS n FROM stripe_events WHERE id = 'evt_compiled_3'").first();
    expect(left?.n).toBe(0);
  });

  it("binds undefined as NULL and booleans as 0 and 1, as Drizzle writes them", async () => {
    await db.insert(stripeEvents).values({ id: "evt_compiled_4", type: "flags", created: 1, processedAt: 1 });
    const probe = compiled<{ id: string; yes: boolean; no: boolean; missing: string | undefined }>((d, slot) =>
      d
        .select({
          yes: sql`${slot("yes")}`.as("yes"),
          no: sql`${slot("no")}`.as("no"),
          missing: sql`${slot("missing")} IS NULL`.as("missing"),
        })
        .from(stripeEvents)
        .where(eq(stripeEvents.id, slot("id"))),
    );
    const { results } = await probe(db, { id: "evt_compiled_4", yes: true, no: false, missing: undefined }).all();
    expect(results).toEqual([{ yes: 1, no: 0, missing: 1 }]);
  });

  it("reads a row back under the selection's names, or undefined", async () => {
    const fields = { eventId: stripeEvents.id, eventType: stripeEvents.type, processedAt: stripeEvents.processedAt };
    const { first } = compiledSelect<{ id: string }, typeof fields>(fields, (d, slot, f) =>
      d
        .select(f)
        .from(stripeEvents)
        .where(eq(stripeEvents.id, slot("id"))),
    );
    await db.insert(stripeEvents).values({ id: "evt_compiled_5", type: "named", created: 5, processedAt: 50 });
    expect(await first(db, { id: "evt_compiled_5" })).toEqual({
      eventId: "evt_compiled_5",
      eventType: "named",
      processedAt: 50,
    });
    expect(await first(db, { id: "evt_compiled_none" })).toBeUndefined();
  });

  it("reads selects of one D1 batch back under their selections' names, each its own rows", async () => {
    const fields = { eventId: stripeEvents.id, processedAt: stripeEvents.processedAt, eventType: stripeEvents.type };
    const byType = compiledSelect<{ type: string }, typeof fields>(fields, (d, slot, f) =>
      d
        .select(f)
        .from(stripeEvents)
        .where(eq(stripeEvents.type, slot("type")))
        .orderBy(stripeEvents.id),
    );
    await db.insert(stripeEvents).values([
      { id: "evt_compiled_6", type: "batch.a", created: 6, processedAt: 60 },
      { id: "evt_compiled_7", type: "batch.a", created: 7, processedAt: 70 },
      { id: "evt_compiled_8", type: "batch.b", created: 8, processedAt: 80 },
    ]);
    const [a, b, none] = await env.DB.batch([
      byType.bind(db, { type: "batch.a" }),
      byType.bind(db, { type: "batch.b" }),
      byType.bind(db, { type: "batch.none" }),
    ]);
    if (!a || !b || !none) throw new Error("a result per statement");
    expect(byType.rows(a)).toEqual([
      { eventId: "evt_compiled_6", processedAt: 60, eventType: "batch.a" },
      { eventId: "evt_compiled_7", processedAt: 70, eventType: "batch.a" },
    ]);
    expect(byType.rows(b)).toEqual([{ eventId: "evt_compiled_8", processedAt: 80, eventType: "batch.b" }]);
    expect(byType.rows(none)).toEqual([]);
  });

  it("runs compiled and Drizzle statements in one atomic batch: a failing one undoes the rest", async () => {
    const insert = compiled<{ id: string }>((d, slot) =>
      d.insert(stripeEvents).values({ id: slot("id"), type: "batch", created: 1, processedAt: 1 }),
    );
    await runBatch(db, [
      insert(db, { id: "evt_compiled_6" }),
      db.insert(stripeEvents).values({ id: "evt_compiled_7", type: "batch", created: 1, processedAt: 1 }),
    ]);
    await expect(
      runBatch(db, [
        insert(db, { id: "evt_compiled_8" }),
        db.update(pledges).set({ amount: 1 }).where(eq(pledges.id, "none")),
        // The primary key refuses this one: the whole batch is undone.
        insert(db, { id: "evt_compiled_6" }),
      ]),
    ).rejects.toThrow();
    const ids = await env.DB.prepare("SELECT id FROM stripe_events WHERE id LIKE 'evt_compiled_%' ORDER BY id").all();
    expect(ids.results.map((r) => r.id)).toEqual(["evt_compiled_6", "evt_compiled_7"]);
  });
});
