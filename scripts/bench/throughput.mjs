/**
 * Worker throughput for `npm run bench`: each product route under concurrent load from a
 * second process (load.mjs, autocannon), right beside the hello worker (the smallest Hono worker)
 * on the same workerd, so the figure that matters is the ratio, not the absolute number on a
 * shared machine.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { median } from "./widget.mjs";

/** The offered load of the steady-rate latency run, req/s. */
export const STEADY_RATE = 50;

/**
 * How long the steady run lasts, s: long enough that its p99 is a property of the route and not
 * of how many garbage collections fell into a short window. Under the webhook's load two isolates
 * stop for 100–220 ms every 20–40 s each: the product's and the local D1's (miniflare's Durable
 * Object, in the same workerd), so a 60 s window holds one to four such stops and its p99 ranged
 * over 23–108 ms between runs of the same code. The webhook, whose target is judged here: 180 s,
 * 9,000 requests; the other routes, a diagnostic: 10 s.
 */
export const STEADY_SECONDS = { webhook: 180, other: 10, byType: 10 };

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

/** The event types the webhook route is measured with, and what each asks Stripe before its batch. */
export const WEBHOOK_EVENTS = {
  "customer.subscription.created": "nothing",
  "checkout.session.completed": "the payment intent (with its charge's balance transaction)",
  "invoice.paid": "the invoice's payments, then the payment intent",
  "refund.created": "the refund's balance transaction",
  "charge.refunded": "the charge's refunds (with their balance transactions)",
};

/**
 * Real Stripe events for the webhook route, as the emulator signs and queues them: a one-off gift
 * and a monthly gift started through the product's own /api/checkout and paid in the emulator,
 * and a partial refund of the one-off. Each type of WEBHOOK_EVENTS once, as JSON text.
 */
export async function webhookTemplates(stack) {
  const base = `http://127.0.0.1:${stack.port}`;
  const emulator = `http://127.0.0.1:${stack.emulatorPort}`;
  const post = async (url, body, headers = {}) => {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body ?? {}),
    });
    if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
    return response.json();
  };
  const drain = async () => (await post(`${emulator}/_test/deliveries/drain`)).deliveries;
  await drain(); // Whatever earlier checkouts queued.
  const origin = `http://localhost:${stack.port}`;
  for (const frequency of ["once", "monthly"]) {
    const { url } = await post(
      `${base}/api/checkout`,
      { site: "demo", frequency, amount: 2500, currency: "USD", returnUrl: `${origin}/demo` },
      { origin, "cf-connecting-ip": `10.99.0.${frequency === "once" ? 1 : 2}` },
    );
    // The answer's id is the pledge's; the Checkout Session is in the URL the reader goes to.
    const session = new URL(url).pathname.match(/cs_\w+/)?.[0];
    await post(`${emulator}/_test/checkout/sessions/${session}/complete`, { email: "bench@example.org" });
  }
  const deliveries = await drain();
  const paid = deliveries.find(
    (d) => d.type === "checkout.session.completed" && JSON.parse(d.payload).data.object.mode === "payment",
  );
  const intent = JSON.parse(paid.payload).data.object.payment_intent;
  await post(`${emulator}/_test/payment_intents/${intent}/refund`, { amount: 500 });
  deliveries.push(...(await drain()));
  const templates = {};
  for (const type of Object.keys(WEBHOOK_EVENTS)) {
    const found = type === "checkout.session.completed" ? paid : deliveries.find((d) => d.type === type);
    if (!found) throw new Error(`the emulator sent no ${type} event to measure the webhook with`);
    templates[type] = found.payload;
  }
  return templates;
}

/** The routes measured: each with the hello request it is compared with. */
export function routes(stack, templates) {
  const base = `http://127.0.0.1:${stack.port}`;
  const hello = `http://127.0.0.1:${stack.helloPort}/api/x`;
  const origin = `http://localhost:${stack.port}`;
  const events = JSON.stringify({ site: "demo", events: [{ type: "impression", placement: "inline" }] });
  const checkout = JSON.stringify({
    site: "demo",
    frequency: "once",
    amount: 2500,
    currency: "USD",
    returnUrl: `${origin}/demo`,
  });
  const get = { method: "GET" };
  const beacon = { method: "POST", body: events, headers: { "content-type": "text/plain;charset=UTF-8" } };
  const json = { method: "POST", body: checkout, headers: { "content-type": "application/json" } };
  const all = Object.values(templates ?? {});
  const webhook = { method: "POST", kind: "webhook", secret: stack.webhookSecret, templates: all };
  const beside = (spec) => ({ hello: { url: hello, ...spec } });
  return [
    // The product's cheapest answer: what every route pays before its own work (the platform's
    // layers and the product's middleware).
    { name: "GET /api/unknown (404 floor)", spec: { url: `${base}/api/unknown`, ...get }, ...beside(get) },
    { name: "GET /api/config", spec: { url: `${base}/api/config?site=demo`, ...get }, ...beside(get) },
    {
      name: "POST /api/events",
      spec: { url: `${base}/api/events`, ...beacon, kind: "clients", headers: { ...beacon.headers, origin } },
      ...beside(beacon),
    },
    {
      name: "POST /api/checkout",
      spec: { url: `${base}/api/checkout`, ...json, kind: "clients", headers: { ...json.headers, origin } },
      ...beside(json),
    },
    {
      name: "POST /api/webhooks/stripe",
      spec: {
        url: `${base}/api/webhooks/stripe`,
        ...webhook,
        headers: { "content-type": "application/json; charset=utf-8" },
      },
      ...beside({ ...webhook, headers: { "content-type": "application/json" } }),
      // Also at the steady rate one type at a time: which of Stripe's events ask Stripe, and what that costs.
      byType: templates,
    },
  ];
}

