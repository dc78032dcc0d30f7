import { sql } from "drizzle-orm";
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { MAIL_KINDS } from "./mail/message";

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
    /** Where the reader met the ask (inline or banner), when the widget said so. */
    placement: text("placement"),
    email: text("email"),
    /** The reader's language at checkout (en, ru): the emails about this pledge are written in it. */
    lang: text("lang"),
    stripeSessionId: text("stripe_session_id"),
    stripeCustomerId: text("stripe_customer_id"),
    stripeSubscriptionId: text("stripe_subscription_id"),
    stripePaymentIntentId: text("stripe_payment_intent_id"),
    /**
     * SHA-256 of the normalised checkout request that created the pledge: a retry with the same
     * Idempotency-Key must carry the same request, or it is refused.
     */
    requestHash: text("request_hash"),
    /** Where a monthly pledge came from a one-off reader: the ask's upsell, or the thank-you's. */
    upsell: text("upsell", { enum: ["ask", "thanks"] }),
    /**
     * Orders the subscription's terms (amount, fee cover, frequency, pause, scheduled end) as
     * Stripe's events report them, so the newest terms win whatever the delivery order
     * (core/ledger.ts `termsKey`). 0: the terms are still those of the checkout.
     */
    termsKey: integer("terms_key").notNull().default(0),
    /** Payment collection is paused (Stripe's `pause_collection`); `resumesAt` says until when. */
    paused: integer("paused", { mode: "boolean" }).notNull().default(false),
    resumesAt: integer("resumes_at"),
    /** When a cancellation the supporter asked for takes effect (the end of the paid period). */
    cancelAt: integer("cancel_at"),
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
    index("pledges_site_placement").on(t.site, t.placement, t.createdAt),
    // Pledges from the monthly upsell (the staff funnel's "paid").
    index("pledges_site_upsell").on(t.site, t.upsell, t.createdAt),
    // Campaigns a checkout has carried: the ask's counters keep their names.
    index("pledges_site_campaign").on(t.site, t.campaign),
    // Active recurring supporters and their amounts, read from the index alone.
    index("admin_pledges_recurring").on(t.site, t.status, t.frequency, t.currency, t.amount, t.feeAmount),
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
    index("payments_site_campaign_paid").on(t.site, t.campaign, t.paidAt, t.pledgeId),
    // A pledge's payments in time order (the roll-ups' payer chain), and the CSV export's keyset pages.
    index("admin_payments_pledge_paid").on(t.pledgeId, t.currency, t.paidAt, t.id),
    index("admin_payments_site_paid_id").on(t.site, t.paidAt, t.id),
  ],
);

/**
 * One refund, keyed by Stripe's refund id, with its status. Staff totals count the refunds whose
 * money left or is leaving (requires_action, pending, succeeded); failed and canceled ones count
 * nothing. `status_key` orders status changes so any delivery order ends in the newest state.
 */
export const refunds = sqliteTable(
  "refunds",
  {
    id: text("id").primaryKey(),
    chargeId: text("charge_id").notNull(),
    paymentIntentId: text("payment_intent_id").notNull(),
    currency: text("currency").notNull(),
    amount: integer("amount").notNull(),
    status: text("status").notNull(),
    statusKey: integer("status_key").notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("refunds_intent").on(t.paymentIntentId, t.currency), index("refunds_charge").on(t.chargeId)],
);

/**
 * A dispute on a charge, with its status and what that means for the money (`phase`: inquiry,
 * inquiry_closed, open, won, lost, prevented — see core/ledger.ts). The newest status wins
 * (`status_key`), so a dispute lost and then won on appeal ends won.
 */
export const disputes = sqliteTable(
  "disputes",
  {
    id: text("id").primaryKey(),
    chargeId: text("charge_id").notNull(),
    paymentIntentId: text("payment_intent_id").notNull(),
    currency: text("currency").notNull(),
    amount: integer("amount").notNull(),
    status: text("status").notNull(),
    phase: text("phase").notNull().default("open"),
    statusKey: integer("status_key").notNull().default(0),
    createdAt: integer("created_at").notNull().default(0),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("disputes_intent").on(t.paymentIntentId, t.currency)],
);

/**
 * Stripe's balance transactions for our payments, refunds and disputes: what each did to the
 * Stripe balance (gross amount, Stripe's fee, net), in the settlement currency, with the exchange
 * rate when Stripe converted. Facts: written once, never changed (a trigger refuses updates).
 */
