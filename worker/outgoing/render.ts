import { html } from "hono/html";
import { OUTGOING_EVENT_TEXT, OUTGOING_EVENTS } from "../core/outgoing";
import type { Staff } from "../staff/auth";
import { count, dateTime, staffPage } from "../staff/render/html";
import { staffTopBar } from "../staff/render/nav";
import type { Role } from "../staff/roles";
import type { DeliveryRow, EndpointRow } from "./store";

/** The outgoing webhooks' staff pages: endpoints, deliveries and one delivery's attempts. Pure renderers. */

export type Chrome = { site: { id: string; name: string }; staff: Staff; role: Role; accessLogout: boolean };

const q = (params: Record<string, string>) => new URLSearchParams(params).toString();

function page(chrome: Chrome, title: string, body: ReturnType<typeof html>): string {
  return staffPage({
    title: `${title} — ${chrome.site.name} — Reader Support staff`,
    header: staffTopBar({
      site: chrome.site.id,
      current: "webhooks",
      staff: chrome.staff,
      role: chrome.role,
      accessLogout: chrome.accessLogout,
    }),
    body,
  });
}

const statusBadge = (status: string) =>
  html`<span class="status ${status === "succeeded" ? "active" : status === "failed" ? "failed" : ""}">${status}</span>`;

export type WebhooksView = Chrome & {
  endpoints: (EndpointRow & { counts: Record<string, number> })[];
  deliveries: {
    id: string;
    url: string | null;
    type: string;
    status: string;
    attempts: number;
    nextAttemptAt: number | null;
    lastStatus: number | null;
    lastError: string | null;
    createdAt: number;
  }[];
  canManage: boolean;
  /** Shown once, right after an endpoint was created or its secret rolled. */
  secret?: { url: string; secret: string };
  form?: { url: string; description: string; events: string[]; errors: Record<string, string> };
  notice?: string;
};

/** `/admin/webhooks`: where the site's events go, what was delivered, and (owners) adding endpoints. */
export function webhooksPage(v: WebhooksView): string {
  const site = v.site.id;
  const action = (path: string) => `${path}?${q({ site })}`;
  const endpointRows = v.endpoints.map((e) => {
    const events = JSON.parse(e.events) as string[];
    const manage = v.canManage
      ? html`<form method="post" action="${action(`/admin/webhooks/${e.id}/${e.status === "active" ? "disable" : "enable"}`)}" class="inline"><button class="quiet" type="submit">${e.status === "active" ? "Disable" : "Enable"}</button></form>
<form method="post" action="${action(`/admin/webhooks/${e.id}/roll-secret`)}" class="inline"><button class="quiet" type="submit">New secret</button></form>
<form method="post" action="${action(`/admin/webhooks/${e.id}/delete`)}" class="inline"><button class="quiet" type="submit">Delete</button></form>`
      : "";
    return html`<tr data-endpoint="${e.id}"><td class="l"><code>${e.url}</code>${e.description ? html`<span class="rate">${e.description}</span>` : ""}</td><td class="l">${events.join(", ")}</td><td>${statusBadge(e.status)}</td><td>${count(e.counts.succeeded ?? 0)}</td><td>${count(e.counts.failed ?? 0)}</td><td>${count((e.counts.pending ?? 0) + (e.counts.delivering ?? 0))}</td><td class="l">${manage}</td></tr>`;
  });
  const deliveryRows = v.deliveries.map(
    (d) =>
      html`<tr data-delivery="${d.id}"><td>${dateTime(d.createdAt)}</td><td class="l"><a href="/admin/webhooks/deliveries/${d.id}?${q({ site })}">${d.type}</a></td><td class="l"><code>${d.url ?? "(deleted)"}</code></td><td>${statusBadge(d.status)}</td><td>${d.attempts}</td><td class="l">${d.lastStatus ?? ""} ${d.lastError ?? ""}</td><td>${d.status === "pending" && d.nextAttemptAt ? dateTime(d.nextAttemptAt) : ""}</td></tr>`,
  );
  const f = v.form;
  const err = (field: string) =>
    f?.errors[field] ? html`<span class="field-error" id="wh-${field}-err">${f.errors[field]}</span>` : "";
  const chosen = new Set(f?.events ?? OUTGOING_EVENTS);
  const addForm = v.canManage
    ? html`<h2 id="add">Add an endpoint</h2>
<form method="post" action="${action("/admin/webhooks")}" class="settings">
<div class="group"><div class="fields">
<div class="field wide${f?.errors.url ? " invalid" : ""}"><label for="wh-url">Address</label><input id="wh-url" name="url" type="url" value="${f?.url ?? ""}" placeholder="https://crm.example.org/hooks/reader-support"${f?.errors.url ? html` aria-invalid="true" aria-describedby="wh-url-err"` : ""}>${err("url")}</div>
<div class="field wide"><label for="wh-description">What it is for</label><input id="wh-description" name="description" type="text" value="${f?.description ?? ""}" placeholder="Mailchimp: supporters audience">${err("description")}</div>
<fieldset class="field wide multi${f?.errors.events ? " invalid" : ""}"><legend>Events</legend>${OUTGOING_EVENTS.map(
        (e) =>
          html`<label class="chip"><input type="checkbox" name="events" value="${e}"${chosen.has(e) ? html` checked` : ""}> <code>${e}</code></label><span class="hint">${OUTGOING_EVENT_TEXT[e]}</span>`,
      )}${err("events")}</fieldset>
</div><div class="actions"><button type="submit">Add the endpoint</button></div></div>
</form>`
    : html`<p class="muted">Only an owner of the site adds, disables or deletes endpoints.</p>`;
  const secret = v.secret
    ? html`<div class="notice" role="status" data-secret><p><strong>Signing secret for <code>${v.secret.url}</code>:</strong></p><p><code class="secret">${v.secret.secret}</code></p><p>Copy it now into the receiving end: it is not shown again. (A new secret can be made at any time.)</p></div>`
    : "";
  const body = html`<h1>Webhooks of ${v.site.name}</h1>
<p class="lede">Your own tools (a CRM, Mailchimp, a spreadsheet) can receive the site's events as they happen: a JSON <code>POST</code> signed with the endpoint's secret in <code>Reader-Support-Signature: t=…,v1=…</code> (HMAC-SHA256 of <code>t.body</code>, like Stripe's). An answer other than 2xx within 10 seconds is tried again after 1, 5 and 30 minutes, then 2, 6, 12 and 24 hours. They carry supporters' email addresses: send them only where you would keep those.</p>
${v.notice ? html`<p class="notice" role="status">${v.notice}</p>` : ""}${secret}
<h2 id="endpoints">Endpoints</h2>
${
  endpointRows.length
    ? html`<div class="scroll"><table><caption>Deliveries in the last 7 days</caption><thead><tr><th scope="col" class="l">Address</th><th scope="col" class="l">Events</th><th scope="col">Status</th><th scope="col">Delivered</th><th scope="col">Failed</th><th scope="col">Waiting</th><th scope="col"><span class="sr">Actions</span></th></tr></thead><tbody>${endpointRows}</tbody></table></div>`
    : html`<p class="empty">No endpoint yet.</p>`
}
${addForm}
<h2 id="deliveries">Recent deliveries</h2>
${
  deliveryRows.length
    ? html`<div class="scroll"><table><thead><tr><th scope="col">Queued</th><th scope="col" class="l">Event</th><th scope="col" class="l">To</th><th scope="col">Status</th><th scope="col">Attempts</th><th scope="col" class="l">Last answer</th><th scope="col">Next try</th></tr></thead><tbody>${deliveryRows}</tbody></table></div>`
    : html`<p class="empty">Nothing delivered yet.</p>`
}`;
  return page(v, "Webhooks", body);
}

