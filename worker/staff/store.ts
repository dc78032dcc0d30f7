import { and, eq, gt, lt, sql } from "drizzle-orm";
import type { Database } from "../platform/db";
import { staffAuthFailures, staffSessions } from "../platform/schema";

/** D1 access for staff sign-in: server-side sessions and the shared limit on failed credentials. */

/** Opens a session: only the hash of its id is stored. */
export async function insertSession(
  db: Database,
  session: { idHash: string; tokenDigest: string; createdAt: number; expiresAt: number },
): Promise<void> {
  await db.insert(staffSessions).values(session);
}

/** Whether a session with this id hash is open at `now` for the current token. */
export async function sessionIsOpen(db: Database, idHash: string, tokenDigest: string, now: number): Promise<boolean> {
  const row = await db
    .select({ idHash: staffSessions.idHash })
    .from(staffSessions)
    .where(
      and(
        eq(staffSessions.idHash, idHash),
        eq(staffSessions.tokenDigest, tokenDigest),
        gt(staffSessions.expiresAt, now),
      ),
    )
    .get();
  return row !== undefined;
}

/** Ends one session. */
export async function deleteSession(db: Database, idHash: string): Promise<void> {
  await db.delete(staffSessions).where(eq(staffSessions.idHash, idHash));
}

/** Ends every session ("sign out everywhere"); returns how many there were. */
export async function deleteAllSessions(db: Database): Promise<number> {
  return (await db.delete(staffSessions).returning({ idHash: staffSessions.idHash }).all()).length;
}

/** Failed attempts of a client in the window starting at `windowStart`. */
export async function failuresIn(db: Database, client: string, windowStart: number): Promise<number> {
  const row = await db
    .select({ failures: staffAuthFailures.failures })
    .from(staffAuthFailures)
    .where(and(eq(staffAuthFailures.client, client), eq(staffAuthFailures.windowStart, windowStart)))
    .get();
  return row?.failures ?? 0;
}

/** Counts one failed attempt (one statement: simultaneous failures are all counted). */
export async function recordFailure(db: Database, client: string, windowStart: number): Promise<void> {
  await db
    .insert(staffAuthFailures)
    .values({ client, windowStart, failures: 1 })
    .onConflictDoUpdate({
      target: [staffAuthFailures.client, staffAuthFailures.windowStart],
      set: { failures: sql`${staffAuthFailures.failures} + 1` },
    });
}

/** Deletes expired sessions and failure counts of windows that ended before `before`. */
export async function purgeStaffAccess(db: Database, now: number, before: number): Promise<void> {
  await db.batch([
    db.delete(staffSessions).where(lt(staffSessions.expiresAt, now)),
    db.delete(staffAuthFailures).where(lt(staffAuthFailures.windowStart, before)),
  ]);
}
