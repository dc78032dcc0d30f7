import { CURRENCIES, type CurrencyCode, isCurrencyCode } from "./currencies";
import { coverFee } from "./fees";
import { type Frequency, stripeInterval } from "./frequencies";
import { formatMoney } from "./money";
import { type DemoOrigins, isAllowedOrigin } from "./origins";
import type { SiteConfig } from "./site-config";

/** A checkout request after its shape was parsed, before site rules were applied. */
export type CheckoutInput = {
  frequency: Frequency;
  amount: number;
  currency: string;
  returnUrl: string;
  coverFees?: boolean | undefined;
};

export type CheckoutPlan = {
  frequency: Frequency;
  currency: CurrencyCode;
  /** The gift. */
  amount: number;
  /** Fee cover added on its own line (0 when none). */
  feeAmount: number;
  returnUrl: string;
};

export type RuleViolation = { code: string; message: string; field: string };

/** Applies the site's rules to a parsed checkout request: a plan, or the first violation in words. */
export function planCheckout(
  site: SiteConfig,
  input: CheckoutInput,
  demo: DemoOrigins,
): { ok: true; plan: CheckoutPlan } | { ok: false; error: RuleViolation } {
  const fail = (code: string, field: string, message: string) => ({
    ok: false as const,
    error: { code, field, message },
  });
  if (!site.frequencies.includes(input.frequency))
    return fail("frequency_not_offered", "frequency", `${site.name} does not offer ${input.frequency} support.`);
  const settings = site.currencies[input.currency];
  if (!settings || !isCurrencyCode(input.currency))
    return fail("currency_not_offered", "currency", `${input.currency} is not a currency ${site.name} accepts.`);
  const decimals = CURRENCIES[input.currency].decimals;
  if (input.amount < settings.min)
    return fail(
      "amount_too_small",
      "amount",
      `The amount must be at least ${formatMoney(settings.min, input.currency, "en", decimals)}.`,
    );
  if (input.amount > settings.max)
    return fail(
      "amount_too_large",
      "amount",
      `The amount must be at most ${formatMoney(settings.max, input.currency, "en", decimals)}.`,
    );
  let returnOrigin: string;
  try {
    returnOrigin = new URL(input.returnUrl).origin;
  } catch {
    return fail("invalid_return_url", "returnUrl", "returnUrl must be an absolute URL.");
  }
  if (!isAllowedOrigin(site, returnOrigin, demo))
    return fail("return_url_not_allowed", "returnUrl", "returnUrl must be a page of the site itself.");
  let feeAmount = 0;
  if (input.coverFees) {
    if (!site.feeCoverage)
      return fail("fee_coverage_not_offered", "coverFees", `${site.name} does not offer fee coverage.`);
    feeAmount = coverFee(input.amount, {
      percentBps: site.feeCoverage.percentBps,
      fixed: site.feeCoverage.fixed[input.currency] ?? 0,
    });
  }
  return {
    ok: true,
    plan: {
      frequency: input.frequency,
      currency: input.currency,
      amount: input.amount,
      feeAmount,
      returnUrl: input.returnUrl,
    },
  };
}

/**
 * The whole checkout request in one canonical string, for binding an Idempotency-Key to it:
 * every field that shapes the pledge or the Stripe session (as parsed and planned), in a fixed
 * order, with defaults filled in. The Turnstile token is left out: a retry gets a new one.
 */
export function canonicalCheckoutRequest(
  site: string,
  plan: CheckoutPlan,
  extra: {
    campaign?: string | undefined;
    variant?: string | undefined;
    email?: string | undefined;
    placement?: string | undefined;
    upsell?: string | undefined;
    locale: string;
  },
): string {
  return JSON.stringify([
    site,
    plan.frequency,
    plan.currency,
    plan.amount,
    plan.feeAmount,
    new URL(plan.returnUrl).toString(),
    extra.campaign ?? null,
    extra.variant ?? null,
    extra.email ?? null,
    extra.placement ?? null,
    extra.locale,
    // Only when set, so keys used before the upsell existed keep their hash.
    ...(extra.upsell ? [extra.upsell] : []),
  ]);
}

/** `returnUrl` with the reader-support query parameters replaced by `params`. */
export function returnUrlWith(returnUrl: string, params: Record<string, string>): string {
  const url = new URL(returnUrl);
  for (const key of [...url.searchParams.keys()]) if (key.startsWith("rs")) url.searchParams.delete(key);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  url.hash = "";
  return url.toString();
}

const GIFT_NAMES: Record<Frequency, (name: string) => string> = {
  once: (name) => `Support for ${name}`,
  monthly: (name) => `Monthly support for ${name}`,
  annual: (name) => `Annual support for ${name}`,
};

/**
 * Stripe Checkout Session parameters for a plan (the shape of `checkout.sessions.create`).
 * The pledge id travels in the metadata of the session and of the payment intent or
 * subscription, so every later event finds its pledge whatever order it arrives in. The reader
 * returns to their page with `?rs=thanks&rs_pledge=<signed token>`, which the ask shows a
 * thank-you for only once the worker confirms the payment.
 */
export function checkoutSessionParams(args: {
  pledgeId: string;
  /** The signed token of the return link (see checkout/thanks.ts): the page's ask thanks only with it. */
  thanksToken: string | null;
  site: SiteConfig;
  plan: CheckoutPlan;
  email?: string | undefined;
  locale?: string | undefined;
  expiresAt?: number;
}) {
  const { pledgeId, site, plan } = args;
  const interval = stripeInterval(plan.frequency);
  const metadata = { pledge_id: pledgeId, site: site.id, frequency: plan.frequency };
  const line = (name: string, unitAmount: number) => ({
    quantity: 1,
    price_data: {
      currency: plan.currency.toLowerCase(),
      unit_amount: unitAmount,
      product_data: { name },
      ...(interval ? { recurring: { interval } } : {}),
    },
  });
  const lineItems = [line(GIFT_NAMES[plan.frequency](site.name), plan.amount)];
  if (plan.feeAmount > 0) lineItems.push(line("Processing fee cover (added by you)", plan.feeAmount));
  return {
    mode: interval ? ("subscription" as const) : ("payment" as const),
    line_items: lineItems,
    success_url: returnUrlWith(plan.returnUrl, {
      rs: "thanks",
      ...(args.thanksToken ? { rs_pledge: args.thanksToken } : {}),
    }),
    cancel_url: returnUrlWith(plan.returnUrl, { rs: "cancelled" }),
    client_reference_id: pledgeId,
    metadata,
    ...(args.email ? { customer_email: args.email } : {}),
    ...(args.locale ? { locale: args.locale as "en" } : {}),
    ...(args.expiresAt ? { expires_at: args.expiresAt } : {}),
    // Checkout asks whether the reader agrees to hear from the site: an abandoned checkout's email needs a yes.
    ...(site.emails.checkoutRecovery.enabled ? { consent_collection: { promotions: "auto" as const } } : {}),
    ...(interval
      ? { subscription_data: { metadata } }
      : // Stripe accepts submit_type only in payment mode.
        { submit_type: "donate" as const, payment_intent_data: { metadata } }),
  };
}
