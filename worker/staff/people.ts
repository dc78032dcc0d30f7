import { type Context, Hono } from "hono";
import { html } from "hono/html";
import { z } from "zod";
import { database } from "../platform/db";
import type { Html } from "../platform/html";
import { jsonBody, jsonError, readJson } from "../platform/http";
import { findSite } from "../platform/sites";
import { type AdminEnv, accessConfigured, sameSiteOnly } from "./auth";
import { dateTime, staffPage } from "./render/html";
import { staffTopBar } from "./render/nav";
import { actorOf, bootstrapOwners, isRole, ROLES, type Role, refuseUnless } from "./roles";
import { auditEntries, removeRole, rolesOfSite, setRole } from "./store";

/**
 * `/admin/staff` and `/admin/api/roles`, `/admin/api/audit`: owners give and take the viewer,
 * editor and owner roles of a site (by the email Cloudflare Access signs in with) and read the
 * audit log. Everyone else gets a 403 that says why.
 */

const MANAGE = "managing roles and reading the audit log";
const emailSchema = z.email("use an email address like editor@example.org").max(254);

const unknownSite = (c: Context<AdminEnv>) => jsonError(c, 404, "unknown_site", "No site has this id.", "site");
const siteOf = (c: Context<AdminEnv>) => findSite(c.req.query("site"));

/** One line of the audit log, in words. */
export function auditText(action: string, detail: Record<string, unknown>): string {
  const list = (v: unknown) =>
    Array.isArray(v) ? (v as string[]).slice(0, 8).join(", ") + (v.length > 8 ? ` and ${v.length - 8} more` : "") : "";
  switch (action) {
    case "settings.draft":
      return `saved a draft (${list(detail.changes) || "no change"})`;
    case "settings.publish":
      return `published version ${detail.version} (${list(detail.changes) || "no change"})`;
    case "settings.rollback":
      return `restored ${detail.restoredFrom === 0 ? "the sites file" : `version ${detail.restoredFrom}`} as version ${detail.version}`;
    case "settings.discard":
      return "discarded the draft";
    case "roles.set":
      return `gave ${detail.email} the role ${detail.role}`;
    case "roles.remove":
      return `took the role of ${detail.email} away`;
    case "export.payments_csv":
      return `exported payments (${detail.from ?? "start"} to ${detail.to ?? "now"})`;
    case "webhooks.create":
      return `registered the webhook ${detail.url}`;
    case "webhooks.update":
      return `changed the webhook ${detail.url}`;
    case "webhooks.delete":
      return `deleted the webhook ${detail.url}`;
    case "webhooks.roll_secret":
      return `rolled the secret of the webhook ${detail.url}`;
    case "webhooks.replay":
      return `replayed delivery ${detail.delivery} (${detail.type}) to ${detail.url}`;
    default:
      return action;
  }
}

type PeopleView = {
  site: { id: string; name: string };
  role: Role;
  c: Context<AdminEnv>;
  error?: { field: string; message: string; email: string; role: string };
  notice?: string;
};

