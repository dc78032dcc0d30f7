import { CURRENCIES, isCurrencyCode } from "../../core/currencies";
import { CSS_PATH, cssVersion } from "../styles";

/** Escapes text for HTML content and attribute values. */
export function esc(value: unknown): string {
  return String(value ?? "")
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

const decimalsOf = (currency: string) => (isCurrencyCode(currency) ? CURRENCIES[currency].decimals : 2);

/** Minor units for staff: always with the currency's decimals, e.g. "$1,250.00", "¥5,000". */
export function money(amount: number, currency: string): string {
  const decimals = decimalsOf(currency);
  return new Intl.NumberFormat("en", {
    style: "currency",
    currency,
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
  }).format(amount / 10 ** decimals);
}

/** Minor units, short, for chart axes ("$12K"). */
export function moneyShort(amount: number, currency: string): string {
  return new Intl.NumberFormat("en", {
    style: "currency",
    currency,
    notation: "compact",
    maximumFractionDigits: 1,
  }).format(amount / 10 ** decimalsOf(currency));
}

export const count = (n: number) => new Intl.NumberFormat("en").format(n);

/** A share as a percentage with one decimal, or "—" when there is nothing to divide by. */
export const percent = (part: number, whole: number) => (whole > 0 ? `${((part / whole) * 100).toFixed(1)}%` : "—");

/** "2025-05-14 13:05 UTC". */
export const dateTime = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC`;

/** "14 May 2025" for a YYYY-MM-DD day. */
export const longDay = (day: string) =>
  new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" }).format(
    new Date(`${day}T00:00:00Z`),
  );

/** Staff see that someone gave, not who: "r•••@example.net". */
export function maskEmail(email: string | null): string {
  if (!email) return "—";
  const at = email.lastIndexOf("@");
  if (at < 1) return "•••";
  return `${email[0]}•••${email.slice(at)}`;
}

export const FREQUENCY_LABELS = { once: "Once", monthly: "Monthly", annual: "Annual" } as const;

/** The page shell: no inline script or style; one stylesheet. */
export function layout(opts: { title: string; header?: string; body: string }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${esc(opts.title)}</title>
<link rel="stylesheet" href="${CSS_PATH}?v=${cssVersion()}">
</head>
<body>
<a class="skip" href="#main">Skip to the figures</a>
${opts.header ?? ""}
<main id="main" class="in">
${opts.body}
</main>
<footer class="in"><p>Reader Support · staff view. Money is never added up across currencies. Days are UTC.</p></footer>
</body>
</html>`;
}
