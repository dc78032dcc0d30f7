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
  db: D1Database,
  filter: { site?: string; kind?: string; limit: number },
): Promise<OutboxEntry[]> {
  const { results } = await db
    .prepare(
      `SELECT id, kind, site, transport, recipient, subject, status, attempts, last_error, created_at, sent_at,
              headers, text_body, html_body
       FROM mail_outbox WHERE (?1 IS NULL OR site = ?1) AND (?2 IS NULL OR kind = ?2)
       ORDER BY created_at DESC, id DESC LIMIT ?3`,
    )
    .bind(filter.site ?? null, filter.kind ?? null, filter.limit)
    .all<Record<string, string | number | null>>();
  return results.map((r) => ({
    id: String(r.id),
    kind: String(r.kind),
    site: String(r.site),
    transport: String(r.transport),
    to: String(r.recipient),
    subject: String(r.subject),
    status: String(r.status),
    attempts: Number(r.attempts),
    error: (r.last_error as string | null) ?? null,
    createdAt: new Date(Number(r.created_at)).toISOString(),
    sentAt: r.sent_at == null ? null : new Date(Number(r.sent_at)).toISOString(),
    headers: r.headers ? (JSON.parse(String(r.headers)) as Record<string, string>) : null,
    text: (r.text_body as string | null) ?? null,
    html: (r.html_body as string | null) ?? null,
  }));
}

/** How long the outbox keeps messages (they hold addresses and live links). */
export const OUTBOX_RETENTION_MS = 30 * 86_400_000;

/** Deletes outbox rows older than the retention period; returns how many went. */
export async function purgeOutbox(db: D1Database, now: number): Promise<number> {
  const result = await db
    .prepare("DELETE FROM mail_outbox WHERE created_at < ?")
    .bind(now - OUTBOX_RETENTION_MS)
    .run();
  return result.meta.changes ?? 0;
}