async function peoplePage(v: PeopleView): Promise<string> {
  const db = database(v.c.env.DB);
  const [roles, audit] = await Promise.all([rolesOfSite(db, v.site.id), auditEntries(db, v.site.id, 100)]);
  const owners = [...bootstrapOwners(v.c.env)];
  const site = v.site.id;
  const action = (path: string) => `${path}?${new URLSearchParams({ site })}`;
  const roleSelect = (name: string, id: string, current: string) =>
    html`<select id="${id}" name="${name}">${ROLES.map((r) => html`<option value="${r}"${r === current ? html` selected` : ""}>${r}</option>`)}</select>`;
  const rows: Html[] = roles.map(
    (r, i) =>
      html`<tr data-email="${r.email}"><td class="l">${r.email}</td><td class="l"><form method="post" action="${action("/admin/staff/roles")}" class="inline"><input type="hidden" name="email" value="${r.email}"><label class="sr" for="role-${i}">Role of ${r.email}</label>${roleSelect("role", `role-${i}`, r.role)} <button class="quiet" type="submit">Change</button></form></td><td class="l">${r.updatedBy}, ${dateTime(r.updatedAt)}</td><td><form method="post" action="${action("/admin/staff/roles/remove")}" class="inline"><input type="hidden" name="email" value="${r.email}"><button class="quiet" type="submit">Remove</button></form></td></tr>`,
  );
  const ownerRows = owners.map(
    (email) =>
      html`<tr><td class="l">${email}</td><td class="l">owner</td><td class="l">STAFF_OWNERS (wrangler.toml)</td><td></td></tr>`,
  );
  const e = v.error;
  const err = (field: string) =>
    e?.field === field ? html`<span class="field-error" id="add-${field}-err">${e.message}</span>` : "";
  const auditRows = audit.map((a) => {
    const detail = JSON.parse(a.detail) as Record<string, unknown>;
    return html`<tr><td>${dateTime(a.at)}</td><td class="l">${a.actor}</td><td class="l"><code>${a.action}</code></td><td class="l">${auditText(a.action, detail)}</td></tr>`;
  });
  const body = html`<h1>Staff and audit of ${v.site.name}</h1>
<p class="lede">Who may do what on this site. Viewers read everything; editors also change, publish and roll back the settings; owners also manage roles and webhooks and read this log. ${accessConfigured(v.c.env) ? "People sign in with Cloudflare Access; anyone Access lets in without a role here is a viewer." : "Roles apply to people who sign in with Cloudflare Access (ACCESS_TEAM_DOMAIN, ACCESS_AUD); the staff token is an owner."}</p>
${v.notice ? html`<p class="notice" role="status">${v.notice}</p>` : ""}
<h2 id="roles">Roles</h2>
<div class="scroll"><table><caption>People with a role on ${v.site.name}</caption>
<thead><tr><th scope="col" class="l">Email</th><th scope="col" class="l">Role</th><th scope="col" class="l">Given by</th><th scope="col"><span class="sr">Remove</span></th></tr></thead>
<tbody>${ownerRows}${rows.length || ownerRows.length ? rows : html`<tr><td colspan="4" class="l muted">Nobody has a role yet.</td></tr>`}</tbody></table></div>
<form method="post" action="${action("/admin/staff/roles")}" class="filters" aria-label="Give a role">
<div class="field${e?.field === "email" ? " invalid" : ""}"><label for="add-email">Email</label><input id="add-email" name="email" type="email" value="${e?.email ?? ""}"${e?.field === "email" ? html` aria-invalid="true" aria-describedby="add-email-err"` : ""}>${err("email")}</div>
<div class="field"><label for="add-role">Role</label>${roleSelect("role", "add-role", e?.role ?? "editor")}${err("role")}</div>
<button type="submit">Give the role</button>
</form>
<h2 id="audit">Audit log</h2>
<p class="muted">Every change of settings, roles and webhooks, and every export, newest first (the latest 100; <code>GET /admin/api/audit?site=${site}</code> pages further).</p>
<div class="scroll"><table><thead><tr><th scope="col">When</th><th scope="col" class="l">Who</th><th scope="col" class="l">Action</th><th scope="col" class="l">What</th></tr></thead>
<tbody>${auditRows.length ? auditRows : html`<tr><td colspan="4" class="l muted">Nothing yet.</td></tr>`}</tbody></table></div>`;
  return staffPage({
    title: `Staff and audit — ${v.site.name} — Reader Support staff`,
    header: staffTopBar({
      site,
      current: "staff",
      staff: v.c.var.staff,
      role: v.role,
      accessLogout: accessConfigured(v.c.env),
    }),
    body,
  });
}

/** Checks a role change; the error names its field. */
function parseRoleChange(input: {
  email?: unknown;
  role?: unknown;
}): { email: string; role: Role } | { error: { field: string; message: string } } {
  const email = emailSchema.safeParse(typeof input.email === "string" ? input.email.trim().toLowerCase() : input.email);
  if (!email.success) return { error: { field: "email", message: "use an email address like editor@example.org" } };
  if (!isRole(input.role)) return { error: { field: "role", message: `must be one of ${ROLES.join(", ")}` } };
  return { email: email.data, role: input.role };
}

/** Gives `change.email` the role on `site`, with its audit entry in the same batch. */
async function saveRole(c: Context<AdminEnv>, site: string, change: { email: string; role: Role }) {
  const at = Date.now();
  const by = actorOf(c.var.staff);
  await setRole(
    database(c.env.DB),
    { site, ...change, at, by },
    { at, site, actor: by, action: "roles.set", detail: change },
  );
}

