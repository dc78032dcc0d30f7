import type Stripe from "stripe";
import { HANDLED_EVENT_TYPES, idOf, type LedgerEvent } from "../core/ledger";
import { compareCharge, type Difference } from "../core/reconcile";
import { toPinnedVersion } from "../core/stripe-versions";
import { database, runBatch } from "../platform/db";
import type { WorkerEnv } from "../platform/env";
import { STRIPE_API_VERSION, stripeFor } from "../platform/stripe";
import { processEvent } from "./process-event";
import {
  finishRun,
  knownCustomers,
  ledgerFor,
  ledgerStatements,
  paymentWithoutIntent,
  processedIds,
  startRun,
} from "./store";

/** At most this many events are replayed in one run (each may ask Stripe a few things); the next run continues. */
export const REPLAY_LIMIT = 300;

export type ReconcileTrigger = "cron" | "staff" | "api";

export type ReconcileReport = {
  id: string;
  trigger: ReconcileTrigger;
  since: number;
  until: number;
  startedAt: number;
  finishedAt: number;
  status: "ok" | "differences" | "failed";
  eventsSeen: number;
  eventsReplayed: number;
  chargesChecked: number;
  differences: Difference[];
  error: string | null;
};

type Json = Record<string, unknown>;

/**
 * Checks the ledger against Stripe for a window (at most 30 days: Stripe keeps events no longer):
 * 1. every event of a handled type Stripe has, that the ledger never processed, goes through the
 *    same `processEvent` as a webhook (so a webhook lost, refused or never sent, or one still
 *    waiting in the inbox, is made good);
 * 2. every succeeded charge of ours is compared with the ledger (core/reconcile.ts): a missing
 *    payment, a different amount, a refund or dispute the ledger does not know or knows in an older
 *    state, a fee not recorded yet. Stripe's newer states and missing fees are written; what needs a
 *    person (money the ledger never saw) is only reported.
 * The run and every difference are stored (reconciliation_runs, reconciliation_differences).
 */
export async function reconcile(
  env: WorkerEnv,
  window: { since: number; until: number },
  trigger: ReconcileTrigger,
  now = Date.now,
): Promise<ReconcileReport> {
  const db = database(env.DB);
  const stripe = stripeFor(env);
  const id = `rec_${crypto.randomUUID().replaceAll("-", "")}`;
  const startedAt = now();
  await startRun(db, { id, trigger, since: window.since, until: window.until, startedAt });
  const differences: Difference[] = [];
  const counts = { eventsSeen: 0, eventsReplayed: 0, chargesChecked: 0 };
  const created = { gte: Math.floor(window.since / 1000), lt: Math.ceil(window.until / 1000) };
  let error: string | null = null;
  try {
    await replayEvents(env, stripe, created, differences, counts);
    await compareCharges(env, stripe, created, differences, counts, Math.floor(now() / 1000));
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
    console.error(`reconcile ${id} failed: ${error}`);
  }
  const finishedAt = now();
  const status = error ? "failed" : differences.length ? "differences" : "ok";
  await finishRun(
    db,
    id,
    { status, finishedAt, ...counts, differences: differences.length, error },
    differences.map((d) => ({ ...d, repaired: d.repaired ? 1 : 0 })),
  );
  return { id, trigger, ...window, startedAt, finishedAt, status, ...counts, differences, error };
}

/** Step 1: replays the window's events the ledger never processed, oldest first. */
async function replayEvents(
  env: WorkerEnv,
  stripe: Stripe,
  created: { gte: number; lt: number },
  differences: Difference[],
  counts: { eventsSeen: number; eventsReplayed: number },
) {
  const db = database(env.DB);
  const missing: Stripe.Event[] = [];
  let page: Stripe.Event[] = [];
  const flush = async () => {
    const done = await processedIds(
      db,
      page.map((e) => e.id),
    );
    missing.push(...page.filter((e) => !done.has(e.id)));
    page = [];
  };
  for await (const event of stripe.events.list({ created, types: [...HANDLED_EVENT_TYPES], limit: 100 })) {
    counts.eventsSeen++;
    page.push(event);
    if (page.length === 100) await flush();
  }
  await flush();
  missing.sort((a, b) => a.created - b.created);
  for (const [i, event] of missing.entries()) {
    if (i === REPLAY_LIMIT) {
      differences.push({
        kind: "replay_limit",
        objectId: event.id,
        paymentIntentId: null,
        currency: null,
        stripeValue: String(missing.length),
        ledgerValue: String(REPLAY_LIMIT),
        repaired: false,
        detail: `${missing.length - REPLAY_LIMIT} more events the ledger never processed wait for the next run.`,
      });
      break;
    }
    const verdict = toPinnedVersion(event as unknown as LedgerEvent, STRIPE_API_VERSION);
    try {
      if (!verdict.ok) throw new Error(verdict.message);
      if ((await processEvent(env, verdict.event)) === "applied") counts.eventsReplayed++;
    } catch (e) {
      differences.push({
        kind: "replay_failed",
        objectId: event.id,
        paymentIntentId: null,
        currency: null,
        stripeValue: event.type,
        ledgerValue: null,
        repaired: false,
        detail: `Event ${event.id} (${event.type}) could not be applied: ${e instanceof Error ? e.message : String(e)}`,
      });
    }
  }
}

