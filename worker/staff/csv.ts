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

export const CSV_HEADER = [
  "paid_at",
  "payment_id",
  "currency",
  "frequency",
  "amount",
  "fee_covered",
  "refunded",
  "disputed_lost",
  "net",
  "amount_minor",
  "net_minor",
  "dispute_status",
  "campaign",
  "variant",
  "pledge_id",
  "pledge_status",
  "page_url",
  "email",
  "payment_intent_id",
];

/** One payment as a CSV line (with its CRLF); its net follows the staff view's one rule (`netOf`). */
export function csvLine(row: ExportRow): string {
  const net = netOf({ gross: row.amount, refunded: row.refunded, disputed: row.disputed });
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
    money(net),
    numberCell(row.amount),
    numberCell(net),
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
