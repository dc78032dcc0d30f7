import { Hono } from "hono";
import type Stripe from "stripe";
import { effectsOf, invoicePaymentIntentId, type LedgerEvent } from "../core/ledger";
import { ledgerStatements } from "../db/ledger-writes";
import type { AppContext, Env } from "../env";
import { jsonError } from "../http/errors";
import { stripeFor, verifyWebhook } from "../stripe/client";

/** Stripe's events are small; this is far above any real one. */
const MAX_WEBHOOK_BYTES = 1_000_000;

/**
 * `POST /api/webhooks/stripe`: verified over the raw body, each event id processed once,
 * the event row and its effects written in one D1 batch.
 */
export const webhookRoutes = new Hono<AppContext>().post("/api/webhooks/stripe", async (c) => {
  // Stripe's events are a few kilobytes; refuse anything absurd before reading or verifying it.
  if (Number(c.req.header("content-length") ?? 0) > MAX_WEBHOOK_BYTES)
    return jsonError(c, 413, "payload_too_large", "A Stripe event is never this large.");
  const raw = await c.req.text();
  if (raw.length > MAX_WEBHOOK_BYTES)
    return jsonError(c, 413, "payload_too_large", "A Stripe event is never this large.");
  let event: Stripe.Event;
  try {
    event = await verifyWebhook(c.env, raw, c.req.header("stripe-signature"));
  } catch {
    return jsonError(c, 400, "invalid_signature", "The Stripe signature is missing, wrong or too old.");
  }
  const result = await processEvent(c.env, event as unknown as LedgerEvent);
  return c.json({ received: true, duplicate: result === "duplicate" });
});

/** Applies one verified event to the ledger; "duplicate" when it was already processed. */
export async function processEvent(env: Env, event: LedgerEvent): Promise<"applied" | "duplicate"> {
  const seen = () => env.DB.prepare("SELECT 1 FROM stripe_events WHERE id = ?").bind(event.id).first();
  // Most events need one D1 round trip: the batch itself refuses a processed event id (primary
  // key). Only an event that must first ask Stripe something checks before, to spare that call.
  const lookup = needsLookup(event);
  if (lookup && (await seen())) return "duplicate";
  const extra = lookup ? await lookupsFor(env, event) : {};
  const now = Date.now();
  const statements = [
    env.DB.prepare("INSERT INTO stripe_events (id, type, created, processed_at) VALUES (?, ?, ?, ?)").bind(
      event.id,
      event.type,
      event.created,
      now,
    ),
    ...effectsOf(event, extra).flatMap((effect) => ledgerStatements(env.DB, effect, now)),
  ];
  try {
    await env.DB.batch(statements);
    return "applied";
  } catch (error) {
    // Already processed (a redelivery, or a concurrent delivery that won the race): its batch holds the effects.
    if (await seen()) return "duplicate";
    throw error;
  }
}

/** Whether the event's payload lacks something the ledger needs from Stripe (invoices, rarely). */
const needsLookup = (event: LedgerEvent) =>
  event.type === "invoice.paid" &&
  !invoicePaymentIntentId(event.data.object) &&
  typeof event.data.object.id === "string";

/** What an event needs from Stripe that its payload does not carry (only invoices, rarely). */
async function lookupsFor(env: Env, event: LedgerEvent) {
  const o = event.data.object;
  if (needsLookup(event)) {
    const list = await stripeFor(env).invoicePayments.list({ invoice: String(o.id), limit: 10 });
    const paid = list.data.find((p) => p.status === "paid") ?? list.data[0];
    const intent = paid?.payment?.payment_intent;
    return { invoicePaymentIntentId: typeof intent === "string" ? intent : (intent?.id ?? null) };
  }
  return {};
}
