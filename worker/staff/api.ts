import { Hono } from "hono";
import { INBOX_LATE_MS } from "../core/inbox";
import { parseWindow } from "../core/reconcile";
import { parseRange } from "../core/summary";
import { reconcile } from "../ledger/reconcile";
import { inboxBacklog, recentRuns, runDifferences } from "../ledger/store";
import { database } from "../platform/db";
import { jsonError } from "../platform/http";
import { MAIL_KINDS } from "../platform/mail/message";
import { listOutbox } from "../platform/mail/outbox";
import { findSite } from "../platform/sites";
import { dispatchDueReminders } from "../reminders/dispatch";
import { REMINDER_CAMPAIGN } from "../reminders/links";
import { reminderStats } from "../reminders/store";
import type { AdminEnv } from "./auth";
import { csvStream } from "./csv";
import { growthView } from "./growth";
import { runAt } from "./now";
import { dashboardData, paymentsPage, staffSummary } from "./queries";
import { dayBounds, msBounds, resolveRange } from "./range";
import { actorOf, refuseUnless } from "./roles";
import { insertAudit } from "./store";

/** Rows per D1 read while streaming the CSV export. */
export const CSV_PAGE_SIZE = 1000;

const badRange = "from and to must be dates (YYYY-MM-DD), from before to.";

/**
 * Staff JSON under /admin/api. Mounted inside the staff app (staff/routes.ts), whose guard has
 * already refused anyone who is not staff.
 */
export const staffApi = new Hono<AdminEnv>()
  // GET /admin/api/summary?site=ID[&from=YYYY-MM-DD&to=YYYY-MM-DD]: money per currency and recurring support.
  .get("/summary", async (c) => {
    const site = findSite(c.req.query("site"));
    if (!site) return jsonError(c, 404, "unknown_site", "No site has this id.", "site");
    const range = resolveRange({ range: "custom", from: c.req.query("from"), to: c.req.query("to") }, Date.now());
    if (!range) return jsonError(c, 400, "invalid_range", badRange);
    const { currencies, recurring } = await staffSummary(database(c.env.DB), site.id, dayBounds(range));
    return c.json({ site: site.id, from: range.from, to: range.to, currencies, recurring });
  })
  // Everything the dashboard shows, as JSON: ?site=&range=today|7d|30d|year|all|custom&from=&to=
  .get("/dashboard", async (c) => {
    const site = findSite(c.req.query("site"));
    if (!site) return jsonError(c, 404, "unknown_site", "No site has this id.", "site");
    const range = resolveRange(c.req.query(), Date.now());
    if (!range) return jsonError(c, 400, "invalid_range", badRange);
    const db = database(c.env.DB);
    const [data, growth, stripeInbox] = await Promise.all([
      dashboardData(db, site.id, dayBounds(range), msBounds(range)),
      growthView(db, site.id, range, Date.now()),
      // Stripe events answered but not in the ledger yet (the whole deployment's, not the site's).
      inboxBacklog(db, Date.now() - INBOX_LATE_MS),
    ]);
    return c.json({ site: site.id, range, ...data, growth, stripeInbox });
  })
  // The range's payments as CSV, streamed page by page; every export is in the audit log.
  .get("/payments.csv", async (c) => {
    const site = findSite(c.req.query("site"));
    if (!site) return jsonError(c, 404, "unknown_site", "No site has this id.", "site");
    const range = resolveRange({ range: "custom", from: c.req.query("from"), to: c.req.query("to") }, Date.now());
    if (!range) return jsonError(c, 400, "invalid_range", badRange);
    const ms = msBounds(range);
    const db = database(c.env.DB);
    await insertAudit(db, {
      at: Date.now(),
      site: site.id,
      actor: actorOf(c.var.staff),
      action: "export.payments_csv",
      detail: { from: range.from, to: range.to },
    });
    const stream = csvStream((after) => paymentsPage(db, site.id, ms, after, CSV_PAGE_SIZE));
    const name = `payments-${site.id}-${range.from ?? "start"}-to-${range.to ?? "now"}.csv`;
    return c.body(stream, 200, {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${name}"`,
    });
  })
  // The emails the worker sent (with the local outbox transport: their full text).
  .get("/outbox", async (c) => {
    const site = c.req.query("site");
    if (site !== undefined && !findSite(site)) return jsonError(c, 404, "unknown_site", "No site has this id.", "site");
    const kind = c.req.query("kind");
    if (kind !== undefined && !(MAIL_KINDS as readonly string[]).includes(kind))
      return jsonError(c, 400, "invalid_kind", `kind must be one of ${MAIL_KINDS.join(", ")}.`, "kind");
    const limit = Number(c.req.query("limit") ?? 50);
    if (!Number.isInteger(limit) || limit < 1 || limit > 200)
      return jsonError(c, 400, "invalid_limit", "limit must be a whole number from 1 to 200.", "limit");
    return c.json({ messages: await listOutbox(database(c.env.DB), { site, kind, limit }) });
  })
  // Checks the ledger against Stripe (?since=30d|12h|YYYY-MM-DD, at most 30 days): replays events the
  // ledger never processed, repairs what Stripe is the authority on, stores and returns every difference.
  .post("/reconcile", async (c) => {
    const refused = await refuseUnless(c, null, "editor", "checking against Stripe");
    if (refused) return refused;
    const window = parseWindow(c.req.query("since"), Date.now());
    if ("error" in window) return jsonError(c, 400, "invalid_since", window.error, "since");
    const report = await reconcile(c.env, window, "api");
    return c.json(report, report.status === "failed" ? 502 : 200);
  })
  // The latest reconciliations, and what the latest one found.
  .get("/reconcile", async (c) => {
    const db = database(c.env.DB);
    const runs = await recentRuns(db, 10);
    const latest = runs[0];
    return c.json({ runs, differences: latest ? await runDifferences(db, latest.id) : [] });
  })
  // Runs exactly what the Cron Trigger runs. In development `?now=` tries the future.
  .post("/reminders/dispatch", async (c) => {
    const refused = await refuseUnless(c, null, "editor", "sending due reminders");
    if (refused) return refused;
    const at = runAt(c);
    if ("refused" in at) return at.refused;
    const now = at.now;
    const result = await dispatchDueReminders(c.env, now);
    return c.json({ now: new Date(now).toISOString(), ...result });
  })
  .get("/reminders/stats", async (c) => {
    const site = findSite(c.req.query("site"));
    if (!site) return jsonError(c, 404, "unknown_site", "No site has this id.", "site");
    const range = parseRange(c.req.query("from"), c.req.query("to"));
    if (!range) return jsonError(c, 400, "invalid_range", badRange);
    return c.json({
      site: site.id,
      from: c.req.query("from") ?? null,
      to: c.req.query("to") ?? null,
      campaign: REMINDER_CAMPAIGN,
      ...(await reminderStats(database(c.env.DB), site.id, range, REMINDER_CAMPAIGN)),
    });
  });
