import { and, count, countDistinct, eq, exists, gt, gte, inArray, isNull, lt, lte, or, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import type { Database } from "../platform/db";
import { payments, reminders } from "../platform/schema";
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
};

/** How long a confirmation link works; an unconfirmed request is then expired and its address erased. */
export const CONFIRM_TTL_MS = 48 * 3_600_000;

/** Stores a reminder request waiting for its confirmation; it changes no other reminder. */
export async function insertRequest(
  db: Database,
  r: {
    site: string;
    email: string;
    lang: string;
    remindIn: ReminderDelay;
    pageUrl: string;
    forgetHash: string;
    confirmHash: string;
    now: number;
  },
): Promise<string> {
  const id = `rem_${crypto.randomUUID().replaceAll("-", "")}`;
  await db.insert(reminders).values({
    id,
    site: r.site,
    email: r.email,
    lang: r.lang,
    remindIn: r.remindIn,
    pageUrl: r.pageUrl,
    forgetHash: r.forgetHash,
    confirmHash: r.confirmHash,
    status: "unconfirmed",
    // Set for real when the reader confirms.
    dueAt: r.now,
    attempts: 0,
    createdAt: r.now,
    updatedAt: r.now,
  });
  return id;
}

/** Requests for this address (on any site) since `since` that still hold it: the per-address limit. */
export async function recentRequestsFor(db: Database, email: string, since: number): Promise<number> {
  const row = await db
    .select({ n: count().as("n") })
    .from(reminders)
    .where(and(eq(reminders.email, email), gt(reminders.createdAt, since)))
    .get();
  return row?.n ?? 0;
}

/** A request waiting for its confirmation link, if this is a live one. */
export async function findUnconfirmed(db: Database, confirmHash: string, now: number) {
  return db
    .select({
      id: reminders.id,
      site: reminders.site,
      email: reminders.email,
      remindIn: reminders.remindIn,
      lang: reminders.lang,
      pageUrl: reminders.pageUrl,
    })
    .from(reminders)
    .where(
      and(
        eq(reminders.confirmHash, confirmHash),
        eq(reminders.status, "unconfirmed"),
        gt(reminders.createdAt, now - CONFIRM_TTL_MS),
      ),
    )
    .get();
}

/**
 * Confirms a request in one batch: the address's earlier pending reminder on the site is
 * `replaced` (address erased), and the request becomes the pending one, due at `dueAt`. Both
 * statements check that the request is still unconfirmed, so a second use of the link (or two
 * at once) changes nothing. Returns whether this call confirmed it.
 */
export async function confirmRequest(
  db: Database,
  request: { id: string; site: string; email: string },
  dueAt: number,
  now: number,
): Promise<boolean> {
  const confirming = alias(reminders, "confirming");
  const stillUnconfirmed = exists(
    db
      .select({ one: sql`1` })
      .from(confirming)
      .where(and(eq(confirming.id, request.id), eq(confirming.status, "unconfirmed"))),
  );
  const [, confirmed] = await db.batch([
    db
      .update(reminders)
      .set({ status: "replaced", email: null, forgetHash: null, claim: null, claimedAt: null, updatedAt: now })
      .where(
        and(
          eq(reminders.site, request.site),
          eq(reminders.email, request.email),
          eq(reminders.status, "pending"),
          stillUnconfirmed,
        ),
      ),
    db
      .update(reminders)
      .set({ status: "pending", confirmHash: null, confirmedAt: now, dueAt, updatedAt: now })
      .where(and(eq(reminders.id, request.id), eq(reminders.status, "unconfirmed")))
      .returning({ id: reminders.id }),
  ]);
  return confirmed.length > 0;
}

/** Expires requests nobody confirmed in time, erasing their addresses; returns how many. */
export async function expireUnconfirmed(db: Database, now: number): Promise<number> {
  const expired = await db
    .update(reminders)
    .set({ status: "expired", email: null, forgetHash: null, confirmHash: null, updatedAt: now })
    .where(and(eq(reminders.status, "unconfirmed"), lte(reminders.createdAt, now - CONFIRM_TTL_MS)))
    .returning({ id: reminders.id })
    .all();
  return expired.length;
}

/** Not claimed, or claimed by a run whose lease ran out. */
const claimable = (now: number) =>
  and(eq(reminders.status, "pending"), or(isNull(reminders.claim), lt(reminders.claimedAt, now - CLAIM_LEASE_MS)));

/**
 * Atomically claims up to `limit` due reminders for this run (`claim` is the run's id):
 * a row claimed by one run is invisible to another until released or its lease runs out.
 */
export async function claimDue(db: Database, claim: string, now: number, limit: number): Promise<ClaimedReminder[]> {
  const due = db
    .select({ id: reminders.id })
    .from(reminders)
    .where(and(claimable(now), lte(reminders.dueAt, now)))
    .orderBy(reminders.dueAt)
    .limit(limit);
  const rows = await db
    .update(reminders)
    .set({ claim, claimedAt: now })
    .where(and(inArray(reminders.id, due), claimable(now)))
    .returning({
      id: reminders.id,
      site: reminders.site,
      email: reminders.email,
      lang: reminders.lang,
      pageUrl: reminders.pageUrl,
    })
    .all();
  return rows.filter((r): r is ClaimedReminder => r.email !== null);
}

