import { and, asc, desc, eq, inArray, isNull, lt, lte, sql } from "drizzle-orm";
import { INBOX_FIRST_RETRY_MS, INBOX_RETRY_MINUTES, type InboxBacklog } from "../core/inbox";
import type { LedgerEffect, LedgerEvent } from "../core/ledger";
import { type BoundStatement, compiled, type Database, excluded, runBatch, type Statement } from "../platform/db";
import {
  balanceTransactions,
  disputes,
  payments,
  pledges,
  reconciliationDifferences,
  reconciliationRuns,
  recurringChanges,
  refunds,
  stripeEvents,
  stripeInbox,
} from "../platform/schema";

/**
 * D1 statements for ledger effects. Each statement is idempotent and order-independent:
 * - status moves only forward by `status_key` (see core/ledger.ts);
 * - links fill empty columns only;
 * - a payment row is inserted once (primary key) and takes its site, frequency and fee
 *   split from its pledge — a payment for an unknown pledge inserts nothing;
 * - a refund's row takes a status only from a later stage of its life (`status_key`, core/ledger.ts);
 * - a dispute's row takes the status of the newest event (`status_key`): lost, appealed, won;
 * - reconciliation's repairs (`force`) take Stripe's current state whatever the row claims;
 * - a balance transaction is a fact: inserted once, never changed;
 * - a subscription's terms (amount, fee cover, frequency, pause, scheduled end) replace the
 *   pledge's only when newer (`terms_key`);
 * - a recurring change is a row of its own, inserted once (its event id; a pledge starts and
 *   ends once), taking its site from the pledge — a change of an unknown pledge inserts nothing.
 */
export function ledgerStatements(db: Database, effect: LedgerEffect, now: number): (Statement | BoundStatement)[] {
  switch (effect.kind) {
    case "status":
      return [setStatus(db, { ...fieldsOf(effect), now })];
    case "link":
      return [
        linkPledge(db, {
          pledgeId: effect.pledgeId,
          customerId: effect.customerId ?? null,
          subscriptionId: effect.subscriptionId ?? null,
          paymentIntentId: effect.paymentIntentId ?? null,
          email: effect.email ?? null,
          now,
        }),
      ];
    case "payment":
      return [insertPayment(db, { ...fieldsOf(effect), frequency: effect.frequency || null })];
    case "refund":
      return [upsertRefund(db, { ...fieldsOf(effect), force: effect.force === true })];
    case "payment_intent":
      return [linkPaymentIntent(db, fieldsOf(effect))];
    case "refunds_listed":
      // Every refund of the charge is now a row of its own: a total carried over from before
      // refunds had rows (migrations/0004) would count them twice.
      return [db.delete(refunds).where(eq(refunds.id, `legacy_${effect.chargeId}`))];
    case "dispute": {
      const newer = effect.force ? sql`1` : sql`${excluded(disputes.statusKey)} > ${disputes.statusKey}`;
      return [
        db
          .insert(disputes)
          .values({
            id: effect.id,
            chargeId: effect.chargeId,
            paymentIntentId: effect.paymentIntentId,
            currency: effect.currency,
            amount: effect.amount,
            status: effect.status,
            phase: effect.phase,
            statusKey: effect.key,
            createdAt: effect.createdAt,
            updatedAt: effect.at,
          })
          .onConflictDoUpdate({
            target: disputes.id,
            set: {
              status: excluded(disputes.status),
              phase: excluded(disputes.phase),
              amount: excluded(disputes.amount),
              statusKey: excluded(disputes.statusKey),
              updatedAt: excluded(disputes.updatedAt),
            },
            setWhere: newer,
          }),
      ];
    }
    case "terms":
      return [setTerms(db, { ...fieldsOf(effect), now })];
    case "change":
      return [insertChange(db, fieldsOf(effect))];
    case "balance":
      return [insertBalanceTransaction(db, fieldsOf(effect))];
  }
}

// The statements every Stripe event writes, compiled once per isolate (platform/db.ts `compiled`).
// Each keeps one shape whatever its values: a missing value is NULL, a switch is a bound 0 or 1.

/** An effect's fields, without its `kind`: the values its statement binds. */
type Fields<K extends LedgerEffect["kind"]> = Omit<Extract<LedgerEffect, { kind: K }>, "kind">;
const fieldsOf = <E extends LedgerEffect>({ kind: _kind, ...fields }: E) => fields;

const setStatus = compiled<Fields<"status"> & { now: number }>((db, slot) =>
  db
    .update(pledges)
    .set({ status: slot("status"), statusKey: slot("key"), updatedAt: slot("now") })
    .where(and(eq(pledges.id, slot("pledgeId")), lt(pledges.statusKey, slot("key")))),
);