/** Charge fields reconciliation reads expanded: the payment intent (whose is it), its fee, its refunds. */
const CHARGE_EXPAND = [
  "data.payment_intent",
  "data.balance_transaction",
  "data.refunds",
  "data.refunds.data.balance_transaction",
  "data.refunds.data.failure_balance_transaction",
];

/** Step 2: compares every succeeded charge of ours in the window with the ledger, page by page. */
async function compareCharges(
  env: WorkerEnv,
  stripe: Stripe,
  created: { gte: number; lt: number },
  differences: Difference[],
  counts: { chargesChecked: number },
  nowSeconds: number,
) {
  const db = database(env.DB);
  let page: Json[] = [];
  const check = async () => {
    const succeeded = page.filter((c) => c.status === "succeeded" && idOf(c.payment_intent));
    page = [];
    if (succeeded.length === 0) return;
    const ledger = await ledgerFor(
      db,
      succeeded.map((c) => ({ id: String(c.id), paymentIntentId: idOf(c.payment_intent) as string })),
    );
    const customers = await knownCustomers(
      db,
      succeeded.map((c) => idOf(c.customer)).filter((c): c is string => Boolean(c)),
    );
    for (const charge of succeeded) {
      const intent = charge.payment_intent as Json | string;
      const intentId = idOf(intent) as string;
      const payment = ledger.byIntent.get(intentId) ?? null;
      const pledgeId = typeof intent === "object" ? (intent.metadata as Json | null)?.pledge_id : undefined;
      const customer = idOf(charge.customer);
      // Only our charges: the account may take other payments that are none of the ledger's business.
      if (!payment && !pledgeId && !(customer && customers.has(customer))) continue;
      counts.chargesChecked++;
      const unlinked = payment ? null : await invoicePaymentOf(stripe, db, intentId);
      const disputes = charge.disputed
        ? ((await stripe.disputes.list({ charge: String(charge.id), limit: 10 })).data as unknown as Json[])
        : null;
      const found = compareCharge(
        charge,
        {
          payment,
          unlinkedPayment: unlinked ?? null,
          hasBalance: ledger.settled.has(intentId),
          refunds: ledger.refundsByCharge.get(String(charge.id)) ?? new Map(),
          disputes: ledger.disputesByCharge.get(String(charge.id)) ?? new Map(),
        },
        disputes,
        nowSeconds,
      );
      differences.push(...found.differences);
      const at = Date.now();
      await runBatch(
        db,
        found.effects.flatMap((effect) => ledgerStatements(db, effect, at)),
      );
    }
  };
  for await (const charge of stripe.charges.list({ created, limit: 100, expand: CHARGE_EXPAND })) {
    page.push(charge as unknown as Json);
    if (page.length === 100) await check();
  }
  await check();
}

/** The ledger's payment (recorded without its payment intent) of the invoice this payment intent paid, if any. */
async function invoicePaymentOf(stripe: Stripe, db: ReturnType<typeof database>, paymentIntentId: string) {
  const list = await stripe.invoicePayments.list({
    payment: { type: "payment_intent", payment_intent: paymentIntentId },
    limit: 1,
  });
  const invoice = list.data[0]?.invoice;
  const invoiceId = typeof invoice === "string" ? invoice : invoice?.id;
  return invoiceId ? paymentWithoutIntent(db, invoiceId) : undefined;
}
