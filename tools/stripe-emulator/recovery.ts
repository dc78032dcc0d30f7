/**
 * Revenue recovery, as Stripe does it: Checkout's consent collection and abandoned sessions,
 * retries of a failed renewal (Stripe's retry schedule, played by a test control), and the
 * billing portal's card-update flow (`flow_data.type = payment_method_update`), after which the
 * next retry succeeds.
 */
import { badState, invalidParam, StripeError } from "./errors.ts";
import { emitEvent } from "./events.ts";
import {
  attemptPayment,
  expireSession,
  type FlowContext,
  type FlowResult,
  findInvoicePayment,
  renewSubscription,
} from "./flows.ts";
import type { FormObject, FormValue } from "./form.ts";
import { escapeHtml } from "./http.ts";
import { newId } from "./ids.ts";
import { customerDetails } from "./objects.ts";
import { page } from "./page-layout.ts";
import { nowSeconds, type Obj, type Store } from "./store.ts";
import { optEnum, optInteger, optObject, optString, optUrl, rejectUnknown } from "./validate.ts";

// ─── Checkout: consent collection and abandoned sessions ─────────────────────────────────────────

/** `consent_collection` of a Checkout Session create, in the session's shape; null when absent. */
export function parseConsentCollection(value: FormValue | undefined): Obj | null {
  const params = optObject(value, "consent_collection");
  if (!params) return null;
  rejectUnknown(params, ["payment_method_reuse_agreement", "promotions", "terms_of_service"], "consent_collection");
  const promotions = optEnum(params.promotions, "consent_collection[promotions]", ["auto", "none"] as const) ?? null;
  const terms =
    optEnum(params.terms_of_service, "consent_collection[terms_of_service]", ["none", "required"] as const) ?? null;
  return { payment_method_reuse_agreement: null, promotions, terms_of_service: terms };
}

/**
 * A reader typed an address (and ticked, or not, the "keep me informed" box that consent
 * collection shows) and left: the session then expires, with `customer_details.email` and
 * `consent.promotions` as Stripe records them (`POST /_test/checkout/sessions/{id}/abandon`).
 */
export function abandonSession(
  ctx: FlowContext,
  sessionId: string,
  p: { email?: string; promotions?: "opt_in" | "opt_out" },
): FlowResult {
  const session = ctx.store.get(sessionId, "checkout.session");
  if (!session) throw new StripeError(404, "invalid_request_error", `No such checkout.session: '${sessionId}'`, "id");
  if (session.status !== "open") throw badState(`This Checkout Session is ${session.status}; it cannot be abandoned.`);
  if (p.promotions && session.consent_collection?.promotions !== "auto")
    throw badState("This Checkout Session does not collect promotional consent (consent_collection[promotions]).");
  const email = p.email || session.customer_details?.email || session.customer_email || null;
  if (email) session.customer_details = customerDetails(email);
  if (p.promotions) session.consent = { promotions: p.promotions, terms_of_service: null };
  return expireSession(ctx, sessionId);
}

// ─── Failed renewals: retries and the card update ────────────────────────────────────────────────

/** Stripe's recommended Smart Retries policy: 8 tries in all, the first included. */
export const STRIPE_TRIES = 8;
/** Between tries the emulator schedules the next one this far ahead. */
const RETRY_GAP_SECONDS = 2 * 86_400;

/** Customers who updated their card through the portal since their renewal last failed, per emulator. */
const updatedCards = new WeakMap<Store, Set<string>>();
const cardsOf = (store: Store) => {
  let set = updatedCards.get(store);
  if (!set) {
    set = new Set();
    updatedCards.set(store, set);
  }
  return set;
};

/**
 * Stripe retries an open renewal invoice (`POST /_test/invoices/{id}/retry`). Without `outcome`
 * the retry succeeds if the customer updated their card through the portal since it last failed,
 * and fails otherwise. Success is what `renew` does on a past-due subscription (invoice paid,
 * subscription active). Failure: `payment_intent.payment_failed` and `invoice.payment_failed` with
 * `attempt_count` one more and `next_payment_attempt` two days on, or null once `tries` (default 8)
 * have failed; the subscription stays past due (Stripe's "leave the subscription past-due" setting).
 */
