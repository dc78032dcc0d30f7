/**
 * The hosted checkout page (`GET /c/pay/{id}`) — a plain, accessible stand-in for Stripe
 * Checkout. Pay completes the session (succeeded by default; the test-outcome radios can
 * decline or delay it) and redirects to `success_url`; Cancel returns to `cancel_url`.
 */
import { CHECKOUT_LOCALES } from "./checkout-params.ts";
import { formatAmount } from "./currencies.ts";
import { escapeHtml } from "./http.ts";
import { page } from "./page-layout.ts";
import type { Obj } from "./store.ts";

const BANNER = "Local test checkout — no real money moves.";

function localeOf(session: Obj): string {
  const l = session.locale as string | null;
  return l && l !== "auto" && (CHECKOUT_LOCALES as readonly string[]).includes(l) ? l : "en-US";
}

function intervalText(price: Obj): string {
  const r = price.recurring;
  if (!r) return "";
  return r.interval_count === 1 ? ` / ${r.interval}` : ` every ${r.interval_count} ${r.interval}s`;
}

/** `success_url` with `{CHECKOUT_SESSION_ID}` replaced. */
export function successRedirect(session: Obj): string {
  return String(session.success_url).replaceAll("{CHECKOUT_SESSION_ID}", session.id);
}

/** The checkout page for an open session (with an optional error, e.g. a declined card). */
export function renderCheckoutPage(session: Obj, lineItems: Obj[], error?: string): string {
  const locale = localeOf(session);
  const currency = session.currency as string;
  const rows = lineItems
    .map(
      (li) =>
        `<tr><td>${escapeHtml(li.description)}</td><td class="num">${escapeHtml(li.quantity)}</td><td class="num">${escapeHtml(
          formatAmount(li.amount_total, currency, locale) + intervalText(li.price),
        )}</td></tr>`,
    )
    .join("\n");
  const total = formatAmount(session.amount_total, currency, locale);
  const recurring = lineItems[0]?.price?.recurring ? intervalText(lineItems[0].price) : "";
  const email = session.customer_details?.email ?? session.customer_email ?? "";
  const heading = session.submit_type === "donate" ? "Donate" : session.mode === "subscription" ? "Subscribe" : "Pay";
  const body = `
<h1>${escapeHtml(heading)}: ${escapeHtml(total + recurring)}</h1>
${error ? `<p class="alert" role="alert">${escapeHtml(error)}</p>` : ""}
<table>
<caption class="note">Order summary (${escapeHtml(currency.toUpperCase())})</caption>
<thead><tr><th scope="col">Item</th><th scope="col" class="num">Qty</th><th scope="col" class="num">Amount</th></tr></thead>
<tbody>
${rows}
</tbody>
<tfoot><tr><th scope="row" colspan="2">Total due today</th><td class="num" id="total">${escapeHtml(total)}</td></tr></tfoot>
</table>
<form method="post" action="/c/pay/${escapeHtml(session.id)}/pay">
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="email" required value="${escapeHtml(email)}">
<fieldset>
<legend>Test outcome</legend>
<input type="radio" id="outcome-succeeded" name="outcome" value="succeeded" checked> <label for="outcome-succeeded">Payment succeeds</label><br>
<input type="radio" id="outcome-declined" name="outcome" value="declined"> <label for="outcome-declined">Card is declined</label><br>
<input type="radio" id="outcome-delayed" name="outcome" value="delayed"> <label for="outcome-delayed">Delayed payment (like SEPA Direct Debit)</label>
</fieldset>
<div class="actions">
<button type="submit" class="primary" aria-describedby="total">Pay</button>
</div>
</form>
<form method="post" action="/c/pay/${escapeHtml(session.id)}/cancel">
<div class="actions"><button type="submit" class="secondary">Cancel</button></div>
</form>
<p class="note">Session <code>${escapeHtml(session.id)}</code> · ${escapeHtml(session.mode)} mode</p>`;
  return page(`Local test checkout — ${total}`, BANNER, body, locale.split("-")[0]);
}

/** The page shown for a session that is no longer open. */
export function renderClosedCheckoutPage(session: Obj | undefined): string {
  let message = "This checkout session does not exist.";
  let link = "";
  if (session?.status === "expired") message = "This checkout session has expired. Please start again from the site.";
  if (session?.status === "complete") {
    message = "This checkout session is already complete. Thank you!";
    if (session.success_url) link = `<p><a href="${escapeHtml(successRedirect(session))}">Return to site</a></p>`;
  }
  return page("Local test checkout", BANNER, `<h1>Checkout</h1>\n<p role="status">${escapeHtml(message)}</p>\n${link}`);
}
