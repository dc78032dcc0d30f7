import { and, asc, desc, eq, gt, gte, inArray, isNotNull, lt, lte, ne, or, type SQL, sql } from "drizzle-orm";
import type { Frequency } from "../core/frequencies";
import type { Movement } from "../core/ledger";
import type { MovementRow } from "../core/recurring";
import {
  type CurrencySummary,
  type MoneyRow,
  netOf,
  type RecurringRow,
  summarizeMoney,
  summarizeRecurring,
} from "../core/summary";
import type { Database } from "../platform/db";
import {
  adminActiveRecurring,
  adminDailyCancellations,
  adminDailyFirstPayments,
  adminDailyMoney,
  adminDailyPayers,
  askEventCounts,
  balanceTransactions,
  disputes,
  payments,
  pledges,
  recurringChanges,
  refunds,
} from "../platform/schema";

/**
 * The staff view's reads. Money, supporters and cancellations come from the exact daily roll-ups
 * that triggers keep beside the ledger (migrations/0002_admin.sql), so a site with a million
 * payments is summed from a few thousand rows. Days are UTC `YYYY-MM-DD`; `fromDay` is
 * inclusive ('' = from the start), `toDay` exclusive.
 */
export type DayBounds = { fromDay: string; toDay: string };

/** `sum(x)` as a JavaScript number (SQLite sums integers exactly; Drizzle would type it as text). */
const total = (column: SQL | SQL.Aliased | Parameters<typeof sql>[1]) => sql<number>`sum(${column})`.mapWith(Number);

const inDays = (
  table: typeof adminDailyMoney | typeof adminDailyPayers | typeof adminDailyCancellations,
  site: string,
  days: DayBounds,
) => and(eq(table.site, site), gte(table.day, days.fromDay), lt(table.day, days.toDay));

/**
 * Roll-up rows of pledges whose first payment fell in the range and that were created before its
 * end (migrations/0011_first_payments.sql): the funnels' "paid" per placement and per upsell.
 */
const firstPaidIn = (site: string, days: DayBounds) => {
  const f = adminDailyFirstPayments;
  return and(eq(f.site, site), gte(f.day, days.fromDay), lt(f.day, days.toDay), lt(f.createdDay, days.toDay));
};

function moneyQuery(db: Database, site: string, days: DayBounds) {
  const m = adminDailyMoney;
  return db
    .select({
      currency: m.currency,
      frequency: sql<Frequency>`${m.frequency}`,
      gross: total(m.gross),
      payments: total(m.payments),
      feesCovered: total(m.feesCovered),
      refunded: total(m.refunded),
      disputed: total(m.disputed),
      disputedOpen: total(m.disputedOpen),
      stripeFees: total(m.stripeFees),
      disputeFees: total(m.disputeFees),
      feesPending: total(m.feesPending),
      feesElsewhere: total(m.feesElsewhere),
    })
    .from(m)
    .where(inDays(m, site, days))
    .groupBy(m.currency, m.frequency)
    .having(sql`sum(${m.payments}) <> 0`);
}

/**
 * Distinct supporters (pledges with a payment in range) and first payments, per currency and
 * frequency. A payment starts a supporter's run in the range when the pledge's previous payment
 * is before it (or there is none).
 */
function payersQuery(db: Database, site: string, days: DayBounds) {
  const p = adminDailyPayers;
  return db
    .select({
      currency: p.currency,
      frequency: sql<Frequency>`${p.frequency}`,
      supporters: total(p.n),
      first: total(sql`CASE WHEN ${p.prevDay} = '' THEN ${p.n} ELSE 0 END`),
    })
    .from(p)
    .where(and(inDays(p, site, days), or(eq(p.prevDay, ""), lt(p.prevDay, days.fromDay))))
    .groupBy(p.currency, p.frequency);
}

/**
 * Active recurring pledges per currency and frequency, with what they pay per period: from the
 * roll-up that triggers keep beside `pledges` (migrations/0009_active_recurring.sql), a few rows
 * however many supporters there are.
 */
