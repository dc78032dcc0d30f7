import { html } from "hono/html";
import { FREQUENCIES, type Frequency } from "../../core/frequencies";
import type { Html } from "../../platform/html";
import { maskAddress } from "../../platform/mail/message";
import type { ReminderStats } from "../../reminders/store";
import type { Staff } from "../auth";
import { CSV_COLUMNS } from "../csv";
import { buildFunnel, type Counts, STAGE_LABELS, STAGES } from "../funnel";
import type { GrowthView } from "../growth";
import type { DashboardData } from "../queries";
import { type DayRange, daysBetween, isoDay, PRESET_LABELS, PRESETS, type Preset } from "../range";
import { type DayValues, moneyChart } from "./chart";
import { growthSections } from "./growth";
import { count, dateTime, FREQUENCY_LABELS, longDay, money, percent, staffPage } from "./html";

/** Everything the dashboard page needs; rendering is pure (tests call it directly). */
export type DashboardView = {
  sites: { id: string; name: string }[];
  site: { id: string; name: string };
  range: DayRange;
  data: DashboardData;
  /** "Remind me later" by email: requested, sent and converted in the range. */
  reminders?: ReminderStats;
  /** The latest reconciliation against Stripe and what it found (absent: never shown). */
  reconciliation?: ReconciliationView;
  staff: Staff;
  accessLogout: boolean;
  /** Problems of this deployment's configuration, shown above everything else. */
  warnings?: string[];
  /** Recurring support growing and changing (staff/growth.ts); absent: those sections are left out. */
  growth?: GrowthView;
  now: number;
};

/** The latest reconciliation run and its differences, as the dashboard shows them. */
export type ReconciliationView = {
  latest: {
    startedAt: number;
    finishedAt: number | null;
    trigger: string;
    since: number;
    until: number;
    status: string;
    eventsSeen: number;
    eventsReplayed: number;
    chargesChecked: number;
    differences: number;
    error: string | null;
  } | null;
  differences: {
    kind: string;
    objectId: string;
    currency: string | null;
    repaired: number;
    detail: string;
  }[];
};

const query = (params: Record<string, string | null | undefined>) => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  return q.toString();
};

function header(view: DashboardView): Html {
  const who =
    view.staff.via === "access"
      ? html`Signed in as <strong>${view.staff.email ?? "staff"}</strong>`
      : "Signed in with the staff token";
  const everywhere = html`<form class="inline" method="post" action="/admin/sign-out-everywhere"><button class="quiet" type="submit">Sign out everywhere</button></form>`;
  const out = view.accessLogout
    ? html`<a class="btn quiet" href="/cdn-cgi/access/logout">Sign out</a>`
    : view.staff.via === "session"
      ? html`<form class="inline" method="post" action="/admin/sign-out"><button class="quiet" type="submit">Sign out</button></form>${everywhere}`
      : everywhere;
  return html`<header class="top"><div class="in">
<a class="brand" href="/admin">Reader Support · Staff</a>
<nav class="pages" aria-label="Staff pages"><a href="/admin?${query({ site: view.site.id })}" aria-current="page">Dashboard</a><a href="/admin/settings?${query({ site: view.site.id })}">Settings</a><a href="/admin/variants?${query({ site: view.site.id })}">Variants</a><a href="/admin/webhooks?${query({ site: view.site.id })}">Webhooks</a><a href="/admin/emails?${query({ site: view.site.id })}">Emails</a><a href="/admin/staff?${query({ site: view.site.id })}">Staff and audit</a></nav>
<span class="who">${who}</span>${out}
</div></header>`;
}

function rangeText(range: DayRange, data: DashboardData): string {
  if (range.preset === "all") {
    return data.dataSpan.first ? `All time (payments from ${longDay(data.dataSpan.first)})` : "All time";
  }
  if (range.from && range.to)
    return range.from === range.to ? longDay(range.from) : `${longDay(range.from)} – ${longDay(range.to)}`;
  if (range.from) return `From ${longDay(range.from)}`;
  if (range.to) return `Until ${longDay(range.to)}`;
  return "All time";
}