/** Marks a claimed reminder sent and erases the address: only the counts remain. */
export async function markSent(db: Database, id: string, claim: string, now: number): Promise<void> {
  await db
    .update(reminders)
    .set({
      status: "sent",
      email: null,
      forgetHash: null,
      claim: null,
      claimedAt: null,
      sentAt: now,
      updatedAt: now,
      lastError: null,
    })
    .where(and(eq(reminders.id, id), eq(reminders.claim, claim)));
}

/**
 * Gives a claimed reminder back for the next run after a failed send (`error` set) or when
 * another run was already sending it (`error` null: not counted as an attempt). After
 * MAX_ATTEMPTS failures it is given up and the address erased.
 */
export async function release(db: Database, id: string, claim: string, now: number, error: string | null) {
  const add = error ? 1 : 0;
  const givenUp = sql`${reminders.attempts} + ${add} >= ${MAX_ATTEMPTS}`;
  await db
    .update(reminders)
    .set({
      attempts: sql`${reminders.attempts} + ${add}`,
      lastError: sql`coalesce(${error}, ${reminders.lastError})`,
      status: sql`CASE WHEN ${givenUp} THEN 'failed' ELSE ${reminders.status} END`,
      email: sql`CASE WHEN ${givenUp} THEN NULL ELSE ${reminders.email} END`,
      forgetHash: sql`CASE WHEN ${givenUp} THEN NULL ELSE ${reminders.forgetHash} END`,
      claim: null,
      claimedAt: null,
      updatedAt: now,
    })
    .where(and(eq(reminders.id, id), eq(reminders.claim, claim)));
}

/** Forgets every pending or unconfirmed reminder behind a forget-me token; returns how many there were. */
export async function forgetByHash(db: Database, forgetHash: string, now: number): Promise<number> {
  const forgotten = await db
    .update(reminders)
    .set({
      status: "forgotten",
      email: null,
      forgetHash: null,
      confirmHash: null,
      claim: null,
      claimedAt: null,
      updatedAt: now,
    })
    .where(and(eq(reminders.forgetHash, forgetHash), inArray(reminders.status, ["pending", "unconfirmed"])))
    .returning({ id: reminders.id })
    .all();
  return forgotten.length;
}

/** Staff counts for one site: reminders asked for in the range and what became of them. */
export type ReminderStats = {
  requested: number;
  /** Requests the reader confirmed by email (whatever became of them since). */
  confirmed: number;
  /** Requests still waiting for their confirmation. */
  unconfirmed: number;
  /** Requests nobody confirmed in time. */
  expired: number;
  /** Confirmed reminders waiting for their date. */
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
  db: Database,
  site: string,
  range: { from: number; to: number },
  campaign: string,
): Promise<ReminderStats> {
  // Aliased: D1 returns rows as arrays keyed by column name, so two unnamed expressions alike would collide.
  const countOf = (status: string) => sql<number>`coalesce(sum(${reminders.status} = ${status}), 0)`.as(status);
  const paidFromReminder = and(
    eq(payments.site, site),
    eq(payments.campaign, campaign),
    gte(payments.paidAt, range.from),
    lt(payments.paidAt, range.to),
  );
  const [counts, converted, byCurrency] = await db.batch([
    db
      .select({
        requested: sql<number>`count(*)`.as("requested"),
        confirmed: sql<number>`count(${reminders.confirmedAt})`.as("confirmed"),
        unconfirmed: countOf("unconfirmed"),
        expired: countOf("expired"),
        pending: countOf("pending"),
        sent: countOf("sent"),
        forgotten: countOf("forgotten"),
        failed: countOf("failed"),
      })
      .from(reminders)
      .where(and(eq(reminders.site, site), gte(reminders.createdAt, range.from), lt(reminders.createdAt, range.to))),
    db
      .select({ converted: countDistinct(payments.pledgeId) })
      .from(payments)
      .where(paidFromReminder),
    db
      .select({
        currency: payments.currency,
        pledges: countDistinct(payments.pledgeId),
        gross: sql<number>`sum(${payments.amount})`,
      })
      .from(payments)
      .where(paidFromReminder)
      .groupBy(payments.currency)
      .orderBy(payments.currency),
  ]);
  const c = counts[0];
  return {
    requested: c?.requested ?? 0,
    confirmed: c?.confirmed ?? 0,
    unconfirmed: c?.unconfirmed ?? 0,
    expired: c?.expired ?? 0,
    pending: c?.pending ?? 0,
    sent: c?.sent ?? 0,
    forgotten: c?.forgotten ?? 0,
    failed: c?.failed ?? 0,
    converted: converted[0]?.converted ?? 0,
    convertedByCurrency: byCurrency,
  };
}