const linkPledge = compiled<Required<Fields<"link">> & { now: number }>((db, slot) =>
  db
    .update(pledges)
    .set({
      stripeCustomerId: sql`coalesce(${pledges.stripeCustomerId}, ${slot("customerId")})`,
      stripeSubscriptionId: sql`coalesce(${pledges.stripeSubscriptionId}, ${slot("subscriptionId")})`,
      stripePaymentIntentId: sql`coalesce(${pledges.stripePaymentIntentId}, ${slot("paymentIntentId")})`,
      email: sql`coalesce(${pledges.email}, ${slot("email")})`,
      updatedAt: slot("now"),
    })
    .where(eq(pledges.id, slot("pledgeId"))),
);

const insertPayment = compiled<Omit<Fields<"payment">, "frequency"> & { frequency: string | null }>((db, slot) =>
  db
    .insert(payments)
    .select((qb) =>
      qb
        .select({
          id: sql`${slot("id")}`.as("id"),
          pledgeId: pledges.id,
          site: pledges.site,
          // A subscription bills at the frequency it had then (a supporter may have switched).
          frequency: sql`coalesce(${slot("frequency")}, ${pledges.frequency})`.as("frequency"),
          currency: sql`${slot("currency")}`.as("currency"),
          amount: sql`${slot("amount")}`.as("amount"),
          // The fee cover counts only when the whole pledge was paid in its own currency.
          feeAmount: sql`CASE WHEN ${slot("amount")} = ${pledges.amount} + ${pledges.feeAmount}
            AND ${slot("currency")} = ${pledges.currency} THEN ${pledges.feeAmount} ELSE 0 END`.as("fee_amount"),
          paymentIntentId: sql`${slot("paymentIntentId")}`.as("payment_intent_id"),
          paidAt: sql`${slot("paidAt")}`.as("paid_at"),
          campaign: pledges.campaign,
          variant: pledges.variant,
        })
        .from(pledges)
        .where(eq(pledges.id, slot("pledgeId"))),
    )
    .onConflictDoUpdate({
      target: payments.id,
      set: { paymentIntentId: sql`coalesce(${payments.paymentIntentId}, ${excluded(payments.paymentIntentId)})` },
    }),
);

const upsertRefund = compiled<Omit<Fields<"refund">, "force"> & { force: boolean }>((db, slot) =>
  db
    .insert(refunds)
    .values({
      id: slot("id"),
      chargeId: slot("chargeId"),
      paymentIntentId: slot("paymentIntentId"),
      currency: slot("currency"),
      amount: slot("amount"),
      status: slot("status"),
      statusKey: slot("key"),
      createdAt: slot("createdAt"),
      updatedAt: slot("at"),
    })
    .onConflictDoUpdate({
      target: refunds.id,
      set: {
        status: excluded(refunds.status),
        statusKey: excluded(refunds.statusKey),
        updatedAt: excluded(refunds.updatedAt),
      },
      // Only a newer state changes the row (and so the roll-ups); reconciliation's repair (`force`) any.
      setWhere: sql`(${slot("force")} = 1 OR ${excluded(refunds.statusKey)} > ${refunds.statusKey})`,
    }),
);

const linkPaymentIntent = compiled<Fields<"payment_intent">>((db, slot) =>
  db
    .update(payments)
    .set({ paymentIntentId: slot("paymentIntentId") })
    .where(and(eq(payments.id, slot("paymentId")), isNull(payments.paymentIntentId))),
);

const insertBalanceTransaction = compiled<Fields<"balance">>((db, slot) =>
  db
    .insert(balanceTransactions)
    .values({
      id: slot("id"),
      use: slot("use"),
      source: slot("source"),
      paymentIntentId: slot("paymentIntentId"),
      type: slot("type"),
      reportingCategory: slot("reportingCategory"),
      currency: slot("currency"),
      amount: slot("amount"),
      fee: slot("fee"),
      net: slot("net"),
      exchangeRate: slot("exchangeRate"),
      created: slot("created"),
    })
    .onConflictDoNothing({ target: balanceTransactions.id }),
);