function filters(view: DashboardView): Html {
  const { site, range } = view;
  const presets = PRESETS.filter((p) => p !== "custom").map(
    (p) =>
      html`<li><a href="/admin?${query({ site: site.id, range: p })}"${range.preset === p ? html` aria-current="page"` : ""}>${PRESET_LABELS[p as Preset]}</a></li>`,
  );
  const siteOptions = view.sites.map(
    (s) => html`<option value="${s.id}"${s.id === site.id ? html` selected` : ""}>${s.name}</option>`,
  );
  return html`<section class="filters" aria-label="Site and dates">
<form method="get" action="/admin" class="custom">
<input type="hidden" name="range" value="${range.preset}">
${range.preset === "custom" ? html`<input type="hidden" name="from" value="${range.from ?? ""}"><input type="hidden" name="to" value="${range.to ?? ""}">` : ""}
<div class="field"><label for="site">Site</label><select id="site" name="site">${siteOptions}</select></div>
<button class="quiet" type="submit">Show site</button>
</form>
<nav aria-label="Date range"><ul class="presets">${presets}</ul></nav>
<form method="get" action="/admin" class="custom">
<input type="hidden" name="site" value="${site.id}"><input type="hidden" name="range" value="custom">
<div class="field"><label for="from">From</label><input id="from" name="from" type="date" value="${range.from ?? ""}"></div>
<div class="field"><label for="to">To</label><input id="to" name="to" type="date" value="${range.to ?? ""}"></div>
<button type="submit"${range.preset === "custom" ? html` aria-current="true"` : ""}>Show custom range</button>
</form>
</section>`;
}

/** A deduction: "−$10.00", or "$0.00" when there is none. */
const minus = (amount: number, currency: string) => (amount ? `−${money(amount, currency)}` : money(0, currency));

/** One figure of a currency's card, with the one line that says what it is. */
const figure = (label: string, key: string, value: string, meaning: string) =>
  html`<dt>${label}</dt><dd data-figure="${key}">${value}</dd><dd class="why">${meaning}</dd>`;

function moneySection(view: DashboardView): Html {
  const { data } = view;
  if (data.currencies.length === 0)
    return html`<h2 id="money">Money raised</h2><p class="empty">No payments in this range.</p>`;
  const cards = data.currencies.map((c) => {
    const rows = FREQUENCIES.map(
      (f) =>
        html`<tr><th scope="row">${FREQUENCY_LABELS[f]}</th><td>${money(c.byFrequency[f].net, c.currency)}</td><td>${count(c.byFrequency[f].payments)}</td></tr>`,
    );
    const pending = c.feesPending
      ? html`<p class="note" data-figure="fees-pending">Stripe has not settled ${count(c.feesPending)} ${c.feesPending === 1 ? "payment" : "payments"} yet: ${c.feesPending === 1 ? "its fee is" : "their fees are"} pending, not zero, and net will drop by ${c.feesPending === 1 ? "it" : "them"}.</p>`
      : "";
    const elsewhere = c.feesElsewhere
      ? html`<p class="note" data-figure="fees-elsewhere">Stripe converted ${count(c.feesElsewhere)} ${c.feesElsewhere === 1 ? "payment" : "payments"} to another currency: ${c.feesElsewhere === 1 ? "its fee and payout are" : "their fees and payouts are"} in that currency's balance, not here.</p>`
      : "";
    return html`<article class="card" aria-labelledby="cur-${c.currency}" data-currency="${c.currency}">
<h3 id="cur-${c.currency}">${c.currency}</h3>
<p class="net"><small>Net paid out by Stripe</small><span data-figure="net">${money(c.net, c.currency)}</span></p>
${pending}${elsewhere}<dl class="figs">
${figure("Gross", "gross", money(c.gross, c.currency), "Everything readers paid, gift and fee cover together.")}
${figure("Fees readers covered", "fees-covered", money(c.feesCovered, c.currency), "The part of gross readers added so that you receive their whole gift.")}
${figure("Stripe fees", "stripe-fees", minus(c.stripeFees, c.currency), "Stripe's processing fees; it keeps them when a payment is refunded.")}
${figure("Refunds", "refunded", minus(c.refunded, c.currency), "Refunds sent or on their way; failed or canceled ones count nothing.")}
${figure("Disputes lost", "disputed", minus(c.disputed, c.currency), "Money readers' banks took back for good.")}
${figure("Disputes open", "disputed-open", minus(c.disputedOpen, c.currency), "Withdrawn by Stripe while a chargeback is decided; it comes back if you win. Inquiries withdraw nothing.")}
${figure("Dispute fees", "dispute-fees", minus(c.disputeFees, c.currency), "Stripe's fee for each chargeback, kept even when you win.")}
<dt>Payments</dt><dd data-figure="payments">${count(c.payments)}</dd>
<dt>Supporters</dt><dd data-figure="supporters">${count(c.supporters)}</dd>
</dl>
<table><caption class="sr">${c.currency} net by frequency</caption>
<thead><tr><th scope="col">Frequency</th><th scope="col">Net</th><th scope="col">Payments</th></tr></thead>
<tbody>${rows}</tbody></table>
</article>`;
  });
  return html`<h2 id="money">Money raised</h2>
<p class="lede">Net is what Stripe pays out: gross less Stripe's fees, refunds, disputes (lost, and open ones until decided) and dispute fees, counted against the day each payment arrived. Each currency on its own.</p>
<div class="grid">${cards}</div>`;
}

