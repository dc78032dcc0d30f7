/**
 * Worker throughput for `npm run bench`: each product route under concurrent load from a
 * second process (load.mjs, autocannon), right beside the hello worker on the same workerd, so the
 * figure that matters is the ratio, not the absolute number on a shared machine.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { median } from "./widget.mjs";

/** The offered load of the steady-rate latency run, req/s. */
export const STEADY_RATE = 50;

const LOAD = fileURLToPath(new URL("./load.mjs", import.meta.url));

/** Runs one load in a child process and returns its summary. */
function load(spec) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LOAD, JSON.stringify(spec)], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
    });
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`load ${spec.url} exited ${code}`));
      resolve(JSON.parse(out.trim().split("\n").at(-1)));
    });
  });
}

/** The routes measured: each with the hello request it is compared with. */
export function routes(stack) {
  const base = `http://127.0.0.1:${stack.port}`;
  const hello = `http://127.0.0.1:${stack.helloPort}/`;
  const origin = `http://localhost:${stack.port}`;
  const events = JSON.stringify({ site: "demo", events: [{ type: "impression", placement: "inline" }] });
  const checkout = JSON.stringify({
    site: "demo",
    frequency: "once",
    amount: 2500,
    currency: "USD",
    returnUrl: `${origin}/demo`,
  });
  return [
    // Diagnostic, no target: the product's cheapest answer (Hono's 404 behind Workers Assets routing),
    // to tell the cost of the platform layers apart from the cost of a route's own work.
    {
      name: "GET /api/unknown (404 floor)",
      spec: { url: `${base}/api/unknown`, method: "GET" },
      hello: { url: hello, method: "GET" },
    },
    {
      name: "GET /api/config",
      spec: { url: `${base}/api/config?site=demo`, method: "GET" },
      hello: { url: hello, method: "GET" },
    },
    {
      name: "POST /api/events",
      spec: {
        url: `${base}/api/events`,
        method: "POST",
        body: events,
        kind: "clients",
        headers: { "content-type": "text/plain;charset=UTF-8", origin },
      },
      hello: { url: hello, method: "POST", body: events, headers: { "content-type": "text/plain;charset=UTF-8" } },
    },
    {
      name: "POST /api/checkout",
      spec: {
        url: `${base}/api/checkout`,
        method: "POST",
        body: checkout,
        kind: "clients",
        headers: { "content-type": "application/json", origin },
      },
      hello: { url: hello, method: "POST", body: checkout, headers: { "content-type": "application/json" } },
    },
    {
      name: "POST /api/webhooks/stripe",
      spec: {
        url: `${base}/api/webhooks/stripe`,
        method: "POST",
        kind: "webhook",
        secret: stack.webhookSecret,
        headers: { "content-type": "application/json; charset=utf-8" },
      },
      hello: {
        url: hello,
        method: "POST",
        kind: "webhook",
        secret: stack.webhookSecret,
        headers: { "content-type": "application/json" },
      },
    },
  ];
}

/**
 * Measures every route beside hello, alternating hello and route in short rounds so drift on a
 * shared machine hits both alike; the ratio is the median of the per-round ratios.
 */
export async function throughput(stack, { duration = 8, rounds = 8, connections = 10, only } = {}) {
  const results = [];
  const slice = Math.max(1, Math.round(duration / rounds));
  for (const route of routes(stack)) {
    if (only && !only.some((o) => route.name.includes(o))) continue;
    // A short warm-up of both, so neither pays for first compiles in the measured window.
    await load({ ...route.hello, duration: 1, connections });
    await load({ ...route.spec, duration: 1, connections });
    const hellos = [];
    const measured = [];
    for (let i = 0; i < rounds; i++) {
      hellos.push(await load({ ...route.hello, duration: slice, connections }));
      measured.push(await load({ ...route.spec, duration: slice, connections }));
    }
    // Latency of one request at a time (no queueing): what a single webhook delivery or reader sees.
    const helloSerial = await load({ ...route.hello, duration: slice, connections: 1 });
    const serial = await load({ ...route.spec, duration: slice, connections: 1 });
    // Latency at a steady 50 req/s (well below capacity): the handler's own latency, not queueing.
    const steady = await load({ ...route.spec, duration: 4, connections, rate: STEADY_RATE });
    const ratios = measured.map((m, i) => m.rps / hellos[i].rps);
    const statuses = {};
    for (const m of measured) for (const [s, n] of Object.entries(m.statuses)) statuses[s] = (statuses[s] ?? 0) + n;
    results.push({
      route: route.name,
      rps: median(measured.map((m) => m.rps)),
      p50: median(measured.map((m) => m.p50)),
      p99: median(measured.map((m) => m.p99)),
      helloRps: median(hellos.map((h) => h.rps)),
      helloP50: median(hellos.map((h) => h.p50)),
      helloP99: median(hellos.map((h) => h.p99)),
      ratio: Math.round(median(ratios) * 100) / 100,
      ratios: ratios.map((r) => Math.round(r * 100) / 100),
      steady: { rate: STEADY_RATE, p50: steady.p50, p99: steady.p99, rps: steady.rps },
      serial: { p50: serial.p50, p99: serial.p99, rps: serial.rps },
      helloSerial: { p50: helloSerial.p50, p99: helloSerial.p99, rps: helloSerial.rps },
      requests: measured.reduce((n, m) => n + m.requests, 0),
      statuses,
      errors: measured.reduce((n, m) => n + m.errors + m.timeouts, 0),
    });
  }
  return results;
}
