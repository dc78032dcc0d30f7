import { and, desc, eq, gt, isNull, lt, or, sql } from "drizzle-orm";
import type { Database } from "../platform/db";
import { staffAudit, staffAuthFailures, staffRoles, staffSessions } from "../platform/schema";

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

// ─── Roles and the audit log ─────────────────────────────────────────────────────────────────────

/** A staff member's role on a site, by email. */
export async function roleRow(db: Database, site: string, email: string) {
  return db
    .select({ role: staffRoles.role })
    .from(staffRoles)
    .where(and(eq(staffRoles.site, site), eq(staffRoles.email, email)))
    .get();
}

/** Every role an email holds, on any site. */
export async function rolesOfEmail(db: Database, email: string) {
  return db
    .select({ site: staffRoles.site, role: staffRoles.role })
    .from(staffRoles)
    .where(eq(staffRoles.email, email))
    .all();
}

/** The roles given on a site, by email. */
export async function rolesOfSite(db: Database, site: string) {
  return db
    .select({
      email: staffRoles.email,
      role: staffRoles.role,
      updatedAt: staffRoles.updatedAt,
      updatedBy: staffRoles.updatedBy,
    })
    .from(staffRoles)
    .where(eq(staffRoles.site, site))
    .orderBy(staffRoles.email)
    .all();
}

/** Gives (or changes) a role, and writes the audit entry in the same batch. */
export async function setRole(
  db: Database,
  row: { site: string; email: string; role: "viewer" | "editor" | "owner"; at: number; by: string },
  audit: AuditEntry,
): Promise<void> {
  await db.batch([
    db
      .insert(staffRoles)
      .values({
        site: row.site,
        email: row.email,
        role: row.role,
        createdAt: row.at,
        updatedAt: row.at,
        updatedBy: row.by,
      })
      .onConflictDoUpdate({
        target: [staffRoles.site, staffRoles.email],
        set: { role: row.role, updatedAt: row.at, updatedBy: row.by },
      }),
    auditStatement(db, audit),
  ]);
}

/** Takes a role away (with its audit entry); false when there was none. */
export async function removeRole(db: Database, site: string, email: string, audit: AuditEntry): Promise<boolean> {
  const [deleted] = await db.batch([
    db
      .delete(staffRoles)
      .where(and(eq(staffRoles.site, site), eq(staffRoles.email, email)))
      .returning({ email: staffRoles.email }),
    auditStatement(db, audit),
  ]);
  return deleted.length > 0;
}

/** One line of the audit log. */
export type AuditEntry = {
  at: number;
  site: string | null;
  actor: string;
  action: string;
  detail: Record<string, unknown>;
};

/** The insert of an audit entry, to batch with the change it records. */
export const auditStatement = (db: Database, e: AuditEntry) =>
  db
    .insert(staffAudit)
    .values({ at: e.at, site: e.site, actor: e.actor, action: e.action, detail: JSON.stringify(e.detail) });

/** Records an entry on its own (an export, which changes nothing). */
export async function insertAudit(db: Database, e: AuditEntry): Promise<void> {
  await auditStatement(db, e);
}

/** The newest entries of a site's audit log (and the deployment-wide ones), newest first, before `before` (an id). */
export async function auditEntries(db: Database, site: string, limit: number, before?: number) {
  return db
    .select()
    .from(staffAudit)
    .where(and(or(eq(staffAudit.site, site), isNull(staffAudit.site)), before ? lt(staffAudit.id, before) : undefined))
    .orderBy(desc(staffAudit.id))
    .limit(limit)
    .all();
}