export function retryInvoice(
  ctx: FlowContext,
  invoiceId: string,
  p: { outcome?: "succeeded" | "failed"; tries?: number },
): FlowResult {
  const invoice = ctx.store.get(invoiceId, "invoice");
  if (!invoice) throw new StripeError(404, "invalid_request_error", `No such invoice: '${invoiceId}'`, "id");
  const subId = invoice.parent?.subscription_details?.subscription;
  const sub = subId ? ctx.store.get(subId, "subscription") : undefined;
  if (invoice.status !== "open" || !sub) throw badState(`Invoice ${invoiceId} is not an open subscription invoice.`);
  if (invoice.next_payment_attempt === null) throw badState(`Stripe makes no more tries at invoice ${invoiceId}.`);
  if (sub.status !== "past_due" || sub.latest_invoice !== invoice.id)
    throw badState(`Invoice ${invoiceId} is not the failed renewal of a past-due subscription.`);
  const cards = cardsOf(ctx.store);
  const outcome = p.outcome ?? (cards.has(sub.customer) ? "succeeded" : "failed");
  if (outcome === "succeeded") {
    cards.delete(sub.customer);
    return renewSubscription(ctx, sub.id);
  }
  cards.delete(sub.customer);
  const invoicePayment = findInvoicePayment(ctx, invoice.id) ?? null;
  const pi = invoicePayment ? ctx.store.get(invoicePayment.payment.payment_intent, "payment_intent") : undefined;
  if (!pi) throw badState(`Invoice ${invoiceId} has no payment to retry.`);
  const customer = ctx.store.get(sub.customer, "customer");
  const charge = attemptPayment(ctx, pi, { email: customer?.email ?? null, kind: "card", result: "failed" });
  invoice.attempt_count += 1;
  invoice.next_payment_attempt =
    invoice.attempt_count >= (p.tries ?? STRIPE_TRIES) ? null : nowSeconds() + RETRY_GAP_SECONDS;
  const events = [
    emitEvent(ctx, "payment_intent.payment_failed", pi).id,
    emitEvent(ctx, "invoice.payment_failed", invoice).id,
  ];
  return {
    subscription: sub.id,
    status: sub.status,
    invoice: invoice.id,
    invoice_payment: invoicePayment?.id ?? null,
    payment_intent: pi.id,
    charge: charge.id,
    customer: sub.customer,
    events,
  };
}

/** `flow_data` of a billing portal session create, in the session's `flow` shape; null when absent. */
export function parsePortalFlow(value: FormValue | undefined): Obj | null {
  const params = optObject(value, "flow_data");
  if (!params) return null;
  rejectUnknown(
    params,
    ["after_completion", "subscription_cancel", "subscription_update", "subscription_update_confirm", "type"],
    "flow_data",
  );
  const type = optString(params.type, "flow_data[type]");
  if (!type) throw invalidParam("flow_data[type]", "Missing required param: flow_data[type].", "parameter_missing");
  if (type !== "payment_method_update")
    throw invalidParam("flow_data[type]", "The Stripe emulator supports only `payment_method_update` portal flows.");
  const after = optObject(params.after_completion, "flow_data[after_completion]") ?? {};
  rejectUnknown(after, ["hosted_confirmation", "redirect", "type"], "flow_data[after_completion]");
  const afterType =
    optEnum(after.type, "flow_data[after_completion][type]", [
      "hosted_confirmation",
      "portal_homepage",
      "redirect",
    ] as const) ?? "portal_homepage";
  const redirect = optObject(after.redirect, "flow_data[after_completion][redirect]");
  const returnUrl = optUrl(redirect?.return_url, "flow_data[after_completion][redirect][return_url]");
  if (afterType === "redirect" && !returnUrl)
    throw invalidParam(
      "flow_data[after_completion][redirect][return_url]",
      "Missing required param: flow_data[after_completion][redirect][return_url].",
      "parameter_missing",
    );
  const confirmation = optObject(after.hosted_confirmation, "flow_data[after_completion][hosted_confirmation]");
  return {
    after_completion: {
      hosted_confirmation:
        afterType === "hosted_confirmation"
          ? { custom_message: optString(confirmation?.custom_message, "custom_message") ?? null }
          : null,
      redirect: afterType === "redirect" ? { return_url: returnUrl } : null,
      type: afterType,
    },
    subscription_cancel: null,
    subscription_update: null,
    subscription_update_confirm: null,
    type,
  };
}

/**
 * The customer enters a new card in the portal's card-update flow: it becomes the default of the
 * customer (`customer.updated`) and of each live subscription (`customer.subscription.updated`),
 * and the next retry of a failed renewal succeeds.
 */