export const balanceTransactions = sqliteTable(
  "balance_transactions",
  {
    id: text("id").primaryKey(),
    /** payment (the charge), refund (a refund or its failure) or dispute (withdrawal, reinstatement). */
    use: text("use", { enum: ["payment", "refund", "dispute"] }).notNull(),
    /** The charge, refund or dispute id Stripe names as its source. */
    source: text("source").notNull(),
    paymentIntentId: text("payment_intent_id").notNull(),
    type: text("type").notNull(),
    reportingCategory: text("reporting_category"),
    currency: text("currency").notNull(),
    amount: integer("amount").notNull(),
    fee: integer("fee").notNull(),
    net: integer("net").notNull(),
    exchangeRate: real("exchange_rate"),
    created: integer("created").notNull(),
  },
  (t) => [index("balance_transactions_intent").on(t.paymentIntentId, t.use, t.currency)],
);

/**
 * What happened to recurring support, one row per Stripe subscription event that changed something:
 * a start, a new amount or frequency, a pause or resumption, a cancellation asked for or withdrawn,
 * an end. `movement` classifies the change of monthly-equivalent recurring revenue (new, expansion,
 * contraction, paused, resumed, churned; null when it moved nothing) and the deltas say it exactly:
 * `monthly_delta` changes the sum of monthly amounts, `annual_delta` the sum of annual ones (a
 * twelfth of which is monthly). Each row is computed from its own event (the object and Stripe's
 * `previous_attributes`), so any delivery order gives the same rows; the event id keeps each once,
 * and a pledge starts and ends at most once. Facts about money: never deleted.
 */
export const recurringChanges = sqliteTable(
  "recurring_changes",
  {
    eventId: text("event_id").primaryKey(),
    pledgeId: text("pledge_id").notNull(),
    site: text("site").notNull(),
    currency: text("currency").notNull(),
    /** The event's time (unix ms) and its UTC month, `YYYY-MM`. */
    at: integer("at").notNull(),
    month: text("month").notNull(),
    change: text("change", {
      enum: ["started", "amount", "frequency", "paused", "resumed", "cancel_requested", "cancel_withdrawn", "ended"],
    }).notNull(),
    movement: text("movement", { enum: ["new", "expansion", "contraction", "paused", "resumed", "churned"] }),
    monthlyDelta: integer("monthly_delta").notNull().default(0),
    annualDelta: integer("annual_delta").notNull().default(0),
    /** What the supporter paid per period before and after (gift and fee cover), and how often. */
    fromAmount: integer("from_amount"),
    toAmount: integer("to_amount"),
    fromFrequency: text("from_frequency"),
    toFrequency: text("to_frequency"),
    /** A cancellation's reason (Stripe's `cancellation_details.feedback`) and the supporter's words. */
    reason: text("reason"),
    comment: text("comment"),
    /** The save offer's outcome when this change answered it: declined, accepted_reduce, accepted_pause. */
    saveOffer: text("save_offer"),
  },
  (t) => [
    index("recurring_changes_site_month").on(t.site, t.month, t.currency),
    index("recurring_changes_pledge").on(t.pledgeId, t.at),
    // A pledge starts once and ends once, whichever of its events (or a replay) says so first.
    uniqueIndex("recurring_changes_start_end").on(t.pledgeId, t.change).where(sql`"change" IN ('started', 'ended')`),
  ],
);

/** Stripe event ids already processed: each event's effects are written once. */
export const stripeEvents = sqliteTable("stripe_events", {
  id: text("id").primaryKey(),
  type: text("type").notNull(),
  created: integer("created").notNull(),
  processedAt: integer("processed_at").notNull(),
});

/**
 * Verified Stripe events the webhook answered but the ledger has not applied yet (ledger/inbox.ts):
 * stored before the answer, applied right after it, deleted once applied. One that failed (Stripe
 * could not answer what it names) waits here with its error until the 15-minute Cron applies it.
 */
