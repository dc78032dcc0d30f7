import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { expect } from "vitest";
import worker from "../../worker/index";

/** Helpers for worker tests: call the worker in-process and drive the Stripe emulator over HTTP. */

export const EMULATOR = (env as unknown as { STRIPE_API_BASE: string }).STRIPE_API_BASE;
/** The tests' webhook receiver (tests/worker/receiver-setup.ts), on the port after the emulator's. */
export const RECEIVER = `http://127.0.0.1:${Number(new URL(EMULATOR).port) + 1}`;
/** The worker's PUBLIC_ORIGIN in the tests (vitest.config.ts), where the demo article is served. */
export const ORIGIN = "http://localhost:8787";
/** The staff token of the tests (vitest.config.ts): long enough to be accepted with production behaviour. */
export const ADMIN_TOKEN = "test-admin-token-0123456789abcdefghij";
export const ADMIN = { authorization: `Bearer ${ADMIN_TOKEN}` };

/** Text no page or email may write as markup: tags, both quotes and an ampersand. */
export const HOSTILE = `<b>"Tom" & 'Jerry'</b><script>alert(1)</script>`;
/** `HOSTILE` as HTML text or attribute value: every special character escaped. */
export const HOSTILE_HTML =
  "&lt;b&gt;&quot;Tom&quot; &amp; &#39;Jerry&#39;&lt;/b&gt;&lt;script&gt;alert(1)&lt;/script&gt;";

/** HTTPS only, as Hono's secureHeaders writes it: every answer of the worker carries it. */
export const HSTS = "max-age=15552000; includeSubDomains";

/** The reader pages' security headers (the CSP leaves out form-action where a form leads to Stripe). */
export const READER_PAGE_CSP =
  "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
export const READER_PAGE_CSP_STRIPE_FORM =
  "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; frame-ancestors 'none'";
export function expectReaderPageHeaders(response: Response, csp = READER_PAGE_CSP) {
  expect(response.headers.get("content-security-policy")).toBe(csp);
  expect(response.headers.get("cache-control")).toBe("no-store");
  expect(response.headers.get("referrer-policy")).toBe("no-referrer");
  expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  expect(response.headers.get("strict-transport-security")).toBe(HSTS);
}

let ipCounter = 0;
/** A fresh client IP, so tests do not share a rate-limit bucket. */
export const freshIp = () => `198.51.100.${++ipCounter % 250}-${Date.now() % 100000}-${Math.random()}`;

/** A request to the worker, as the edge would hand it over. */
export function call(path: string, init: RequestInit & { ip?: string } = {}) {
  const headers = new Headers(init.headers);
  if (!headers.has("cf-connecting-ip")) headers.set("cf-connecting-ip", init.ip ?? freshIp());
  return exports.default.fetch(new Request(`${ORIGIN}${path}`, { ...init, headers }));
}

export const checkoutBody = (overrides: Record<string, unknown> = {}) => ({
  site: "demo",
  frequency: "once",
  amount: 2500,
  currency: "USD",
  returnUrl: `${ORIGIN}/demo`,
  ...overrides,
});