const setTerms = compiled<Fields<"terms"> & { now: number }>((db, slot) => {
  // A fee cover the subscription does not state (NULL) leaves the pledge's as it is.
  const fee = sql`coalesce(${slot("feeAmount")}, ${pledges.feeAmount})`;
  return db
    .update(pledges)
    .set({
      amount: sql`${slot("total")} - ${fee}`,
      feeAmount: fee,
      frequency: sql`coalesce(${slot("frequency")}, ${pledges.frequency})`,
      paused: slot("paused"),
      resumesAt: slot("resumesAt"),
      cancelAt: slot("cancelAt"),
      termsKey: slot("key"),
      updatedAt: slot("now"),
    })
    .where(
      and(
        eq(pledges.id, slot("pledgeId")),
        lt(pledges.termsKey, slot("key")),
        // Never a fee cover larger than what the period charges.
        sql`${slot("total")} - ${fee} > 0`,
      ),
    );
});

const insertChange = compiled<Fields<"change">>((db, slot) =>
  db
    .insert(recurringChanges)
    .select((qb) =>
      qb
        .select({
          eventId: sql`${slot("eventId")}`.as("event_id"),
          pledgeId: pledges.id,
          site: pledges.site,
          currency: sql`${slot("currency")}`.as("currency"),
          at: sql`${slot("at")}`.as("at"),
          month: sql`${slot("month")}`.as("month"),
          change: sql`${slot("change")}`.as("change"),
          movement: sql`${slot("movement")}`.as("movement"),
          monthlyDelta: sql`${slot("monthlyDelta")}`.as("monthly_delta"),
          annualDelta: sql`${slot("annualDelta")}`.as("annual_delta"),
          fromAmount: sql`${slot("fromAmount")}`.as("from_amount"),
          toAmount: sql`${slot("toAmount")}`.as("to_amount"),
          fromFrequency: sql`${slot("fromFrequency")}`.as("from_frequency"),
          toFrequency: sql`${slot("toFrequency")}`.as("to_frequency"),
          reason: sql`${slot("reason")}`.as("reason"),
          comment: sql`${slot("comment")}`.as("comment"),
          saveOffer: sql`${slot("saveOffer")}`.as("save_offer"),
        })
        .from(pledges)
        .where(eq(pledges.id, slot("pledgeId"))),
    )
    .onConflictDoNothing(),
);

const insertEvent = compiled<{ id: string; type: string; created: number; processedAt: number }>((db, slot) =>
  db
    .insert(stripeEvents)
    .values({ id: slot("id"), type: slot("type"), created: slot("created"), processedAt: slot("processedAt") }),
);

/** The row that marks an event processed; its primary key refuses a second batch for the same event. */
export const recordEvent = (db: Database, event: LedgerEvent, now: number): BoundStatement =>
  insertEvent(db, { id: event.id, type: event.type, created: event.created, processedAt: now });

const selectProcessed = compiled<{ id: string }>((db, slot) =>
  db
    .select({ id: stripeEvents.id })
    .from(stripeEvents)
    .where(eq(stripeEvents.id, slot("id"))),
);

/** Whether an event id was processed already. */
export async function wasProcessed(db: Database, eventId: string): Promise<boolean> {
  return (await selectProcessed(db, { id: eventId }).first()) !== null;
}

// ─── The inbox (ledger/inbox.ts) ─────────────────────────────────────────────────────────────────

/**
 * Stores a verified event in the inbox unless the ledger processed it already, in one round trip
 * (one atomic batch): "duplicate" when it did, and then nothing is stored; else "stored" (also when
 * the event was waiting in the inbox already: the first copy stays, with its attempts). The Cron
 * may take it INBOX_FIRST_RETRY_MS after `now`, when the apply right after the answer is long done.
 */
export async function storeInInbox(db: Database, event: LedgerEvent, now: number): Promise<"stored" | "duplicate"> {
  const [done] = await db.$client.batch([
    selectProcessed(db, { id: event.id }),
    insertInInbox(db, {
      eventId: event.id,
      type: event.type,
      payload: JSON.stringify(event),
      receivedAt: now,
      nextAttemptAt: now + INBOX_FIRST_RETRY_MS,
    }),
    // A processed event leaves nothing behind (nor a copy an earlier apply failed to remove).
    deleteIfProcessed(db, { eventId: event.id }),
  ]);
  return (done?.results.length ?? 0) > 0 ? "duplicate" : "stored";
}

const insertInInbox = compiled<{
  eventId: string;
  type: string;
  payload: string;
  receivedAt: number;
  nextAttemptAt: number;
}>((db, slot) =>
  db
    .insert(stripeInbox)
    .values({
      eventId: slot("eventId"),
      type: slot("type"),
      payload: slot("payload"),
      receivedAt: slot("receivedAt"),
      nextAttemptAt: slot("nextAttemptAt"),
    })
    .onConflictDoNothing({ target: stripeInbox.eventId }),
);