export const stripeInbox = sqliteTable(
  "stripe_inbox",
  {
    eventId: text("event_id").primaryKey(),
    type: text("type").notNull(),
    /** The verified event as JSON, in the pinned API version's shape (what `processEvent` takes). */
    payload: text("payload").notNull(),
    receivedAt: integer("received_at").notNull(),
    /** Failed attempts so far. */
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    /** When the Cron may try it (again). */
    nextAttemptAt: integer("next_attempt_at").notNull(),
  },
  (t) => [index("stripe_inbox_due").on(t.nextAttemptAt), index("stripe_inbox_received").on(t.receivedAt)],
);

/**
 * Thank-yous the worker confirmed to a reader's browser after a payment: the return link from
 * Stripe works once, so a copied or forged link makes nobody a "supporter". Not money: deleting
 * a row only lets the link work once more.
 */
export const thankYous = sqliteTable("thank_yous", {
  pledgeId: text("pledge_id").primaryKey(),
  site: text("site").notNull(),
  confirmedAt: integer("confirmed_at").notNull(),
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

// ─── Mail, reminders and supporter self-service ───────────────────────────────────────────────────────────────────────────

/**
 * "Remind me later" requests, confirmed by the reader before anything is sent: a request is
 * `unconfirmed` until the link in its confirmation email is used, then `pending` (replacing
 * the address's earlier pending reminder, which becomes `replaced`), or `expired` after 48
 * hours. At most one pending reminder per site and address; the address is erased once the
 * reminder went out, expired, was replaced or forgotten: only counts remain.
 */
export const reminders = sqliteTable(
  "reminders",
  {
    id: text("id").primaryKey(),
    site: text("site").notNull(),
    /** Lower-cased; null once sent, forgotten or given up on. */
    email: text("email"),
    lang: text("lang").notNull(),
    remindIn: text("remind_in", { enum: ["next_week", "next_month"] }).notNull(),
    /** The article: an allowed origin and a path (no user, no query but our campaign, no fragment). */
    pageUrl: text("page_url").notNull(),
    /** SHA-256 of the confirmation link's token, while the request waits for it. */
    confirmHash: text("confirm_hash"),
    confirmedAt: integer("confirmed_at"),
    /**
     * SHA-256 of the forget-me token, which is an HMAC of site and address: the same for every
     * reminder of one reader on one site, so the link in a sent email also cancels a newer one.
     * Erased with the address.
     */
    forgetHash: text("forget_hash"),
    status: text("status", {
      enum: ["unconfirmed", "pending", "sent", "forgotten", "failed", "expired", "replaced"],
    })
      .notNull()
      .default("pending"),
    dueAt: integer("due_at").notNull(),
    /** Set atomically by the dispatch run that owns the row; cleared when a send fails. */
    claim: text("claim"),
    claimedAt: integer("claimed_at"),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    sentAt: integer("sent_at"),
  },
  (t) => [
    uniqueIndex("reminders_pending_email").on(t.site, t.email).where(sql`status = 'pending'`),
    index("reminders_due").on(t.status, t.dueAt),
    index("reminders_forget").on(t.forgetHash),
    index("reminders_site_created").on(t.site, t.createdAt),
    index("reminders_confirm").on(t.confirmHash),
    // The per-address limit on confirmation emails.
    index("reminders_email_created").on(t.email, t.createdAt),
  ],
);

/**
 * Every email the worker sends, with its status, so staff can list them. With the local
 * `outbox` transport this is the mailbox itself (full text kept); with a real provider only
 * a masked recipient and the subject are kept.
 */
export const mailOutbox = sqliteTable(
  "mail_outbox",
  {
    id: text("id").primaryKey(),
    /** What this message is for (e.g. `reminder:<id>`): the same key is never sent twice. */
    key: text("key").notNull(),
    kind: text("kind", { enum: MAIL_KINDS }).notNull(),
    site: text("site").notNull(),
    transport: text("transport").notNull(),
    recipient: text("recipient").notNull(),
    subject: text("subject").notNull(),
    textBody: text("text_body"),
    htmlBody: text("html_body"),
    headers: text("headers"),
    status: text("status", { enum: ["sending", "sent", "failed"] }).notNull(),
    attempts: integer("attempts").notNull().default(1),
    providerId: text("provider_id"),
    lastError: text("last_error"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    sentAt: integer("sent_at"),
  },
  (t) => [
    uniqueIndex("mail_outbox_key").on(t.key),
    index("mail_outbox_site_created").on(t.site, t.createdAt),
    // The staff emails page: per kind and status over a range.
    index("mail_outbox_site_kind_created").on(t.site, t.kind, t.createdAt, t.status),
  ],
);

/** Signed "manage your support" links: single use, 30 minutes. Only a hash of the token is kept. */
export const manageLinks = sqliteTable(
  "manage_links",
  {
    tokenHash: text("token_hash").primaryKey(),
    site: text("site").notNull(),
    customerId: text("customer_id").notNull(),
    /** HMAC of the address (for the per-address rate limit); never the address itself. */
    emailHash: text("email_hash").notNull(),
    returnUrl: text("return_url").notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    usedAt: integer("used_at"),
  },
  (t) => [index("manage_links_email").on(t.emailHash, t.createdAt), index("manage_links_expires").on(t.expiresAt)],
);

// ─── Emails after Stripe's events (supporter-mail/) ───────────────────────────────────────────────

/**
 * Links in supporters' emails that act for them: `card_update` (a failed renewal's email: opens
 * Stripe's card update for the customer, once) and `checkout_recovery` (an abandoned checkout's
 * email: starts a fresh checkout for the same choice until it expires). Only a hash of the token
 * is kept, never an address. Not money: deleting a row only kills its link.
 */
export const mailLinks = sqliteTable(
  "mail_links",
  {
    tokenHash: text("token_hash").primaryKey(),
    kind: text("kind", { enum: ["card_update", "checkout_recovery"] }).notNull(),
    site: text("site").notNull(),
    /** The pledge the email was about. */
    pledgeId: text("pledge_id").notNull(),
    /** The Stripe customer whose card is updated (card_update). */
    customerId: text("customer_id"),
    /** The failed invoice (card_update) or the expired Checkout Session (checkout_recovery). */
    ref: text("ref").notNull(),
    /** Where the reader goes back to: the article they gave from, on the site's allowed origins. */
    returnUrl: text("return_url").notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    /** card_update: when the link was used (once); checkout_recovery: when it last started a checkout. */
    usedAt: integer("used_at"),
    /** card_update: when Stripe sent the reader back from a completed card update. */
    completedAt: integer("completed_at"),
    /** checkout_recovery: the latest pledge the link started. */
    startedPledgeId: text("started_pledge_id"),
  },
  (t) => [index("mail_links_site_kind").on(t.site, t.kind, t.createdAt), index("mail_links_expires").on(t.expiresAt)],
);

/**
 * Each recurring support's current billing period, from Stripe's subscription events (the newest
 * event wins), for the renewal notice sent a configurable number of days before an annual
 * supporter is charged again. Only subscriptions of our own pledges are kept.
 */
export const subscriptionPeriods = sqliteTable(
  "subscription_periods",
  {
    subscriptionId: text("subscription_id").primaryKey(),
    pledgeId: text("pledge_id").notNull(),
    site: text("site").notNull(),
    /** Stripe's `recurring.interval`: month or year. */
    interval: text("interval").notNull(),
    currency: text("currency").notNull(),
    /** What the next period costs, in minor units (its items' prices times quantities). */
    amount: integer("amount").notNull(),
    /** Stripe's subscription status (active, trialing, past_due, canceled, …). */
    status: text("status").notNull(),
    /** 1 when the subscription ends at the period's end, or collection is paused: no renewal to announce. */
    ending: integer("ending").notNull().default(0),
    /** When the current period ends and the next charge is due (unix ms). */
    periodEnd: integer("period_end").notNull(),
    /** The newest event applied (unix seconds), so late deliveries cannot bring back an older state. */
    eventCreated: integer("event_created").notNull(),
    /** The period end the renewal notice was sent (or given up) for. */
    noticeFor: integer("notice_for"),
    noticeAttempts: integer("notice_attempts").notNull().default(0),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("subscription_periods_due").on(t.site, t.interval, t.status, t.periodEnd)],
);

// ——— Staff view: exact daily roll-ups, kept by triggers in migrations/0002_admin.sql ———

/** Per site, UTC day of payment, currency and frequency: money paid, and what refunds, disputes and Stripe's fees took from it since. */
export const adminDailyMoney = sqliteTable(
  "admin_daily_money",
  {
    site: text("site").notNull(),
    day: text("day").notNull(),
    currency: text("currency").notNull(),
    frequency: text("frequency").notNull(),
    gross: integer("gross").notNull().default(0),
    payments: integer("payments").notNull().default(0),
    feesCovered: integer("fees_covered").notNull().default(0),
    refunded: integer("refunded").notNull().default(0),
    disputed: integer("disputed").notNull().default(0),
    disputedOpen: integer("disputed_open").notNull().default(0),
    /** Stripe's fees on these payments and their refunds, where Stripe kept them in this currency. */
    stripeFees: integer("stripe_fees").notNull().default(0),
    /** Dispute fees (and any returned), from the disputes' balance transactions. */
    disputeFees: integer("dispute_fees").notNull().default(0),
    /** Payments whose balance transaction is not known yet: their fees are pending, not zero. */
    feesPending: integer("fees_pending").notNull().default(0),
    /** Payments Stripe converted to another currency: their fees are in that currency. */
    feesElsewhere: integer("fees_elsewhere").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.site, t.day, t.currency, t.frequency] })],
);

