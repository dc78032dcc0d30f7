import { idOf, invoicePledgeId, type LedgerEvent } from "../core/ledger";
import type { SiteConfig } from "../core/site-config";
import type { MailKind } from "../platform/mail/message";

/**
 * Which email a Stripe event causes, in two pure steps: `triggerOf` reads what the event says
 * (nothing else), and `decide` weighs it against what we know — the pledge the event names (so
 * events of other sites, or of no pledge of ours, cause nothing), the site's settings, and whether
 * the invoice is already paid. Every email has a key derived from Stripe's ids, so the same event
 * delivered twice, or two events about the same payment, send it once (platform/mail/send.ts).
 */

/** Pledges made from an abandoned checkout's email carry this campaign (and get no such email themselves). */
export const RECOVERY_CAMPAIGN = "recovery";

/** An abandoned checkout's email goes only this soon after the session expired (a replay days later is too late). */
export const RECOVERY_WINDOW_MS = 48 * 3_600_000;

/** What one event says about the emails, before anything is looked up. */
export type MailTrigger =
  | {
      type: "payment";
      pledgeId: string;
      /** The ledger's payment id: the invoice (recurring) or the payment intent (one-time). */
      paymentId: string;
      amount: number;
      currency: string;
      paidAt: number;
      email: string | null;
      /** What the reader can quote: the invoice number, else the payment's id. */
      reference: string;
      /** A renewal that went through after failed tries: the failed-payment sequence ends with a thank-you. */
      recovered: boolean;
      /** When the next period is charged (recurring), from the invoice's line. */
      nextChargeAt: number | null;
      siteHint: string | null;
    }
  | {
      type: "payment_failed";
      pledgeId: string;
      invoiceId: string;
      customerId: string | null;
      amount: number;
      currency: string;
      email: string | null;
      /** How many tries Stripe has made, this one included. */
      attempt: number;
      /** When Stripe tries again (unix ms), or null when it will not. */
      nextAttemptAt: number | null;
    }
  | {
      type: "checkout_expired";
      pledgeId: string;
      sessionId: string;
      email: string | null;
      /** The reader ticked "keep me informed" on Stripe's checkout page (consent collection). */
      consented: boolean;
      expiredAt: number;
      siteHint: string | null;
    }
  | {
      type: "subscription";
      pledgeId: string;
      subscriptionId: string;
      interval: string;
      currency: string;
      amount: number;
      status: string;
      /** Ends at the period's end, is set to end later, or its collection is paused. */
      ending: boolean;
      periodEnd: number;
      eventCreated: number;
    };

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === "string" && v.length > 0 ? v : null);
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

function pledgeOfSession(o: Json): string | null {
  const metadata = isObject(o.metadata) ? o.metadata : {};
  return str(metadata.pledge_id) ?? str(o.client_reference_id);
}

function siteOf(o: Json): string | null {
  return isObject(o.metadata) ? str(o.metadata.site) : null;
}

function sessionEmail(o: Json): string | null {
  const details = isObject(o.customer_details) ? o.customer_details : {};
  return str(details.email) ?? str(o.customer_email);
}

/** When the invoice's subscription line ends: the next charge. */
function invoiceLineEnd(invoice: Json): number | null {
  const lines = isObject(invoice.lines) && Array.isArray(invoice.lines.data) ? invoice.lines.data : [];
  const ends = lines
    .map((line) => (isObject(line) && isObject(line.period) ? num(line.period.end) : null))
    .filter((end): end is number => end !== null);
  return ends.length ? Math.max(...ends) * 1000 : null;
}

