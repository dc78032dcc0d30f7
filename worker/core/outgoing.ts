/**
 * Outgoing webhooks: the events staff can send to their own tools (a CRM, Mailchimp, a
 * spreadsheet), what each Stripe event means among them, when a failed delivery is tried again,
 * and which addresses may receive them. Pure: no HTTP, no D1.
 */
import {
  idOf,
  invoicePledgeId,
  type LedgerEvent,
  pledgeIdFrom,
  REFUND_COUNTED,
  type RecurringChange,
  recurringChangeOf,
} from "./ledger";

export const OUTGOING_EVENTS = [
  "pledge.started",
  "payment.succeeded",
  "payment.refunded",
  "recurring.changed",
  "recurring.canceled",
  "reminder.confirmed",
] as const;
export type OutgoingType = (typeof OUTGOING_EVENTS)[number];

/** What each event means, for staff choosing them. */
export const OUTGOING_EVENT_TEXT: Record<OutgoingType, string> = {
  "pledge.started": "a reader completed a checkout: a new one-off gift or recurring support",
  "payment.succeeded": "money arrived: a one-off gift, or any monthly or annual payment",
  "payment.refunded": "a refund was made (pending or done)",
  "recurring.changed":
    "recurring support changed: amount, frequency, a pause or its end, a cancellation asked for or withdrawn",
  "recurring.canceled": "recurring support ended",
  "reminder.confirmed": 'a reader confirmed a "Remind me later" email',
};

export const isOutgoingType = (t: unknown): t is OutgoingType => (OUTGOING_EVENTS as readonly unknown[]).includes(t);

/**
 * One outgoing event a Stripe event causes, before the pledge's facts (site, email, campaign) are
 * added: `source` makes its id, so a redelivered or replayed Stripe event makes the same event.
 */
export type Outgoing = {
  type: OutgoingType;
  source: string;
  /** The pledge it is about; a refund that does not name it is found by its payment intent. */
  pledgeId: string | null;
  paymentIntentId?: string;
  /** Seconds, as Stripe's `created`. */
  created: number;
  data: Record<string, unknown>;
};

type Json = Record<string, unknown>;
const upper = (v: unknown) => String(v ?? "").toUpperCase();
const sessionPaid = (o: Json) => o.payment_status === "paid" || o.payment_status === "no_payment_required";

/** The outgoing events of one Stripe event (none for most). */
export function outgoingOf(event: LedgerEvent & { data: { previous_attributes?: Json } }): Outgoing[] {
  const o = event.data.object;
  const base = { created: event.created };
  switch (event.type) {
    case "checkout.session.completed":
    case "checkout.session.async_payment_succeeded": {
      const pledgeId = pledgeIdFrom(o.metadata as Record<string, string>) ?? (o.client_reference_id as string | null);
      if (!pledgeId) return [];
      const out: Outgoing[] = [];
      if (event.type === "checkout.session.completed")
        out.push({
          ...base,
          type: "pledge.started",
          source: `pledge:${pledgeId}`,
          pledgeId,
          data: { checkout: { id: o.id, mode: o.mode, payment_status: o.payment_status } },
        });
      const intent = idOf(o.payment_intent);
      if (o.mode === "payment" && sessionPaid(o) && intent && typeof o.amount_total === "number" && o.amount_total > 0)
        out.push({
          ...base,
          type: "payment.succeeded",
          source: `payment:${intent}`,
          pledgeId,
          data: {
            payment: { id: intent, amount: o.amount_total, currency: upper(o.currency), paid_at: event.created },
          },
        });
      return out;
    }
    case "invoice.paid": {
      const pledgeId = invoicePledgeId(o);
      if (!pledgeId || typeof o.amount_paid !== "number" || o.amount_paid <= 0) return [];
      const paidAt = (o.status_transitions as { paid_at?: number | null } | undefined)?.paid_at ?? event.created;
      return [
        {
          ...base,
          type: "payment.succeeded",
          source: `payment:${o.id}`,
          pledgeId,
          data: {
            payment: {
              id: o.id,
              amount: o.amount_paid,
              currency: upper(o.currency),
              paid_at: paidAt,
              billing_reason: o.billing_reason ?? null,
            },
          },
        },
      ];
    }
    case "refund.created":
    case "refund.updated": {
      if (!(REFUND_COUNTED as readonly unknown[]).includes(o.status) || typeof o.id !== "string") return [];
      const pledgeId = pledgeIdFrom(o.metadata as Record<string, string>);
      const intent = idOf(o.payment_intent);
      if (!intent) return [];
      return [
        {
          ...base,
          type: "payment.refunded",
          source: `refund:${o.id}`,
          pledgeId,
          paymentIntentId: intent,
          data: {
            refund: {
              id: o.id,
              amount: o.amount,
              currency: upper(o.currency),
              status: o.status,
              payment_intent: intent,
            },
          },
        },
      ];
    }
    case "customer.subscription.created":
    case "customer.subscription.updated":
    case "customer.subscription.deleted": {
      const pledgeId = pledgeIdFrom(o.metadata as Record<string, string>);
      if (!pledgeId) return [];
      const change = recurringChangeOf(event, pledgeId);
      if (!change || change.change === "started") return [];
      return [
        {
          ...base,
          type: change.change === "ended" ? "recurring.canceled" : "recurring.changed",
          source: `change:${event.id}`,
          pledgeId,
          data: { change: changeData(change), subscription: { id: o.id, status: o.status } },
        },
      ];
    }
    default:
      return [];
  }
}