/** Payments counted by the day of the same pledge's previous payment ('' for its first): exact distinct supporters. */
export const adminDailyPayers = sqliteTable(
  "admin_daily_payers",
  {
    site: text("site").notNull(),
    day: text("day").notNull(),
    currency: text("currency").notNull(),
    frequency: text("frequency").notNull(),
    campaign: text("campaign").notNull(),
    variant: text("variant").notNull(),
    prevDay: text("prev_day").notNull(),
    n: integer("n").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.site, t.day, t.currency, t.frequency, t.campaign, t.variant, t.prevDay] })],
);

/** Recurring pledges that became `canceled`, by UTC day. */
export const adminDailyCancellations = sqliteTable(
  "admin_daily_cancellations",
  {
    site: text("site").notNull(),
    day: text("day").notNull(),
    currency: text("currency").notNull(),
    frequency: text("frequency").notNull(),
    n: integer("n").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.site, t.day, t.currency, t.frequency] })],
);

/**
 * Active recurring support per site, currency and frequency: how many pledges are `active` and what
 * they pay per period (amount + fee cover), kept by triggers on `pledges` in the same write
 * (migrations/0009_active_recurring.sql), so the staff summary reads a handful of rows however
 * many supporters a site has.
 */
export const adminActiveRecurring = sqliteTable(
  "admin_active_recurring",
  {
    site: text("site").notNull(),
    currency: text("currency").notNull(),
    frequency: text("frequency").notNull(),
    n: integer("n").notNull().default(0),
    total: integer("total").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.site, t.currency, t.frequency] })],
);

