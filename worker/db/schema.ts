import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/**
 * The ledger. Money is integer minor units; times are unix milliseconds.
 * Rows about money are never deleted: refunds and disputes are recorded beside payments.
 * No foreign keys with cascades here on purpose — a deleted pledge must never take payments with it.
 */

/** One reader's choice, created `pending` with the checkout session; moved only by Stripe events. */
export const pledges = sqliteTable(
  "pledges",
  {
    id: text("id").primaryKey(),
    site: text("site").notNull(),
    frequency: text("frequency", { enum: ["once", "monthly", "annual"] }).notNull(),
    currency: text("currency").notNull(),
    /** The gift itself. */
    amount: integer("amount").notNull(),
    /** What the reader added to cover processing fees (0 when they did not). */
    feeAmount: integer("fee_amount").notNull().default(0),
    status: text("status").notNull().default("pending"),
    /** Orders status changes so events can arrive in any order (see core/ledger.ts). */
    statusKey: integer("status_key").notNull().default(0),
    campaign: text("campaign"),
    variant: text("variant"),
    pageUrl: text("page_url"),
    email: text("email"),
    stripeSessionId: text("stripe_session_id"),
    stripeCustomerId: text("stripe_customer_id"),
    stripeSubscriptionId: text("stripe_subscription_id"),
    stripePaymentIntentId: text("stripe_payment_intent_id"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    index("pledges_site_created").on(t.site, t.createdAt),
    index("pledges_site_status").on(t.site, t.status, t.frequency, t.currency),
    uniqueIndex("pledges_session").on(t.stripeSessionId),
    index("pledges_subscription").on(t.stripeSubscriptionId),
    index("pledges_customer").on(t.stripeCustomerId),
    index("pledges_email").on(t.site, t.email),
  ],
);

/** Money that arrived: a one-time charge (id = payment intent) or one paid invoice (id = invoice). */
export const payments = sqliteTable(
  "payments",
  {
    id: text("id").primaryKey(),
    pledgeId: text("pledge_id").notNull(),
    site: text("site").notNull(),
    frequency: text("frequency", { enum: ["once", "monthly", "annual"] }).notNull(),
    currency: text("currency").notNull(),
    /** Everything charged: gift + fee cover. */
    amount: integer("amount").notNull(),
    feeAmount: integer("fee_amount").notNull().default(0),
    paymentIntentId: text("payment_intent_id"),
    paidAt: integer("paid_at").notNull(),
    campaign: text("campaign"),
    variant: text("variant"),
  },
  (t) => [
    index("payments_site_paid").on(t.site, t.paidAt, t.currency, t.frequency, t.amount),
    uniqueIndex("payments_intent").on(t.paymentIntentId),
    index("payments_pledge").on(t.pledgeId),
  ],
);

/** Refunded so far on one charge (Stripe reports the running total, so we keep the largest seen). */
export const chargeRefunds = sqliteTable(
  "charge_refunds",
  {
    chargeId: text("charge_id").primaryKey(),
    paymentIntentId: text("payment_intent_id").notNull(),
    currency: text("currency").notNull(),
    amountRefunded: integer("amount_refunded").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("charge_refunds_intent").on(t.paymentIntentId)],
);

/** A dispute on a charge; `final` once Stripe closed it as won or lost. */
export const disputes = sqliteTable(
  "disputes",
  {
    id: text("id").primaryKey(),
    chargeId: text("charge_id").notNull(),
    paymentIntentId: text("payment_intent_id").notNull(),
    currency: text("currency").notNull(),
    amount: integer("amount").notNull(),
    status: text("status").notNull(),
    final: integer("final").notNull().default(0),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("disputes_intent").on(t.paymentIntentId)],
);

/** Stripe event ids already processed: each event's effects are written once. */
export const stripeEvents = sqliteTable("stripe_events", {
  id: text("id").primaryKey(),
  type: text("type").notNull(),
  created: integer("created").notNull(),
  processedAt: integer("processed_at").notNull(),
});

/** The ask's counters, aggregated per day, site, placement, campaign, variant and type. No personal data. */
export const askEventCounts = sqliteTable(
  "ask_event_counts",
  {
    day: text("day").notNull(),
    site: text("site").notNull(),
    placement: text("placement").notNull(),
    campaign: text("campaign").notNull().default(""),
    variant: text("variant").notNull().default(""),
    type: text("type").notNull(),
    count: integer("count").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.site, t.day, t.placement, t.campaign, t.variant, t.type] })],
);