const KIND_LABELS: Record<string, string> = {
  missing_payment: "Missing payment",
  amount_mismatch: "Amount differs",
  unknown_refund: "Refund not in the ledger",
  unknown_dispute: "Dispute not in the ledger",
  status_drift: "Status differed",
  fees_filled: "Fee recorded late",
  payment_linked: "Payment linked to its charge",
  replay_failed: "Event could not be applied",
  replay_limit: "More events next run",
};

const TRIGGER_LABELS: Record<string, string> = { cron: "the daily check", staff: "staff", api: "the API" };

function reconciliationSection(view: DashboardView): Html | null {
  const rec = view.reconciliation;
  if (!rec) return null;
  const form = html`<form method="post" action="/admin/reconcile" class="custom">
<input type="hidden" name="site" value="${view.site.id}">
<div class="field"><label for="since">Look back</label><select id="since" name="since"><option value="1d">1 day</option><option value="7d" selected>7 days</option><option value="30d">30 days</option></select></div>
<button type="submit">Check against Stripe now</button>
</form>`;
  const { latest } = rec;
  if (!latest)
    return html`<h2 id="reconciliation">Checked against Stripe</h2>
<p class="lede">Never checked yet. Every day at 04:17 UTC the ledger is compared with Stripe's own records: events it missed are applied, and every difference is listed here.</p>
${form}`;
  const summaryLine =
    latest.status === "running"
      ? "still running"
      : latest.status === "failed"
        ? `failed: ${latest.error ?? "unknown error"}`
        : latest.differences === 0
          ? "no differences"
          : `${count(latest.differences)} ${latest.differences === 1 ? "difference" : "differences"}`;
  const rows = rec.differences.map(
    (d) =>
      html`<tr><td class="l">${KIND_LABELS[d.kind] ?? d.kind}</td><td class="l">${d.detail}</td><td class="l">${d.objectId}</td><td class="l">${d.repaired ? "repaired" : "to look at"}</td></tr>`,
  );
  return html`<h2 id="reconciliation">Checked against Stripe</h2>
<p class="lede">Every day at 04:17 UTC (and when you ask) the ledger is compared with Stripe's own records: events it missed are applied, Stripe's newer refund and dispute states and late fees are taken in, and money the ledger never saw is listed for you to look at.</p>
<p data-figure="reconciled">Last checked ${dateTime(latest.startedAt)} by ${TRIGGER_LABELS[latest.trigger] ?? latest.trigger}, from ${dateTime(latest.since)}: <strong>${summaryLine}</strong>. ${count(latest.eventsSeen)} events read, ${count(latest.eventsReplayed)} applied that had been missed, ${count(latest.chargesChecked)} payments compared.</p>
${
  rows.length
    ? html`<div class="scroll" tabindex="0" role="region" aria-label="Differences found"><table>
<caption>What the last check found</caption>
<thead><tr><th scope="col" class="l">Difference</th><th scope="col" class="l">What</th><th scope="col" class="l">Stripe object</th><th scope="col" class="l">Now</th></tr></thead>
<tbody>${rows}</tbody></table></div>`
    : ""
}
${form}`;
}

/** The CSV export's columns, one line each. */
function csvLegend(): Html {
  return html`<details class="legend"><summary>What the export's columns mean</summary>
<dl>${CSV_COLUMNS.map(([name, meaning]) => html`<dt><code>${name}</code></dt><dd>${meaning}</dd>`)}</dl>
</details>`;
}