/**
 * Pledges the ask or the upsell started (a placement or an upsell), counted by the UTC day of their
 * first payment and the day they were created, kept by triggers on `payments` and `pledges`
 * (migrations/0011_first_payments.sql): the dashboard's "paid" per placement and per upsell read a
 * few rows per day instead of every such pledge and its payments. NULL is stored as ''.
 */
export const adminDailyFirstPayments = sqliteTable(
  "admin_daily_first_payments",
  {
    site: text("site").notNull(),
    day: text("day").notNull(),
    createdDay: text("created_day").notNull(),
    placement: text("placement").notNull(),
    upsell: text("upsell").notNull(),
    campaign: text("campaign").notNull(),
    variant: text("variant").notNull(),
    n: integer("n").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.site, t.day, t.createdDay, t.placement, t.upsell, t.campaign, t.variant] })],
);

// ——— Reconciliation against Stripe (ledger/reconcile.ts) ———

/** One reconciliation: when it ran, over which window, what it replayed and how many differences it found. */
export const reconciliationRuns = sqliteTable(
  "reconciliation_runs",
  {
    id: text("id").primaryKey(),
    /** cron (the daily Cron Trigger), staff (the dashboard button) or api (the script). */
    trigger: text("trigger", { enum: ["cron", "staff", "api"] }).notNull(),
    since: integer("since").notNull(),
    until: integer("until").notNull(),
    startedAt: integer("started_at").notNull(),
    finishedAt: integer("finished_at"),
    status: text("status", { enum: ["running", "ok", "differences", "failed"] }).notNull(),
    eventsSeen: integer("events_seen").notNull().default(0),
    eventsReplayed: integer("events_replayed").notNull().default(0),
    chargesChecked: integer("charges_checked").notNull().default(0),
    differences: integer("differences").notNull().default(0),
    error: text("error"),
  },
  (t) => [index("reconciliation_runs_started").on(t.startedAt)],
);

