import {
  and,
  asc,
  count,
  countDistinct,
  eq,
  gt,
  gte,
  inArray,
  isNull,
  lt,
  lte,
  ne,
  or,
  type SQL,
  sql,
} from "drizzle-orm";
import type { AnySQLiteColumn } from "drizzle-orm/sqlite-core";
import { REFUND_COUNTED } from "../core/ledger";
import type { Database } from "../platform/db";
import { compiled, compiledSelect, excluded } from "../platform/db";
import { mailLinks, mailOutbox, payments, pledges, refunds, subscriptionPeriods } from "../platform/schema";
import type { MailTrigger } from "./rules";

/** D1 access for the emails supporters receive: what they are about, their links and schedule, staff counts. */

// ─── What an email is about ──────────────────────────────────────────────────────────────────────

/** The pledge an event names, as the emails need it; undefined when it is not one of ours. */
const PLEDGE_FACTS = {
  id: pledges.id,
  site: pledges.site,
  frequency: pledges.frequency,
  status: pledges.status,
  campaign: pledges.campaign,
  email: pledges.email,
  lang: pledges.lang,
  amount: pledges.amount,
  feeAmount: pledges.feeAmount,
  currency: pledges.currency,
  pageUrl: pledges.pageUrl,
  variant: pledges.variant,
  placement: pledges.placement,
  customerId: pledges.stripeCustomerId,
};

const selectPledgeFacts = compiledSelect<{ id: string }, typeof PLEDGE_FACTS>(PLEDGE_FACTS, (db, slot, fields) =>
  db
    .select(fields)
    .from(pledges)
    .where(eq(pledges.id, slot("id"))),
);

/** What a page or an email needs of a pledge (compiled once). */
export const pledgeFacts = (db: Database, pledgeId: string) => selectPledgeFacts.first(db, { id: pledgeId });
export type StoredPledge = NonNullable<Awaited<ReturnType<typeof pledgeFacts>>>;

const OUTBOX_STATUS = { key: mailOutbox.key, status: mailOutbox.status };
/** The outbox rows under up to two keys (the same key twice for one). */
const outboxStatuses = compiledSelect<{ a: string; b: string }, typeof OUTBOX_STATUS>(
  OUTBOX_STATUS,
  (db, slot, fields) =>
    db
      .select(fields)
      .from(mailOutbox)
      .where(or(eq(mailOutbox.key, slot("a")), eq(mailOutbox.key, slot("b")))),
);

const PAYMENT_ID = { id: payments.id };
/** The payment with this id (none for NULL). */
const paymentById = compiledSelect<{ id: string | null }, typeof PAYMENT_ID>(PAYMENT_ID, (db, slot, fields) =>
  db
    .select(fields)
    .from(payments)
    .where(eq(payments.id, sql`${slot("id")}`)),
);

/** What deciding a Stripe event's email needs of D1. */
export type MailFacts = {
  pledge: StoredPledge | undefined;
  /** The outbox status (sending, sent, failed) under each of the asked keys that has a message. */
  outbox: Map<string, "sending" | "sent" | "failed">;
  /** The ledger holds a payment with the asked id (a failed invoice that was paid after all). */
  paymentRecorded: boolean;
};

/** What deciding an event's email asks of D1: the pledge, the outbox under up to two keys, a payment. */
export type MailFactsAsk = { pledgeId: string; keys: readonly string[]; paymentId: string | null };

/**
 * The reads of `mailFacts` as statements for a D1 batch, and how to read their results. At the end
 * of another batch (the ledger's, ledger/process-event.ts) they see what it wrote before them, as
 * they would right after it, and spare the email its own round trip.
 */
export function mailFactsQuery(db: Database, ask: MailFactsAsk) {
  const [a = "", b = a] = ask.keys;
  return {
    statements: [
      selectPledgeFacts.bind(db, { id: ask.pledgeId }),
      outboxStatuses.bind(db, { a, b }),
      paymentById.bind(db, { id: ask.paymentId }),
    ],
    /** Undefined when D1 answered fewer results than it was asked. */
    read([pledge, outbox, paid]: D1Result[]): MailFacts | undefined {
      if (!pledge || !outbox || !paid) return undefined;
      return {
        pledge: selectPledgeFacts.rows(pledge)[0],
        outbox: new Map(outboxStatuses.rows(outbox).map((row) => [row.key, row.status])),
        paymentRecorded: paymentById.rows(paid).length > 0,
      };
    },
  };
}

/**
 * The pledge an event names, the outbox's state under the keys its email could use (one or two)
 * and, for a failed invoice, whether it was paid after all: one D1 round trip, read for most events
 * whose reads did not ride on the ledger's batch.
 */
