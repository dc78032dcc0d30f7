import { Hono } from "hono";
import type Stripe from "stripe";
import { isHandledEventType, type LedgerEvent } from "../core/ledger";
import { toPinnedVersion } from "../core/stripe-versions";
import type { AppContext } from "../platform/env";
import { jsonError } from "../platform/http";
import { STRIPE_API_VERSION, verifyWebhook } from "../platform/stripe";
import { processEvent } from "./process-event";

/** Stripe's events are a few kilobytes; this is far above any real one. */
const MAX_WEBHOOK_BYTES = 1_000_000;

/**
 * `POST /api/webhooks/stripe`: verified over the raw body, read in the pinned API version's shape
 * (core/stripe-versions.ts), each event id processed once, the event row and its effects written
 * in one D1 batch. An event the ledger reads but whose API version it cannot read is refused
 * with 422 and a log line, never acknowledged: Stripe keeps it and retries it, and the endpoint's
 * failing deliveries show in Stripe's Dashboard until `npm run stripe:setup` pins its version.
 */
export const webhookRoutes = new Hono<AppContext>().post("/", async (c) => {
  // Refuse anything absurd before reading or verifying it.
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
  const received = event as unknown as LedgerEvent;
  // Events the ledger does not read are only recorded, whatever their version.
  const verdict = isHandledEventType(received.type)
    ? toPinnedVersion(received, STRIPE_API_VERSION)
    : ({ ok: true, event: received } as const);
  if (!verdict.ok) {
    console.error(`stripe webhook refused (${verdict.reason}): ${verdict.message} Run \`npm run stripe:setup\`.`);
    return jsonError(c, 422, "unsupported_api_version", verdict.message, "api_version");
  }
  const result = await processEvent(c.env, verdict.event, (p) => c.executionCtx.waitUntil(p));
  return c.json({ received: true, duplicate: result === "duplicate" });
});
