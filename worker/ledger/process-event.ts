import type Stripe from "stripe";
import { effectsOf, type LedgerEvent, type Lookups, type Needs, needsOf } from "../core/ledger";
import { webhooksAfterEvent } from "../outgoing/deliver";
import { database, runBatch } from "../platform/db";
import type { WorkerEnv } from "../platform/env";
import { stripeFor } from "../platform/stripe";
import { mailAfterEvent, mailReads } from "../supporter-mail/send";
import type { MailFacts } from "../supporter-mail/store";
import { leaveInbox, ledgerStatements, recordEvent, wasProcessed } from "./store";

/**
 * Applies one verified Stripe event (in the pinned API version's shape) to the ledger: the event
 * row, its removal from the inbox and all its effects in one D1 batch, so a crash leaves nothing
 * half-written and a later attempt completes it. What the event only names by id (a payment's balance transaction, an
 * invoice's payment intent, a refund's balance transactions, a charge's refunds) is asked of
 * Stripe first; if Stripe cannot answer, this throws and nothing is marked processed: the
 * webhook has answered already (ledger/routes.ts), so the event waits in the inbox with its error
 * and the Cron applies it later (ledger/inbox.ts), or in the last resort the daily reconciliation.
 * "duplicate" when the event id was processed before.
 * Then the emails the event causes (supporter-mail/send.ts), once the ledger holds it: for a
 * duplicate too, since their keys send each email once and an event whose email failed after the
 * ledger's batch gets it when Stripe delivers it again. A failed email never fails the event.
 * Last, the outgoing webhooks it causes (outgoing/deliver.ts), queued once per event and
 * endpoint and tried after the work at hand when `defer` (the request's waitUntil) is given.
 * `justStored`: the webhook stored the event in the inbox just now, finding it unprocessed.
 */
export async function processEvent(
  env: WorkerEnv,
  event: LedgerEvent,
  defer?: (p: Promise<unknown>) => void,
  { justStored = false }: { justStored?: boolean } = {},
): Promise<"applied" | "duplicate"> {
  const { result, facts } = await applyEvent(env, event, justStored);
  await mailAfterEvent(env, event, { facts });
  await webhooksAfterEvent(env, event, defer);
  return result;
}

type Applied = { result: "applied" | "duplicate"; facts?: MailFacts };

async function applyEvent(env: WorkerEnv, event: LedgerEvent, justStored: boolean): Promise<Applied> {
  const db = database(env.DB);
  const needs = needsOf(event);
  // Most events need one D1 round trip: the batch itself refuses a processed event id (primary
  // key). An event that must first ask Stripe something checks before, to spare those calls,
  // unless the webhook's answer stored it a moment ago and so has just checked (`justStored`).
  const asksStripe = Object.keys(needs).length > 0;
  if (asksStripe && !justStored && (await wasProcessed(db, event.id))) return { result: "duplicate" };
  const lookups = asksStripe ? await lookUp(stripeFor(env), needs) : {};
  const now = Date.now();
  const ledger = [
    recordEvent(db, event, now),
    // Processed and out of the inbox (ledger/inbox.ts) at once, whoever applied it.
    leaveInbox(db, event.id),
    ...effectsOf(event, lookups).flatMap((effect) => ledgerStatements(db, effect, now)),
  ];
  // What the event's email must read rides at the end of the same batch: it sees the ledger's writes.
  const mail = mailReads(db, event);
  let results: D1Result[];
  try {
    results = await runBatch(db, [...ledger, ...(mail?.statements ?? [])]);
  } catch (error) {
    // Already processed (a redelivery, or a concurrent delivery that won the race): its batch holds
    // the effects (the email then reads for itself).
    if (await wasProcessed(db, event.id)) return { result: "duplicate" };
    throw error;
  }
  // An unreadable tail only means the email reads for itself: the ledger is written.
  return { result: "applied", facts: mail?.read(results.slice(ledger.length)) };
}

type Json = Record<string, unknown>;

/** Asks Stripe what `needs` names. Throws when Stripe fails (the caller must not mark the event processed). */
export async function lookUp(stripe: Stripe, needs: Needs): Promise<Lookups> {
  const lookups: Lookups = {};
  let intent = needs.paymentIntent ?? null;
  if (needs.invoice) {
    const list = await stripe.invoicePayments.list({ invoice: needs.invoice, limit: 10 });
    const paid = list.data.find((p) => p.status === "paid") ?? list.data[0];
    const ref = paid?.payment?.payment_intent;
    lookups.invoicePaymentIntentId = typeof ref === "string" ? ref : (ref?.id ?? null);
    intent = lookups.invoicePaymentIntentId;
  }
  if (intent) {
    lookups.paymentIntent = (await stripe.paymentIntents.retrieve(intent, {
      expand: ["latest_charge.balance_transaction"],
    })) as unknown as Json;
  }
  if (needs.balanceTransactions?.length) {
    lookups.balanceTransactions = (await Promise.all(
      needs.balanceTransactions.map((id) => stripe.balanceTransactions.retrieve(id)),
    )) as unknown as Json[];
  }
  if (needs.chargeRefunds) {
    const all: Json[] = [];
    for await (const refund of stripe.refunds.list({
      charge: needs.chargeRefunds,
      limit: 100,
      expand: ["data.balance_transaction", "data.failure_balance_transaction"],
    })) {
      all.push(refund as unknown as Json);
    }
    lookups.chargeRefunds = all;
  }
  return lookups;
}
