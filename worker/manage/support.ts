import type Stripe from "stripe";
import { REVISION_KEY, SAVE_OFFER_KEY, type SaveOfferOutcome } from "../core/ledger";
import { feeCoverFor, nextPaymentAt, type PauseMonths, pauseEnd, type RecurringFrequency } from "../core/self-service";
import type { SiteConfig } from "../core/site-config";
import { database } from "../platform/db";
import type { WorkerEnv } from "../platform/env";
import { findSite } from "../platform/sites";
import { stripeFor } from "../platform/stripe";
import type { ManageSession } from "./session";
import { pledgeForManage } from "./store";

/**
 * A supporter's recurring support as /manage shows and changes it: read from Stripe (the
 * authority on the subscription) and the ledger (payments so far), and changed only through
 * Stripe's API. Every read and change first checks that the subscription is the session's and
 * belongs to the session's customer, so a session can never reach another customer's support.
 *
 * New amounts and frequencies take effect from the next payment, with nothing charged now:
 * - a new amount replaces the items' prices (`price_data` on the subscription's own products)
 *   with `proration_behavior: "none"`, so Stripe bills it from the next invoice and credits or
 *   charges nothing for the current period;
 * - a new frequency does the same, and also sets `trial_end` to the end of the period already
 *   paid for: Stripe otherwise starts a new billing period (and invoices it) at once when the
 *   interval changes; with a trial up to that date nothing is charged before it and the new
 *   amount is billed on it (Stripe's documented way to move a billing date).
 * Inline `price_data` keeps the account free of a catalogue of prices for every amount a reader
 * may type, as Checkout already does.
 */

export type SupportItem = { id: string; product: string; amount: number };

export type Support = {
  site: SiteConfig;
  session: ManageSession;
  currency: string;
  /** Stripe's status of the subscription. */
  status: string;
  frequency: RecurringFrequency;
  /** The gift per period, the fee cover on top, and what each period charges. */
  gift: number;
  fee: number;
  total: number;
  items: SupportItem[];
  /** Unix ms. */
  periodEnd: number;
  paused: boolean;
  resumesAt: number | null;
  cancelAtPeriodEnd: boolean;
  cancelAt: number | null;
  nextPayment: number | null;
  payments: { count: number; total: number };
  email: string | null;
  ended: boolean;
};

export type SupportProblem = { problem: "unknown_site" } | { problem: "not_yours" } | { problem: "stripe_failed" };

/** Reads the session's support, or says why it cannot be shown. */
export async function loadSupport(env: WorkerEnv, session: ManageSession): Promise<Support | SupportProblem> {
  const site = findSite(session.site);
  if (!site) return { problem: "unknown_site" };
  const pledge = await pledgeForManage(database(env.DB), session.pledgeId);
  if (
    !pledge ||
    pledge.site !== session.site ||
    pledge.subscriptionId !== session.subscriptionId ||
    pledge.customerId !== session.customerId
  )
    return { problem: "not_yours" };
  let sub: Stripe.Subscription;
  try {
    sub = await stripeFor(env).subscriptions.retrieve(session.subscriptionId);
  } catch (error) {
    console.error("manage: subscription read failed", error instanceof Error ? error.message : error);
    return { problem: "stripe_failed" };
  }
  const customer = typeof sub.customer === "string" ? sub.customer : sub.customer.id;
  if (customer !== session.customerId || sub.metadata?.pledge_id !== session.pledgeId) return { problem: "not_yours" };
  const items = sub.items.data
    .map((item) => ({
      id: item.id,
      product: typeof item.price.product === "string" ? item.price.product : item.price.product.id,
      amount: (item.price.unit_amount ?? 0) * (item.quantity ?? 1),
    }))
    // The gift is the largest item; a fee cover, when there is one, is smaller.
    .sort((a, b) => b.amount - a.amount);
  const total = items.reduce((sum, i) => sum + i.amount, 0);
  const metaFee = Number(sub.metadata?.fee_amount);
  const fee = items.length > 1 ? (Number.isSafeInteger(metaFee) && metaFee >= 0 ? metaFee : pledge.feeAmount) : 0;
  const interval = sub.items.data[0]?.price.recurring?.interval;
  const frequency: RecurringFrequency = interval === "year" ? "annual" : "monthly";
  const periodEnd = (sub.items.data[0]?.current_period_end ?? 0) * 1000;
  const paused = sub.pause_collection !== null;
  const resumesAt = sub.pause_collection?.resumes_at ? sub.pause_collection.resumes_at * 1000 : null;
  const cancelAt = sub.cancel_at_period_end || sub.cancel_at ? (sub.cancel_at ?? 0) * 1000 : null;
  return {
    site,
    session,
    currency: sub.currency.toUpperCase(),
    status: sub.status,
    frequency,
    gift: total - fee,
    fee,
    total,
    items,
    periodEnd,
    paused,
    resumesAt,
    cancelAtPeriodEnd: sub.cancel_at_period_end,
    cancelAt,
    nextPayment: nextPaymentAt({ periodEnd, frequency, resumesAt, paused, cancelAt }),
    payments: pledge.payments,
    email: pledge.email,
    ended: sub.status === "canceled" || sub.status === "incomplete_expired",
  };
}

