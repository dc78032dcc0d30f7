/**
 * Test controls under `/_test/…`: drive what a real account does over time (complete,
 * decline or delay a checkout, settle it, renew or fail a renewal, refund and settle or fail
 * the refund, open and move a dispute through its lifecycle, settle a late balance transaction,
 * move the clock, re-deliver an event), inject faults, drain queued webhook deliveries, reset.
 * Bodies may be JSON or form-encoded. Responses are JSON with the ids touched.
 */
import { badState, invalidParam, StripeError } from "./errors.ts";
import type { Faults } from "./faults.ts";
import {
  advanceDispute,
  closeDispute,
  completeCheckout,
  disputePayment,
  expireSession,
  type FlowContext,
  type FlowResult,
  failRenewal,
  refundPayment,
  renewSubscription,
  settleChargeBalance,
  settleCheckout,
  settleRefund,
} from "./flows.ts";
import type { FormObject } from "./form.ts";
import { API_VERSION } from "./objects.ts";
import { RECOVERY_CONTROLS } from "./recovery.ts";
import { advanceClock } from "./store.ts";
import { optEnum, optInteger, optString } from "./validate.ts";

/** What the controls need beyond flows. */
export interface ControlContext extends FlowContext {
  faults: Faults;
  reset: () => void;
}

/** A control's JSON answer. */
export interface ControlResponse {
  status: number;
  body: unknown;
}

type Control = (ctx: ControlContext, params: FormObject, match: string[]) => FlowResult | Record<string, unknown>;

const ID = "([A-Za-z0-9_]+)";

