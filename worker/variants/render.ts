import { html } from "hono/html";
import type { SiteConfig } from "../core/site-config";
import type { Staff } from "../staff/auth";
import { count, dateTime, money, percent, staffPage } from "../staff/render/html";
import { staffTopBar } from "../staff/render/nav";
import type { Role } from "../staff/roles";
import type { VariantFigures } from "./stats";

export type VariantsView = {
  site: SiteConfig;
  staff: Staff;
  role: Role;
  accessLogout: boolean;
  figures: VariantFigures;
  /** The weights readers get now (per mille for automatic allocation; the configured weights otherwise). */
  weights: Record<string, number>;
  allocatedAt: number | null;
};

const MODE_TEXT = {
  fixed: "Fixed weights: each variant gets the share its weight says.",
  epsilon_greedy:
    "Automatic, epsilon-greedy: most readers get the variant earning most per impression, a share keeps exploring the others.",
  thompson:
    "Automatic, Thompson sampling: each variant gets the share of readers equal to its chance of earning most per impression.",
} as const;

/** `/admin/variants`: each variant's impressions, conversion and revenue per thousand impressions, and who leads. */
export function variantsPage(v: VariantsView): string {
  const { site, figures } = v;
  const cur = figures.currency;
  const total = Object.values(v.weights).reduce((a, b) => a + b, 0) || 1;
  const control = site.allocation.control ?? site.variants[0]?.id;
  const rpm = (x: number) => (cur ? money(Math.round(x), cur) : "—");
  const rows = figures.variants.map((s) => {
    const share = (v.weights[s.id] ?? 0) / total;
    const lead = figures.leader?.id === s.id;
    return html`<tr data-variant="${s.id}"${lead ? html` class="leader"` : ""}>
<th scope="row">${s.id}${s.id === control && site.allocation.mode !== "fixed" ? html` <span class="status">control</span>` : ""}${lead ? html` <span class="status active">leading</span>` : ""}</th>
<td data-figure="impressions">${count(s.impressions)}</td>
<td data-figure="conversions">${count(s.conversions)}<span class="rate">${percent(s.conversions, s.impressions)}</span></td>
<td data-figure="revenue">${cur ? money(s.revenue, cur) : "—"}</td>
<td data-figure="rpm">${s.rpm ? html`${rpm(s.rpm.rpm)}<span class="rate">${rpm(s.rpm.low)} – ${rpm(s.rpm.high)}</span>` : "—"}</td>
<td data-figure="chance">${percent(s.chanceOfBest, 1)}</td>
<td data-figure="share">${percent(share, 1)}</td>
</tr>`;
  });
  const leader = figures.leader
    ? figures.leader.clear
      ? html`<p class="notice" role="status" data-leader="${figures.leader.id}"><strong>${figures.leader.id}</strong> leads: it earns most per impression with a chance of at least 95%.</p>`
      : html`<p class="note" data-leader="${figures.leader.id}"><strong>${figures.leader.id}</strong> is ahead, but not clearly yet (its chance of being best is below 95%): keep it running.</p>`
    : figures.variants.some((s) => s.revenue > 0)
      ? html`<p class="note">Gifts are in, but no impressions are counted yet: revenue per impression needs the ask's counters.</p>`
      : html`<p class="note">No variant has earned anything in this window yet.</p>`;
  const leftOut = figures.leftOut;
  const notes = [
    leftOut.otherCurrencies
      ? `${count(leftOut.otherCurrencies)} ${leftOut.otherCurrencies === 1 ? "pledge" : "pledges"} settled in another currency ${leftOut.otherCurrencies === 1 ? "is" : "are"} left out (money is never added across currencies).`
      : "",
    leftOut.unsettled
      ? `${count(leftOut.unsettled)} ${leftOut.unsettled === 1 ? "payment is" : "payments are"} not settled by Stripe yet and not counted until ${leftOut.unsettled === 1 ? "it is" : "they are"}.`
      : "",
  ].filter(Boolean);
  const body = html`<h1>Variants of ${site.name}</h1>
<p class="lede">The last ${site.allocation.windowDays} days. ${MODE_TEXT[site.allocation.mode]}${site.allocation.mode !== "fixed" ? ` ${control} always keeps ${site.allocation.controlShare}% of readers (the control).` : ""} ${v.allocatedAt ? `Shares computed ${dateTime(v.allocatedAt)}.` : ""}</p>
${
  site.variants.length === 0
    ? html`<p class="empty">This site has no variants. Add some in <a href="/admin/settings?${new URLSearchParams({ site: site.id })}#s-variants">Settings</a>.</p>`
    : html`${leader}
<div class="scroll"><table class="variants"><caption>Per variant${cur ? `, money in ${cur}` : ""}</caption>
<thead><tr><th scope="col">Variant</th><th scope="col">Impressions</th><th scope="col">Paid (conversion)</th><th scope="col">Revenue</th><th scope="col">Per 1,000 impressions (95% interval)</th><th scope="col">Chance of being best</th><th scope="col">Readers now</th></tr></thead>
<tbody>${rows}</tbody></table></div>
<div class="legend"><dl>
<dt>Revenue</dt><dd>What the variant's pledges paid in the window, as it reached your Stripe balance in ${cur ?? "your settlement currency"} (Stripe's balance transactions, converted at Stripe's rate when a reader paid in another currency).</dd>
<dt>Per 1,000 impressions</dt><dd>Revenue ÷ impressions × 1,000. The interval is ±1.96 standard errors of that mean, each impression counted as what its pledge paid or nothing: about 95% sure the true figure lies inside, wide until there are dozens of gifts.</dd>
<dt>Chance of being best</dt><dd>How often the variant earns most per impression in 4,000 draws from each one's plausible conversion rate and mean gift (what Thompson sampling allocates by).</dd>
</dl></div>
${notes.length ? html`<ul class="muted">${notes.map((n) => html`<li>${n}</li>`)}</ul>` : ""}`
}`;
  return staffPage({
    title: `Variants — ${site.name} — Reader Support staff`,
    header: staffTopBar({
      site: site.id,
      current: "variants",
      staff: v.staff,
      role: v.role,
      accessLogout: v.accessLogout,
    }),
    body,
  });
}