const deleteIfProcessed = compiled<{ eventId: string }>((db, slot) =>
  db
    .delete(stripeInbox)
    .where(
      and(
        eq(stripeInbox.eventId, slot("eventId")),
        sql`EXISTS (SELECT 1 FROM ${stripeEvents} WHERE ${stripeEvents.id} = ${slot("eventId")})`,
      ),
    ),
);

const deleteFromInbox = compiled<{ eventId: string }>((db, slot) =>
  db.delete(stripeInbox).where(eq(stripeInbox.eventId, slot("eventId"))),
);

/**
 * Removes an event from the inbox (nothing when it is not there, e.g. a concurrent apply removed it
 * first): part of the ledger's batch that marks the event processed, so the two never disagree.
 */
export const leaveInbox = (db: Database, eventId: string): BoundStatement => deleteFromInbox(db, { eventId });

/** Removes an event the ledger had processed already from the inbox. */
export async function forgetInboxEvent(db: Database, eventId: string): Promise<void> {
  await leaveInbox(db, eventId).run();
}

/** The wait after this failure, from the failures before it (`attempts` as it was): INBOX_RETRY_MINUTES, capped. */
const retryDelay = sql.join(
  [
    sql`CASE ${stripeInbox.attempts}`,
    ...INBOX_RETRY_MINUTES.slice(0, -1).map((minutes, i) => sql`WHEN ${i} THEN ${minutes * 60_000}`),
    sql`ELSE ${(INBOX_RETRY_MINUTES.at(-1) ?? 60) * 60_000} END`,
  ],
  sql` `,
);

/**
 * Records a failed attempt: one more attempt, its error, the next attempt after the backoff. A
 * row a concurrent apply already removed stays removed (the update matches nothing).
 */
export async function recordInboxFailure(db: Database, eventId: string, error: string, now: number): Promise<void> {
  await db
    .update(stripeInbox)
    .set({
      attempts: sql`${stripeInbox.attempts} + 1`,
      lastError: error.slice(0, 500),
      nextAttemptAt: sql`${now} + ${retryDelay}`,
    })
    .where(eq(stripeInbox.eventId, eventId));
}

/** The inbox's events due at `now`, oldest first, at most `limit`. */
export async function dueInInbox(db: Database, now: number, limit: number) {
  return db
    .select({ eventId: stripeInbox.eventId, type: stripeInbox.type, payload: stripeInbox.payload })
    .from(stripeInbox)
    .where(lte(stripeInbox.nextAttemptAt, now))
    .orderBy(asc(stripeInbox.receivedAt), asc(stripeInbox.eventId))
    .limit(limit)
    .all();
}

/** How many events wait, how many of them were received before `lateBefore`, and the oldest. */
export async function inboxBacklog(db: Database, lateBefore: number): Promise<InboxBacklog> {
  const [[counts], [oldest]] = await db.batch([
    db
      .select({
        waiting: sql<number>`count(*)`.as("waiting"),
        late: sql<number>`coalesce(sum(${stripeInbox.receivedAt} < ${lateBefore}), 0)`.as("late"),
      })
      .from(stripeInbox),
    db
      .select({
        eventId: stripeInbox.eventId,
        type: stripeInbox.type,
        receivedAt: stripeInbox.receivedAt,
        attempts: stripeInbox.attempts,
        lastError: stripeInbox.lastError,
      })
      .from(stripeInbox)
      .orderBy(asc(stripeInbox.receivedAt), asc(stripeInbox.eventId))
      .limit(1),
  ]);
  return { waiting: counts?.waiting ?? 0, late: counts?.late ?? 0, oldest: oldest ?? null };
}

// ─── Reconciliation (ledger/reconcile.ts) ────────────────────────────────────────────────────────

/** D1 binds at most 100 parameters a statement: lists are read in chunks. */
const CHUNK = 90;
const chunks = <T>(items: T[]) =>
  Array.from({ length: Math.ceil(items.length / CHUNK) }, (_, i) => items.slice(i * CHUNK, (i + 1) * CHUNK));

/** Which of these event ids the ledger has processed. */
export async function processedIds(db: Database, ids: string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (const part of chunks(ids)) {
    const rows = await db
      .select({ id: stripeEvents.id })
      .from(stripeEvents)
      .where(inArray(stripeEvents.id, part))
      .all();
    for (const r of rows) out.add(r.id);
  }
  return out;
}

