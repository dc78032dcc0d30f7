import { html } from "hono/html";
import { monthlyEquivalent } from "../../core/summary";
import type { Html } from "../../platform/html";
import type { UpsellRow } from "../funnel";
import type { GrowthView } from "../growth";
import { count, dateTime, money, percent } from "./html";

/**
 * The dashboard's sections about recurring support growing and changing: recurring revenue
 * movements per currency and month with the churn rate, the changes supporters made, cancellations
 * with their reasons and the save offer's outcomes, and the monthly upsell's funnel. Pure.
 */

const MONTH = new Intl.DateTimeFormat("en-GB", { month: "short", year: "numeric", timeZone: "UTC" });
const monthLabel = (month: string) => MONTH.format(new Date(`${month}-01T00:00:00Z`));

/** "+$6.00", "−$4.00", "$0.00". */
const signed = (amount: number, currency: string) =>
  amount > 0 ? `+${money(amount, currency)}` : amount < 0 ? `−${money(-amount, currency)}` : money(0, currency);
const bps = (rate: number | null) => (rate === null ? "—" : `${(rate / 100).toFixed(1)}%`);

const CHANGE_LABELS: Record<string, string> = {
  started: "Started",
  amount: "New amount",
  frequency: "New frequency",
  paused: "Paused",
  resumed: "Resumed",
  cancel_requested: "Asked to cancel",
  cancel_withdrawn: "Kept their support",
  ended: "Ended",
};
export const REASON_LABELS: Record<string, string> = {
  too_expensive: "Costs too much right now",
  unused: "Doesn't read enough",
  low_quality: "Unhappy with the journalism",
  other: "Another reason",
  customer_service: "Customer service",
  missing_features: "Missing features",
  switched_service: "Switched to another service",
  too_complex: "Too complicated",
  "": "No reason given",
};
const OFFER_LABELS: Record<string, string> = {
  declined: "Declined, then cancelled",
  accepted_reduce: "Accepted: gives less",
  accepted_pause: "Accepted: paused",
};
const FREQ: Record<string, string> = { monthly: "a month", annual: "a year" };

function movementsSection(growth: GrowthView): Html {
  const head = html`<h2 id="movements">Recurring revenue movements</h2>
<p class="lede">Monthly-equivalent recurring revenue (monthly amounts plus a twelfth of annual ones, gift and fee cover) per month, from Stripe's subscription events: new supporters, expansion (a higher amount), contraction (a lower one, or annual for less than twelve months), paused and resumed payments, and supporters whose support ended. Churn rate: supporters who ended in the month, of those at its start; revenue churn: recurring revenue that ended, of the month's opening figure. Each currency on its own; each figure rounded to the minor unit.</p>`;
  if (growth.movements.length === 0)
    return html`${head}<p class="empty">No recurring support has started, changed or ended yet.</p>`;
  const tables = growth.movements.map((c) => {
    const months = [...c.months].reverse();
    return html`<h3>${c.currency}</h3>
<div class="scroll" tabindex="0" role="region" aria-label="${c.currency} recurring revenue by month"><table data-movements="${c.currency}">
<caption>Recurring revenue, monthly equivalent</caption>
<thead><tr><th scope="col">Month</th><th scope="col">Opening</th><th scope="col">New</th><th scope="col">Expansion</th><th scope="col">Contraction</th><th scope="col">Paused</th><th scope="col">Resumed</th><th scope="col">Churned</th><th scope="col">Closing</th></tr></thead>
<tbody>${months.map(
      (m) => html`<tr data-month="${m.month}"><th scope="row">${monthLabel(m.month)}</th>
<td data-figure="opening">${money(m.opening, c.currency)}</td><td data-figure="new">${signed(m.new, c.currency)}</td><td data-figure="expansion">${signed(m.expansion, c.currency)}</td><td data-figure="contraction">${signed(m.contraction, c.currency)}</td><td data-figure="paused">${signed(m.paused, c.currency)}</td><td data-figure="resumed">${signed(m.resumed, c.currency)}</td><td data-figure="churned">${signed(m.churned, c.currency)}</td><td data-figure="closing">${money(m.closing, c.currency)}</td></tr>`,
    )}</tbody></table></div>
<div class="scroll" tabindex="0" role="region" aria-label="${c.currency} supporters and churn by month"><table data-churn="${c.currency}">
<caption>Supporters and churn</caption>
<thead><tr><th scope="col">Month</th><th scope="col">At the start</th><th scope="col">Started</th><th scope="col">Ended</th><th scope="col">Churn rate</th><th scope="col">Revenue churn</th></tr></thead>
<tbody>${months.map(
      (m) => html`<tr data-month="${m.month}"><th scope="row">${monthLabel(m.month)}</th>
<td data-figure="supporters-at-start">${count(m.supportersAtStart)}</td><td data-figure="started">${count(m.started)}</td><td data-figure="ended">${count(m.ended)}</td><td data-figure="churn-rate">${bps(m.churnRateBps)}</td><td data-figure="revenue-churn">${bps(m.revenueChurnRateBps)}</td></tr>`,
    )}</tbody></table></div>`;
  });
  return html`${head}${tables}`;
}

