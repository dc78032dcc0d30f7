import { Hono } from "hono";
import { parseRange } from "../core/summary";
import { moneySummary, recurringSummary } from "../db/summary-queries";
import type { AppContext } from "../env";
import { jsonError } from "../http/errors";
import { findSite } from "../sites";
import { requireStaffToken } from "./auth";

/** Staff JSON under /admin/api (authentication required on every route). */
export const adminApi = new Hono<AppContext>().use("*", requireStaffToken).get("/summary", async (c) => {
  const site = findSite(c.req.query("site"));
  if (!site) return jsonError(c, 404, "unknown_site", "No site has this id.", "site");
  const range = parseRange(c.req.query("from"), c.req.query("to"));
  if (!range) return jsonError(c, 400, "invalid_range", "from and to must be dates (YYYY-MM-DD), from before to.");
  const [currencies, recurring] = await Promise.all([
    moneySummary(c.env.DB, site.id, range),
    recurringSummary(c.env.DB, site.id),
  ]);
  c.header("Cache-Control", "no-store");
  return c.json({
    site: site.id,
    from: c.req.query("from") ?? null,
    to: c.req.query("to") ?? null,
    currencies,
    recurring,
  });
});