export const peoplePages = new Hono<AdminEnv>()
  .get("/", async (c) => {
    const site = siteOf(c);
    if (!site) return unknownSite(c);
    const refused = await refuseUnless(c, site.id, "owner", MANAGE);
    if (refused) return refused;
    const notice = c.req.query("notice");
    return c.html(await peoplePage({ site, role: "owner", c, ...(notice ? { notice } : {}) }));
  })
  .post("/roles", sameSiteOnly, async (c) => {
    const site = siteOf(c);
    if (!site) return unknownSite(c);
    const refused = await refuseUnless(c, site.id, "owner", MANAGE);
    if (refused) return refused;
    const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    const change = parseRoleChange(form);
    if ("error" in change)
      return c.html(
        await peoplePage({
          site,
          role: "owner",
          c,
          error: { ...change.error, email: String(form.email ?? ""), role: String(form.role ?? "") },
        }),
        400,
      );
    await saveRole(c, site.id, change);
    return c.redirect(
      `/admin/staff?${new URLSearchParams({ site: site.id, notice: `${change.email} is now ${change.role}.` })}`,
      303,
    );
  })
  .post("/roles/remove", sameSiteOnly, async (c) => {
    const site = siteOf(c);
    if (!site) return unknownSite(c);
    const refused = await refuseUnless(c, site.id, "owner", MANAGE);
    if (refused) return refused;
    const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    const email = typeof form.email === "string" ? form.email.toLowerCase() : "";
    const by = actorOf(c.var.staff);
    const now = Date.now();
    await removeRole(database(c.env.DB), site.id, email, {
      at: now,
      site: site.id,
      actor: by,
      action: "roles.remove",
      detail: { email },
    });
    return c.redirect(
      `/admin/staff?${new URLSearchParams({ site: site.id, notice: `${email} has no role any more.` })}`,
      303,
    );
  });

export const peopleApi = new Hono<AdminEnv>()
  // GET /admin/api/roles?site=: the roles of a site (owners).
  .get("/roles", async (c) => {
    const site = siteOf(c);
    if (!site) return unknownSite(c);
    const refused = await refuseUnless(c, site.id, "owner", MANAGE);
    if (refused) return refused;
    return c.json({
      site: site.id,
      roles: await rolesOfSite(database(c.env.DB), site.id),
      bootstrapOwners: [...bootstrapOwners(c.env)],
    });
  })
  // PUT /admin/api/roles?site= {"email","role"}: gives or changes a role (owners).
  .put("/roles", sameSiteOnly, jsonBody(2048), async (c) => {
    const site = siteOf(c);
    if (!site) return unknownSite(c);
    const refused = await refuseUnless(c, site.id, "owner", MANAGE);
    if (refused) return refused;
    const body = await readJson(c);
    if (!body.ok || typeof body.value !== "object" || body.value === null)
      return jsonError(c, 400, "invalid_json", 'The body must be JSON: {"email": "…", "role": "editor"}.');
    const change = parseRoleChange(body.value as Record<string, unknown>);
    if ("error" in change)
      return jsonError(c, 400, "invalid_role", `${change.error.field}: ${change.error.message}`, change.error.field);
    await saveRole(c, site.id, change);
    return c.json({ site: site.id, ...change });
  })
  // DELETE /admin/api/roles?site=&email=: takes a role away (owners).
  .delete("/roles", sameSiteOnly, async (c) => {
    const site = siteOf(c);
    if (!site) return unknownSite(c);
    const refused = await refuseUnless(c, site.id, "owner", MANAGE);
    if (refused) return refused;
    const email = (c.req.query("email") ?? "").toLowerCase();
    const by = actorOf(c.var.staff);
    const removed = await removeRole(database(c.env.DB), site.id, email, {
      at: Date.now(),
      site: site.id,
      actor: by,
      action: "roles.remove",
      detail: { email },
    });
    return removed ? c.body(null, 204) : jsonError(c, 404, "no_role", "That email has no role on this site.", "email");
  })
  // GET /admin/api/audit?site=[&before=<id>][&limit=]: the audit log, newest first (owners).
  .get("/audit", async (c) => {
    const site = siteOf(c);
    if (!site) return unknownSite(c);
    const refused = await refuseUnless(c, site.id, "owner", MANAGE);
    if (refused) return refused;
    const limit = Number(c.req.query("limit") ?? 100);
    const before = c.req.query("before") ? Number(c.req.query("before")) : undefined;
    if (!Number.isInteger(limit) || limit < 1 || limit > 500)
      return jsonError(c, 400, "invalid_limit", "limit must be a whole number from 1 to 500.", "limit");
    if (before !== undefined && !Number.isInteger(before))
      return jsonError(c, 400, "invalid_before", "before must be an entry id.", "before");
    const entries = await auditEntries(database(c.env.DB), site.id, limit, before);
    return c.json({
      site: site.id,
      entries: entries.map((e) => ({
        ...e,
        detail: JSON.parse(e.detail),
        text: auditText(e.action, JSON.parse(e.detail)),
      })),
    });
  });