const round2 = (n) => Math.round(n * 100) / 100;

/** The staff dashboard's count of Stripe events the webhook answered that the ledger has not applied yet. */
async function inboxState(stack) {
  const response = await fetch(`http://127.0.0.1:${stack.port}/admin/api/dashboard?site=demo&range=today`, {
    headers: { authorization: `Bearer ${stack.adminToken}` },
  });
  if (!response.ok) throw new Error(`dashboard: ${response.status} ${await response.text()}`);
  const { stripeInbox } = await response.json();
  return stripeInbox;
}

/**
 * How long after a load stops the ledger has applied everything the webhook answered (the inbox is
 * empty), polling every 100 ms: the webhook answers before it applies, so its latency alone does not
 * say whether processing keeps up. `waitingAtStop` is the backlog when the load stopped; `ms` null
 * when the inbox was not empty within `timeoutMs` (`left` events, the oldest's last error).
 */
export async function catchUp(stack, { timeoutMs = 120_000 } = {}) {
  const started = Date.now();
  const first = await inboxState(stack);
  let state = first;
  while (state.waiting > 0 && Date.now() - started < timeoutMs) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    state = await inboxState(stack);
  }
  return {
    waitingAtStop: first.waiting,
    ms: state.waiting === 0 ? Date.now() - started : null,
    left: state.waiting,
    lastError: state.oldest?.lastError ?? null,
  };
}

/**
 * Measures every route beside hello, alternating hello and the route in
 * short rounds so drift on a shared machine hits all alike; each ratio is the median of the
 * per-round ratios.
 */
export async function throughput(stack, { duration = 8, rounds = 8, connections = 10, only } = {}) {
  const results = [];
  const slice = Math.max(1, Math.round(duration / rounds));
  const wanted = (name) => !only || only.some((o) => name.includes(o));
  const templates = wanted("POST /api/webhooks/stripe") ? await webhookTemplates(stack) : undefined;
  for (const route of routes(stack, templates)) {
    if (!wanted(route.name)) continue;
    // A short warm-up of each, so none pays for first compiles in the measured window.
    for (const spec of [route.hello, route.spec]) await load({ ...spec, duration: 1, connections });
    const hellos = [];
    const measured = [];
    for (let i = 0; i < rounds; i++) {
      hellos.push(await load({ ...route.hello, duration: slice, connections }));
      measured.push(await load({ ...route.spec, duration: slice, connections }));
    }
    // The webhook answers before it applies: how far behind the ledger is when the load stops, and
    // how long it takes to catch up (before the latency runs below, so they start from an empty inbox).
    const afterLoad = route.byType ? await catchUp(stack) : undefined;
    // Latency of one request at a time (no queueing): what a single webhook delivery or reader sees.
    const helloSerial = await load({ ...route.hello, duration: slice, connections: 1 });
    const serial = await load({ ...route.spec, duration: slice, connections: 1 });
    // Latency at a steady 50 req/s (well below capacity): the handler's own latency, not queueing.
    const steadySeconds = route.byType ? STEADY_SECONDS.webhook : STEADY_SECONDS.other;
    const steadySpec = { ...route.spec, connections, rate: STEADY_RATE, overMs: 50 };
    const steady = await load({ ...steadySpec, duration: steadySeconds });
    const byType = {};
    for (const [type, template] of Object.entries(route.byType ?? {})) {
      const run = await load({ ...steadySpec, templates: [template], duration: STEADY_SECONDS.byType });
      byType[type] = {
        p50: run.p50,
        p99: run.p99,
        max: run.max,
        requests: run.requests,
        asks: WEBHOOK_EVENTS[type],
        statuses: run.statuses,
      };
    }
    const afterSteady = route.byType ? await catchUp(stack) : undefined;
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
      ratio: round2(median(ratios)),
      ratios: ratios.map(round2),
      steady: {
        rate: STEADY_RATE,
        seconds: steadySeconds,
        requests: steady.requests,
        p50: steady.p50,
        p90: steady.p90,
        p99: steady.p99,
        max: steady.max,
        over50: steady.over.count,
        rps: steady.rps,
        lateMs: steady.lateMs,
      },
      ...(route.byType ? { byType, catchUp: { afterLoad, afterSteady } } : {}),
      serial: { p50: serial.p50, p99: serial.p99, rps: serial.rps },
      helloSerial: { p50: helloSerial.p50, p99: helloSerial.p99, rps: helloSerial.rps },
      requests: measured.reduce((n, m) => n + m.requests, 0),
      statuses,
      errors: measured.reduce((n, m) => n + m.errors + m.timeouts, 0),
    });
  }
  return results;
}