export async function mailFacts(db: Database, ask: MailFactsAsk): Promise<MailFacts> {
  const query = mailFactsQuery(db, ask);
  const facts = query.read(await db.$client.batch(query.statements));
  if (!facts) throw new Error("D1 answered a batch of three with fewer results");
  return facts;
}

// ─── The renewal schedule ────────────────────────────────────────────────────────────────────────

/**
 * Keeps a subscription's current period from one of its events: inserted only for a pledge of
 * ours (its site taken from the pledge), changed only by a newer event (or, within the same
 * second, one with a later period end), so any delivery order ends in the newest state.
 */
export async function upsertPeriod(
  db: Database,
  t: Extract<MailTrigger, { type: "subscription" }>,
  now: number,
): Promise<void> {
  await periodUpsert(db, {
    subscriptionId: t.subscriptionId,
    pledgeId: t.pledgeId,
    interval: t.interval,
    currency: t.currency,
    amount: t.amount,
    status: t.status,
    ending: t.ending ? 1 : 0,
    periodEnd: t.periodEnd,
    eventCreated: t.eventCreated,
    now,
  }).run();
}

const periodUpsert = compiled<{
  subscriptionId: string;
  pledgeId: string;
  interval: string;
  currency: string;
  amount: number;
  status: string;
  ending: number;
  periodEnd: number;
  eventCreated: number;
  now: number;
}>((db, slot) => {
  // Within one second (Stripe's resolution) a later period wins, then the more final state: ending, then canceled.
  const finality = (status: SQL, ending: SQL) => sql`(CASE WHEN ${status} = 'canceled' THEN 2 ELSE ${ending} END)`;
  const incoming = finality(excluded(subscriptionPeriods.status), excluded(subscriptionPeriods.ending));
  const stored = finality(sql`${subscriptionPeriods.status}`, sql`${subscriptionPeriods.ending}`);
  const newer = sql`${excluded(subscriptionPeriods.eventCreated)} > ${subscriptionPeriods.eventCreated}
    OR (${excluded(subscriptionPeriods.eventCreated)} = ${subscriptionPeriods.eventCreated}
        AND (${excluded(subscriptionPeriods.periodEnd)} > ${subscriptionPeriods.periodEnd}
             OR (${excluded(subscriptionPeriods.periodEnd)} = ${subscriptionPeriods.periodEnd} AND ${incoming} >= ${stored})))`;
  return db
    .insert(subscriptionPeriods)
    .select((qb) =>
      qb
        .select({
          subscriptionId: sql`${slot("subscriptionId")}`.as("subscription_id"),
          pledgeId: pledges.id,
          site: pledges.site,
          interval: sql`${slot("interval")}`.as("interval"),
          currency: sql`${slot("currency")}`.as("currency"),
          amount: sql`${slot("amount")}`.as("amount"),
          status: sql`${slot("status")}`.as("status"),
          ending: sql`${slot("ending")}`.as("ending"),
          periodEnd: sql`${slot("periodEnd")}`.as("period_end"),
          eventCreated: sql`${slot("eventCreated")}`.as("event_created"),
          noticeFor: sql`NULL`.as("notice_for"),
          noticeAttempts: sql`0`.as("notice_attempts"),
          updatedAt: sql`${slot("now")}`.as("updated_at"),
        })
        .from(pledges)
        .where(eq(pledges.id, slot("pledgeId"))),
    )
    .onConflictDoUpdate({
      target: subscriptionPeriods.subscriptionId,
      set: {
        interval: excluded(subscriptionPeriods.interval),
        currency: excluded(subscriptionPeriods.currency),
        amount: excluded(subscriptionPeriods.amount),
        status: excluded(subscriptionPeriods.status),
        ending: excluded(subscriptionPeriods.ending),
        periodEnd: excluded(subscriptionPeriods.periodEnd),
        eventCreated: excluded(subscriptionPeriods.eventCreated),
        // A new period starts with no attempts at its notice.
        noticeAttempts: sql`CASE WHEN ${excluded(subscriptionPeriods.periodEnd)} = ${subscriptionPeriods.periodEnd}
          THEN ${subscriptionPeriods.noticeAttempts} ELSE 0 END`,
        updatedAt: excluded(subscriptionPeriods.updatedAt),
      },
      setWhere: newer,
    });
});

