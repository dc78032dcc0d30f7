import { fillPlaceholders, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { type DrizzleD1Database, drizzle } from "drizzle-orm/d1";
import type { AnySQLiteColumn } from "drizzle-orm/sqlite-core";

/** The typed D1 client. Every query of the worker goes through it (store files only). */
export type Database = DrizzleD1Database & { $client: D1Database };

/** One statement of a `db.batch([...])`: D1 runs a batch atomically, in order. */
export type Statement = BatchItem<"sqlite">;

const clients = new WeakMap<D1Database, Database>();

/** The Drizzle client over a D1 binding (made once per binding and isolate: it holds no connection). */
export function database(d1: D1Database): Database {
  let db = clients.get(d1);
  if (!db) {
    db = drizzle(d1);
    clients.set(d1, db);
  }
  return db;
}

/** A statement as D1 runs it: made by `compiled`, already bound to its values. */
export type BoundStatement = D1PreparedStatement;

type Query = { toSQL(): { sql: string; params: unknown[] } };

/** D1 takes no `undefined` (Drizzle writes NULL for it) and stores booleans as 0 and 1. */
const toD1 = (value: unknown) => (value === undefined ? null : typeof value === "boolean" ? Number(value) : value);

/** SQL text and its values as one D1 statement. */
const bound = (db: Database, text: string, params: unknown[]): BoundStatement =>
  db.$client.prepare(text).bind(...params.map(toD1));

/** The named placeholder a `compiled` statement is built with, typed as the value it stands for. */
type Slot<V> = <K extends keyof V & string>(name: K) => V[K];

/**
 * A statement whose SQL Drizzle builds once per isolate, with a named placeholder for each value
 * (`slot("name")`), and which every call then only binds. Building SQL is most of what a Drizzle
 * statement costs (CPU, and garbage the collector must stop the isolate for), and the ledger writes
 * the same few shapes for every Stripe event. The shape must not depend on the values: what
 * differs between calls is a value, never a different piece of SQL.
 */
export function compiled<V extends Record<string, unknown>>(build: (db: Database, slot: Slot<V>) => Query) {
  let text: { sql: string; params: unknown[] } | undefined;
  const slot = ((name: string) => sql.placeholder(name)) as unknown as Slot<V>;
  return (db: Database, values: V): BoundStatement => {
    text ??= build(db, slot).toSQL();
    return bound(db, text.sql, fillPlaceholders(text.params, values));
  };
}

/** A row as Drizzle types a selection of columns: each column's value, or null where it may be NULL. */
type RowOf<F extends Record<string, AnySQLiteColumn>> = {
  [K in keyof F]: F[K]["_"]["notNull"] extends true ? F[K]["_"]["data"] : F[K]["_"]["data"] | null;
};

/**
 * A `compiled` SELECT of plain columns: `bind` gives the statement (for a D1 batch), `rows` reads
 * a batch's result under the selection's names (D1 names them by their SQL names; their order is
 * the selection's, which is how Drizzle reads D1's batch results too), and `first` runs it alone
 * for its first row, or undefined when there is none.
 */
export function compiledSelect<V extends Record<string, unknown>, F extends Record<string, AnySQLiteColumn>>(
  fields: F,
  build: (db: Database, slot: Slot<V>, fields: F) => Query,
) {
  const names = Object.keys(fields);
  const named = (row: unknown[]) => Object.fromEntries(names.map((name, i) => [name, row[i]])) as RowOf<F>;
  const bind = compiled<V>((db, slot) => build(db, slot, fields));
  return {
    bind,
    rows: (result: D1Result): RowOf<F>[] => result.results.map((row) => named(Object.values(row as object))),
    first: async (db: Database, values: V): Promise<RowOf<F> | undefined> => {
      const [row] = await bind(db, values).raw();
      return row && named(row);
    },
  };
}

const isBound = (s: Statement | BoundStatement): s is BoundStatement => !("toSQL" in s);

/**
 * Runs statements in one D1 batch (atomic, in order) and gives D1's result of each; an empty list
 * does nothing. Drizzle's own statements and `compiled` ones may be mixed (Drizzle's are then bound
 * as D1 statements too).
 */
export async function runBatch(db: Database, statements: (Statement | BoundStatement)[]): Promise<D1Result[]> {
  if (statements.length === 0) return [];
  return db.$client.batch(
    statements.map((s) => {
      if (isBound(s)) return s;
      const q = (s as unknown as Query).toSQL();
      return bound(db, q.sql, q.params);
    }),
  );
}

/** The value an upsert tried to insert for `column` (SQLite's `excluded.<column>`). */
export const excluded = (column: AnySQLiteColumn) => sql.raw(`excluded.${column.name}`);