function recurringQuery(db: Database, site: string) {
  const r = adminActiveRecurring;
  return db
    .select({
      currency: r.currency,
      frequency: sql<"monthly" | "annual">`${r.frequency}`.as("frequency"),
      n: r.n,
      total: r.total,
    })
    .from(r)
    .where(and(eq(r.site, site), gt(r.n, 0)))
    .orderBy(r.currency, r.frequency);
}

type PayerRow = { currency: string; frequency: Frequency; supporters: number; first: number };

function foldMoney(money: MoneyRow[], payers: PayerRow[]): CurrencySummary[] {
  const supporters = new Map<string, number>();
  for (const r of payers) supporters.set(r.currency, (supporters.get(r.currency) ?? 0) + r.supporters);
  return summarizeMoney(money, supporters);
}

/** `/admin/api/summary`: per-currency money for the range and active recurring support, in one round trip. */
export async function staffSummary(db: Database, site: string, days: DayBounds) {
  const [money, payers, recurring] = await db.batch([
    moneyQuery(db, site, days),
    payersQuery(db, site, days),
    recurringQuery(db, site),
  ]);
  return {
    currencies: foldMoney(money, payers),
    recurring: summarizeRecurring(recurring as RecurringRow[]),
  };
}

export type DailyNet = { day: string; currency: string; frequency: Frequency; net: number };
export type FunnelCount = { placement: string; campaign: string; variant: string; type: string; count: number };
export type PaidCount = { campaign: string; variant: string; paid: number };
export type PaidByPlacement = { placement: string; paid: number };
export type RecentPledge = Pick<
  typeof pledges.$inferSelect,
  | "id"
  | "createdAt"
  | "amount"
  | "feeAmount"
  | "currency"
  | "frequency"
  | "status"
  | "pageUrl"
  | "campaign"
  | "variant"
  | "email"
>;

