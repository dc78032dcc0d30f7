import { html } from "hono/html";
import { CURRENCIES, isCurrencyCode } from "../../core/currencies";
import { type Html, htmlPage } from "../../platform/html";
import { CSS_PATH, cssVersion } from "../styles";

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

export const FREQUENCY_LABELS = { once: "Once", monthly: "Monthly", annual: "Annual" } as const;

/** A staff page: the skip link, the top bar if any, the page and the footer, in the staff view's look. */
export function staffPage(opts: { title: string; header?: Html; body: Html }): string {
  return htmlPage({
    lang: "en",
    title: opts.title,
    stylesheet: `${CSS_PATH}?v=${cssVersion()}`,
    robots: "noindex, nofollow",
    header: html`<a class="skip" href="#main">Skip to the figures</a>
${opts.header}`,
    main: { id: "main", class: "in" },
    body: opts.body,
    footer: html`<footer class="in"><p>Reader Support · staff view. Money is never added up across currencies. Days are UTC.</p></footer>`,
  });
}