const changeData = (c: RecurringChange) => ({
  change: c.change,
  currency: c.currency,
  from_amount: c.fromAmount,
  to_amount: c.toAmount,
  from_frequency: c.fromFrequency,
  to_frequency: c.toFrequency,
  reason: c.reason,
  comment: c.comment,
  save_offer: c.saveOffer,
  at: Math.floor(c.at / 1000),
});

/** Minutes to wait after each failed attempt; after the last, the delivery has failed (about two days in all). */
export const RETRY_MINUTES = [1, 5, 30, 120, 360, 720, 1440] as const;

/** When to try again after `attempts` failed attempts, or null when there is no try left. */
export function nextAttemptAt(attempts: number, now: number): number | null {
  const wait = RETRY_MINUTES[attempts - 1];
  return wait === undefined ? null : now + wait * 60_000;
}

const PRIVATE_V4 = [
  /^0\./,
  /^10\./,
  /^127\./,
  /^169\.254\./,
  /^172\.(1[6-9]|2\d|3[01])\./,
  /^192\.168\./,
  /^100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\./,
  /^(22[4-9]|23\d|24\d|25[0-5])\./,
];

/**
 * Why staff may not send events to `url`, or null when they may. Only https, a real host name
 * or public address, no credentials in it; `allowPrivate` (development and tests) also lets
 * http, loopback and private addresses through.
 */
export function webhookUrlProblem(url: string, allowPrivate: boolean): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return "use a full address like https://crm.example.org/hooks/reader-support";
  }
  if (u.username || u.password)
    return "leave user names and passwords out of the address (the signature proves it is us)";
  if (url.length > 2000) return "the address is too long";
  if (allowPrivate) return u.protocol === "https:" || u.protocol === "http:" ? null : "use an https:// address";
  if (u.protocol !== "https:") return "use an https:// address";
  const host = u.hostname.toLowerCase().replace(/^\[|\]$/g, "");
  if (host === "localhost" || /\.(localhost|local|internal|intranet|lan|home|corp)$/.test(host) || !host.includes("."))
    return "use a public host name (not localhost or a local network name)";
  if (/^[\d.]+$/.test(host)) {
    if (PRIVATE_V4.some((r) => r.test(host))) return "use a public address (not a private, loopback or link-local one)";
    return null;
  }
  if (host.includes(":")) {
    if (host === "::1" || host === "::" || /^(fc|fd|fe8|fe9|fea|feb|ff)/.test(host) || host.startsWith("::ffff:"))
      return "use a public address (not a private, loopback or link-local one)";
  }
  return null;
}