export function updateCard(ctx: FlowContext, customerId: string): { paymentMethod: string; events: string[] } {
  const customer = ctx.store.get(customerId, "customer");
  if (!customer) throw new StripeError(404, "invalid_request_error", `No such customer: '${customerId}'`, "customer");
  const pm = newId("pm");
  const previous = { invoice_settings: structuredClone(customer.invoice_settings) };
  customer.invoice_settings = { ...customer.invoice_settings, default_payment_method: pm };
  const events = [emitEvent(ctx, "customer.updated", customer, { previousAttributes: previous }).id];
  for (const sub of ctx.store.all("subscription")) {
    if (sub.customer !== customerId || sub.status === "canceled" || sub.status === "incomplete_expired") continue;
    const before = sub.default_payment_method;
    sub.default_payment_method = pm;
    events.push(
      emitEvent(ctx, "customer.subscription.updated", sub, { previousAttributes: { default_payment_method: before } })
        .id,
    );
  }
  cardsOf(ctx.store).add(customerId);
  return { paymentMethod: pm, events };
}

const BANNER = "LOCAL TEST billing portal — no real money moves.";

/** The portal page of a card-update flow session: a card field and one button. */
function cardUpdatePage(session: Obj): string {
  return page(
    "Local test billing portal — update your card",
    BANNER,
    `
<h1>Update your card</h1>
<form method="post" action="/p/session/${escapeHtml(session.id)}/payment_method">
<label for="card">Card number</label>
<input id="card" name="card" inputmode="numeric" autocomplete="cc-number" value="4242 4242 4242 4242">
<div class="actions"><button type="submit" class="primary">Update card</button></div>
</form>
${session.return_url ? `<p><a href="${escapeHtml(session.return_url)}">Return to site</a></p>` : ""}
<p class="note">Customer <code>${escapeHtml(session.customer)}</code> · payment method update flow</p>`,
  );
}

/**
 * The hosted pages of a portal session with a card-update flow (`GET /p/session/{id}`,
 * `POST /p/session/{id}/payment_method`); null for anything else (the plain portal handles it).
 * After the update the customer goes where `after_completion` says.
 */
export function portalFlowAnswer(
  ctx: FlowContext,
  method: string,
  path: string,
): { html: string } | { location: string } | null {
  const m = /^\/p\/session\/([A-Za-z0-9_]+)(\/payment_method)?$/.exec(path);
  if (!m) return null;
  const session = ctx.store.get(m[1] as string, "billing_portal.session");
  if (session?.flow?.type !== "payment_method_update") return null;
  if (!m[2]) return method === "GET" || method === "HEAD" ? { html: cardUpdatePage(session) } : null;
  if (method !== "POST") return null;
  updateCard(ctx, session.customer);
  const after = session.flow.after_completion;
  const location =
    after.type === "redirect" ? after.redirect.return_url : (session.return_url ?? `/p/session/${session.id}`);
  return { location };
}

// ─── Test controls ───────────────────────────────────────────────────────────────────────────────

const ID = "([A-Za-z0-9_]+)";

/** The `/_test` controls of this file (test-controls.ts lists them with its own). */
export const RECOVERY_CONTROLS: {
  method: string;
  pattern: RegExp;
  control: (ctx: FlowContext, params: FormObject, match: string[]) => FlowResult;
}[] = [
  {
    method: "POST",
    pattern: new RegExp(`^/_test/checkout/sessions/${ID}/abandon$`),
    control: (ctx, p, [id]) =>
      abandonSession(ctx, id as string, {
        email: optString(p.email, "email") || undefined,
        promotions: optEnum(p.promotions, "promotions", ["opt_in", "opt_out"] as const),
      }),
  },
  {
    method: "POST",
    pattern: new RegExp(`^/_test/invoices/${ID}/retry$`),
    control: (ctx, p, [id]) => {
      const tries = optInteger(p.tries, "tries");
      if (tries !== undefined && (tries < 2 || tries > 25)) throw invalidParam("tries", "tries must be from 2 to 25.");
      return retryInvoice(ctx, id as string, {
        outcome: optEnum(p.outcome, "outcome", ["succeeded", "failed"] as const),
        ...(tries !== undefined ? { tries } : {}),
      });
    },
  },
  {
    method: "POST",
    pattern: new RegExp(`^/_test/customers/${ID}/update_card$`),
    control: (ctx, _p, [id]) => ({ customer: id as string, ...updateCard(ctx, id as string) }),
  },
];
