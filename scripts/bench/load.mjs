#!/usr/bin/env node
/**
 * One load run for `npm run bench`, in its own process so the load generator never
 * shares an event loop with what it measures. Usage: node load.mjs '<json spec>'
 * spec: {url, method, body?, headers?, kind?: "plain"|"clients"|"webhook", duration, connections, rate?, secret?, templates?}
 * Prints one line of JSON: {requests, rps, p50, p90, p99, mean, max, non2xx, errors, timeouts, statuses}.
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
const instance = autocannon(
  {
    url: spec.url,
    duration: spec.duration ?? 6,
    connections: spec.connections ?? 10,
    pipelining: 1,
    // A fixed offered load (req/s across all connections) instead of as fast as possible.
    ...(spec.rate ? { overallRate: spec.rate } : {}),
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