/** A difference between Stripe and the ledger that one reconciliation found. */
export const reconciliationDifferences = sqliteTable(
  "reconciliation_differences",
  {
    runId: text("run_id").notNull(),
    seq: integer("seq").notNull(),
    /** missing_payment, amount_mismatch, unknown_refund, status_drift, fees_filled, replay_failed. */
    kind: text("kind").notNull(),
    /** The Stripe object it is about (charge, refund, dispute, event). */
    objectId: text("object_id").notNull(),
    paymentIntentId: text("payment_intent_id"),
    currency: text("currency"),
    stripeValue: text("stripe_value"),
    ledgerValue: text("ledger_value"),
    /** 1 when the run brought the ledger in line with Stripe (Stripe's newer state, a missing fee). */
    repaired: integer("repaired").notNull().default(0),
    detail: text("detail").notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.seq] })],
);

// ——— Staff access ———

/**
 * Staff sessions opened by the token sign-in. The cookie holds a random id; only its hash is
 * kept here, so signing out (or out everywhere) deletes the row and the cookie is dead at once.
 */
export const staffSessions = sqliteTable(
  "staff_sessions",
  {
    idHash: text("id_hash").primaryKey(),
    /** HMAC of the ADMIN_TOKEN the session was opened with: a new token (or SESSION_SECRET) ends every session. */
    tokenDigest: text("token_digest").notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [index("staff_sessions_expires").on(t.expiresAt)],
);

/**
 * Failed staff credentials (a wrong bearer token or sign-in form token) per client and window:
 * both kinds share this one limit. `client` is a hash of the client's rate-limit key; rows are
 * deleted once their window is over.
 */
export const staffAuthFailures = sqliteTable(
  "staff_auth_failures",
  {
    client: text("client").notNull(),
    windowStart: integer("window_start").notNull(),
    failures: integer("failures").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.client, t.windowStart] })],
);

/**
 * Staff members' roles per site, by the email Cloudflare Access vouches for: `viewer` (reads
 * everything, changes nothing), `editor` (also edits, previews, publishes and rolls back the
 * site's settings), `owner` (also manages roles and outgoing webhooks, and reads the audit log).
 * Owners listed in STAFF_OWNERS and the token sign-in are owners without a row here.
 */
export const staffRoles = sqliteTable(
  "staff_roles",
  {
    site: text("site").notNull(),
    /** Lower-cased. */
    email: text("email").notNull(),
    role: text("role", { enum: ["viewer", "editor", "owner"] }).notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    /** Who gave the role (an email, or "staff token"). */
    updatedBy: text("updated_by").notNull(),
  },
  (t) => [primaryKey({ columns: [t.site, t.email] })],
);

/**
 * What staff changed or took away: every settings change (draft, publish, rollback), role,
 * webhook endpoint and replay, and every export. Kept for owners to read; never edited.
 */
export const staffAudit = sqliteTable(
  "staff_audit",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    at: integer("at").notNull(),
    /** The site it concerned (null: the whole deployment). */
    site: text("site"),
    /** An email, or "staff token". */
    actor: text("actor").notNull(),
    /** e.g. settings.publish, roles.set, export.payments_csv, webhooks.create. */
    action: text("action").notNull(),
    /** JSON: what changed (field paths, a version, a role, a range). */
    detail: text("detail").notNull().default("{}"),
  },
  (t) => [index("staff_audit_site_at").on(t.site, t.at), index("staff_audit_at").on(t.at)],
);

// ——— Site settings edited in /admin (settings/) ———

/**
 * Every published version of a site's settings: the whole settings object as the schema in
 * core/site-config.ts parsed it, immutable once written. The newest version is live; a rollback
 * writes a new version equal to an old one (`restoredFrom`). Without a version the site runs on
 * worker/sites.config.ts.
 */
export const settingsVersions = sqliteTable(
  "settings_versions",
  {
    site: text("site").notNull(),
    /** 1, 2, 3… per site. */
    version: integer("version").notNull(),
    /** JSON of the validated settings. */
    settings: text("settings").notNull(),
    createdAt: integer("created_at").notNull(),
    /** An email, or "staff token". */
    createdBy: text("created_by").notNull(),
    /** JSON array of the field paths this version changed from the one before. */
    changes: text("changes").notNull().default("[]"),
    /** The version a rollback restored. */
    restoredFrom: integer("restored_from"),
  },
  (t) => [primaryKey({ columns: [t.site, t.version] })],
);

