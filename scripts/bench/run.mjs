#!/usr/bin/env node
/**
 * `npm run bench`: starts its own local stack (Stripe emulator, the product on
 * `wrangler dev --env local`, and a hello Hono worker on the same workerd), then measures
 *  - the widget: gzip weight, loader start → ask rendered on /demo in headless Chromium, CLS;
 *  - the worker: req/s and p50/p99 per route under load from a second process, as a ratio to hello;
 *    the webhook with each common event type,
 *    and how long after its loads the ledger has applied everything it answered (the inbox empty);
 *  - the staff summary with 10k, 100k, 1M and 10M payments (seeding 10M takes ~10 minutes).
 * Prints a table with the targets and writes benchmark-results/latest.json.
 * Options: --quick (3 s loads, 5 browser runs, 10k and 100k only), --skip widget,throughput,summary.
 * Ports: BENCH_PORT (8803), BENCH_HELLO_PORT (18803), BENCH_EMULATOR_PORT (12203),
 * BENCH_PERSIST_DIR (.wrangler/bench, emptied at every start).
 */
import { execSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { exitOnSignals } from "../../tools/stack.ts";
import { STACK, startBenchStack } from "./stack.mjs";
import { SIZES, summaryCost } from "./summary.mjs";
import { throughput } from "./throughput.mjs";
import { widgetTiming, widgetWeight } from "./widget.mjs";

const quick = process.argv.includes("--quick");
const skipArg = process.argv.find((a) => a.startsWith("--skip"));
const skip = new Set(
  (skipArg?.includes("=") ? skipArg.split("=")[1] : skipArg ? process.argv[process.argv.indexOf(skipArg) + 1] : "")
    ?.split(",")
    .filter(Boolean) ?? [],
);

/** The targets the figures are held to (the table marks each one ok or MISSED). */
const TARGETS = {
  loaderGzip: 1536,
  firstAskGzip: 12288,
  cls: 0,
  configRatio: 0.9,
  eventsRatio: 0.85,
  notFoundRatio: 0.95,
  webhookP99: 50,
  summary10M: 100,
};

function machine() {
  const version = (cmd) => {
    try {
      return execSync(cmd, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    } catch {
      return null;
    }
  };
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? "unknown",
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    wrangler: version("npx wrangler --version"),
    chromium: version(`${process.env.CHROMIUM_PATH ?? "/usr/bin/chromium"} --version`),
    platform: `${process.platform} ${process.arch}`,
  };
}

const check = (ok) => (ok === null ? "—" : ok ? "ok" : "MISSED");

function printTable(result) {
  const lines = [];
  const row = (...cells) => lines.push(cells.map((c, i) => String(c).padEnd([34, 16, 16, 16, 10][i] ?? 10)).join(""));
  lines.push("", `Reader Support benchmark — ${result.at} — ${result.machine.cpus}× ${result.machine.cpuModel}`);
  if (result.widget) {
    const w = result.widget;
    lines.push("", "Widget (gzip -9 bytes; timing on /demo, first-time reader, headless Chromium)");
    row("what", "value", "target", "", "");
    row(
      "loader widget.js",
      w.weight.loaderGzip,
      `≤ ${TARGETS.loaderGzip}`,
      "",
      check(w.weight.loaderGzip <= TARGETS.loaderGzip),
    );
    row(
      `first ask: loader+${w.weight.firstAskParts.ask}+config`,
      w.weight.firstAskGzip,
      `≤ ${TARGETS.firstAskGzip}`,
      "",
      check(w.weight.firstAskGzip <= TARGETS.firstAskGzip),
    );
    row("  + banner chunk (both on /demo)", w.weight.firstAskWithBannerGzip, "", `banner ${w.weight.bannerGzip}`, "");
    row("  of which the monthly upsell", w.weight.upsellGzip, "", "", "");
    row("  + extras chunk (on demand)", w.weight.firstAskWithExtrasGzip, "", `extras ${w.weight.extrasGzip}`, "");
    row(
      `loader start → ask (median of ${w.timing.runs})`,
      `${w.timing.medianLoaderToAskMs} ms`,
      "",
      `p90 ${w.timing.p90LoaderToAskMs} ms`,
      "",
    );
    row("loader start → banner (median)", `${w.timing.medianLoaderToBannerMs} ms`, "", "", "");
    row(
      "cumulative layout shift (max)",
      w.timing.maxCls.toFixed(4),
      `= ${TARGETS.cls}`,
      `median ${w.timing.medianCls.toFixed(4)}`,
      check(w.timing.maxCls === TARGETS.cls),
    );
  }
  if (result.throughput) {
    lines.push(
      "",
      "Worker under load (autocannon in a second process at 10 connections, and a steady open-loop load for latency; same workerd as hello; ratio to hello)",
    );
    row("route", "req/s", "p50 / p99 ms", "hello req/s", "ratio");
    const target = (r) =>
      r.route === "GET /api/config"
        ? `≥ ${TARGETS.configRatio} ${check(r.ratio >= TARGETS.configRatio)}`
        : r.route === "POST /api/events"
          ? `≥ ${TARGETS.eventsRatio} ${check(r.ratio >= TARGETS.eventsRatio)}`
          : r.route.startsWith("GET /api/unknown")
            ? `≥ ${TARGETS.notFoundRatio} ${check(r.ratio >= TARGETS.notFoundRatio)}`
            : r.route === "POST /api/webhooks/stripe"
              ? `p99@${r.steady.rate}/s < ${TARGETS.webhookP99} ${check(r.steady.p99 < TARGETS.webhookP99)}`
              : "";
    for (const r of result.throughput) {
      row(r.route, Math.round(r.rps), `${r.p50} / ${r.p99}`, `${Math.round(r.helloRps)}`, `${r.ratio}  ${target(r)}`);
      lines.push(
        `    per-round ratios ${r.ratios.join(", ")}; hello p50/p99 ${r.helloP50}/${r.helloP99} ms; ` +
          `one at a time: p50/p99 ${r.serial.p50}/${r.serial.p99} ms (hello ${r.helloSerial.p50}/${r.helloSerial.p99}); ` +
          `steady ${r.steady.rate} req/s for ${r.steady.seconds} s (${r.steady.requests} requests): ` +
          `p50/p90/p99 ${r.steady.p50}/${r.steady.p90}/${r.steady.p99} ms, max ${r.steady.max} ms, ${r.steady.over50} over 50 ms`,
      );
      for (const [type, t] of Object.entries(r.byType ?? {}))
        lines.push(
          `    ${type} alone, steady ${r.steady.rate} req/s (${t.requests} requests): p50/p99 ${t.p50}/${t.p99} ms, max ${t.max} ms (asks Stripe: ${t.asks})`,
        );
      const caught = (c) =>
        c.ms === null
          ? `${c.waitingAtStop} waiting when it stopped, ${c.left} still waiting 120 s later (last error: ${c.lastError ?? "none"})`
          : `${c.waitingAtStop} waiting when it stopped, the inbox empty ${c.ms} ms later`;
      if (r.catchUp)
        lines.push(
          `    ledger catching up (inbox empty) after the last load at 10 connections: ${caught(r.catchUp.afterLoad)}`,
          `    … and after the runs at ${r.steady.rate} req/s: ${caught(r.catchUp.afterSteady)}`,
        );
      const odd = Object.entries(r.statuses).filter(([s]) => !/^2/.test(s));
      if (odd.length || r.errors)
        lines.push(`    non-2xx: ${JSON.stringify(Object.fromEntries(odd))} errors: ${r.errors}`);
    }
  }
  if (result.summary) {
    lines.push("", "Staff summary GET /admin/api/summary?site=demo (median over HTTP)");
    row("payments seeded", "all time ms", "last 30 days ms", "rows counted", "dashboard all / 30 days ms");
    for (const s of result.summary) {
      const target =
        s.payments === 10_000_000
          ? `< ${TARGETS.summary10M} ${check(Math.max(s.allTime.medianMs, s.lastMonth.medianMs) < TARGETS.summary10M)}`
          : "";
      row(
        s.payments.toLocaleString("en"),
        s.allTime.medianMs,
        s.lastMonth.medianMs,
        s.allTime.payments,
        `${s.dashboard.medianMs} / ${s.dashboardMonth.medianMs}  ${target}`,
      );
    }
  }
  console.log(lines.join("\n"));
}

// Ctrl+C stops the stack (exit 130).
exitOnSignals();
let stack;
const result = { at: new Date().toISOString(), machine: machine(), quick, stack: { ...STACK, adminToken: undefined } };
try {
  console.log(
    `bench: starting the stack (worker :${STACK.port}, hello :${STACK.helloPort}, emulator :${STACK.emulatorPort}, ${STACK.persist} emptied)`,
  );
  stack = await startBenchStack();
  const base = `http://127.0.0.1:${STACK.port}`;
  if (!skip.has("widget")) {
    console.log("bench: widget weight and timing…");
    result.widget = {
      weight: await widgetWeight(base),
      timing: await widgetTiming(`http://localhost:${STACK.port}`, quick ? 5 : 20),
    };
  }
  if (!skip.has("throughput")) {
    console.log("bench: throughput, each route beside hello…");
    const only = process.env.BENCH_ONLY?.split(",");
    result.throughput = await throughput(STACK, { duration: quick ? 3 : 16, rounds: quick ? 3 : 16, only });
  }
  if (!skip.has("summary")) {
    console.log(
      `bench: staff summary at ${(quick ? SIZES.slice(0, 2) : SIZES).map((n) => n.toLocaleString("en")).join(" / ")} payments (seeding takes a while)…`,
    );
    result.summary = await summaryCost(STACK, { sizes: quick ? SIZES.slice(0, 2) : SIZES });
  }
  result.targets = TARGETS;
  mkdirSync("benchmark-results", { recursive: true });
  writeFileSync("benchmark-results/latest.json", `${JSON.stringify(result, null, 2)}\n`);
  printTable(result);
  console.log("\nwritten: benchmark-results/latest.json");
} catch (error) {
  console.error("bench failed:", error instanceof Error ? (error.stack ?? error.message) : error);
  if (stack) console.error(`worker log (tail):\n${stack.log().slice(-3000)}`);
  process.exitCode = 1;
} finally {
  await stack?.stop();
}
