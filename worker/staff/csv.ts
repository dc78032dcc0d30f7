import { CURRENCIES, isCurrencyCode } from "../core/currencies";
import { netOf } from "../core/summary";
import type { ExportRow } from "./queries";

/**
 * CSV for spreadsheets (RFC 4180), safe to open in Excel, LibreOffice or Google Sheets:
 * text that a spreadsheet would run as a formula (starting with = + - @, tab or carriage
 * return) gets a leading apostrophe (OWASP "CSV injection"). Numbers we produce ourselves
 * are written as numbers.
 */

const FORMULA_START = /^[=+\-@\t\r]/;

/** One text cell: neutralised against formula injection, quoted when it holds , " or a line break. */
export function textCell(value: string | null | undefined): string {
  if (value === null || value === undefined || value === "") return "";
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** One numeric cell (integers and decimals we computed; never text from outside). */
export const numberCell = (value: number) => String(value);

/** Minor units as a decimal string in the currency's major unit: (1050, USD) → "10.50", (500, JPY) → "500". */
export function majorUnits(amount: number, currency: string): string {
  const decimals = isCurrencyCode(currency) ? CURRENCIES[currency].decimals : 2;
  if (decimals === 0) return String(amount);
  const sign = amount < 0 ? "-" : "";
  const abs = Math.abs(amount);
  const unit = 10 ** decimals;
  return `${sign}${Math.floor(abs / unit)}.${String(abs % unit).padStart(decimals, "0")}`;
}

/** The export's columns, each with the one line the dashboard shows beside the export link. */
export const CSV_COLUMNS = [
  ["paid_at", "When the payment arrived (UTC)."],
  ["payment_id", "The invoice (monthly, annual) or payment intent (once) Stripe paid."],
  ["currency", "The currency the reader paid in; every amount on the line is in it."],
  ["frequency", "Once, monthly or annual."],
  ["amount", "What the reader paid, gift and fee cover together."],
  ["fee_covered", "The part of amount the reader added to cover fees."],
  ["refunded", "Refunds that left or are leaving (failed or canceled refunds count nothing)."],
  ["disputed_lost", "Lost in disputes."],
  ["disputed_open", "Withdrawn by Stripe for a chargeback not decided yet (comes back if won)."],
  ["stripe_fees", "Stripe's processing fees on the payment and its refunds; empty while pending or converted."],
  ["dispute_fees", "Dispute fees Stripe charged, less any it returned."],
  ["net", "What Stripe pays out for this payment: amount less every column from refunded to dispute_fees."],
  ["fee_status", "settled (fees known), pending (Stripe has not settled the payment yet) or converted."],
  ["settled_in", "The currency Stripe settled the payment in (another one when it converted)."],
  ["amount_minor", "amount in minor units (cents; yen for JPY)."],
  ["net_minor", "net in minor units."],
  ["dispute_status", "The newest status of a dispute on the payment, as Stripe names it."],
  ["campaign", "The campaign of the ask the reader answered."],
  ["variant", "The copy variant the reader saw."],
  ["pledge_id", "Our pledge id."],
  ["pledge_status", "The pledge's status now."],
  ["page_url", "The article the reader gave from."],
  ["email", "The reader's email."],
  ["payment_intent_id", "Stripe's payment intent."],
] as const;

export const CSV_HEADER = CSV_COLUMNS.map(([name]) => name);

/** Whether a payment's fees are known in its own currency: settled, pending or converted. */
export function feeStatus(row: Pick<ExportRow, "currency" | "settledIn">): "settled" | "pending" | "converted" {
  if (!row.settledIn) return "pending";
  return row.settledIn === row.currency ? "settled" : "converted";
}

/**
 * One payment as a CSV line (with its CRLF); its net follows the staff view's one rule (`netOf`).
 * A payment whose fees are not known in its currency has no net: the cells stay empty, never 0.
 */
export function csvLine(row: ExportRow): string {
  const status = feeStatus(row);
  const net = status === "settled" ? netOf({ gross: row.amount, ...row }) : null;
  const money = (v: number) => majorUnits(v, row.currency);
  return `${[
    textCell(new Date(row.paidAt).toISOString()),
    textCell(row.id),
    textCell(row.currency),
    textCell(row.frequency),
    money(row.amount),
    money(row.feeAmount),
    money(row.refunded),
    money(row.disputed),
    money(row.disputedOpen),
    status === "settled" ? money(row.stripeFees) : "",
    money(row.disputeFees),
    net === null ? "" : money(net),
    textCell(status),
    textCell(row.settledIn),
    numberCell(row.amount),
    net === null ? "" : numberCell(net),
    textCell(row.disputeStatus),
    textCell(row.campaign),
    textCell(row.variant),
    textCell(row.pledgeId),
    textCell(row.pledgeStatus),
    textCell(row.pageUrl),
    textCell(row.email),
    textCell(row.paymentIntentId),
  ].join(",")}\r\n`;
}

/**
 * The export as a stream: one page of payments is read from D1 only when the client is ready
 * for more, so a year of payments is never held in memory (keyset pagination on paid_at, id).
 */
export function csvStream(
  nextPage: (after: { paidAt: number; id: string } | null) => Promise<ExportRow[]>,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let after: { paidAt: number; id: string } | null = null;
  let started = false;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!started) {
          started = true;
          // A byte-order mark so Excel reads UTF-8 (names and pages may hold any script).
          controller.enqueue(encoder.encode(`\uFEFF${CSV_HEADER.join(",")}\r\n`));
          return;
        }
        const page = await nextPage(after);
        if (page.length === 0) {
          controller.close();
          return;
        }
        const last = page[page.length - 1] as ExportRow;
        after = { paidAt: last.paidAt, id: last.id };
        controller.enqueue(encoder.encode(page.map(csvLine).join("")));
      },
    },
    { highWaterMark: 1 },
  );
}
