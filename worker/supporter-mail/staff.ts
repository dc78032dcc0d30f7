import { Hono, type MiddlewareHandler } from "hono";
import { html } from "hono/html";
import { secureHeaders } from "hono/secure-headers";
import { LANGUAGES, type Language } from "../core/languages";
import type { SiteConfig } from "../core/site-config";
import { database } from "../platform/db";
import { configuredOrigin } from "../platform/env";
import type { Html } from "../platform/html";
import { MAIL_KINDS } from "../platform/mail/message";
import { allSites, findSite } from "../platform/sites";
import type { AdminEnv, Staff } from "../staff/auth";
import { staffFramingHeaders } from "../staff/headers";
import { runAt } from "../staff/now";
import { count, money, staffPage } from "../staff/render/html";
import { refuseUnless } from "../staff/roles";
import type { RenderedMail } from "./email";
import { previewMail } from "./previews";
import { sendRenewalNotices } from "./renewals";
import { RECOVERY_CAMPAIGN } from "./rules";
import { KIND_INFO, PREVIEW_KINDS, type PreviewKind } from "./samples";
import { linkCounts, mailCounts, recoveredCheckouts } from "./store";

/**
 * `/admin/emails` inside the staff app (behind its one guard): per kind of email, how many went
 * and failed, and what followed (cards updated, payments recovered, checkouts completed from a
 * recovery email); and a preview of every template with sample data, in each language, HTML and
 * text. The HTML preview is its own document (`/admin/emails/preview`), framed by the page in a
 * sandbox: emails need inline styles, which no other staff page allows.
 */

/** How far back the counts look: the outbox keeps 30 days. */
const WINDOWS = [7, 30] as const;
const DAY = 86_400_000;

/** The page's headers: the staff CSP, plus frames from our own preview. */
const pageHeaders = staffFramingHeaders;

/** The HTML preview's headers: an email's inline styles, nothing else, framed only by our page. */
const previewHeaders = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'none'"],
    styleSrc: ["'unsafe-inline'"],
    imgSrc: ["data:"],
    formAction: ["'none'"],
    frameAncestors: ["'self'"],
    baseUri: ["'none'"],
  },
  xFrameOptions: "SAMEORIGIN",
  referrerPolicy: "same-origin",
});

/** The security headers of the emails page and its preview, in place of the staff app's; null for other paths. */
export function emailsPageHeaders(path: string): MiddlewareHandler | null {
  if (path === "/admin/emails/preview") return previewHeaders;
  if (path === "/admin/emails" || path === "/admin/emails/") return pageHeaders;
  return null;
}

const isPreviewKind = (kind: string | undefined): kind is PreviewKind =>
  (PREVIEW_KINDS as readonly string[]).includes(kind ?? "");
const isLanguage = (lang: string | undefined): lang is Language =>
  (LANGUAGES as readonly string[]).includes(lang ?? "");

export const emailsStaff = new Hono<AdminEnv>()
  .get("/", async (c) => {
    const site = findSite(c.req.query("site")) ?? allSites()[0];
    if (!site) return c.text("No sites are configured.", 500);
    const days = Number(c.req.query("days")) === 7 ? 7 : 30;
    const kind = isPreviewKind(c.req.query("kind")) ? (c.req.query("kind") as PreviewKind) : "receipt";
    const lang = isLanguage(c.req.query("lang")) ? (c.req.query("lang") as Language) : site.defaultLanguage;
    const to = Date.now();
    const from = to - days * DAY;
    const db = database(c.env.DB);
    const [counts, links, recovered] = await Promise.all([
      mailCounts(db, site.id, from, to),
      linkCounts(db, site.id, from, to),
      recoveredCheckouts(db, site.id, RECOVERY_CAMPAIGN, from, to),
    ]);
    const origin = configuredOrigin(c.env) ?? "https://support.example.org";
    return c.html(
      emailsPage({
        site,
        days,
        staff: c.var.staff,
        counts,
        links,
        recovered,
        selected: { kind, lang, mail: previewMail(site, kind, lang, origin) },
      }),
    );
  })
  // Sends the renewal notices due now, as the 15-minute Cron Trigger does (JSON). In development `?now=` tries the future.
  .post("/renewal-notices", async (c) => {
    const refused = await refuseUnless(c, null, "editor", "sending renewal notices");
    if (refused) return refused;
    const at = runAt(c);
    if ("refused" in at) return at.refused;
    const now = at.now;
    return c.json({ now: new Date(now).toISOString(), ...(await sendRenewalNotices(c.env, now)) });
  })
  .get("/preview", (c) => {
    const site = findSite(c.req.query("site")) ?? allSites()[0];
    const kind = c.req.query("kind");
    const lang = c.req.query("lang");
    if (!site || !isPreviewKind(kind) || !isLanguage(lang)) return c.text("Unknown site, kind or language.", 400);
    return c.html(previewMail(site, kind, lang, configuredOrigin(c.env) ?? "https://support.example.org").html);
  });

/** What the page shows; rendering is pure. */
export type EmailsView = {
  site: SiteConfig;
  days: number;
  staff: Staff;
  counts: { kind: string; status: string; n: number }[];
  links: { kind: string; used: number; completed: number }[];
  recovered: { currency: string; pledges: number; gross: number }[];
  selected: { kind: PreviewKind; lang: Language; mail: RenderedMail };
};

const plural = (n: number, one: string, many: string) => (n === 1 ? one : many);

