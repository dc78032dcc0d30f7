import { z } from "zod";
import { FREQUENCIES, type Frequency } from "./frequencies";
import type { Language } from "./languages";
import type { Copy, Rules } from "./site-config";
import type { Target } from "./targeting";

/**
 * The public HTTP contract: one zod schema per request body, and the types of the
 * responses. The widget imports the *types* from here (type-only imports cost no bytes).
 */

const shortSlug = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,39}$/i, "use up to 40 letters, digits, dashes or underscores");
const siteId = z.string().min(1).max(40);

/** `POST /api/checkout` body. Amount limits depend on the site, so they are checked after parsing. */
export const checkoutRequestSchema = z.strictObject({
  site: siteId,
  frequency: z.enum(FREQUENCIES),
  amount: z.number().int("amount must be a whole number of minor units").positive().max(100_000_000_00),
  currency: z
    .string()
    .regex(/^[A-Za-z]{3}$/, "use a three-letter currency code")
    .transform((c) => c.toUpperCase()),
  returnUrl: z.url({ protocol: /^https?$/ }).max(2000),
  campaign: shortSlug.optional(),
  variant: shortSlug.optional(),
  email: z.email().max(254).optional(),
  coverFees: z.boolean().optional(),
  /** Where the reader met the ask, for the funnel's "paid" per placement. */
  placement: z.enum(["inline", "banner"]).optional(),
  turnstileToken: z.string().max(4096).optional(),
  /** Set when the reader took the ask's monthly upsell (the suggested monthly gift instead of a one-off). */
  upsell: z.literal("ask").optional(),
});
export type CheckoutRequest = z.input<typeof checkoutRequestSchema>;
export type CheckoutResponse = { id: string; url: string };

export const EVENT_TYPES = [
  "impression",
  "view",
  "click",
  "dismiss",
  "snooze",
  "checkout",
  // The monthly upsell in the ask (after Once and Continue) and on the thank-you after a one-off gift.
  "upsell_offered",
  "upsell_accepted",
  "upsell_declined",
  "thanks_upsell_offered",
  "thanks_upsell_accepted",
] as const;
export type AskEventType = (typeof EVENT_TYPES)[number];
export const PLACEMENTS = ["inline", "banner"] as const;
export type Placement = (typeof PLACEMENTS)[number];

/** One counter event from the ask. No personal data: only what is aggregated. */
export const askEventSchema = z.strictObject({
  type: z.enum(EVENT_TYPES),
  placement: z.enum(PLACEMENTS),
  campaign: shortSlug.optional(),
  variant: shortSlug.optional(),
});

/** `POST /api/events` body: a site and up to 20 events (the widget sends them in small batches). */
export const eventsRequestSchema = z.strictObject({
  site: siteId,
  events: z.array(askEventSchema).min(1).max(20),
});
export type EventsRequest = z.infer<typeof eventsRequestSchema>;

/** `POST /api/reminders` body. */
export const reminderRequestSchema = z.strictObject({
  site: siteId,
  email: z.email().max(254),
  when: z.enum(["next_week", "next_month"]),
  lang: z.enum(["en", "ru"]).default("en"),
  pageUrl: z.url({ protocol: /^https?$/ }).max(2000),
  turnstileToken: z.string().max(4096).optional(),
});
export type ReminderRequest = z.input<typeof reminderRequestSchema>;
/**
 * `202` answer of `POST /api/reminders`: the same for every address. A confirmation link is on
 * its way; once confirmed, the one reminder goes out on `sendOn` (YYYY-MM-DD, UTC).
 */
export type ReminderResponse = { status: "confirmation_sent"; when: "next_week" | "next_month"; sendOn: string };

/** `POST /api/thanks` body: the signed token the reader came back from Stripe with. */
export const thanksRequestSchema = z.strictObject({
  site: siteId,
  token: z.string().min(1).max(200),
});
/**
 * `POST /api/thanks` answer: `supporter` only for a paid (or, for delayed methods, processing)
 * pledge, and only the first time its token is shown; then `frequency` is the pledge's own.
 */
export type ThanksResponse = {
  supporter: boolean;
  frequency?: Frequency;
  /**
   * After a one-off gift on a site with the upsell: the monthly gift to offer (minor units of
   * `currency`) and the signed token that `POST /api/upsell` takes to start that checkout.
   */
  upsell?: { amount: number; currency: string; token: string };
};

/**
 * `POST /api/upsell` body: the token of a thank-you's monthly offer. The worker starts a monthly
 * checkout from the confirmed one-off pledge (its amount, currency, page and email), so nothing
 * about the reader travels through the browser.
 */
export const upsellRequestSchema = z.strictObject({
  site: siteId,
  token: z.string().min(1).max(200),
});

/** The copy only the thank-you shows: in the config only when it asks for it (`thanks=1`). */
export type ThanksCopyKey = "thanksTitle" | "thanksBody";
/** The rules only the thank-you needs (how long a supporter is remembered): likewise. */
export type ThanksRuleKey = "supporterDaysOnce" | "supporterDaysRecurring";
/** The ask's copy: the thank-you's lines are there only in a `thanks=1` config. */
export type AskCopy = Omit<Copy, ThanksCopyKey> & Partial<Pick<Copy, ThanksCopyKey>>;

/**
 * `GET /api/config` response: everything the ask needs for one visitor. Every reader the ask is
 * shown to downloads it, so what only the thank-you after a payment needs (its copy, the supporter
 * memory's lengths) comes only with `thanks=1`, which the loader adds on the way back from Stripe.
 */
export type AskConfig = {
  name: string;
  lang: Language;
  copy: AskCopy;
  /** Weights are the site's, or automatic allocation's current ones; `target` limits who may get a variant. */
  variants: { id: string; weight: number; copy?: Partial<Copy>; target?: Target }[];
  /** Who sees the ask at all (core/targeting.ts), decided in the reader's browser. */
  target?: Target;
  /** The visitor's two-letter country ("" unknown), present only when some target names countries. */
  country?: string;
  /** The ask's colours, when the site chose its own. */
  theme?: { accent: string; background: string };
  /** Campaign goals the ask shows progress toward (GET /api/progress), by campaign name. */
  goals?: Record<string, { currency: string; amount: number; endsOn: string }>;
  frequencies: Frequency[];
  defaultFrequency: Frequency;
  currency: string;
  /** Minor-unit digits of `currency` (0 for JPY). */
  decimals: number;
  min: number;
  max: number;
  presets: Record<Frequency, number[]>;
  defaultAmount: Record<Frequency, number>;
  /** Fee coverage for `currency`, or null when the site does not offer it. */
  fee: { percentBps: number; fixed: number } | null;
  rules: Omit<Rules, ThanksRuleKey> & Partial<Pick<Rules, ThanksRuleKey>>;
  reminders: boolean;
  paymentMethods: string[];
  /** Present only when the site requires Cloudflare Turnstile on checkout. */
  turnstileSiteKey?: string;
  /**
   * The monthly upsell after a one-off choice (absent when the site turned it off): a fixed
   * monthly `amount` for this currency, or `share` percent of the one-off (core/upsell.ts).
   */
  upsell?: { share: number; amount?: number };
};

/** `GET /api/progress?site=&campaign=` response: what a campaign raised toward its goal, in the goal's currency. */
export type ProgressResponse = {
  campaign: string;
  currency: string;
  amount: number;
  raised: number;
  /** Pledges that paid toward it. */
  supporters: number;
  endsOn: string;
};

/** The JSON error shape of every route. */
export type ApiError = { error: { code: string; message: string; field?: string } };
