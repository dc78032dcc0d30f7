import { env } from "cloudflare:workers";
import { Hono } from "hono";
import { beforeEach, describe, expect, it } from "vitest";
import { RETRY_MINUTES } from "../../worker/core/outgoing";
import { deliver, deliverDue, forgetEndpoints, webhooksForReminder } from "../../worker/outgoing/deliver";
import { staffRoutes } from "../../worker/staff/routes";
import { ADMIN, call, clearLedger, control, deliverAll, ORIGIN, RECEIVER, startCheckout } from "./helpers";

/**
 * Outgoing webhooks: signed like Stripe's, queued once per event and endpoint, tried at once, then
 * retried with backoff by the Cron's run, replayable by staff, and never sent to private or
 * loopback addresses in production. A tiny receiver on 127.0.0.1 plays the newsroom's CRM.
 */

type Received = { headers: Record<string, string>; body: string; at: number };

/** Sets what the receiver's box answers (and forgets what it received). */
const script = (box: string, statuses: number[]) =>
  fetch(`${RECEIVER}/_control/${box}`, { method: "POST", body: JSON.stringify({ statuses }) });
const received = async (box: string) =>
  ((await (await fetch(`${RECEIVER}/_control/${box}`)).json()) as { received: Received[] }).received;

async function until<T>(what: () => Promise<T>, ok: (v: T) => boolean, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await what();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out: ${JSON.stringify(v).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function addEndpoint(box: string, events?: string[]) {
  const response = await call("/admin/api/webhooks?site=demo", {
    method: "POST",
    headers: { ...ADMIN, "content-type": "application/json" },
    body: JSON.stringify({
      url: `${RECEIVER}/hook/${box}`,
      description: `test ${box}`,
      events: events ?? [
        "pledge.started",
        "payment.succeeded",
        "payment.refunded",
        "recurring.changed",
        "recurring.canceled",
        "reminder.confirmed",
      ],
    }),
  });
  expect(response.status).toBe(201);
  return (await response.json()) as { endpoint: { id: string; url: string }; secret: string };
}

/** What a receiver does with the header: recompute the HMAC of `t.body` and compare. */
async function verify(secret: string, header: string, body: string): Promise<boolean> {
  const t = /t=(\d+)/.exec(header)?.[1];
  const v1 = /v1=([0-9a-f]{64})/.exec(header)?.[1];
  if (!t || !v1) return false;
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`${t}.${body}`)));
  return [...mac].map((b) => b.toString(16).padStart(2, "0")).join("") === v1;
}

const deliveries = async () =>
  (
    await env.DB.prepare(
      "SELECT id, type, status, attempts, next_attempt_at, event_id FROM webhook_deliveries ORDER BY created_at, id",
    ).all()
  ).results as {
    id: string;
    type: string;
    status: string;
    attempts: number;
    next_attempt_at: number | null;
    event_id: string;
  }[];
const attempts = async (id: string) =>
  (
    await env.DB.prepare("SELECT n, trigger, status, error FROM webhook_attempts WHERE delivery_id = ? ORDER BY n")
      .bind(id)
      .all()
  ).results as { n: number; trigger: string; status: number | null; error: string | null }[];

const reminder = (id: string) => ({
  id,
  site: "demo",
  email: "reader@example.net",
  lang: "en",
  remindOn: "2026-12-01",
  pageUrl: `${ORIGIN}/demo`,
});

beforeEach(async () => {
  await env.DB.batch(
    ["webhook_endpoints", "webhook_deliveries", "webhook_attempts", "staff_audit"].map((t) =>
      env.DB.prepare(`DELETE FROM ${t}`),
    ),
  );
  // Endpoints are cached per isolate for half a minute: a test's endpoints must be seen at once.
  forgetEndpoints();
});