function recurringSection(view: DashboardView): Html {
  const { data } = view;
  const currencies = [
    ...new Set([
      ...data.recurring.map((r) => r.currency),
      ...data.newRecurring.filter((r) => r.n > 0).map((r) => r.currency),
      ...data.cancelled.filter((r) => r.n > 0).map((r) => r.currency),
    ]),
  ].sort();
  if (currencies.length === 0)
    return html`<h2 id="recurring">Recurring support</h2><p class="empty">No monthly or annual supporters yet.</p>`;
  const sumBy = (rows: { currency: string; frequency: Frequency; n: number }[], currency: string, f: Frequency) =>
    rows.filter((r) => r.currency === currency && r.frequency === f).reduce((s, r) => s + r.n, 0);
  const body = currencies.map((cur) => {
    const r = data.recurring.find((x) => x.currency === cur);
    return html`<tr><th scope="row">${cur}</th>
<td>${count(r?.monthly ?? 0)}</td><td>${count(r?.annual ?? 0)}</td><td>${money(r?.monthlyEquivalent ?? 0, cur)}</td>
<td>${count(sumBy(data.newRecurring, cur, "monthly"))} / ${count(sumBy(data.newRecurring, cur, "annual"))}</td>
<td>${count(sumBy(data.cancelled, cur, "monthly"))} / ${count(sumBy(data.cancelled, cur, "annual"))}</td></tr>`;
  });
  return html`<h2 id="recurring">Recurring support</h2>
<p class="lede">Active supporters today (those taking a break included); new and cancelled within the range (monthly / annual).</p>
<div class="scroll" tabindex="0" role="region" aria-label="Recurring support table"><table>
<thead><tr><th scope="col">Currency</th><th scope="col">Active monthly</th><th scope="col">Active annual</th><th scope="col">Monthly equivalent</th><th scope="col">New in range</th><th scope="col">Cancelled in range</th></tr></thead>
<tbody>${body}</tbody></table></div>`;
}

function chartSection(view: DashboardView): Html {
  const { data, range } = view;
  const today = isoDay(view.now);
  const from = range.from ?? data.dataSpan.first;
  const to = range.to ?? (data.dataSpan.last && data.dataSpan.last > today ? data.dataSpan.last : today);
  if (!from || data.currencies.length === 0)
    return html`<h2 id="chart">Raised over time</h2><p class="empty">Nothing to draw for this range.</p>`;
  const days = daysBetween(from, to);
  const figures = data.currencies.map((c) => {
    const byDay = new Map<string, DayValues>();
    for (const d of data.daily) {
      if (d.currency !== c.currency) continue;
      const v = byDay.get(d.day) ?? { once: 0, monthly: 0, annual: 0 };
      v[d.frequency] += d.net;
      byDay.set(d.day, v);
    }
    // The chart is an `html` fragment, escaped when it was drawn, so it is nested as it is.
    return html`<figure>
<h3>${c.currency}</h3>
${moneyChart({ id: `chart-${c.currency}`, currency: c.currency, days, byDay })}
<figcaption>${FREQUENCIES.map((f) => html`<span class="key"><i class="${f}"></i>${FREQUENCY_LABELS[f]}</span>`)}</figcaption>
</figure>`;
  });
  return html`<h2 id="chart">Raised over time</h2>
<p class="lede">Net per ${days.length > 120 ? "week (the last bar may cover fewer days)" : "day"}, stacked by frequency.</p>${figures}`;
}

const stageCell = (counts: Counts, i: number) => {
  const stage = STAGES[i] as (typeof STAGES)[number];
  const prev = i > 0 ? counts[STAGES[i - 1] as (typeof STAGES)[number]] : 0;
  return html`<td>${count(counts[stage])}${i > 0 ? html`<span class="rate">${percent(counts[stage], prev)}</span>` : ""}</td>`;
};

function funnelSection(view: DashboardView): Html {
  const funnel = buildFunnel(view.data.funnel, view.data.paid, view.data.paidByPlacement);
  if (funnel.placements.length === 0 && funnel.campaigns.length === 0)
    return html`<h2 id="funnel">The ask's funnel</h2><p class="empty">The ask has not counted anything in this range.</p>`;
  const placementTable = funnel.placements.length
    ? html`<div class="scroll" tabindex="0" role="region" aria-label="Funnel by placement"><table>
<caption>By placement</caption>
<thead><tr><th scope="col">Stage</th>${funnel.placements.map((p) => html`<th scope="col">${p.placement}</th>`)}</tr></thead>
<tbody>${STAGES.map(
        (s, i) =>
          html`<tr><th scope="row">${STAGE_LABELS[s]}</th>${funnel.placements.map((p) => stageCell(p.counts, i))}</tr>`,
      )}</tbody></table></div>`
    : "";
  const campaignTables = funnel.campaigns.map((c) => {
    const name = c.campaign || "No campaign";
    return html`<div class="scroll" tabindex="0" role="region" aria-label="Funnel for ${name}"><table data-campaign="${c.campaign}">
<caption>${name}${c.variants.length > 1 ? " — variants side by side" : ""}</caption>
<thead><tr><th scope="col">Stage</th>${c.variants.map((v) => html`<th scope="col">${v.variant ? `Variant ${v.variant}` : "No variant"}</th>`)}</tr></thead>
<tbody>${STAGES.map(
      (s, i) => html`<tr><th scope="row">${STAGE_LABELS[s]}</th>${c.variants.map((v) => stageCell(v.counts, i))}</tr>`,
    )}
<tr><th scope="row">Paid per impression</th>${c.variants.map((v) => html`<td>${percent(v.counts.paid, v.counts.impression)}</td>`)}</tr>
</tbody></table></div>`;
  });
  return html`<h2 id="funnel">The ask's funnel</h2>
<p class="lede">Impressions → views → clicks → checkouts started → paid. Small figures under each count are the share of the stage before. “Paid” counts pledges whose first payment arrived in the range.</p>
<div class="funnels">${placementTable}${campaignTables}</div>`;
}