function changesSection(growth: GrowthView): Html {
  const head = html`<h2 id="changes">Changes supporters made</h2>
<p class="lede">What recurring supporters changed in this range (at /manage or in Stripe), newest first, with what it did to monthly-equivalent recurring revenue. The latest 50.</p>`;
  if (growth.changes.length === 0) return html`${head}<p class="empty">No changes in this range.</p>`;
  const rows = growth.changes.map((r) => {
    const amount = (a: number | null, f: string | null) =>
      a === null ? "—" : `${money(a, r.currency)} ${FREQ[f ?? ""] ?? ""}`.trim();
    const what =
      r.change === "ended" || r.change === "cancel_requested" || r.change === "cancel_withdrawn"
        ? amount(r.fromAmount, r.fromFrequency)
        : r.change === "paused" || r.change === "resumed"
          ? amount(r.toAmount, r.toFrequency)
          : `${amount(r.fromAmount, r.fromFrequency)} → ${amount(r.toAmount, r.toFrequency)}`;
    const why = [r.reason !== null ? (REASON_LABELS[r.reason] ?? r.reason) : "", r.comment ? `“${r.comment}”` : ""]
      .filter(Boolean)
      .join(" ");
    return html`<tr data-change="${r.change}"><td class="l">${dateTime(r.at)}</td><td class="l">${CHANGE_LABELS[r.change] ?? r.change}</td><td class="l">${what}</td>
<td data-figure="movement">${r.movement ? signed(monthlyEquivalent(r.monthlyDelta, r.annualDelta), r.currency) : "—"}</td><td class="l">${why || "—"}</td><td class="l">${r.saveOffer ? OFFER_LABELS[r.saveOffer] : "—"}</td></tr>`;
  });
  return html`${head}<div class="scroll" tabindex="0" role="region" aria-label="Changes supporters made"><table>
<thead><tr><th scope="col">Time</th><th scope="col" class="l">Change</th><th scope="col" class="l">Support</th><th scope="col">Recurring revenue</th><th scope="col" class="l">Reason</th><th scope="col" class="l">Save offer</th></tr></thead>
<tbody>${rows}</tbody></table></div>`;
}