/** Everything the dashboard shows for one site and range, in one D1 round trip. */
export async function dashboardData(
  db: Database,
  site: string,
  days: DayBounds,
  ms: { from: number; to: number },
  recentLimit = 20,
) {
  const m = adminDailyMoney;
  const f = adminDailyFirstPayments;
  const [money, payers, recurring, daily, cancellations, funnel, paid, recent, span, paidByPlacement] = await db.batch([
    moneyQuery(db, site, days),
    payersQuery(db, site, days),
    recurringQuery(db, site),
    db
      .select({
        day: m.day,
        currency: m.currency,
        frequency: sql<Frequency>`${m.frequency}`,
        gross: m.gross,
        refunded: m.refunded,
        disputed: m.disputed,
        disputedOpen: m.disputedOpen,
        stripeFees: m.stripeFees,
        disputeFees: m.disputeFees,
      })
      .from(m)
      .where(and(inDays(m, site, days), sql`${m.payments} <> 0`))
      .orderBy(m.day),
    db
      .select({
        currency: adminDailyCancellations.currency,
        frequency: sql<Frequency>`${adminDailyCancellations.frequency}`,
        n: total(adminDailyCancellations.n),
      })
      .from(adminDailyCancellations)
      .where(inDays(adminDailyCancellations, site, days))
      .groupBy(adminDailyCancellations.currency, adminDailyCancellations.frequency),
    db
      .select({
        placement: askEventCounts.placement,
        campaign: askEventCounts.campaign,
        variant: askEventCounts.variant,
        type: askEventCounts.type,
        count: total(askEventCounts.count),
      })
      .from(askEventCounts)
      .where(
        and(eq(askEventCounts.site, site), gte(askEventCounts.day, days.fromDay), lt(askEventCounts.day, days.toDay)),
      )
      .groupBy(askEventCounts.placement, askEventCounts.campaign, askEventCounts.variant, askEventCounts.type),
    // Paid per campaign and variant: pledges whose first payment fell in the range.
    db
      .select({
        campaign: adminDailyPayers.campaign,
        variant: adminDailyPayers.variant,
        paid: total(adminDailyPayers.n),
      })
      .from(adminDailyPayers)
      .where(and(inDays(adminDailyPayers, site, days), eq(adminDailyPayers.prevDay, "")))
      .groupBy(adminDailyPayers.campaign, adminDailyPayers.variant),
    db
      .select({
        id: pledges.id,
        createdAt: pledges.createdAt,
        amount: pledges.amount,
        feeAmount: pledges.feeAmount,
        currency: pledges.currency,
        frequency: pledges.frequency,
        status: pledges.status,
        pageUrl: pledges.pageUrl,
        campaign: pledges.campaign,
        variant: pledges.variant,
        email: pledges.email,
      })
      .from(pledges)
      .where(and(eq(pledges.site, site), gte(pledges.createdAt, ms.from), lt(pledges.createdAt, ms.to)))
      .orderBy(desc(pledges.createdAt))
      .limit(recentLimit),
    db
      .select({ first: sql<string | null>`min(${m.day})`, last: sql<string | null>`max(${m.day})` })
      .from(m)
      .where(inDays(m, site, days)),
    // Pledges the ask started per placement whose first payment arrived in the range.
    db
      .select({ placement: f.placement, paid: total(f.n) })
      .from(f)
      .where(and(firstPaidIn(site, days), ne(f.placement, "")))
      .groupBy(f.placement)
      .having(sql`sum(${f.n}) > 0`),
  ]);
  const firstSpan = span[0];
  return {
    currencies: foldMoney(money, payers),
    recurring: summarizeRecurring(recurring as RecurringRow[]),
    /** First payments of recurring pledges in range (new supporters), per currency and frequency. */
    newRecurring: payers
      .filter((r) => r.frequency !== "once")
      .map((r) => ({ currency: r.currency, frequency: r.frequency, n: r.first })),
    cancelled: cancellations,
    daily: daily.map(
      ({ day, currency, frequency, ...money }): DailyNet => ({ day, currency, frequency, net: netOf(money) }),
    ),
    funnel: funnel as FunnelCount[],
    paid: paid as PaidCount[],
    paidByPlacement: paidByPlacement as PaidByPlacement[],
    recent: recent as RecentPledge[],
    dataSpan: { first: firstSpan?.first ?? null, last: firstSpan?.last ?? null },
  };
}

export type DashboardData = Awaited<ReturnType<typeof dashboardData>>;

/** Refunds of a payment whose money left or is leaving, in the payment's currency. */
const refundedOf = sql<number>`(SELECT coalesce(sum(${refunds.amount}), 0) FROM ${refunds}
  WHERE ${refunds.paymentIntentId} = ${payments.paymentIntentId} AND ${refunds.currency} = ${payments.currency}
    AND ${refunds.status} IN ('requires_action', 'pending', 'succeeded'))`.as("refunded");
/** A dispute phase's amount on a payment's charge (lost, or open chargebacks). */
const disputedOf = (phase: "lost" | "open", name: string) =>
  sql<number>`(SELECT coalesce(sum(${disputes.amount}), 0) FROM ${disputes}
  WHERE ${disputes.paymentIntentId} = ${payments.paymentIntentId} AND ${disputes.currency} = ${payments.currency}
    AND ${disputes.phase} = ${phase})`.as(name);
/** The newest dispute's status on a payment's charge. */
const disputeStatusOf = sql<string | null>`(SELECT ${disputes.status} FROM ${disputes}
  WHERE ${disputes.paymentIntentId} = ${payments.paymentIntentId}
  ORDER BY ${disputes.statusKey} DESC LIMIT 1)`.as("dispute_status");