function remindersSection(view: DashboardView): Html | null {
  const r = view.reminders;
  if (!r) return null;
  const row = (label: string, n: number, of?: number) =>
    html`<tr><th scope="row">${label}</th><td>${count(n)}${of !== undefined ? html`<span class="rate">${percent(n, of)}</span>` : ""}</td></tr>`;
  return html`<h2 id="reminders">Reminders by email</h2>
<p class="lede">Readers who chose “Remind me later” and left an address: asked in the range, confirmed by the reader through the emailed link, sent, and pledges paid from a reminder's link (by payment date). Nothing is sent to an address that was not confirmed.</p>
<div class="scroll" tabindex="0" role="region" aria-label="Reminders"><table>
<caption>Reminder funnel</caption>
<thead><tr><th scope="col">Stage</th><th scope="col">Count</th></tr></thead>
<tbody>${row("Requested", r.requested)}${row("Confirmed", r.confirmed, r.requested)}${row("Sent", r.sent, r.confirmed)}${row("Converted (paid)", r.converted, r.sent)}${row("Waiting for confirmation", r.unconfirmed)}${row("Never confirmed", r.expired)}${row("Waiting for their date", r.pending)}${row("Forgotten on request", r.forgotten)}</tbody>
</table></div>`;
}

function recentSection(view: DashboardView): Html {
  const { recent } = view.data;
  if (recent.length === 0)
    return html`<h2 id="recent">Recent pledges</h2><p class="empty">No pledges in this range.</p>`;
  const rows = recent.map((p) => {
    let page = "—";
    if (p.pageUrl) {
      try {
        const u = new URL(p.pageUrl);
        page = `${u.host}${u.pathname}`;
      } catch {
        page = p.pageUrl;
      }
    }
    const cv = [p.campaign, p.variant].filter(Boolean).join(" / ") || "—";
    return html`<tr><td class="l">${dateTime(p.createdAt)}</td><td>${money(p.amount + p.feeAmount, p.currency)}</td>
<td class="l">${FREQUENCY_LABELS[p.frequency] ?? p.frequency}</td><td class="l"><span class="status ${p.status}">${p.status.replace("_", " ")}</span></td>
<td class="l">${page}</td><td class="l">${cv}</td><td class="l">${p.email ? maskAddress(p.email) : "—"}</td></tr>`;
  });
  return html`<h2 id="recent">Recent pledges</h2>
<div class="scroll" tabindex="0" role="region" aria-label="Recent pledges table"><table>
<thead><tr><th scope="col">Time</th><th scope="col">Amount</th><th scope="col" class="l">Frequency</th><th scope="col" class="l">Status</th><th scope="col" class="l">Page</th><th scope="col" class="l">Campaign / variant</th><th scope="col" class="l">Email</th></tr></thead>
<tbody>${rows}</tbody></table></div>`;
}

/** The whole dashboard page. */
export function dashboardPage(view: DashboardView): string {
  const { site, range } = view;
  const csv = `/admin/api/payments.csv?${query({ site: site.id, from: range.from, to: range.to })}`;
  const warnings = view.warnings?.length
    ? html`<div class="warn" role="alert"><h2>This deployment needs attention</h2><ul>${view.warnings.map((w) => html`<li>${w}</li>`)}</ul></div>
`
    : "";
  const body = html`${warnings}<h1>${site.name}</h1>
<p class="lede" id="range-text">${rangeText(range, view.data)}</p>
${filters(view)}
<p class="range-note"><a class="btn quiet" href="${csv}" download>Export payments (CSV)</a></p>
${csvLegend()}
${moneySection(view)}
${reconciliationSection(view)}
${recurringSection(view)}
${growthSections(view.growth)}
${chartSection(view)}
${funnelSection(view)}
${remindersSection(view)}
${recentSection(view)}`;
  return staffPage({ title: `${site.name} — Reader Support staff`, header: header(view), body });
}