/** What `event` says about the emails; null for events that cause none. Pure. */
export function triggerOf(event: LedgerEvent): MailTrigger | null {
  const o = event.data.object;
  switch (event.type) {
    case "checkout.session.completed":
    case "checkout.session.async_payment_succeeded": {
      // Subscriptions are thanked from invoice.paid, so a first month is never thanked twice.
      const pledgeId = pledgeOfSession(o);
      const paymentIntent = idOf(o.payment_intent);
      const amount = num(o.amount_total);
      if (o.mode !== "payment" || o.payment_status !== "paid" || !pledgeId || !paymentIntent || !amount) return null;
      return {
        type: "payment",
        pledgeId,
        paymentId: paymentIntent,
        amount,
        currency: String(o.currency ?? "").toUpperCase(),
        paidAt: event.created * 1000,
        email: sessionEmail(o),
        reference: paymentIntent,
        recovered: false,
        nextChargeAt: null,
        siteHint: siteOf(o),
      };
    }
    case "invoice.paid": {
      const pledgeId = invoicePledgeId(o);
      const amount = num(o.amount_paid);
      if (!pledgeId || !amount || amount <= 0 || typeof o.id !== "string") return null;
      const transitions = isObject(o.status_transitions) ? o.status_transitions : {};
      const attempts = num(o.attempt_count) ?? 1;
      return {
        type: "payment",
        pledgeId,
        paymentId: o.id,
        amount,
        currency: String(o.currency ?? "").toUpperCase(),
        paidAt: (num(transitions.paid_at) ?? event.created) * 1000,
        email: str(o.customer_email),
        reference: str(o.number) ?? o.id,
        recovered: o.billing_reason !== "subscription_create" && attempts > 1,
        nextChargeAt: invoiceLineEnd(o),
        siteHint: null,
      };
    }
    case "invoice.payment_failed": {
      // The first invoice failing inside Checkout is the reader's card at checkout, not a lapse.
      const pledgeId = invoicePledgeId(o);
      const amount = num(o.amount_due);
      if (o.billing_reason === "subscription_create" || !pledgeId || !amount || typeof o.id !== "string") return null;
      const next = num(o.next_payment_attempt);
      return {
        type: "payment_failed",
        pledgeId,
        invoiceId: o.id,
        customerId: idOf(o.customer),
        amount,
        currency: String(o.currency ?? "").toUpperCase(),
        email: str(o.customer_email),
        attempt: num(o.attempt_count) ?? 1,
        nextAttemptAt: next === null ? null : next * 1000,
      };
    }
    case "checkout.session.expired": {
      const pledgeId = pledgeOfSession(o);
      if (!pledgeId || typeof o.id !== "string") return null;
      const consent = isObject(o.consent) ? o.consent : {};
      return {
        type: "checkout_expired",
        pledgeId,
        sessionId: o.id,
        email: sessionEmail(o),
        consented: consent.promotions === "opt_in",
        expiredAt: event.created * 1000,
        siteHint: siteOf(o),
      };
    }
    case "customer.subscription.created":
    case "customer.subscription.updated":
    case "customer.subscription.deleted": {
      const metadata = isObject(o.metadata) ? o.metadata : {};
      const pledgeId = str(metadata.pledge_id);
      const items = isObject(o.items) && Array.isArray(o.items.data) ? o.items.data.filter(isObject) : [];
      const first = items[0];
      const price = first && isObject(first.price) ? first.price : null;
      const recurring = price && isObject(price.recurring) ? price.recurring : null;
      const periodEnd = first ? num(first.current_period_end) : null;
      if (!pledgeId || typeof o.id !== "string" || !recurring || periodEnd === null) return null;
      const amount = items.reduce((sum, item) => {
        const p = isObject(item.price) ? item.price : {};
        return sum + (num(p.unit_amount) ?? 0) * (num(item.quantity) ?? 1);
      }, 0);
      return {
        type: "subscription",
        pledgeId,
        subscriptionId: o.id,
        interval: String(recurring.interval ?? ""),
        currency: String(o.currency ?? price?.currency ?? "").toUpperCase(),
        amount,
        status: event.type === "customer.subscription.deleted" ? "canceled" : String(o.status ?? ""),
        ending: o.cancel_at_period_end === true || num(o.cancel_at) !== null || isObject(o.pause_collection),
        periodEnd: periodEnd * 1000,
        eventCreated: event.created,
      };
    }
    default:
      return null;
  }
}

/** What we know about the pledge an event names (null: not a pledge of ours). */
export type PledgeFacts = {
  site: string;
  frequency: "once" | "monthly" | "annual";
  status: string;
  campaign: string | null;
  email: string | null;
  lang: string | null;
};

/** An email to send, or why none goes. */
export type MailDecision = { send: true; kind: MailKind; key: string; to: string } | { send: false; reason: string };

const skip = (reason: string): MailDecision => ({ send: false, reason });

/** Statuses of a pledge the reader has paid (or is paying): an abandoned session of it needs no email. */
const GIVEN = new Set(["paid", "active", "past_due", "processing"]);

/**
 * The email a trigger causes, given the pledge, its site and what the ledger says. Pure.
 * - a payment: a receipt, keyed by the payment (`receipt:<invoice or payment intent>`), or, for a
 *   renewal that went through after failed tries, the thank-you that ends the failed-payment
 *   sequence under the same key;
 * - a failed renewal: the first email (`payment_failed:<invoice>`), then, with the failure that
 *   leaves Stripe one try (`emails.failedPayments.stripeTries`), the second
 *   (`payment_failed:<invoice>:again`); nothing once the invoice is paid, the support canceled,
 *   or (for the first) once the second went;
 * - an expired checkout: one email (`checkout_recovery:<session>`), only where the site turned
 *   it on, the reader consented and left an address, the pledge was not paid, and within 48 hours.
 */
