import { Hono } from "hono";
import { parseRange } from "../core/summary";
import type { AppContext } from "../env";
import { jsonError } from "../http/errors";
import { listOutbox } from "../mail/outbox";
import { dispatchDueReminders } from "../reminders/dispatch";
import { REMINDER_CAMPAIGN } from "../reminders/links";
import { reminderStats } from "../reminders/store";
import { findSite } from "../sites";
import { requireStaffToken } from "./auth";

/**
 * Staff JSON for mail and reminders, mounted at /admin/api (issues 5 and 6):
 * `GET /outbox`, `POST /reminders/dispatch[?now=ISO]`, `GET /reminders/stats?site=`.
 * Authentication is applied per route so this app never guards its neighbours' routes.
 */
export const mailAdminApi = new Hono<AppContext>()
  .use("/outbox", requireStaffToken)
  .use("/reminders/*", requireStaffToken)
  .get("/outbox", async (c) => {
    const site = c.req.query("site");
    if (site !== undefined && !findSite(site)) return jsonError(c, 404, "unknown_site", "No site has this id.", "site");
    const kind = c.req.query("kind");
    if (kind !== undefined && kind !== "reminder" && kind !== "manage")
      return jsonError(c, 400, "invalid_kind", "kind must be reminder or manage.", "kind");
    const limit = Number(c.req.query("limit") ?? 50);
    if (!Number.isInteger(limit) || limit < 1 || limit > 200)
      return jsonError(c, 400, "invalid_limit", "limit must be a whole number from 1 to 200.", "limit");
    c.header("Cache-Control", "no-store");
    return c.json({ messages: await listOutbox(c.env.DB, { site, kind, limit }) });
  })
  // Runs exactly what the Cron Trigger runs. Outside production `?now=` tries the future.
  .post("/reminders/dispatch", async (c) => {
    const nowParam = c.req.query("now");
    let now = Date.now();
    if (nowParam !== undefined) {
      if (c.env.ENVIRONMENT === "production")
        return jsonError(c, 400, "now_not_allowed", "now can only be set outside production.", "now");
      now = Date.parse(nowParam);
      if (!/^\d{4}-\d{2}-\d{2}T/.test(nowParam) || Number.isNaN(now))
        return jsonError(c, 400, "invalid_now", "now must be an ISO-8601 date and time.", "now");
    }
    const result = await dispatchDueReminders(c.env, now);
    return c.json({ now: new Date(now).toISOString(), ...result });
  })
  .get("/reminders/stats", async (c) => {
    const site = findSite(c.req.query("site"));
    if (!site) return jsonError(c, 404, "unknown_site", "No site has this id.", "site");
    const range = parseRange(c.req.query("from"), c.req.query("to"));
    if (!range) return jsonError(c, 400, "invalid_range", "from and to must be dates (YYYY-MM-DD), from before to.");
    c.header("Cache-Control", "no-store");
    return c.json({
      site: site.id,
      from: c.req.query("from") ?? null,
      to: c.req.query("to") ?? null,
      campaign: REMINDER_CAMPAIGN,
      ...(await reminderStats(c.env.DB, site.id, range, REMINDER_CAMPAIGN)),
    });
  });