/** What the ledger holds about these charges and their payment intents, in one round trip per chunk. */
export async function ledgerFor(db: Database, charges: { id: string; paymentIntentId: string }[]) {
  const byIntent = new Map<string, { id: string; amount: number; currency: string }>();
  const settled = new Set<string>();
  const refundsByCharge = new Map<string, Map<string, { status: string; amount: number }>>();
  const disputesByCharge = new Map<string, Map<string, { status: string }>>();
  for (const part of chunks(charges)) {
    const intents = part.map((c) => c.paymentIntentId);
    const ids = part.map((c) => c.id);
    const [paid, balances, refundRows, disputeRows] = await db.batch([
      db
        .select({
          id: payments.id,
          amount: payments.amount,
          currency: payments.currency,
          intent: payments.paymentIntentId,
        })
        .from(payments)
        .where(inArray(payments.paymentIntentId, intents)),
      db
        .select({ intent: balanceTransactions.paymentIntentId })
        .from(balanceTransactions)
        .where(and(inArray(balanceTransactions.paymentIntentId, intents), eq(balanceTransactions.use, "payment"))),
      db
        .select({ id: refunds.id, chargeId: refunds.chargeId, status: refunds.status, amount: refunds.amount })
        .from(refunds)
        .where(inArray(refunds.chargeId, ids)),
      db
        .select({ id: disputes.id, chargeId: disputes.chargeId, status: disputes.status })
        .from(disputes)
        .where(inArray(disputes.chargeId, ids)),
    ]);
    for (const p of paid) if (p.intent) byIntent.set(p.intent, { id: p.id, amount: p.amount, currency: p.currency });
    for (const b of balances) settled.add(b.intent);
    for (const r of refundRows) {
      const m = refundsByCharge.get(r.chargeId) ?? new Map();
      m.set(r.id, { status: r.status, amount: r.amount });
      refundsByCharge.set(r.chargeId, m);
    }
    for (const d of disputeRows) {
      const m = disputesByCharge.get(d.chargeId) ?? new Map();
      m.set(d.id, { status: d.status });
      disputesByCharge.set(d.chargeId, m);
    }
  }
  return { byIntent, settled, refundsByCharge, disputesByCharge };
}

/** Which of these Stripe customers are our supporters'. */
export async function knownCustomers(db: Database, customerIds: string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (const part of chunks(customerIds)) {
    const rows = await db
      .selectDistinct({ id: pledges.stripeCustomerId })
      .from(pledges)
      .where(inArray(pledges.stripeCustomerId, part))
      .all();
    for (const r of rows) if (r.id) out.add(r.id);
  }
  return out;
}

/** A payment recorded without its payment intent (an invoice's whose payment could not be looked up). */
export async function paymentWithoutIntent(db: Database, paymentId: string) {
  return db
    .select({ id: payments.id, amount: payments.amount, currency: payments.currency })
    .from(payments)
    .where(and(eq(payments.id, paymentId), isNull(payments.paymentIntentId)))
    .get();
}

type RunRow = typeof reconciliationRuns.$inferInsert;
type DifferenceRow = Omit<typeof reconciliationDifferences.$inferInsert, "runId" | "seq">;

/** Records a reconciliation that started. */
export async function startRun(db: Database, run: Pick<RunRow, "id" | "trigger" | "since" | "until" | "startedAt">) {
  await db.insert(reconciliationRuns).values({ ...run, status: "running" });
}

/** Records how a reconciliation ended, and the differences it found, in one batch. */
export async function finishRun(
  db: Database,
  id: string,
  outcome: Pick<
    RunRow,
    "status" | "finishedAt" | "eventsSeen" | "eventsReplayed" | "chargesChecked" | "differences" | "error"
  >,
  differences: DifferenceRow[],
) {
  await runBatch(db, [
    db.update(reconciliationRuns).set(outcome).where(eq(reconciliationRuns.id, id)),
    ...differences.map((d, seq) => db.insert(reconciliationDifferences).values({ ...d, runId: id, seq })),
  ]);
}

/** The latest reconciliations, newest first. */
export async function recentRuns(db: Database, limit: number) {
  return db.select().from(reconciliationRuns).orderBy(desc(reconciliationRuns.startedAt)).limit(limit).all();
}

/** One reconciliation's differences, in the order it found them. */
export async function runDifferences(db: Database, runId: string, limit = 200) {
  return db
    .select({
      kind: reconciliationDifferences.kind,
      objectId: reconciliationDifferences.objectId,
      paymentIntentId: reconciliationDifferences.paymentIntentId,
      currency: reconciliationDifferences.currency,
      stripeValue: reconciliationDifferences.stripeValue,
      ledgerValue: reconciliationDifferences.ledgerValue,
      repaired: reconciliationDifferences.repaired,
      detail: reconciliationDifferences.detail,
    })
    .from(reconciliationDifferences)
    .where(eq(reconciliationDifferences.runId, runId))
    .orderBy(asc(reconciliationDifferences.seq))
    .limit(limit)
    .all();
}
