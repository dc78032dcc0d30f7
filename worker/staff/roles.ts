import type { Context } from "hono";
import { html } from "hono/html";
import { database } from "../platform/db";
import type { WorkerEnv } from "../platform/env";
import { jsonError } from "../platform/http";
import { allSites } from "../platform/sites";
import { type AdminEnv, type Staff, wantsJson } from "./auth";
import { staffPage } from "./render/html";
import { roleRow, rolesOfEmail } from "./store";

/**
 * Who may do what in /admin, per site:
 * - `viewer` reads everything (figures, settings and their preview, variants, deliveries);
 * - `editor` also edits, publishes and rolls back the site's settings, replays webhook
 *   deliveries and runs the staff actions that send or repair (reconcile, dispatch);
 * - `owner` also gives and takes roles, registers outgoing webhooks and reads the audit log.
 * The token sign-in (and its bearer token) is an owner. A Cloudflare Access identity is an owner
 * when its email is in STAFF_OWNERS, else it has the role an owner gave it on that site, else it
 * is a viewer: Access already decides who is staff at all.
 */
export const ROLES = ["viewer", "editor", "owner"] as const;
export type Role = (typeof ROLES)[number];

const RANK: Record<Role, number> = { viewer: 0, editor: 1, owner: 2 };
export const atLeast = (role: Role, needed: Role) => RANK[role] >= RANK[needed];
export const isRole = (value: unknown): value is Role => (ROLES as readonly unknown[]).includes(value);

/** The emails STAFF_OWNERS lists (comma- or space-separated), lower-cased. */
export const bootstrapOwners = (env: Pick<WorkerEnv, "STAFF_OWNERS">): Set<string> =>
  new Set(
    (env.STAFF_OWNERS ?? "")
      .toLowerCase()
      .split(/[\s,;]+/)
      .filter((e) => e.includes("@")),
  );

/** How the audit log and the versions name who did something. */
export const actorOf = (staff: Staff): string =>
  staff.via === "access" ? (staff.email?.toLowerCase() ?? "access service token") : "staff token";

/** The signed-in staff member's role on a site. */
export async function roleOn(env: WorkerEnv, staff: Staff, site: string): Promise<Role> {
  if (staff.via !== "access") return "owner";
  const email = staff.email?.toLowerCase();
  if (!email) return "viewer";
  if (bootstrapOwners(env).has(email)) return "owner";
  return (await roleRow(database(env.DB), site, email))?.role ?? "viewer";
}

/** The highest role the staff member holds on any site (for actions that are not about one site). */
export async function highestRole(env: WorkerEnv, staff: Staff): Promise<Role> {
  if (staff.via !== "access") return "owner";
  const email = staff.email?.toLowerCase();
  if (!email) return "viewer";
  if (bootstrapOwners(env).has(email)) return "owner";
  const known = new Set(allSites().map((s) => s.id));
  let best: Role = "viewer";
  for (const r of await rolesOfEmail(database(env.DB), email))
    if (known.has(r.site) && RANK[r.role] > RANK[best]) best = r.role;
  return best;
}

const needsText = (needed: Role) => (needed === "owner" ? "an owner" : "an editor or an owner");

/** The refusal for a role that is not enough: 403, JSON under /admin/api, a page otherwise. */
export function forbidden(c: Context<AdminEnv>, role: Role, needed: Role, what: string, site: string | null) {
  const where = site ? ` on ${site}` : "";
  const message = `Your role${where} is ${role}: ${what} needs ${needsText(needed)}. Ask an owner of the site to change your role.`;
  if (wantsJson(c.req.path)) return jsonError(c, 403, "forbidden", message);
  return c.html(
    staffPage({
      title: "Not allowed · Reader Support",
      header: html`<header class="top"><div class="in"><a class="brand" href="/admin">Reader Support · Staff</a></div></header>`,
      body: html`<h1>Not allowed</h1><p class="warn" role="alert" data-forbidden>${message}</p><p><a href="/admin${site ? `?site=${encodeURIComponent(site)}` : ""}">Back to the dashboard</a></p>`,
    }),
    403,
  );
}

/**
 * Null when the signed-in staff member has at least `needed` on `site` (null: any site);
 * otherwise the 403 to answer with.
 */
export async function refuseUnless(
  c: Context<AdminEnv>,
  site: string | null,
  needed: Role,
  what: string,
): Promise<Response | null> {
  const staff = c.var.staff;
  const role = site === null ? await highestRole(c.env, staff) : await roleOn(c.env, staff, site);
  return atLeast(role, needed) ? null : forbidden(c, role, needed, what, site);
}
