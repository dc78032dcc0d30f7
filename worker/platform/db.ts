import { sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { type DrizzleD1Database, drizzle } from "drizzle-orm/d1";
import type { AnySQLiteColumn } from "drizzle-orm/sqlite-core";

/** The typed D1 client. Every query of the worker goes through it (store files only). */
export type Database = DrizzleD1Database;

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

/** Runs statements in one D1 batch (atomic); an empty list does nothing. */
export async function runBatch(db: Database, statements: Statement[]): Promise<void> {
  const [first, ...rest] = statements;
  if (first) await db.batch([first, ...rest]);
}

/** The value an upsert tried to insert for `column` (SQLite's `excluded.<column>`). */
export const excluded = (column: AnySQLiteColumn) => sql.raw(`excluded.${column.name}`);