const query = (params: Record<string, string | number>) =>
  new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)])).toString();

/** The staff page. Pure. */
export function emailsPage(view: EmailsView): string {
  const { site, days, selected } = view;
  const n = (kind: string, status: string) =>
    view.counts.filter((r) => r.kind === kind && r.status === status).reduce((sum, r) => sum + r.n, 0);
  const link = (kind: string) => view.links.find((l) => l.kind === kind) ?? { used: 0, completed: 0 };
  const card = link("card_update");
  const give = link("checkout_recovery");
  const paidFromRecovery = view.recovered.reduce((sum, r) => sum + r.pledges, 0);
  const recovered = n("payment_recovered", "sent");
  const followed: Record<string, Html | string> = {
    payment_failed: html`<span data-figure="cards-updated">${count(card.completed)}</span> ${plural(card.completed, "card", "cards")} updated through the emails' links (${count(card.used)} ${plural(card.used, "link", "links")} opened), first and second email together`,
    payment_recovered: html`<span data-figure="payments-recovered">${count(recovered)}</span> ${plural(recovered, "payment", "payments")} recovered after failed tries`,
    checkout_recovery: html`<span data-figure="recovered-checkouts">${count(paidFromRecovery)}</span> ${plural(paidFromRecovery, "checkout", "checkouts")} completed from a recovery email${
      view.recovered.length
        ? html` (${view.recovered.map((r, i) => html`${i ? ", " : ""}${money(r.gross, r.currency)}`)})`
        : ""
    }; links used ${count(give.used)} ${plural(give.used, "time", "times")}`,
  };
  const rows = MAIL_KINDS.map(
    (kind) =>
      html`<tr data-kind="${kind}"><th scope="row" class="l">${KIND_INFO[kind]?.label ?? kind}<span class="rate">${KIND_INFO[kind]?.cause ?? ""}</span></th><td data-figure="sent">${count(n(kind, "sent"))}</td><td data-figure="failed">${count(n(kind, "failed"))}</td><td class="l">${followed[kind] ?? ""}</td></tr>`,
  );
  const windows = WINDOWS.map(
    (d) =>
      html`<li><a href="/admin/emails?${query({ site: site.id, days: d, kind: selected.kind, lang: selected.lang })}"${d === days ? html` aria-current="page"` : ""}>Last ${d} days</a></li>`,
  );
  const siteOptions = allSites().map(
    (s) => html`<option value="${s.id}"${s.id === site.id ? html` selected` : ""}>${s.name}</option>`,
  );
  const previews = PREVIEW_KINDS.map(
    (kind) =>
      html`<li>${KIND_INFO[kind]?.label ?? kind}: ${LANGUAGES.map(
        (lang, i) =>
          html`${i ? " · " : ""}<a href="/admin/emails?${query({ site: site.id, days, kind, lang })}#preview"${kind === selected.kind && lang === selected.lang ? html` aria-current="page"` : ""}>${lang}</a>`,
      )}</li>`,
  );
  const frame = `/admin/emails/preview?${query({ site: site.id, kind: selected.kind, lang: selected.lang })}`;
  const who =
    view.staff.via === "access" ? html`Signed in as <strong>${view.staff.email ?? "staff"}</strong>` : "Signed in";
  return staffPage({
    title: `Emails — ${site.name}`,
    header: html`<header class="top"><div class="in">
<a class="brand" href="/admin?${query({ site: site.id })}">Reader Support · Staff</a>
<span class="who">${who}</span><a class="btn quiet" href="/admin?${query({ site: site.id })}">Dashboard</a>
</div></header>`,
    body: html`<h1>Emails readers receive</h1>
<p class="lede">What the worker sent for ${site.name} and what followed. Counts come from the outbox, which keeps 30 days; a failed email was not delivered (the transport refused it, or none is configured).</p>
<section class="filters" aria-label="Site and period">
<form method="get" action="/admin/emails" class="custom">
<input type="hidden" name="days" value="${days}">
<div class="field"><label for="site">Site</label><select id="site" name="site">${siteOptions}</select></div>
<button class="quiet" type="submit">Show site</button>
</form>
<nav aria-label="Period"><ul class="presets">${windows}</ul></nav>
</section>
<h2 id="counts">Sent, failed and what followed, last ${days} days</h2>
<div class="scroll" tabindex="0" role="region" aria-labelledby="counts"><table>
<thead><tr><th scope="col" class="l">Email</th><th scope="col">Sent</th><th scope="col">Failed</th><th scope="col" class="l">What followed</th></tr></thead>
<tbody>${rows}</tbody></table></div>
<h2 id="preview">Templates</h2>
<p class="lede">Every email with sample data, in each language: the HTML part as mail apps show it, and the plain-text part. The words come from the code; the sender, reply-to, legal name, address, note and what gifts support come from this site's <code>emails</code> settings.</p>
<nav aria-label="Templates"><ul>${previews}</ul></nav>
<h3>${KIND_INFO[selected.kind]?.label ?? selected.kind} (${selected.lang})</h3>
<dl class="figs"><dt>Subject</dt><dd data-figure="subject">${selected.mail.subject}</dd>
${Object.entries(selected.mail.headers).map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>
<iframe class="mail" title="The HTML part" sandbox src="${frame}"></iframe>
<h3>Plain text</h3>
<pre class="mail" data-figure="text">${selected.mail.text}</pre>`,
  });
}