/** `POST /api/checkout` from the demo page's origin. */
export function postCheckout(body: unknown, headers: Record<string, string> = {}, ip?: string) {
  return call("/api/checkout", {
    method: "POST",
    headers: { "content-type": "application/json", origin: ORIGIN, ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
    ...(ip ? { ip } : {}),
  });
}

/** Calls an emulator test control and returns its JSON. */
export async function control<T = Record<string, any>>(path: string, body: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(`${EMULATOR}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path} → ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** Cancels a subscription with the real `DELETE /v1/subscriptions/{id}`, as staff or Stripe's portal would. */
export async function cancelSubscription(id: string): Promise<void> {
  const response = await fetch(`${EMULATOR}/v1/subscriptions/${id}`, {
    method: "DELETE",
    headers: { authorization: "Bearer sk_test_x" },
  });
  expect(response.status).toBe(200);
}

export type Delivery = { event_id: string; type: string; payload: string; signature: string; endpoint?: string | null };

/** Form-encodes params the way Stripe's API reads them (`a[b][0]=c`). */
function formEncode(params: Record<string, unknown>, prefix = "", out = new URLSearchParams()): URLSearchParams {
  for (const [key, value] of Object.entries(params)) {
    const name = prefix ? `${prefix}[${key}]` : key;
    if (value === undefined) continue;
    // Arrays encode by index (`a[0]`), like objects by key.
    if (value !== null && typeof value === "object") formEncode(value as Record<string, unknown>, name, out);
    else out.append(name, String(value));
  }
  return out;
}

/** Calls the emulator's Stripe API (`/v1/…`) as a newsroom's own tools would; throws on an error answer. */
export async function stripeApi<T = Record<string, any>>(
  method: "GET" | "POST" | "DELETE",
  path: string,
  params: Record<string, unknown> = {},
): Promise<T> {
  const body = formEncode(params).toString();
  const url = method === "POST" || !body ? `${EMULATOR}${path}` : `${EMULATOR}${path}?${body}`;
  const response = await fetch(url, {
    method,
    headers: { authorization: "Bearer sk_test_x", "content-type": "application/x-www-form-urlencoded" },
    ...(method === "POST" ? { body } : {}),
  });
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** Signs a body as Stripe would with the worker's webhook secret (`t=…,v1=…`). */
export async function sign(payload: string, secret = "whsec_local_dev_only", t = Math.floor(Date.now() / 1000)) {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`${t}.${payload}`)));
  return `t=${t},v1=${[...mac].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** A delivery to another endpoint, signed anew with the worker's secret (the worker has one endpoint). */
export async function resigned(d: Delivery): Promise<Delivery> {
  return { ...d, signature: await sign(d.payload) };
}

/** Every ledger table and its roll-ups emptied, the emulator's clock left alone. */
export async function clearLedgerAndRollups() {
  await clearLedger();
  await env.DB.batch(
    [
      "admin_daily_money",
      "admin_daily_payers",
      "admin_daily_cancellations",
      "admin_active_recurring",
      "admin_daily_first_payments",
    ].map((t) => env.DB.prepare(`DELETE FROM ${t}`)),
  );
}

/** Takes every webhook the emulator has queued since the last drain (for one webhook endpoint, if named). */
export async function drain(endpoint?: string): Promise<Delivery[]> {
  return (await control<{ deliveries: Delivery[] }>("/_test/deliveries/drain", endpoint ? { endpoint } : {}))
    .deliveries;
}

/**
 * Posts one signed delivery to the worker, as Stripe would, and returns the answer once the work
 * the webhook hands to `waitUntil` after it is done too: applying the event from the inbox (or,
 * for a duplicate, its emails and outgoing webhooks again). The answer itself never waits for that
 * work (`call` to the webhook returns before it); waiting here is what lets a test read the ledger
 * right after delivering, where Stripe's look-ups failed, the inbox.
 */
export async function deliver(d: Delivery) {
  const ctx = createExecutionContext();
  const response = await worker.fetch(
    new Request(`${ORIGIN}/api/webhooks/stripe`, {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8", "stripe-signature": d.signature },
      body: d.payload,
    }),
    env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return response;
}

/** Drains and delivers everything queued, in order, expecting each to be accepted. */
export async function deliverAll(): Promise<Delivery[]> {
  const deliveries = await drain();
  for (const d of deliveries) expect((await deliver(d)).status, `${d.type} ${d.event_id}`).toBe(200);
  return deliveries;
}

/** Creates a checkout through the worker and returns the pledge id and the emulator session id. */
export async function startCheckout(overrides: Record<string, unknown> = {}) {
  const response = await postCheckout(checkoutBody(overrides));
  expect(response.status).toBe(201);
  const { id, url } = (await response.json()) as { id: string; url: string };
  const session = /\/(cs_test_[A-Za-z0-9]+)/.exec(url)?.[1];
  if (!session) throw new Error(`no session id in ${url}`);
  return { pledgeId: id, sessionId: session, url };
}

/** The staff summary for the demo site. */
export async function summary(query = "") {
  const response = await call(`/admin/api/summary?site=demo${query}`, { headers: ADMIN });
  expect(response.status).toBe(200);
  return (await response.json()) as {
    currencies: {
      currency: string;
      gross: number;
      refunded: number;
      disputed: number;
      net: number;
      payments: number;
      feesCovered: number;
      disputedOpen: number;
      stripeFees: number;
      disputeFees: number;
      feesPending: number;
      feesElsewhere: number;
      byFrequency: Record<string, { net: number; payments: number }>;
    }[];
    recurring: { currency: string; active: number; monthlyEquivalent: number }[];
  };
}

/** A snapshot of every ledger table, for comparing two ways of reaching the same books. */
export async function ledgerSnapshot() {
  const db = env.DB;
  const rows = async (sql: string) => (await db.prepare(sql).all()).results;
  return {
    pledges: await rows(
      "SELECT id, status, amount, fee_amount, currency, stripe_subscription_id, stripe_payment_intent_id FROM pledges ORDER BY id",
    ),
    payments: await rows(
      "SELECT id, pledge_id, amount, fee_amount, currency, payment_intent_id, paid_at FROM payments ORDER BY id",
    ),
    refunds: await rows("SELECT id, charge_id, payment_intent_id, amount, currency, status FROM refunds ORDER BY id"),
    disputes: await rows("SELECT id, status, phase, amount FROM disputes ORDER BY id"),
    balance: await rows(
      "SELECT id, use, source, payment_intent_id, currency, amount, fee, net FROM balance_transactions ORDER BY id",
    ),
  };
}

/** Clears ledger tables and the Stripe inbox (tests within one file share storage). */
export async function clearLedger() {
  await env.DB.batch(
    ["pledges", "payments", "refunds", "disputes", "balance_transactions", "stripe_events", "stripe_inbox"].map((t) =>
      env.DB.prepare(`DELETE FROM ${t}`),
    ),
  );
}

/** A seeded shuffle, so a failing order can be replayed. */
export function shuffle<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let x = seed;
  for (let i = out.length - 1; i > 0; i--) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const j = x % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** The pledges as checkout created them (pending), from rows read before any webhook. */
export async function restorePendingPledges(pledges: Record<string, unknown>[]) {
  if (pledges.length === 0) return;
  await env.DB.batch(
    pledges.map((p) =>
      env.DB.prepare(
        `INSERT INTO pledges (id, site, frequency, currency, amount, fee_amount, status, status_key, campaign, variant,
                              page_url, placement, email, stripe_session_id, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).bind(
        p.id,
        p.site,
        p.frequency,
        p.currency,
        p.amount,
        p.fee_amount,
        p.campaign,
        p.variant,
        p.page_url,
        p.placement ?? null,
        p.email,
        p.stripe_session_id,
        p.created_at,
        p.created_at,
      ),
    ),
  );
}

/**
 * The local limiter (like Cloudflare's) counts in fixed windows aligned to the wall clock, so a burst
 * that straddles a minute boundary is counted in two windows. Start each burst well inside one.
 */
export async function insideOneWindow() {
  const into = Date.now() % 60_000;
  if (into > 50_000) await new Promise((resolve) => setTimeout(resolve, 60_000 - into + 100));
}
