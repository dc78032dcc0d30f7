import type { ReminderDelay } from "./schedule";

/** D1 access for reminders. Every state change is one statement, so overlapping runs cannot interleave. */

/** A claimed row still unfinished after this long belongs to a run that died; another run may take it. */
export const CLAIM_LEASE_MS = 15 * 60_000;
/** After this many failed sends the reminder is given up (and the address erased). */
export const MAX_ATTEMPTS = 5;

export type ClaimedReminder = {
  id: string;
  site: string;
  email: string;
  lang: string;
  pageUrl: string;
  baseUrl: string;
};

/** Creates the reader's pending reminder for a site, or updates the one already pending. */
export async function upsertReminder(
  db: D1Database,
  r: {
    site: string;
    email: string;
    lang: string;
    remindIn: ReminderDelay;
    pageUrl: string;
    baseUrl: string;
    forgetHash: string;
    dueAt: number;
    now: number;
  },
): Promise<{ id: string; dueAt: number }> {
  const row = await db
    .prepare(
      `INSERT INTO reminders (id, site, email, lang, remind_in, page_url, base_url, forget_hash, status, due_at,
                              attempts, created_at, updated_at)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'pending', ?9, 0, ?10, ?10)
       ON CONFLICT (site, email) WHERE status = 'pending' DO UPDATE SET
         lang = excluded.lang, remind_in = excluded.remind_in, page_url = excluded.page_url,
         base_url = excluded.base_url, due_at = excluded.due_at, updated_at = excluded.updated_at
       RETURNING id, due_at`,
    )
    .bind(
      `rem_${crypto.randomUUID().replaceAll("-", "")}`,
      r.site,
      r.email,
      r.lang,
      r.remindIn,
      r.pageUrl,
      r.baseUrl,
      r.forgetHash,
      r.dueAt,
      r.now,
    )
    .first<{ id: string; due_at: number }>();
  if (!row) throw new Error("reminder upsert returned nothing");
  return { id: row.id, dueAt: row.due_at };
}

/**
 * Atomically claims up to `limit` due reminders for this run (`claim` is the run's id):
 * a row claimed by one run is invisible to another until released or its lease runs out.
 */
export async function claimDue(db: D1Database, claim: string, now: number, limit: number): Promise<ClaimedReminder[]> {
  const { results } = await db
    .prepare(
      `UPDATE reminders SET claim = ?1, claimed_at = ?2
       WHERE id IN (SELECT id FROM reminders
                    WHERE status = 'pending' AND due_at <= ?2 AND (claim IS NULL OR claimed_at < ?3)
                    ORDER BY due_at LIMIT ?4)
         AND status = 'pending' AND (claim IS NULL OR claimed_at < ?3)
       RETURNING id, site, email, lang, page_url, base_url`,
    )
    .bind(claim, now, now - CLAIM_LEASE_MS, limit)
    .all<{ id: string; site: string; email: string | null; lang: string; page_url: string; base_url: string }>();
  return results
    .filter((r) => r.email)
    .map((r) => ({
      id: r.id,
      site: r.site,
      email: r.email as string,
      lang: r.lang,
      pageUrl: r.page_url,
      baseUrl: r.base_url,
    }));
}

/** Marks a claimed reminder sent and erases the address: only the counts remain. */
export async function markSent(db: D1Database, id: string, claim: string, now: number): Promise<void> {
  await db
    .prepare(
      `UPDATE reminders SET status = 'sent', email = NULL, forget_hash = NULL, claim = NULL, claimed_at = NULL,
         sent_at = ?1, updated_at = ?1, last_error = NULL
       WHERE id = ?2 AND claim = ?3`,
    )
    .bind(now, id, claim)
    .run();
}

/**
 * Gives a claimed reminder back for the next run after a failed send (`error` set) or when
 * another run was already sending it (`error` null: not counted as an attempt). After
 * MAX_ATTEMPTS failures it is given up and the address erased.
 */
export async function release(db: D1Database, id: string, claim: string, now: number, error: string | null) {
  await db
    .prepare(
      `UPDATE reminders SET
         attempts = attempts + ?1,
         last_error = coalesce(?2, last_error),
         status = CASE WHEN attempts + ?1 >= ?3 THEN 'failed' ELSE status END,
         email = CASE WHEN attempts + ?1 >= ?3 THEN NULL ELSE email END,
         forget_hash = CASE WHEN attempts + ?1 >= ?3 THEN NULL ELSE forget_hash END,
         claim = NULL, claimed_at = NULL, updated_at = ?4
       WHERE id = ?5 AND claim = ?6`,
    )
    .bind(error ? 1 : 0, error, MAX_ATTEMPTS, now, id, claim)
    .run();
}

/** Forgets every pending reminder behind a forget-me token; returns how many there were. */
export async function forgetByHash(db: D1Database, forgetHash: string, now: number): Promise<number> {
  const result = await db
    .prepare(
      `UPDATE reminders SET status = 'forgotten', email = NULL, forget_hash = NULL, claim = NULL, claimed_at = NULL,
         updated_at = ?1
       WHERE forget_hash = ?2 AND status = 'pending'`,
    )
    .bind(now, forgetHash)
    .run();
  return result.meta.changes ?? 0;
}

/** Staff counts for one site: reminders asked for in the range and what became of them. */
export type ReminderStats = {
  requested: number;
  pending: number;
  sent: number;
  forgotten: number;
  failed: number;
  /** Pledges paid with campaign "reminder" (each counted once, whatever its payments). */
  converted: number;
  convertedByCurrency: { currency: string; pledges: number; gross: number }[];
};

/** Reminder counts (by request time) and conversions (by payment time) for one site and range. */
export async function reminderStats(
  db: D1Database,
  site: string,
  range: { from: number; to: number },
  campaign: string,
): Promise<ReminderStats> {
  const [counts, converted, byCurrency] = await db.batch([
    db
      .prepare(
        `SELECT count(*) AS requested,
                coalesce(sum(status = 'pending'), 0) AS pending, coalesce(sum(status = 'sent'), 0) AS sent,
                coalesce(sum(status = 'forgotten'), 0) AS forgotten, coalesce(sum(status = 'failed'), 0) AS failed
         FROM reminders WHERE site = ?1 AND created_at >= ?2 AND created_at < ?3`,
      )
      .bind(site, range.from, range.to),
    db
      .prepare(
        `SELECT count(DISTINCT pledge_id) AS converted FROM payments
         WHERE site = ?1 AND campaign = ?4 AND paid_at >= ?2 AND paid_at < ?3`,
      )
      .bind(site, range.from, range.to, campaign),
    db
      .prepare(
        `SELECT currency, count(DISTINCT pledge_id) AS pledges, sum(amount) AS gross FROM payments
         WHERE site = ?1 AND campaign = ?4 AND paid_at >= ?2 AND paid_at < ?3
         GROUP BY currency ORDER BY currency`,
      )
      .bind(site, range.from, range.to, campaign),
  ]);
  const c = (counts?.results?.[0] ?? {}) as Record<string, number>;
  return {
    requested: c.requested ?? 0,
    pending: c.pending ?? 0,
    sent: c.sent ?? 0,
    forgotten: c.forgotten ?? 0,
    failed: c.failed ?? 0,
    converted: ((converted?.results?.[0] ?? {}) as { converted?: number }).converted ?? 0,
    convertedByCurrency: (byCurrency?.results ?? []) as ReminderStats["convertedByCurrency"],
  };
}
