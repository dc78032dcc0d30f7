import { and, desc, eq, lt, type SQL } from "drizzle-orm";
import type { Database } from "../db";
import { mailOutbox } from "../schema";

/** One outbox row as staff see it. `text`/`html` are present only for the local outbox transport. */
export type OutboxEntry = {
  id: string;
  kind: string;
  site: string;
  transport: string;
  to: string;
  subject: string;
  status: string;
  attempts: number;
  error: string | null;
  createdAt: string;
  sentAt: string | null;
  headers: Record<string, string> | null;
  text: string | null;
  html: string | null;
};

/** Newest messages first, optionally for one site and kind. */
export async function listOutbox(
  db: Database,
  filter: { site?: string | undefined; kind?: string | undefined; limit: number },
): Promise<OutboxEntry[]> {
  const where: SQL[] = [];
  if (filter.site !== undefined) where.push(eq(mailOutbox.site, filter.site));
  if (filter.kind !== undefined)
    where.push(eq(mailOutbox.kind, filter.kind as "reminder" | "confirmation" | "manage" | "change"));
  const rows = await db
    .select()
    .from(mailOutbox)
    .where(and(...where))
    .orderBy(desc(mailOutbox.createdAt), desc(mailOutbox.id))
    .limit(filter.limit)
    .all();
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    site: r.site,
    transport: r.transport,
    to: r.recipient,
    subject: r.subject,
    status: r.status,
    attempts: r.attempts,
    error: r.lastError,
    createdAt: new Date(r.createdAt).toISOString(),
    sentAt: r.sentAt === null ? null : new Date(r.sentAt).toISOString(),
    headers: r.headers ? (JSON.parse(r.headers) as Record<string, string>) : null,
    text: r.textBody,
    html: r.htmlBody,
  }));
}

/** How long the outbox keeps messages (they hold addresses and live links). */
export const OUTBOX_RETENTION_MS = 30 * 86_400_000;

/** Deletes outbox rows older than the retention period; returns how many went. */
export async function purgeOutbox(db: Database, now: number): Promise<number> {
  const deleted = await db
    .delete(mailOutbox)
    .where(lt(mailOutbox.createdAt, now - OUTBOX_RETENTION_MS))
    .returning({ id: mailOutbox.id })
    .all();
  return deleted.length;
}