describe("signed deliveries from the ledger's events", () => {
  it("a gift sends pledge.started and payment.succeeded, signed with the endpoint's secret, once however often Stripe redelivers", async () => {
    await clearLedger();
    await script("crm", [200]);
    const { secret, endpoint } = await addEndpoint("crm");
    expect(secret).toMatch(/^whsec_/);
    // The secret is shown once: listings never carry it.
    const listed = await (await call("/admin/api/webhooks?site=demo", { headers: ADMIN })).text();
    expect(listed).not.toContain(secret);
    expect(listed).toContain(endpoint.id);

    const { pledgeId, sessionId } = await startCheckout({ frequency: "once", amount: 2500, campaign: "spring-appeal" });
    await control(`/_test/checkout/sessions/${sessionId}/complete`, {
      outcome: "succeeded",
      email: "jane.reader@example.net",
    });
    const stripe = await deliverAll();
    const got = await until(
      () => received("crm"),
      (r) => r.length >= 2,
    );
    const bodies = got.map((r) => JSON.parse(r.body) as Record<string, any>);
    expect(bodies.map((b) => b.type).sort()).toEqual(["payment.succeeded", "pledge.started"]);
    for (const r of got) {
      expect(await verify(secret, r.headers["reader-support-signature"] as string, r.body)).toBe(true);
      expect(await verify("whsec_wrong", r.headers["reader-support-signature"] as string, r.body)).toBe(false);
      expect(r.headers["content-type"]).toBe("application/json");
      expect(r.headers["reader-support-event-id"]).toBe(JSON.parse(r.body).id);
    }
    const payment = bodies.find((b) => b.type === "payment.succeeded") as Record<string, any>;
    expect(payment).toMatchObject({
      site: "demo",
      data: {
        supporter: { email: "jane.reader@example.net" },
        pledge: { id: pledgeId, frequency: "once", amount: 2500, currency: "USD", campaign: "spring-appeal" },
        payment: { amount: 2500, currency: "USD" },
      },
    });
    expect(payment.id).toMatch(/^evt_[0-9a-f]{24}$/);

    // Stripe delivers the same events again: nothing new is queued or sent.
    const before = (await deliveries()).length;
    for (const d of stripe)
      expect(
        (
          await call("/api/webhooks/stripe", {
            method: "POST",
            headers: { "content-type": "application/json", "stripe-signature": d.signature },
            body: d.payload,
          })
        ).status,
      ).toBe(200);
    await new Promise((r) => setTimeout(r, 200));
    expect((await deliveries()).length).toBe(before);
    expect((await received("crm")).length).toBe(2);
    expect((await deliveries()).every((d) => d.status === "succeeded" && d.attempts === 1)).toBe(true);
  });

  it("an endpoint gets only the events it chose; a disabled one gets none", async () => {
    await script("payments-only", [200]);
    await script("off", [200]);
    await addEndpoint("payments-only", ["payment.succeeded"]);
    const off = await addEndpoint("off", ["reminder.confirmed"]);
    const disabled = await call(`/admin/api/webhooks/${off.endpoint.id}?site=demo`, {
      method: "PATCH",
      headers: { ...ADMIN, "content-type": "application/json" },
      body: JSON.stringify({ status: "disabled" }),
    });
    expect(disabled.status).toBe(200);
    forgetEndpoints();
    await webhooksForReminder(env, reminder("rem_1"));
    expect(await deliveries()).toEqual([]);
  });
});

describe("retries, giving up, and replay", () => {
  it("a failing receiver is tried again after 1 and 5 minutes by the Cron's run, until it answers 2xx", async () => {
    await script("flaky", [500, 503, 200]);
    await addEndpoint("flaky", ["reminder.confirmed"]);
    const t0 = Date.now();
    await webhooksForReminder(env, reminder("rem_2"), undefined, t0);
    let [d] = await deliveries();
    expect(d).toMatchObject({
      type: "reminder.confirmed",
      status: "pending",
      attempts: 1,
      next_attempt_at: t0 + 60_000,
    });
    // Not due yet: nothing is tried.
    expect(await deliverDue(env, t0 + 59_000)).toEqual({ tried: 0, succeeded: 0 });
    expect(await deliverDue(env, t0 + 60_000)).toEqual({ tried: 1, succeeded: 0 });
    [d] = await deliveries();
    expect(d).toMatchObject({ status: "pending", attempts: 2, next_attempt_at: t0 + 60_000 + 5 * 60_000 });
    expect(await deliverDue(env, t0 + 6 * 60_000)).toEqual({ tried: 1, succeeded: 1 });
    [d] = await deliveries();
    expect(d).toMatchObject({ status: "succeeded", attempts: 3, next_attempt_at: null });
    expect(await attempts(d!.id)).toEqual([
      { n: 1, trigger: "immediate", status: 500, error: "answered 500" },
      { n: 2, trigger: "retry", status: 503, error: "answered 503" },
      { n: 3, trigger: "retry", status: 200, error: null },
    ]);
    // The three requests carried the same event.
    const bodies = (await received("flaky")).map((r) => r.body);
    expect(new Set(bodies).size).toBe(1);
    expect(JSON.parse(bodies[0] as string)).toMatchObject({
      type: "reminder.confirmed",
      data: { supporter: { email: "reader@example.net" }, reminder: { id: "rem_2", remind_on: "2026-12-01" } },
    });
  });

  it("after every retry the delivery has failed; staff replay it once the receiver is fixed, and see each answer", async () => {
    await script("down", [500]);
    await addEndpoint("down", ["reminder.confirmed"]);
    let t = Date.now();
    await webhooksForReminder(env, reminder("rem_3"), undefined, t);
    for (const minutes of RETRY_MINUTES) {
      t += minutes * 60_000;
      expect((await deliverDue(env, t)).tried).toBe(1);
    }
    let [d] = await deliveries();
    expect(d).toMatchObject({ status: "failed", attempts: RETRY_MINUTES.length + 1, next_attempt_at: null });
    expect(await deliverDue(env, t + 86_400_000)).toEqual({ tried: 0, succeeded: 0 });

    await script("down", [200]);
    const replay = await call(`/admin/api/webhooks/deliveries/${d!.id}/replay?site=demo`, {
      method: "POST",
      headers: { ...ADMIN, origin: ORIGIN },
    });
    expect(replay.status).toBe(200);
    expect(await replay.json()).toMatchObject({ delivery: d!.id, status: "succeeded" });
    [d] = await deliveries();
    expect(d).toMatchObject({ status: "succeeded", attempts: RETRY_MINUTES.length + 2 });
    expect((await attempts(d!.id)).at(-1)).toMatchObject({ trigger: "replay", status: 200 });
    // A delivered event can be replayed too (the receiver dedupes by the event id); the page shows each answer.
    expect(await deliver(env, d!.id, "replay")).toBe("succeeded");
    const page = await (await call(`/admin/webhooks/deliveries/${d!.id}?site=demo`, { headers: ADMIN })).text();
    expect(page).toContain("reminder.confirmed");
    expect(page).toContain("replay");
    expect(page).toContain("received");
    const audit = (await (await call("/admin/api/audit?site=demo", { headers: ADMIN })).json()) as {
      entries: { action: string }[];
    };
    expect(audit.entries.map((e) => e.action)).toContain("webhooks.replay");
  });
});

