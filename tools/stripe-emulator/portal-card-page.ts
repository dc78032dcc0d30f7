/**
 * The billing portal's card update flow (`flow_data[type]=payment_method_update`): a page with a
 * test card form; saving it makes a new default payment method and returns to the flow's redirect
 * (or the session's `return_url`).
 */
import { escapeHtml } from "./http.ts";
import { page } from "./page-layout.ts";
import type { Obj } from "./store.ts";

const BANNER = "LOCAL TEST billing portal — no real money moves.";

/** Where the card update flow ends. */
export const flowReturnUrl = (session: Obj): string | null =>
  session.flow?.after_completion?.redirect?.return_url ?? session.return_url ?? null;

/** The card form of a portal session whose flow is `payment_method_update`. */
export function renderCardPage(session: Obj, saved = false): string {
  const back = flowReturnUrl(session);
  const body = saved
    ? `<h1>Card updated</h1>
<p role="status" class="note">Your new card will be used for your next payments.</p>
${back ? `<p><a href="${escapeHtml(back)}">Return to site</a></p>` : ""}`
    : `<h1>Update your card</h1>
<form method="post" action="/p/session/${escapeHtml(session.id)}/payment_method">
<label for="card">Card number (test)</label>
<input id="card" name="card" inputmode="numeric" autocomplete="cc-number" value="4242 4242 4242 4242">
<button type="submit">Save card</button>
</form>
${back ? `<p><a href="${escapeHtml(back)}">Return to site</a></p>` : ""}`;
  return page("Local test billing portal", BANNER, body);
}