export type DeliveryView = Chrome & {
  delivery: DeliveryRow;
  endpoint: EndpointRow | undefined;
  attempts: {
    n: number;
    at: number;
    trigger: string;
    status: number | null;
    body: string | null;
    error: string | null;
    durationMs: number;
  }[];
  canReplay: boolean;
  notice?: string;
};

const pretty = (json: string) => {
  try {
    return JSON.stringify(JSON.parse(json), null, 2);
  } catch {
    return json;
  }
};

/** One delivery: what was sent, every attempt with the receiver's answer, and Replay. */
export function deliveryPage(v: DeliveryView): string {
  const d = v.delivery;
  const site = v.site.id;
  const rows = v.attempts.map(
    (a) =>
      html`<tr><td>${a.n}</td><td>${dateTime(a.at)}</td><td class="l">${a.trigger}</td><td>${a.status ?? "—"}</td><td>${a.durationMs} ms</td><td class="l">${a.error ? html`<span class="field-error">${a.error}</span>` : ""}${a.body ? html`<pre class="mail">${a.body}</pre>` : ""}</td></tr>`,
  );
  const replay = v.canReplay
    ? html`<form method="post" action="/admin/webhooks/deliveries/${d.id}/replay?${q({ site })}" class="inline"><button type="submit" data-action="replay">Replay now</button></form>`
    : "";
  const body = html`<h1>Delivery of <code>${d.type}</code></h1>
${v.notice ? html`<p class="notice" role="status">${v.notice}</p>` : ""}
<dl class="figs"><dt>To</dt><dd><code>${v.endpoint?.url ?? "(endpoint deleted)"}</code></dd><dt>Event id</dt><dd><code>${d.eventId}</code></dd><dt>Status</dt><dd data-status="${d.status}">${statusBadge(d.status)}</dd><dt>Attempts</dt><dd>${d.attempts}</dd>${d.status === "pending" && d.nextAttemptAt ? html`<dt>Next try</dt><dd>${dateTime(d.nextAttemptAt)}</dd>` : ""}</dl>
<div class="actions">${replay}<a class="btn quiet" href="/admin/webhooks?${q({ site })}#deliveries">All deliveries</a></div>
<h2>Attempts</h2>
${rows.length ? html`<div class="scroll"><table><thead><tr><th scope="col">#</th><th scope="col">When</th><th scope="col" class="l">Why</th><th scope="col">Answer</th><th scope="col">Took</th><th scope="col" class="l">Body or problem</th></tr></thead><tbody>${rows}</tbody></table></div>` : html`<p class="empty">Not tried yet.</p>`}
<h2>What was sent</h2>
<pre class="mail">${pretty(d.payload)}</pre>`;
  return page(v, "Delivery", body);
}
