/**
 * Staff summary cost for `npm run bench`: seeds the bench D1 with 10 thousand, 100 thousand,
 * 1 million and 10 million payments (scripts/seed.mjs writes straight into the local SQLite,
 * printing its progress; ten million take about ten minutes and 8 GB of disk) and times
 * `GET /admin/api/summary?site=demo` over HTTP, median of several calls after a warm-up (and, as a
 * diagnostic, the whole dashboard's JSON, `GET /admin/api/dashboard`).
 */
import { spawnSync } from "node:child_process";
import { median } from "./widget.mjs";

export const SIZES = [10_000, 100_000, 1_000_000, 10_000_000];

function seed(stack, payments) {
  const started = Date.now();
  const result = spawnSync(
    process.execPath,
    ["scripts/seed.mjs", "--payments", String(payments), "--persist", stack.persist, "--site", "demo"],
    // Its progress lines show as it goes; its errors too.
    { stdio: ["ignore", "inherit", "inherit"] },
  );
  if (result.status !== 0) throw new Error(`seed --payments ${payments} failed (exit ${result.status})`);
  return Date.now() - started;
}

async function timeSummary(stack, query, calls, path = "summary") {
  const url = `http://127.0.0.1:${stack.port}/admin/api/${path}?site=demo${query}`;
  const headers = { authorization: `Bearer ${stack.adminToken}` };
  const once = async () => {
    const started = performance.now();
    const response = await fetch(url, { headers });
    const body = await response.json();
    if (response.status !== 200) throw new Error(`summary ${response.status}: ${JSON.stringify(body)}`);
    return { ms: performance.now() - started, body };
  };
  // The first request after the seed rewrote the SQLite file underneath workerd can find its
  // connection closed (workerd reopens the database); retry that one, it is not measured.
  let warm;
  for (let attempt = 1; !warm; attempt++) {
    try {
      warm = await once();
    } catch (error) {
      if (attempt >= 5) throw error;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  const times = [];
  for (let i = 0; i < calls; i++) times.push((await once()).ms);
  const payments = warm.body.currencies.reduce((n, c) => n + (c.payments ?? 0), 0);
  return { medianMs: Math.round(median(times) * 10) / 10, maxMs: Math.round(Math.max(...times) * 10) / 10, payments };
}

/** Seeds each size in turn and times the summary (all time, and one month). */
export async function summaryCost(stack, { calls = 7, sizes = SIZES } = {}) {
  const results = [];
  for (const size of sizes) {
    const seedMs = seed(stack, size);
    const all = await timeSummary(stack, "", calls);
    const month = await timeSummary(stack, monthQuery(), calls);
    // Diagnostic, no target: everything the staff dashboard shows (money, funnel, recent pledges, movements).
    const dashboard = await timeSummary(stack, "&range=all", calls, "dashboard");
    const dashboardMonth = await timeSummary(stack, "&range=30d", calls, "dashboard");
    results.push({ payments: size, seedMs, allTime: all, lastMonth: month, dashboard, dashboardMonth });
  }
  return results;
}

function monthQuery() {
  const to = new Date();
  const from = new Date(to.getTime() - 30 * 86_400_000);
  const day = (d) => d.toISOString().slice(0, 10);
  return `&from=${day(from)}&to=${day(to)}`;
}