function cancellationsSection(growth: GrowthView): Html {
  const { byReason, saveOffer } = growth.cancellations;
  const head = html`<h2 id="cancellations">Cancellations</h2>
<p class="lede">Cancellations supporters asked for at /manage in this range (their support runs to the end of the period they paid for), and support that ended, by the reason given. Before a cancellation takes effect, /manage makes one offer: give less, or pause.</p>`;
  if (byReason.length === 0 && saveOffer.offered === 0)
    return html`${head}<p class="empty">No cancellations in this range.</p>`;
  const reasons = byReason.map(
    (r) =>
      html`<tr data-reason="${r.reason}"><th scope="row">${REASON_LABELS[r.reason] ?? r.reason}</th><td data-figure="requested">${count(r.requested)}</td><td data-figure="ended">${count(r.ended)}</td></tr>`,
  );
  const offer = (label: string, key: string, n: number) =>
    html`<tr><th scope="row">${label}</th><td data-figure="${key}">${count(n)}<span class="rate">${percent(n, saveOffer.offered)}</span></td></tr>`;
  return html`${head}<div class="funnels">
<div class="scroll" tabindex="0" role="region" aria-label="Cancellations by reason"><table data-table="reasons">
<caption>By reason</caption>
<thead><tr><th scope="col">Reason</th><th scope="col">Asked to cancel</th><th scope="col">Ended</th></tr></thead>
<tbody>${reasons}</tbody></table></div>
<div class="scroll" tabindex="0" role="region" aria-label="The save offer"><table data-table="save-offer">
<caption>The save offer</caption>
<thead><tr><th scope="col">Outcome</th><th scope="col">Supporters</th></tr></thead>
<tbody><tr><th scope="row">Offered</th><td data-figure="offered">${count(saveOffer.offered)}</td></tr>
${offer("Accepted: gives less", "accepted-reduce", saveOffer.acceptedReduce)}${offer("Accepted: paused", "accepted-pause", saveOffer.acceptedPause)}${offer("Declined, then cancelled", "declined", saveOffer.declined)}</tbody></table></div>
</div>`;
}

function upsellTable(caption: string, key: string, rows: UpsellRow[], declined: boolean): Html {
  const stage = (label: string, figure: string, pick: (r: UpsellRow) => number, of?: (r: UpsellRow) => number) =>
    html`<tr><th scope="row">${label}</th>${rows.map(
      (r) =>
        html`<td data-figure="${figure}">${count(pick(r))}${of ? html`<span class="rate">${percent(pick(r), of(r))}</span>` : ""}</td>`,
    )}</tr>`;
  return html`<div class="scroll" tabindex="0" role="region" aria-label="${caption}"><table data-upsell="${key}">
<caption>${caption}</caption>
<thead><tr><th scope="col">Stage</th>${rows.map(
    (r) =>
      html`<th scope="col">${[r.campaign || "No campaign", r.variant ? `variant ${r.variant}` : ""].filter(Boolean).join(", ")}</th>`,
  )}</tr></thead>
<tbody>${stage("Offered", "offered", (r) => r.offered)}${stage(
    "Accepted",
    "accepted",
    (r) => r.accepted,
    (r) => r.offered,
  )}${
    declined
      ? stage(
          "Declined",
          "declined",
          (r) => r.declined,
          (r) => r.offered,
        )
      : ""
  }${stage(
    "Paid",
    "paid",
    (r) => r.paid,
    (r) => r.accepted,
  )}</tbody></table></div>`;
}

function upsellSection(growth: GrowthView): Html {
  const { ask, thanks } = growth.upsell;
  const head = html`<h2 id="upsell">Monthly upsell</h2>
<p class="lede">One-off givers offered a monthly gift instead: in the ask after Once and Continue, and on the thank-you after a one-off gift. Offered → accepted → paid (monthly pledges from the offer whose first payment arrived in the range), per campaign and variant. Small figures are the share of the stage before.</p>`;
  if (ask.length === 0 && thanks.length === 0)
    return html`${head}<p class="empty">The upsell has not been offered in this range.</p>`;
  return html`${head}<div class="funnels">${ask.length ? upsellTable("In the ask", "ask", ask, true) : ""}${
    thanks.length ? upsellTable("After a one-off gift", "thanks", thanks, false) : ""
  }</div>`;
}

/** Every growth section, in the order the dashboard shows them. */
export function growthSections(growth: GrowthView | undefined): Html | string {
  if (!growth) return "";
  return html`${movementsSection(growth)}
${changesSection(growth)}
${cancellationsSection(growth)}
${upsellSection(growth)}`;
}