/** The items of a subscription charging `gift` (and the fee cover, if the supporter covers it) per `frequency`. */
function itemsFor(support: Support, gift: number, frequency: RecurringFrequency) {
  const fee = feeCoverFor(support.site, support.currency, gift, support.fee > 0);
  const interval = frequency === "annual" ? ("year" as const) : ("month" as const);
  const price = (product: string, amount: number) => ({
    currency: support.currency.toLowerCase(),
    product,
    unit_amount: amount,
    recurring: { interval },
  });
  const [first, second, ...rest] = support.items as [SupportItem, ...SupportItem[]];
  const items: Stripe.SubscriptionUpdateParams.Item[] = [{ id: first.id, price_data: price(first.product, gift) }];
  if (second)
    items.push(fee > 0 ? { id: second.id, price_data: price(second.product, fee) } : { id: second.id, deleted: true });
  for (const extra of rest) items.push({ id: extra.id, deleted: true });
  return { items, fee };
}

const saveOffer = (outcome: SaveOfferOutcome | null, now: number): Record<string, string> =>
  outcome ? { [SAVE_OFFER_KEY]: `${outcome}:${now}` } : {};

const GIFT_NAMES: Record<RecurringFrequency, (name: string) => string> = {
  monthly: (name) => `Monthly support for ${name}`,
  annual: (name) => `Annual support for ${name}`,
};

/** One change a supporter asked for. */
export type SupportChange =
  | { kind: "amount"; gift: number; saveOffer?: "accepted_reduce" }
  | { kind: "frequency"; frequency: RecurringFrequency; gift: number }
  | { kind: "pause"; months: PauseMonths; saveOffer?: "accepted_pause" }
  | { kind: "resume" }
  | { kind: "cancel"; reason: string | null; comment: string | null; offered: boolean }
  | { kind: "keep" };

/** The Stripe update that makes a change (pure apart from `now`). */
export function updateParams(support: Support, change: SupportChange, now: number): Stripe.SubscriptionUpdateParams {
  const rev = { [REVISION_KEY]: String(now) };
  switch (change.kind) {
    case "amount": {
      const { items, fee } = itemsFor(support, change.gift, support.frequency);
      return {
        items,
        proration_behavior: "none",
        metadata: {
          ...rev,
          amount: String(change.gift),
          fee_amount: String(fee),
          ...saveOffer(change.saveOffer ?? null, now),
        },
      };
    }
    case "frequency": {
      const { items, fee } = itemsFor(support, change.gift, change.frequency);
      return {
        items,
        proration_behavior: "none",
        ...(change.frequency !== support.frequency ? { trial_end: Math.floor(support.periodEnd / 1000) } : {}),
        metadata: { ...rev, amount: String(change.gift), fee_amount: String(fee), frequency: change.frequency },
      };
    }
    case "pause":
      return {
        pause_collection: {
          behavior: "void",
          resumes_at: Math.floor(pauseEnd(support.periodEnd, change.months) / 1000),
        },
        metadata: { ...rev, ...saveOffer(change.saveOffer ?? null, now) },
      };
    case "resume":
      return { pause_collection: "", metadata: rev };
    case "cancel":
      return {
        cancel_at_period_end: true,
        cancellation_details: {
          ...(change.reason
            ? { feedback: change.reason as Stripe.SubscriptionUpdateParams.CancellationDetails.Feedback }
            : {}),
          ...(change.comment ? { comment: change.comment } : {}),
        },
        metadata: { ...rev, ...saveOffer(change.offered ? "declined" : null, now) },
      };
    case "keep":
      return { cancel_at_period_end: false, metadata: rev };
  }
}

/** Makes a change through Stripe (a frequency switch also renames the gift's product, as receipts show it). */
export async function applyChange(env: WorkerEnv, support: Support, change: SupportChange, now: number): Promise<void> {
  const stripe = stripeFor(env);
  await stripe.subscriptions.update(support.session.subscriptionId, updateParams(support, change, now));
  if (change.kind === "frequency" && change.frequency !== support.frequency && support.items[0]) {
    await stripe.products
      .update(support.items[0].product, { name: GIFT_NAMES[change.frequency](support.site.name) })
      .catch((error) => console.error("manage: product rename failed", error instanceof Error ? error.message : error));
  }
}

/** A Stripe portal session for updating the card, and nothing else; it returns to `returnUrl`. */
export async function cardUpdateUrl(env: WorkerEnv, support: Support, returnUrl: string, locale: "en" | "ru") {
  const session = await stripeFor(env).billingPortal.sessions.create({
    customer: support.session.customerId,
    return_url: returnUrl,
    locale,
    flow_data: {
      type: "payment_method_update",
      after_completion: { type: "redirect", redirect: { return_url: returnUrl } },
    },
    ...(env.STRIPE_PORTAL_CONFIGURATION ? { configuration: env.STRIPE_PORTAL_CONFIGURATION } : {}),
  });
  return session.url;
}