/** Fees of a payment's balance transactions of one use, where Stripe kept them in the payment's currency. */
const feesOf = (uses: string[], name: string) =>
  sql<number>`(SELECT coalesce(sum(${balanceTransactions.fee}), 0) FROM ${balanceTransactions}
  WHERE ${balanceTransactions.paymentIntentId} = ${payments.paymentIntentId}
    AND ${balanceTransactions.currency} = ${payments.currency}
    AND ${balanceTransactions.use} IN (${sql.join(
      uses.map((u) => sql`${u}`),
      sql`, `,
    )}))`.as(name);
/** The settlement currency of a payment's balance transaction; null while Stripe has not settled it. */
const settledInOf = sql<string | null>`(SELECT ${balanceTransactions.currency} FROM ${balanceTransactions}
  WHERE ${balanceTransactions.paymentIntentId} = ${payments.paymentIntentId} AND ${balanceTransactions.use} = 'payment'
  LIMIT 1)`.as("settled_in");

const exportFields = {
  id: payments.id,
  paidAt: payments.paidAt,
  currency: payments.currency,
  frequency: payments.frequency,
  amount: payments.amount,
  feeAmount: payments.feeAmount,
  refunded: refundedOf,
  disputed: disputedOf("lost", "disputed"),
  disputedOpen: disputedOf("open", "disputed_open"),
  disputeStatus: disputeStatusOf,
  stripeFees: feesOf(["payment", "refund"], "stripe_fees"),
  disputeFees: feesOf(["dispute"], "dispute_fees"),
  settledIn: settledInOf,
  campaign: payments.campaign,
  variant: payments.variant,
  pledgeId: payments.pledgeId,
  pledgeStatus: pledges.status,
  pageUrl: pledges.pageUrl,
  email: pledges.email,
  paymentIntentId: payments.paymentIntentId,
};

/** A page of payments after the cursor, in (paid_at, id) order: keyset pagination over an index. */
export async function paymentsPage(
  db: Database,
  site: string,
  ms: { from: number; to: number },
  after: { paidAt: number; id: string } | null,
  limit: number,
) {
  const cursor = after ?? { paidAt: ms.from - 1, id: "" };
  return db
    .select(exportFields)
    .from(payments)
    .leftJoin(pledges, eq(pledges.id, payments.pledgeId))
    .where(
      and(
        eq(payments.site, site),
        gte(payments.paidAt, ms.from),
        lt(payments.paidAt, ms.to),
        or(gt(payments.paidAt, cursor.paidAt), and(eq(payments.paidAt, cursor.paidAt), gt(payments.id, cursor.id))),
      ),
    )
    .orderBy(asc(payments.paidAt), asc(payments.id))
    .limit(limit)
    .all();
}

/** One payment as the CSV export writes it. */
export type ExportRow = Awaited<ReturnType<typeof paymentsPage>>[number];

// ─── Growth: recurring revenue movements, changes, cancellations, the monthly upsell ─────────────

export type ChangeRow = Pick<
  typeof recurringChanges.$inferSelect,
  | "at"
  | "currency"
  | "change"
  | "movement"
  | "monthlyDelta"
  | "annualDelta"
  | "fromAmount"
  | "toAmount"
  | "fromFrequency"
  | "toFrequency"
  | "reason"
  | "comment"
  | "saveOffer"
>;
export type UpsellCount = { campaign: string; variant: string; type: string; count: number };
export type UpsellPaid = { source: "ask" | "thanks"; campaign: string; variant: string; paid: number };

const UPSELL_EVENTS = [
  "upsell_offered",
  "upsell_accepted",
  "upsell_declined",
  "thanks_upsell_offered",
  "thanks_upsell_accepted",
];

/**
 * What the staff view shows of recurring support changing, in one D1 round trip: the movements
 * per currency, month and kind up to `lastMonth` (earlier months make the opening figures), the
 * changes and cancellations in the range, and the upsell's counters and paid pledges.
 */