const CONTROLS: { method: string; pattern: RegExp; control: Control }[] = [
  {
    method: "GET",
    pattern: /^\/_test\/health$/,
    control: (ctx) => ({ ok: true, api_version: API_VERSION, webhook_mode: ctx.webhooks.live ? "live" : "drain" }),
  },
  {
    method: "POST",
    pattern: /^\/_test\/reset$/,
    control: (ctx) => {
      ctx.reset();
      return { ok: true };
    },
  },
  {
    method: "POST",
    pattern: new RegExp(`^/_test/checkout/sessions/${ID}/complete$`),
    control: (ctx, p, [id]) =>
      completeCheckout(
        ctx,
        id as string,
        optEnum(p.outcome, "outcome", ["succeeded", "declined", "delayed"] as const) ?? "succeeded",
        optString(p.email, "email") || undefined,
        { deferBalance: optEnum(p.balance_transaction, "balance_transaction", ["now", "later"] as const) === "later" },
      ),
  },
  {
    method: "POST",
    pattern: new RegExp(`^/_test/checkout/sessions/${ID}/settle$`),
    control: (ctx, p, [id]) =>
      settleCheckout(ctx, id as string, optEnum(p.outcome, "outcome", ["succeeded", "failed"] as const) ?? "succeeded"),
  },
  {
    method: "POST",
    pattern: new RegExp(`^/_test/checkout/sessions/${ID}/expire$`),
    control: (ctx, _p, [id]) => expireSession(ctx, id as string),
  },
  {
    method: "POST",
    pattern: new RegExp(`^/_test/subscriptions/${ID}/renew$`),
    control: (ctx, _p, [id]) => renewSubscription(ctx, id as string),
  },
  {
    method: "POST",
    pattern: new RegExp(`^/_test/subscriptions/${ID}/fail_renewal$`),
    control: (ctx, _p, [id]) => failRenewal(ctx, id as string),
  },
  {
    method: "POST",
    pattern: new RegExp(`^/_test/payment_intents/${ID}/refund$`),
    control: (ctx, p, [id]) =>
      refundPayment(ctx, {
        paymentIntent: id as string,
        amount: optInteger(p.amount, "amount"),
        reason: optEnum(p.reason, "reason", ["duplicate", "fraudulent", "requested_by_customer"] as const) ?? null,
        status: optEnum(p.status, "status", ["succeeded", "pending", "requires_action"] as const),
      }),
  },
  {
    method: "POST",
    pattern: new RegExp(`^/_test/refunds/${ID}/settle$`),
    control: (ctx, p, [id]) => {
      const outcome = optEnum(p.outcome, "outcome", ["succeeded", "failed", "canceled"] as const);
      if (!outcome)
        throw invalidParam(
          "outcome",
          "Missing required param: outcome (succeeded, failed or canceled).",
          "parameter_missing",
        );
      return settleRefund(ctx, id as string, outcome);
    },
  },
  {
    method: "POST",
    pattern: new RegExp(`^/_test/charges/${ID}/balance_transaction$`),
    control: (ctx, _p, [id]) => settleChargeBalance(ctx, id as string),
  },
  {
    method: "POST",
    pattern: /^\/_test\/clock\/advance$/,
    control: (_ctx, p) => {
      const seconds = optInteger(p.seconds, "seconds");
      if (seconds === undefined || seconds < 1)
        throw invalidParam("seconds", "seconds must be a positive whole number.", "parameter_missing");
      return { offset_seconds: advanceClock(seconds) };
    },
  },
  {
    method: "POST",
    pattern: new RegExp(`^/_test/payment_intents/${ID}/dispute$`),
    control: (ctx, p, [id]) =>
      disputePayment(
        ctx,
        id as string,
        optEnum(p.outcome, "outcome", ["open", "lost", "won", "inquiry", "prevented"] as const) ?? "open",
        optString(p.reason, "reason") || "fraudulent",
      ),
  },
  {
    method: "POST",
    pattern: new RegExp(`^/_test/disputes/${ID}/close$`),
    control: (ctx, p, [id]) => {
      const outcome = optEnum(p.outcome, "outcome", ["lost", "won"] as const);
      if (!outcome)
        throw invalidParam("outcome", "Missing required param: outcome (lost or won).", "parameter_missing");
      return closeDispute(ctx, id as string, outcome);
    },
  },
  {
    method: "POST",
    pattern: new RegExp(`^/_test/disputes/${ID}/advance$`),
    control: (ctx, p, [id]) => {
      const to = optString(p.to, "to");
      if (!to) throw invalidParam("to", "Missing required param: to (the dispute's next status).", "parameter_missing");
      return advanceDispute(ctx, id as string, to);
    },
  },
  {
    method: "POST",
    pattern: new RegExp(`^/_test/events/${ID}/resend$`),
    control: (ctx, _p, [id]) => {
      const event = ctx.store.events.find((e) => e.id === id);
      if (!event)
        throw new StripeError(404, "invalid_request_error", `No such event: '${id}'`, "id", "resource_missing");
      void ctx.webhooks.enqueue(event);
      return { events: [event.id] };
    },
  },
  {
    method: "POST",
    pattern: /^\/_test\/faults$/,
    control: (ctx, p) => {
      const mode = optEnum(p.mode, "mode", ["error", "hang", "none"] as const);
      if (!mode) throw invalidParam("mode", "Missing required param: mode (error, hang or none).", "parameter_missing");
      const count = optInteger(p.count, "count");
      if (count !== undefined && count < 1) throw invalidParam("count", "count must be a positive integer.");
      ctx.faults.set(mode, count);
      return { mode: ctx.faults.mode, remaining: ctx.faults.remaining };
    },
  },
  {
    method: "POST",
    pattern: /^\/_test\/deliveries\/drain$/,
    control: (ctx, p) => ({ deliveries: ctx.webhooks.drain(optString(p.endpoint, "endpoint") || null) }),
  },
  {
    method: "GET",
    pattern: /^\/_test\/deliveries$/,
    control: (ctx) => ({ mode: ctx.webhooks.live ? "live" : "drain", log: ctx.webhooks.log }),
  },
  // Abandoned checkouts, renewal retries and card updates (recovery.ts).
  ...RECOVERY_CONTROLS,
];

/** Runs a test control; `wait=1` waits for live delivery of the events it emitted. */
export async function handleTestControl(
  ctx: ControlContext,
  method: string,
  path: string,
  params: FormObject,
  wait: boolean,
): Promise<ControlResponse> {
  try {
    for (const c of CONTROLS) {
      const m = c.method === method ? c.pattern.exec(path) : null;
      if (!m) continue;
      const result = c.control(ctx, params, m.slice(1));
      const events = (result as { events?: unknown }).events;
      if (wait && Array.isArray(events)) await ctx.webhooks.waitFor(events as string[]);
      return { status: 200, body: result };
    }
    throw new StripeError(404, "invalid_request_error", `Unknown test control (${method}: ${path}).`);
  } catch (err) {
    if (err instanceof StripeError) return { status: err.status, body: err.toBody() };
    if (err instanceof SyntaxError)
      return { status: 400, body: badState(`Invalid JSON body: ${err.message}`).toBody() };
    console.error("[stripe-emulator] test control failed", err);
    return { status: 500, body: new StripeError(500, "api_error", (err as Error).message).toBody() };
  }
}
