import { INBOX_DRAIN_BUDGET_MS, INBOX_DRAIN_LIMIT } from "../core/inbox";
import type { LedgerEvent } from "../core/ledger";
import { database } from "../platform/db";
import type { WorkerEnv } from "../platform/env";
import { processEvent } from "./process-event";
import { dueInInbox, forgetInboxEvent, recordInboxFailure } from "./store";

export type InboxOutcome = "applied" | "duplicate" | "failed";

/**
 * Applies one event of the inbox: `processEvent` (the ledger's batch, which also takes the event
 * out of the inbox, then emails, then outgoing webhooks). When it fails (Stripe could not answer what the event
 * names, D1 failed) nothing of it is marked processed: the event stays with its error and the
 * attempt counted, and the Cron tries it again after the backoff (core/inbox.ts). Never throws.
 * Safe beside another apply of the same event (the answer's and the Cron's at once): the ledger
 * takes each event id once, and removing a row already removed, or counting a failure on it,
 * changes nothing.
 */
export async function applyFromInbox(
  env: WorkerEnv,
  event: LedgerEvent,
  {
    now = Date.now(),
    defer,
    justStored = false,
  }: { now?: number; defer?: (p: Promise<unknown>) => void; justStored?: boolean } = {},
): Promise<InboxOutcome> {
  const db = database(env.DB);
  let result: "applied" | "duplicate";
  try {
    result = await processEvent(env, event, defer, { justStored });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`stripe event ${event.id} (${event.type}) waits in the inbox: ${message}`);
    await recordInboxFailure(db, event.id, message, now).catch((e) =>
      console.error(`stripe inbox: could not record the failure of ${event.id}`, e instanceof Error ? e.message : e),
    );
    return "failed";
  }
  // Applied: its batch took it out of the inbox. A duplicate (processed by a concurrent apply, or
  // by reconciliation) is removed here; left in place on a D1 failure, the next Cron run removes it.
  if (result === "duplicate")
    await forgetInboxEvent(db, event.id).catch((e) =>
      console.error(`stripe inbox: could not remove ${event.id}`, e instanceof Error ? e.message : e),
    );
  return result;
}

export type DrainResult = { due: number; applied: number; duplicate: number; failed: number; left: number };

/**
 * The Cron's pass over the inbox: the events due at `now` (their next attempt time reached), oldest
 * first, at most `limit`, each through `applyFromInbox`. A run stops taking events after `budgetMs`
 * (Stripe hanging makes each wait for its timeout); those left wait for the next run.
 */
export async function drainInbox(
  env: WorkerEnv,
  now: number,
  { limit = INBOX_DRAIN_LIMIT, budgetMs = INBOX_DRAIN_BUDGET_MS }: { limit?: number; budgetMs?: number } = {},
): Promise<DrainResult> {
  const db = database(env.DB);
  const rows = await dueInInbox(db, now, limit);
  const result: DrainResult = { due: rows.length, applied: 0, duplicate: 0, failed: 0, left: 0 };
  const stopAt = Date.now() + budgetMs;
  for (const [i, row] of rows.entries()) {
    if (Date.now() > stopAt) {
      result.left = rows.length - i;
      break;
    }
    let event: LedgerEvent;
    try {
      event = JSON.parse(row.payload) as LedgerEvent;
    } catch {
      // Stored by the webhook from verified JSON, so never expected; kept for staff to see, not retried in a loop.
      await recordInboxFailure(db, row.eventId, "the stored event is not readable JSON", now);
      result.failed++;
      continue;
    }
    result[await applyFromInbox(env, event, { now })]++;
  }
  return result;
}