export async function growthData(
  db: Database,
  site: string,
  days: DayBounds,
  ms: { from: number; to: number },
  lastMonth: string,
  recentLimit = 50,
) {
  const r = recurringChanges;
  const f = adminDailyFirstPayments;
  const inRange = and(eq(r.site, site), gte(r.at, ms.from), lt(r.at, ms.to));
  const [movements, span, changes, reasons, offers, counters, paid] = await db.batch([
    db
      .select({
        currency: r.currency,
        month: r.month,
        movement: sql<Movement>`${r.movement}`.as("movement"),
        monthly: total(r.monthlyDelta).as("monthly"),
        annual: total(r.annualDelta).as("annual"),
        n: sql<number>`count(*)`.as("n"),
      })
      .from(r)
      .where(and(eq(r.site, site), isNotNull(r.movement), lte(r.month, lastMonth)))
      .groupBy(r.currency, r.month, r.movement),
    db
      .select({ first: sql<string | null>`min(${r.month})`.as("first") })
      .from(r)
      .where(eq(r.site, site)),
    db
      .select({
        at: r.at,
        currency: r.currency,
        change: r.change,
        movement: r.movement,
        monthlyDelta: r.monthlyDelta,
        annualDelta: r.annualDelta,
        fromAmount: r.fromAmount,
        toAmount: r.toAmount,
        fromFrequency: r.fromFrequency,
        toFrequency: r.toFrequency,
        reason: r.reason,
        comment: r.comment,
        saveOffer: r.saveOffer,
      })
      .from(r)
      .where(
        and(
          inRange,
          inArray(r.change, [
            "amount",
            "frequency",
            "paused",
            "resumed",
            "cancel_requested",
            "cancel_withdrawn",
            "ended",
          ]),
        ),
      )
      .orderBy(desc(r.at), desc(r.eventId))
      .limit(recentLimit),
    // Cancellations asked for at /manage (scheduled) and support that ended, by the reason given.
    db
      .select({
        change: r.change,
        reason: sql<string>`coalesce(${r.reason}, '')`.as("reason"),
        n: sql<number>`count(*)`.as("n"),
      })
      .from(r)
      .where(and(inRange, inArray(r.change, ["cancel_requested", "ended"])))
      .groupBy(r.change, sql`coalesce(${r.reason}, '')`),
    db
      .select({ outcome: sql<string>`${r.saveOffer}`.as("outcome"), n: sql<number>`count(*)`.as("n") })
      .from(r)
      .where(and(inRange, isNotNull(r.saveOffer)))
      .groupBy(r.saveOffer),
    db
      .select({
        campaign: askEventCounts.campaign,
        variant: askEventCounts.variant,
        type: askEventCounts.type,
        count: total(askEventCounts.count).as("count"),
      })
      .from(askEventCounts)
      .where(
        and(
          eq(askEventCounts.site, site),
          gte(askEventCounts.day, days.fromDay),
          lt(askEventCounts.day, days.toDay),
          inArray(askEventCounts.type, UPSELL_EVENTS),
        ),
      )
      .groupBy(askEventCounts.campaign, askEventCounts.variant, askEventCounts.type),
    // Pledges from an upsell whose first payment arrived in the range.
    db
      .select({
        source: sql<"ask" | "thanks">`${f.upsell}`.as("source"),
        campaign: f.campaign,
        variant: f.variant,
        paid: total(f.n).as("paid"),
      })
      .from(f)
      .where(and(firstPaidIn(site, days), ne(f.upsell, "")))
      .groupBy(f.upsell, f.campaign, f.variant)
      .having(sql`sum(${f.n}) > 0`),
  ]);
  return {
    movements: movements as MovementRow[],
    firstMonth: span[0]?.first ?? null,
    changes: changes as ChangeRow[],
    reasons: reasons as { change: "cancel_requested" | "ended"; reason: string; n: number }[],
    saveOffers: offers as { outcome: string; n: number }[],
    upsellCounts: counters as UpsellCount[],
    upsellPaid: paid as UpsellPaid[],
  };
}

export type GrowthData = Awaited<ReturnType<typeof growthData>>;