describe("addresses that may not receive events", () => {
  const production = { ...env, WEBHOOK_PRIVATE_HOSTS: "off", ENVIRONMENT: "production" };
  const app = new Hono().route("/admin", staffRoutes());
  const post = (url: string) =>
    app.request(
      "/admin/api/webhooks?site=demo",
      {
        method: "POST",
        headers: { ...ADMIN, "content-type": "application/json" },
        body: JSON.stringify({ url, events: ["payment.succeeded"] }),
      },
      production,
    );

  it("production refuses http, loopback, private and link-local addresses, naming the field", async () => {
    for (const url of [
      `${RECEIVER}/hook/x`,
      "https://127.0.0.1/x",
      "https://10.0.0.5/x",
      "https://169.254.169.254/",
      "https://localhost/x",
    ]) {
      const response = await post(url);
      expect(response.status, url).toBe(400);
      expect(((await response.json()) as { error: { field: string; code: string } }).error).toMatchObject({
        code: "invalid_endpoint",
        field: "url",
      });
    }
    expect((await post("https://crm.example.org/hooks")).status).toBe(201);
  });

  it("a stored private address is not called in production: the attempt fails without a request", async () => {
    await script("private", [200]);
    await addEndpoint("private", ["reminder.confirmed"]);
    const now = Date.now();
    await webhooksForReminder(production as typeof env, reminder("rem_4"), undefined, now);
    const [d] = await deliveries();
    expect(d).toMatchObject({ status: "failed", attempts: 1 });
    expect((await attempts(d!.id))[0]?.error).toBe("use an https:// address");
    expect(await received("private")).toEqual([]);
  });
});

describe("who may see and change webhooks", () => {
  const accessEnv = { ...env, ACCESS_TEAM_DOMAIN: "team.cloudflareaccess.com", ACCESS_AUD: "aud" };
  const app = new Hono().route(
    "/admin",
    staffRoutes({ verifyAccess: async (t) => (t ? { email: t, subject: t } : null) }),
  );
  const as = (email: string, path: string, init: RequestInit = {}) =>
    app.request(
      path,
      {
        ...init,
        headers: {
          "cf-access-jwt-assertion": email,
          origin: "http://localhost",
          ...(init.headers as Record<string, string>),
        },
      },
      accessEnv,
    );

  it("viewers cannot read deliveries (they carry addresses); editors cannot add endpoints", async () => {
    await env.DB.prepare(
      "INSERT INTO staff_roles (site, email, role, created_at, updated_at, updated_by) VALUES ('demo', 'ed@x.org', 'editor', 0, 0, 't') ON CONFLICT DO NOTHING",
    ).run();
    expect((await as("viola@x.org", "/admin/webhooks?site=demo")).status).toBe(403);
    expect((await as("viola@x.org", "/admin/api/webhooks/deliveries?site=demo")).status).toBe(403);
    expect((await as("ed@x.org", "/admin/webhooks?site=demo")).status).toBe(200);
    const add = await as("ed@x.org", "/admin/api/webhooks?site=demo", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ url: "https://crm.example.org/", events: ["payment.succeeded"] }),
    });
    expect(add.status).toBe(403);
    expect(((await add.json()) as { error: { message: string } }).error.message).toContain(
      "managing webhook endpoints needs an owner",
    );
  });
});
