import { Hono } from "hono";
import type Stripe from "stripe";
import type { LedgerEvent } from "../core/ledger";
import type { AppContext } from "../platform/env";
import { jsonError } from "../platform/http";
import { verifyWebhook } from "../platform/stripe";
import { processEvent } from "./process-event";

/** Stripe's events are a few kilobytes; this is far above any real one. */
const MAX_WEBHOOK_BYTES = 1_000_000;

/**
 * `POST /api/webhooks/stripe`: verified over the raw body, each event id processed once,
 * the event row and its effects written in one D1 batch.
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
  const result = await processEvent(c.env, event as unknown as LedgerEvent);
  return c.json({ received: true, duplicate: result === "duplicate" });
});