/** A site's draft: validated settings not yet published (one per site), previewed before publishing. */
export const settingsDrafts = sqliteTable("settings_drafts", {
  site: text("site").primaryKey(),
  settings: text("settings").notNull(),
  /** The version the draft was started from (0: the sites file). */
  baseVersion: integer("base_version").notNull(),
  updatedAt: integer("updated_at").notNull(),
  updatedBy: text("updated_by").notNull(),
});

/**
 * The variant weights automatic allocation chose for a site (variants/allocate.ts, every 15
 * minutes), with the figures it chose them from. One row per site, replaced each run.
 */
export const variantAllocations = sqliteTable("variant_allocations", {
  site: text("site").primaryKey(),
  computedAt: integer("computed_at").notNull(),
  mode: text("mode").notNull(),
  /** The settings version the weights were computed for. */
  settingsVersion: integer("settings_version").notNull(),
  /** JSON: variant id → weight (per mille). */
  weights: text("weights").notNull(),
  /** JSON: the comparison currency and each variant's impressions, conversions and revenue. */
  stats: text("stats").notNull(),
});

// ——— Outgoing webhooks (outgoing/) ———

/**
 * A URL staff registered to receive the site's events (pledges started, payments, refunds,
 * recurring changes and cancellations, confirmed reminders), signed with its own secret.
 */
export const webhookEndpoints = sqliteTable(
  "webhook_endpoints",
  {
    id: text("id").primaryKey(),
    site: text("site").notNull(),
    url: text("url").notNull(),
    description: text("description").notNull().default(""),
    /** JSON array of event types. */
    events: text("events").notNull(),
    /** The HMAC key of the signatures (`whsec_…`), shown to staff once when created or rolled. */
    secret: text("secret").notNull(),
    status: text("status", { enum: ["active", "disabled"] })
      .notNull()
      .default("active"),
    createdAt: integer("created_at").notNull(),
    createdBy: text("created_by").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("webhook_endpoints_site").on(t.site, t.status)],
);

/**
 * One event for one endpoint, with what was sent and where it stands: `pending` (an attempt is
 * due at `next_attempt_at`), `delivering` (claimed by a run), `succeeded` (a 2xx answer), `failed`
 * (no 2xx after every retry). The same event reaches an endpoint once (unique key); a replay makes
 * a new attempt of the same delivery. Holds supporters' addresses: deleted after 30 days.
 */
export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    id: text("id").primaryKey(),
    endpointId: text("endpoint_id").notNull(),
    site: text("site").notNull(),
    /** The event's id (`evt_…`, the same for every endpoint and every attempt) and type. */
    eventId: text("event_id").notNull(),
    type: text("type").notNull(),
    /** The JSON body, exactly as signed and sent. */
    payload: text("payload").notNull(),
    status: text("status", { enum: ["pending", "delivering", "succeeded", "failed"] }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: integer("next_attempt_at"),
    claim: text("claim"),
    claimedAt: integer("claimed_at"),
    lastStatus: integer("last_status"),
    lastError: text("last_error"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    deliveredAt: integer("delivered_at"),
  },
  (t) => [
    uniqueIndex("webhook_deliveries_event").on(t.endpointId, t.eventId),
    index("webhook_deliveries_due").on(t.status, t.nextAttemptAt),
    index("webhook_deliveries_endpoint").on(t.endpointId, t.createdAt),
    index("webhook_deliveries_created").on(t.createdAt),
  ],
);

/** Each attempt of a delivery: when, why (immediate, retry, replay), and the receiver's answer. */
export const webhookAttempts = sqliteTable(
  "webhook_attempts",
  {
    deliveryId: text("delivery_id").notNull(),
    n: integer("n").notNull(),
    at: integer("at").notNull(),
    trigger: text("trigger", { enum: ["immediate", "retry", "replay"] }).notNull(),
    /** The HTTP status, or null when no answer came (timeout, refused, a blocked address). */
    status: integer("status"),
    /** The first kilobyte of the answer's body, or what went wrong. */
    body: text("body"),
    error: text("error"),
    durationMs: integer("duration_ms").notNull(),
  },
  (t) => [primaryKey({ columns: [t.deliveryId, t.n] })],
);
