import { html } from "hono/html";
import type { Html } from "../../platform/html";
import type { Staff } from "../auth";

/** The staff pages a site has, in the top bar's order. */
const PAGES = [
  ["dashboard", "/admin", "Dashboard"],
  ["settings", "/admin/settings", "Settings"],
  ["variants", "/admin/variants", "Variants"],
  ["webhooks", "/admin/webhooks", "Webhooks"],
  ["emails", "/admin/emails", "Emails"],
  ["staff", "/admin/staff", "Staff and audit"],
] as const;
export type StaffPageName = (typeof PAGES)[number][0];

/** The top bar of the staff pages: the site's pages (the current one marked), who is signed in, sign-out. */
export function staffTopBar(opts: {
  site: string;
  current: StaffPageName;
  staff: Staff;
  role?: string;
  accessLogout: boolean;
}): Html {
  const links = PAGES.map(([name, path, label]) => {
    const href = `${path}?${new URLSearchParams({ site: opts.site })}`;
    return name === opts.current
      ? html`<a href="${href}" aria-current="page">${label}</a>`
      : html`<a href="${href}">${label}</a>`;
  });
  const who =
    opts.staff.via === "access"
      ? html`Signed in as <strong>${opts.staff.email ?? "staff"}</strong>`
      : "Signed in with the staff token";
  const role = opts.role ? html` · <span data-role="${opts.role}">${opts.role}</span>` : "";
  const out = opts.accessLogout
    ? html`<a class="btn quiet" href="/cdn-cgi/access/logout">Sign out</a>`
    : opts.staff.via === "session"
      ? html`<form class="inline" method="post" action="/admin/sign-out"><button class="quiet" type="submit">Sign out</button></form>`
      : "";
  return html`<header class="top"><div class="in">
<a class="brand" href="/admin?${new URLSearchParams({ site: opts.site })}">Reader Support · Staff</a>
<nav class="pages" aria-label="Staff pages">${links}</nav>
<span class="who">${who}${role}</span>${out}
</div></header>`;
}
