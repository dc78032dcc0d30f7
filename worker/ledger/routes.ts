import { Hono } from "hono";
import type Stripe from "stripe";
import { isHandledEventType, type LedgerEvent } from "../core/ledger";
import { toPinnedVersion } from "../core/stripe-versions";
import { database } from "../platform/db";
import type { AppContext } from "../platform/env";
import { jsonError } from "../platform/http";
import { STRIPE_API_VERSION, verifyWebhook } from "../platform/stripe";
import { applyFromInbox } from "./inbox";
import { processEvent } from "./process-event";
import { storeInInbox } from "./store";

/** Stripe's events are a few kilobytes; this is far above any real one. */
const MAX_WEBHOOK_BYTES = 1_000_000;

/**
 * `POST /api/webhooks/stripe`: store, answer, then apply. Verified over the raw body and read in
 * the pinned API version's shape (core/stripe-versions.ts); an event the ledger reads but whose
 * API version it cannot read is refused with 422 and a log line, never acknowledged and nothing
 * stored: Stripe keeps it and retries it, and the endpoint's failing deliveries show in Stripe's
 * Dashboard until `npm run stripe:setup` pins its version.
 * A readable event is stored in the inbox (ledger/inbox.ts) in one D1 round trip and answered 200
 * before anything is asked of Stripe: `duplicate: true` when the ledger processed its id already
 * (nothing stored), else `duplicate: false`. Right after the answer (`waitUntil`) it is applied
 * through `processEvent`; one that fails there (Stripe could not answer what it names) waits in
 * the inbox and the 15-minute Cron applies it, and in the last resort the daily reconciliation.
 */
export const webhookRoutes = new Hono<AppContext>().post("/", async (c) => {
  // Refuse anything absurd before reading or verifying it.
  if (Number(c.req.header("content-length") ?? 0) > MAX_WEBHOOK_BYTES)
    return jsonError(c, 413, "payload_too_large", "A Stripe event is never this large.");
  const raw = await c.req.text();
  if (raw.length > MAX_WEBHOOK_BYTES)
    return jsonError(c, 413, "payload_too_large", "A Stripe event is never this large.");
  let verified: Stripe.Event;
  try {
    verified = await verifyWebhook(c.env, raw, c.req.header("stripe-signature"));
  } catch {
    return jsonError(c, 400, "invalid_signature", "The Stripe signature is missing, wrong or too old.");
  }
  const received = verified as unknown as LedgerEvent;
  // Events the ledger does not read are only recorded (through the inbox too), whatever their version.
  const verdict = isHandledEventType(received.type)
    ? toPinnedVersion(received, STRIPE_API_VERSION)
    : ({ ok: true, event: received } as const);
  if (!verdict.ok) {
    console.error(`stripe webhook refused (${verdict.reason}): ${verdict.message} Run \`npm run stripe:setup\`.`);
    return jsonError(c, 422, "unsupported_api_version", verdict.message, "api_version");
  }
  const event = verdict.event;
  const defer = (p: Promise<unknown>) => c.executionCtx.waitUntil(p);
  if ((await storeInInbox(database(c.env.DB), event, Date.now())) === "duplicate") {
    // Its ledger part is done. What follows it is tried again, as on every redelivery: its emails
    // and outgoing webhooks are keyed by Stripe's ids, so each goes once, and one that failed goes now.
    defer(processEvent(c.env, event, defer).catch((e) => console.error(`stripe event ${event.id}: ${String(e)}`)));
    return c.json({ received: true, duplicate: true });
  }
  defer(applyFromInbox(c.env, event, { defer, justStored: true }));
  return c.json({ received: true, duplicate: false });
});