/** Annual supports of a site charged again between `now` and `until`, whose notice has not gone, with their pledge. */
export async function periodsDue(db: Database, site: string, now: number, until: number) {
  return db
    .select({
      subscriptionId: subscriptionPeriods.subscriptionId,
      pledgeId: subscriptionPeriods.pledgeId,
      interval: subscriptionPeriods.interval,
      status: subscriptionPeriods.status,
      ending: subscriptionPeriods.ending,
      amount: subscriptionPeriods.amount,
      currency: subscriptionPeriods.currency,
      periodEnd: subscriptionPeriods.periodEnd,
      noticeFor: subscriptionPeriods.noticeFor,
      noticeAttempts: subscriptionPeriods.noticeAttempts,
      email: pledges.email,
      lang: pledges.lang,
    })
    .from(subscriptionPeriods)
    .innerJoin(pledges, eq(pledges.id, subscriptionPeriods.pledgeId))
    .where(
      and(
        eq(subscriptionPeriods.site, site),
        eq(subscriptionPeriods.interval, "year"),
        inArray(subscriptionPeriods.status, ["active", "trialing"]),
        eq(subscriptionPeriods.ending, 0),
        gt(subscriptionPeriods.periodEnd, now),
        lte(subscriptionPeriods.periodEnd, until),
        or(isNull(subscriptionPeriods.noticeFor), ne(subscriptionPeriods.noticeFor, subscriptionPeriods.periodEnd)),
      ),
    )
    .orderBy(asc(subscriptionPeriods.periodEnd))
    .limit(200)
    .all();
}

/** The period's notice went (or is given up): it is not tried again for this period. */
export async function markNoticed(db: Database, subscriptionId: string, periodEnd: number, now: number) {
  await db
    .update(subscriptionPeriods)
    .set({ noticeFor: periodEnd, updatedAt: now })
    .where(and(eq(subscriptionPeriods.subscriptionId, subscriptionId), eq(subscriptionPeriods.periodEnd, periodEnd)));
}

/** A failed try at the period's notice; returns how many there were. */
export async function countNoticeAttempt(db: Database, subscriptionId: string, now: number): Promise<number> {
  const row = await db
    .update(subscriptionPeriods)
    .set({ noticeAttempts: sql`${subscriptionPeriods.noticeAttempts} + 1`, updatedAt: now })
    .where(eq(subscriptionPeriods.subscriptionId, subscriptionId))
    .returning({ attempts: subscriptionPeriods.noticeAttempts })
    .get();
  return row?.attempts ?? 0;
}

// ─── Links ───────────────────────────────────────────────────────────────────────────────────────

export type MailLink = typeof mailLinks.$inferSelect;

/** Stores a link (only its token's hash). */
export async function insertLink(db: Database, link: typeof mailLinks.$inferInsert): Promise<void> {
  await db.insert(mailLinks).values(link);
}

/** A link by its token's hash. */
export async function findMailLink(db: Database, tokenHash: string): Promise<MailLink | undefined> {
  return db.select().from(mailLinks).where(eq(mailLinks.tokenHash, tokenHash)).get();
}

/** Uses a card-update link: one statement, so of two clicks exactly one gets it. */
export async function useCardLink(db: Database, tokenHash: string, now: number): Promise<MailLink | undefined> {
  return db
    .update(mailLinks)
    .set({ usedAt: now })
    .where(
      and(
        eq(mailLinks.tokenHash, tokenHash),
        eq(mailLinks.kind, "card_update"),
        isNull(mailLinks.usedAt),
        gt(mailLinks.expiresAt, now),
      ),
    )
    .returning()
    .get();
}

/** Gives a card-update link back when Stripe could not open the card update. */
export async function unuseCardLink(db: Database, tokenHash: string, usedAt: number): Promise<void> {
  await db
    .update(mailLinks)
    .set({ usedAt: null })
    .where(and(eq(mailLinks.tokenHash, tokenHash), eq(mailLinks.usedAt, usedAt)));
}

/** Stripe sent the reader back from a completed card update (the first time counts). */
export async function completeCardLink(db: Database, tokenHash: string, now: number): Promise<void> {
  await db
    .update(mailLinks)
    .set({ completedAt: now })
    .where(
      and(eq(mailLinks.tokenHash, tokenHash), sql`${mailLinks.usedAt} IS NOT NULL`, isNull(mailLinks.completedAt)),
    );
}

/** A recovery link started a checkout: its latest pledge. */
export async function recordRecoveryStart(db: Database, tokenHash: string, pledgeId: string, now: number) {
  await db.update(mailLinks).set({ usedAt: now, startedPledgeId: pledgeId }).where(eq(mailLinks.tokenHash, tokenHash));
}

