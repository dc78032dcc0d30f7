import { Hono } from "hono";
import { dashboardData, paymentsPage, staffSummary } from "../db/admin-queries";
import { jsonError } from "../http/errors";
import { findSite } from "../sites";
import type { AdminEnv } from "./auth";
import { csvStream } from "./csv";
import { dayBounds, msBounds, resolveRange } from "./range";

/** Rows per D1 read while streaming the CSV export. */
export const CSV_PAGE_SIZE = 1000;

/**
 * Staff JSON under /admin/api. Mounted inside the admin app (admin/routes.ts), whose
 * middleware has already refused anyone who is not staff.
 */
export const adminApi = new Hono<AdminEnv>()
  .use("*", async (c, next) => {
    await next();
    c.header("Cache-Control", "no-store");
  })
  // DESIGN.md: GET /admin/api/summary?site=ID[&from=YYYY-MM-DD&to=YYYY-MM-DD]
  .get("/summary", async (c) => {
    const site = findSite(c.req.query("site"));
    if (!site) return jsonError(c, 404, "unknown_site", "No site has this id.", "site");
    const range = resolveRange({ range: "custom", from: c.req.query("from"), to: c.req.query("to") }, Date.now());
    if (!range) return jsonError(c, 400, "invalid_range", "from and to must be dates (YYYY-MM-DD), from before to.");
    const { currencies, recurring } = await staffSummary(c.env.DB, site.id, dayBounds(range));
    return c.json({ site: site.id, from: range.from, to: range.to, currencies, recurring });
  })
  // Everything the dashboard shows, as JSON: ?site=&range=today|7d|30d|year|all|custom&from=&to=
  .get("/dashboard", async (c) => {
    const site = findSite(c.req.query("site"));
    if (!site) return jsonError(c, 404, "unknown_site", "No site has this id.", "site");
    const range = resolveRange(c.req.query(), Date.now());
    if (!range) return jsonError(c, 400, "invalid_range", "from and to must be dates (YYYY-MM-DD), from before to.");
    const data = await dashboardData(c.env.DB, site.id, dayBounds(range), msBounds(range));
    return c.json({ site: site.id, range, ...data });
  })
  // The range's payments as CSV, streamed page by page.
  .get("/payments.csv", (c) => {
    const site = findSite(c.req.query("site"));
    if (!site) return jsonError(c, 404, "unknown_site", "No site has this id.", "site");
    const range = resolveRange({ range: "custom", from: c.req.query("from"), to: c.req.query("to") }, Date.now());
    if (!range) return jsonError(c, 400, "invalid_range", "from and to must be dates (YYYY-MM-DD), from before to.");
    const ms = msBounds(range);
    const stream = csvStream((after) => paymentsPage(c.env.DB, site.id, ms, after, CSV_PAGE_SIZE));
    const name = `payments-${site.id}-${range.from ?? "start"}-to-${range.to ?? "now"}.csv`;
    return c.body(stream, 200, {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${name}"`,
      "X-Content-Type-Options": "nosniff",
    });
  });