export function decide(
  trigger: MailTrigger,
  facts: {
    pledge: PledgeFacts | null;
    site: SiteConfig | undefined;
    /** The ledger holds a payment for the failed invoice: it was paid after all. */
    invoicePaid?: boolean;
    /** The second failed-payment email of this invoice went already. */
    secondSent?: boolean;
  },
  now: number,
): MailDecision {
  const { pledge, site } = facts;
  if (trigger.type === "subscription") return skip("subscription events only move the renewal schedule");
  if (!pledge) return skip("no pledge of ours");
  if ("siteHint" in trigger && trigger.siteHint !== null && trigger.siteHint !== pledge.site)
    return skip("the event names another site");
  if (!site || site.id !== pledge.site) return skip("the pledge's site is not configured");
  const to = trigger.email ?? pledge.email;
  switch (trigger.type) {
    case "payment": {
      if (trigger.recovered ? !site.emails.failedPayments.enabled : !site.emails.receipts)
        return skip("turned off for this site");
      if (!to) return skip("no address");
      return {
        send: true,
        kind: trigger.recovered ? "payment_recovered" : "receipt",
        key: outboxKeys.receipt(trigger.paymentId),
        to,
      };
    }
    case "payment_failed": {
      const settings = site.emails.failedPayments;
      if (!settings.enabled) return skip("turned off for this site");
      if (pledge.status === "canceled") return skip("the support has ended");
      if (facts.invoicePaid) return skip("the invoice was paid");
      if (!to) return skip("no address");
      const again =
        trigger.attempt >= 2 && trigger.attempt >= settings.stripeTries - 1 && trigger.nextAttemptAt !== null;
      if (again)
        return { send: true, kind: "payment_failed_again", key: outboxKeys.secondFailure(trigger.invoiceId), to };
      if (facts.secondSent) return skip("the second email went already");
      return { send: true, kind: "payment_failed", key: outboxKeys.firstFailure(trigger.invoiceId), to };
    }
    case "checkout_expired": {
      if (!site.emails.checkoutRecovery.enabled) return skip("turned off for this site");
      if (pledge.campaign === RECOVERY_CAMPAIGN) return skip("already started from a recovery email");
      if (!trigger.consented) return skip("the reader did not agree to be contacted");
      if (GIVEN.has(pledge.status)) return skip("the pledge was paid");
      if (now - trigger.expiredAt > RECOVERY_WINDOW_MS) return skip("expired too long ago");
      if (!to) return skip("no address");
      return { send: true, kind: "checkout_recovery", key: outboxKeys.recovery(trigger.sessionId), to };
    }
  }
}

/** The outbox keys of the emails a Stripe event can cause: each email goes once per key. */
export const outboxKeys = {
  receipt: (paymentId: string) => `receipt:${paymentId}`,
  firstFailure: (invoiceId: string) => `payment_failed:${invoiceId}`,
  /** A failed invoice's second email (its first is skipped once this was sent). */
  secondFailure: (invoiceId: string) => `payment_failed:${invoiceId}:again`,
  recovery: (sessionId: string) => `checkout_recovery:${sessionId}`,
};

/**
 * Every outbox key `decide` can give this trigger's email, so what the outbox holds under them can
 * be read with the pledge, before deciding (a failed invoice's first email also depends on its second).
 */
export function outboxKeysOf(trigger: Exclude<MailTrigger, { type: "subscription" }>): string[] {
  switch (trigger.type) {
    case "payment":
      return [outboxKeys.receipt(trigger.paymentId)];
    case "payment_failed":
      return [outboxKeys.firstFailure(trigger.invoiceId), outboxKeys.secondFailure(trigger.invoiceId)];
    case "checkout_expired":
      return [outboxKeys.recovery(trigger.sessionId)];
  }
}

const DAY_MS = 86_400_000;

/** A recurring support's current period, as the renewal schedule keeps it. */
export type PeriodRow = {
  interval: string;
  status: string;
  ending: number;
  periodEnd: number;
  noticeFor: number | null;
};

/**
 * Whether an annual support's renewal notice is due at `now`: active (or trialing), not ending,
 * charged again within the site's `renewalNotice.daysBefore`, and not yet noticed for this period.
 * Pure.
 */
export function renewalNoticeDue(row: PeriodRow, site: SiteConfig, now: number): boolean {
  const settings = site.emails.renewalNotice;
  if (!settings.enabled || row.interval !== "year") return false;
  if ((row.status !== "active" && row.status !== "trialing") || row.ending) return false;
  if (row.noticeFor === row.periodEnd) return false;
  return row.periodEnd > now && row.periodEnd - now <= settings.daysBefore * DAY_MS;
}

/** The outbox key of one period's renewal notice. */
export const renewalNoticeKey = (subscriptionId: string, periodEnd: number) =>
  `renewal_notice:${subscriptionId}:${Math.floor(periodEnd / 1000)}`;
