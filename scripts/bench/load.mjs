#!/usr/bin/env node
/**
 * One load run for `npm run bench`, in its own process so the load generator never
 * shares an event loop with what it measures. Usage: node load.mjs '<json spec>'
 * spec: {url, method, body?, headers?, kind?: "plain"|"clients"|"webhook", duration, connections, rate?, overMs?, secret?, templates?}
 * Prints one line of JSON: {requests, rps, p50, p90, p99, mean, max, non2xx, errors, timeouts, statuses}; with
 * `rate`, a steady open-loop load (below), also `over` (answers slower than `overMs`) and `lateMs`.
 * "clients" gives every request its own client IP (cf-connecting-ip) so a per-IP limit (checkout's,
 * the counters') does not turn the run into a 429 benchmark; "webhook" sends a real Stripe event (`templates`,
 * JSON texts) under a unique id per request, freshly signed with `secret`.
 */
import { createHmac, randomBytes } from "node:crypto";
import autocannon from "autocannon";

const spec = JSON.parse(process.argv[2] ?? "{}");
let sequence = 0;

/**
 * A real event (one of `spec.templates`, the emulator's own deliveries, in turn) under a fresh
 * event id, signed as Stripe signs: `t=…,v1=HMAC-SHA256("t.body")` with the endpoint's secret.
 * Everything else stays as Stripe sent it, so the objects it names exist in the emulator and the
 * worker's lookups (payment intents, invoice payments, refunds) are answered as in production.
 */
function webhookEvent() {
  const n = `${Date.now().toString(36)}${(++sequence).toString(36)}${randomBytes(4).toString("hex")}`;
  const event = JSON.parse(spec.templates[sequence % spec.templates.length]);
  event.id = `evt_bench${n}`;
  const body = JSON.stringify(event, null, 2);
  const t = Math.floor(Date.now() / 1000);
  const v1 = createHmac("sha256", spec.secret).update(`${t}.${body}`).digest("hex");
  return { body, signature: `t=${t},v1=${v1}` };
}

const ip = () => `10.${(sequence >> 16) & 255}.${(sequence >> 8) & 255}.${++sequence & 255}`;

const request = {
  method: spec.method ?? "GET",
  headers: spec.headers ?? {},
  ...(spec.body ? { body: spec.body } : {}),
};
if (spec.kind === "clients") {
  request.setupRequest = (req) => ({ ...req, headers: { ...req.headers, "cf-connecting-ip": ip() } });
} else if (spec.kind === "webhook") {
  request.setupRequest = (req) => {
    const { body, signature } = webhookEvent();
    return { ...req, body, headers: { ...req.headers, "stripe-signature": signature } };
  };
}

const statuses = {};
if (spec.rate) {
  await steady(spec.rate);
  process.exit(0);
}
const instance = autocannon(
  {
    url: spec.url,
    duration: spec.duration ?? 6,
    connections: spec.connections ?? 10,
    pipelining: 1,
    timeout: 10,
    requests: [request],
  },
  (error, result) => {
    if (error) {
      console.error(error);
      process.exit(1);
    }
    process.stdout.write(
      `${JSON.stringify({
        requests: result.requests.total,
        rps: result.requests.average,
        p50: result.latency.p50,
        p90: result.latency.p90,
        p99: result.latency.p99,
        mean: result.latency.average,
        max: result.latency.max,
        non2xx: result.non2xx,
        errors: result.errors,
        timeouts: result.timeouts,
        statuses,
      })}\n`,
    );
  },
);
instance.on("response", (_client, statusCode) => {
  statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
});

/**
 * A steady offered load: request i leaves at start + i/rate seconds, whether or not earlier ones
 * were answered (open loop, a new keep-alive connection when all are busy), and each latency is
 * timed from that request's own start. autocannon's `overallRate` is not this: each connection
 * sends its share of a second back to back at the start of the second and then waits, so the
 * server sees bursts at full concurrency, and its coordinated-omission correction (an expected
 * interval of 1 ms at these rates) counts a slow answer many times over.
 */
async function steady(rate) {
  const { Agent, request: send } = await import("node:http");
  const url = new URL(spec.url);
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const total = Math.round(rate * (spec.duration ?? 6));
  const interval = 1000 / rate;
  const latencies = [];
  let late = 0;
  let errors = 0;
  const one = () =>
    new Promise((resolve) => {
      const headers = { ...request.headers };
      let body = request.body;
      if (spec.kind === "clients") headers["cf-connecting-ip"] = ip();
      if (spec.kind === "webhook") {
        const event = webhookEvent();
        body = event.body;
        headers["stripe-signature"] = event.signature;
      }
      if (body !== undefined) headers["content-length"] = Buffer.byteLength(body);
      const started = performance.now();
      const req = send(url, { method: request.method, headers, agent }, (res) => {
        res.resume();
        res.on("end", () => {
          latencies.push(performance.now() - started);
          statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
          resolve();
        });
      });
      req.setTimeout(10_000, () => req.destroy(new Error("timeout")));
      req.on("error", () => {
        errors++;
        resolve();
      });
      req.end(body);
    });
  const start = performance.now();
  const pending = [];
  for (let i = 0; i < total; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    late = Math.max(late, performance.now() - due);
    pending.push(one());
  }
  await Promise.all(pending);
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] * 10) / 10;
  const ok = Object.entries(statuses).reduce((n, [code, c]) => n + (code.startsWith("2") ? c : 0), 0);
  process.stdout.write(
    `${JSON.stringify({
      mode: "steady",
      requests: latencies.length,
      rps: Math.round((latencies.length / elapsed) * 100) / 100,
      p50: at(0.5),
      p90: at(0.9),
      p99: at(0.99),
      mean: Math.round((latencies.reduce((a, b) => a + b, 0) / latencies.length) * 10) / 10,
      max: at(1),
      non2xx: latencies.length - ok,
      errors,
      timeouts: 0,
      lateMs: Math.round(late * 10) / 10,
      over: { ms: spec.overMs ?? null, count: spec.overMs ? latencies.filter((l) => l > spec.overMs).length : null },
      statuses,
    })}\n`,
  );
}
