/**
 * The hosted billing portal page (`GET /p/session/{id}`): the customer's live subscriptions,
 * each with a "Cancel support" button that cancels immediately (the portal's default), and
 * a "Return to site" link.
 */
import { formatAmount } from "./currencies.ts";
import { escapeHtml } from "./http.ts";
import { page } from "./page-layout.ts";
import type { Obj } from "./store.ts";

const BANNER = "LOCAL TEST billing portal — no real money moves.";

function date(ts: number): string {
  return new Date(ts * 1000).toISOString().slice(0, 10);
}

/** Renders the portal for a session, given the customer's subscriptions and product names. */
export function renderPortalPage(
  session: Obj,
  subscriptions: Obj[],
  productName: (id: string) => string,
  notice?: string,
): string {
  const live = subscriptions.filter((s) => s.status !== "canceled" && s.status !== "incomplete_expired");
  const items = live
    .map((sub) => {
      const item = sub.items.data[0];
      const price = item.price;
      const amount = formatAmount(price.unit_amount * (item.quantity ?? 1), price.currency);
      const every =
        price.recurring.interval_count === 1
          ? price.recurring.interval
          : `${price.recurring.interval_count} ${price.recurring.interval}s`;
      const when = sub.cancel_at_period_end
        ? `Cancels on ${date(sub.cancel_at)}`
        : `Renews on ${date(item.current_period_end)}`;
      const name = productName(price.product);
      return `<li>
<h2>${escapeHtml(name)}</h2>
<p>${escapeHtml(amount)} per ${escapeHtml(every)} · status: ${escapeHtml(sub.status)} · ${escapeHtml(when)}</p>
<form method="post" action="/p/session/${escapeHtml(session.id)}/subscriptions/${escapeHtml(sub.id)}/cancel">
<button type="submit" class="secondary" aria-label="Cancel support: ${escapeHtml(name)}">Cancel support</button>
</form>
</li>`;
    })
    .join("\n");
  const body = `
<h1>Manage your support</h1>
${notice ? `<p role="status" class="note">${escapeHtml(notice)}</p>` : ""}
${live.length ? `<ul class="subs">\n${items}\n</ul>` : "<p>You have no active recurring support.</p>"}
${session.return_url ? `<p><a href="${escapeHtml(session.return_url)}">Return to site</a></p>` : ""}
<p class="note">Customer <code>${escapeHtml(session.customer)}</code></p>`;
  return page("Local test billing portal", BANNER, body);
}

/** The page for an unknown portal session. */
export function renderMissingPortalPage(): string {
  return page(
    "Local test billing portal",
    BANNER,
    '<h1>Billing portal</h1>\n<p role="status">This billing portal session does not exist.</p>',
  );
}
