import { effectsOf, invoicePaymentIntentId, type LedgerEvent } from "../core/ledger";
import { database, runBatch } from "../platform/db";
import type { WorkerEnv } from "../platform/env";
import { stripeFor } from "../platform/stripe";
import { ledgerStatements, recordEvent, wasProcessed } from "./store";

/**
 * Applies one verified Stripe event to the ledger: the event row and all its effects in one
 * D1 batch, so a crash leaves nothing half-written and Stripe's retry completes it.
 * "duplicate" when the event id was processed before.
 */
export async function processEvent(env: WorkerEnv, event: LedgerEvent): Promise<"applied" | "duplicate"> {
  const db = database(env.DB);
  // Most events need one D1 round trip: the batch itself refuses a processed event id (primary
  // key). Only an event that must first ask Stripe something checks before, to spare that call.
  const lookup = needsLookup(event);
  if (lookup && (await wasProcessed(db, event.id))) return "duplicate";
  const extra = lookup ? await lookupsFor(env, event) : {};
  const now = Date.now();
  try {
    await runBatch(db, [
      recordEvent(db, event, now),
      ...effectsOf(event, extra).flatMap((effect) => ledgerStatements(db, effect, now)),
    ]);
    return "applied";
  } catch (error) {
    // Already processed (a redelivery, or a concurrent delivery that won the race): its batch holds the effects.
    if (await wasProcessed(db, event.id)) return "duplicate";
    throw error;
  }
}

/** Whether the event's payload lacks something the ledger needs from Stripe (invoices, rarely). */
const needsLookup = (event: LedgerEvent) =>
  event.type === "invoice.paid" &&
  !invoicePaymentIntentId(event.data.object) &&
  typeof event.data.object.id === "string";

/** What an event needs from Stripe that its payload does not carry (only invoices, rarely). */
async function lookupsFor(env: WorkerEnv, event: LedgerEvent) {
  const o = event.data.object;
  if (needsLookup(event)) {
    const list = await stripeFor(env).invoicePayments.list({ invoice: String(o.id), limit: 10 });
    const paid = list.data.find((p) => p.status === "paid") ?? list.data[0];
    const intent = paid?.payment?.payment_intent;
    return { invoicePaymentIntentId: typeof intent === "string" ? intent : (intent?.id ?? null) };
  }
  return {};
}