/** Deletes links that expired more than 90 days ago (the staff counts look back at most that far). */
export async function purgeMailLinks(db: Database, now: number): Promise<number> {
  const deleted = await db
    .delete(mailLinks)
    .where(lt(mailLinks.expiresAt, now - 90 * 86_400_000))
    .returning({ tokenHash: mailLinks.tokenHash })
    .all();
  return deleted.length;
}

// ─── The yearly statement ────────────────────────────────────────────────────────────────────────

/**
 * Every payment an address made on a site between `from` and `to` (unix ms), oldest first, and
 * the refunds of those payments whose money left (or is leaving): matched by the address given at
 * checkout or in Stripe, lower-cased.
 */
export async function statementOf(db: Database, site: string, email: string, from: number, to: number) {
  const theirs = and(
    eq(payments.site, site),
    sql`lower(${pledges.email}) = ${email}`,
    gte(payments.paidAt, from),
    lt(payments.paidAt, to),
  );
  const [paid, refunded] = await db.batch([
    db
      .select({
        id: payments.id,
        at: payments.paidAt,
        frequency: payments.frequency,
        amount: payments.amount,
        currency: payments.currency,
      })
      .from(payments)
      .innerJoin(pledges, eq(pledges.id, payments.pledgeId))
      .where(theirs)
      .orderBy(asc(payments.paidAt), asc(payments.id))
      .limit(500),
    db
      .select({
        id: refunds.id,
        at: refunds.createdAt,
        frequency: payments.frequency,
        amount: refunds.amount,
        currency: refunds.currency,
      })
      .from(refunds)
      .innerJoin(payments, eq(payments.paymentIntentId, refunds.paymentIntentId))
      .innerJoin(pledges, eq(pledges.id, payments.pledgeId))
      .where(and(theirs, inArray(refunds.status, [...REFUND_COUNTED])))
      .orderBy(asc(refunds.createdAt), asc(refunds.id))
      .limit(500),
  ]);
  return { paid, refunded };
}

/** Statements sent (or tried) for one address hash on a site since `since`: the per-address limit. */
export async function recentStatements(db: Database, site: string, emailHash: string, since: number): Promise<number> {
  const row = await db
    .select({ n: count().as("n") })
    .from(mailOutbox)
    .where(
      and(
        eq(mailOutbox.site, site),
        eq(mailOutbox.kind, "statement"),
        // Keys that start with the prefix (":" is followed by ";"): the key's own index, no LIKE pattern.
        gt(mailOutbox.key, `statement:${site}:${emailHash}:`),
        lt(mailOutbox.key, `statement:${site}:${emailHash};`),
        gt(mailOutbox.createdAt, since),
      ),
    )
    .get();
  return row?.n ?? 0;
}

// ─── Staff counts ────────────────────────────────────────────────────────────────────────────────

/** Emails per kind and status on a site in a range (the outbox keeps 30 days). */
export async function mailCounts(db: Database, site: string, from: number, to: number) {
  return db
    .select({ kind: mailOutbox.kind, status: mailOutbox.status, n: count().as("n") })
    .from(mailOutbox)
    .where(and(eq(mailOutbox.site, site), gte(mailOutbox.createdAt, from), lt(mailOutbox.createdAt, to)))
    .groupBy(mailOutbox.kind, mailOutbox.status)
    .all();
}

/** What followed the emails' links in a range: card updates opened and completed, recovery links used. */
export async function linkCounts(db: Database, site: string, from: number, to: number) {
  const within = (column: AnySQLiteColumn) => sql<number>`coalesce(sum(${column} >= ${from} AND ${column} < ${to}), 0)`;
  return db
    .select({
      kind: mailLinks.kind,
      used: within(mailLinks.usedAt).as("used"),
      completed: within(mailLinks.completedAt).as("completed"),
    })
    .from(mailLinks)
    .where(eq(mailLinks.site, site))
    .groupBy(mailLinks.kind)
    .all();
}

/** Pledges started from a recovery email and paid in a range: how many, and their money per currency. */
export async function recoveredCheckouts(db: Database, site: string, campaign: string, from: number, to: number) {
  return db
    .select({
      currency: payments.currency,
      pledges: countDistinct(payments.pledgeId).as("pledges"),
      gross: sql<number>`sum(${payments.amount})`.as("gross"),
    })
    .from(payments)
    .where(
      and(
        eq(payments.site, site),
        eq(payments.campaign, campaign),
        gte(payments.paidAt, from),
        lt(payments.paidAt, to),
      ),
    )
    .groupBy(payments.currency)
    .orderBy(payments.currency)
    .all();
}
