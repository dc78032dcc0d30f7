import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import {
  call,
  checkoutBody,
  clearLedger,
  control,
  drain,
  EMULATOR,
  freshIp,
  insideOneWindow,
  ORIGIN,
  postCheckout,
  startCheckout,
} from "./helpers";

const pledge = (id: string) =>
  env.DB.prepare("SELECT * FROM pledges WHERE id = ?").bind(id).first<Record<string, any>>();
const count = async () => (await env.DB.prepare("SELECT count(*) AS n FROM pledges").first<{ n: number }>())?.n;
const session = async (id: string) =>
  (
    await fetch(`${EMULATOR}/v1/checkout/sessions/${id}`, { headers: { authorization: "Bearer sk_test_x" } })
  ).json() as Promise<Record<string, any>>;

beforeEach(async () => {
  await clearLedger();
  await control("/_test/faults", { mode: "none" });
  await drain();
});

describe("POST /api/checkout", () => {
  it("once: a pending pledge and a payment-mode session with the pledge id in its metadata", async () => {
    const { pledgeId, sessionId, url } = await startCheckout({ frequency: "once", amount: 2500 });
    expect(url).toContain(sessionId);
    const row = await pledge(pledgeId);
    expect(row).toMatchObject({
      status: "pending",
      amount: 2500,
      fee_amount: 0,
      currency: "USD",
      frequency: "once",
      stripe_session_id: sessionId,
    });
    const s = await session(sessionId);
    expect(s).toMatchObject({
      mode: "payment",
      submit_type: "donate",
      amount_total: 2500,
      currency: "usd",
      metadata: { pledge_id: pledgeId },
    });
    // The way back carries a token only the worker can make: the pledge id and its signature.
    expect(s.success_url).toMatch(new RegExp(`^${ORIGIN}/demo\\?rs=thanks&rs_pledge=${pledgeId}\\.[A-Za-z0-9_-]{43}$`));
    expect(s.cancel_url).toBe(`${ORIGIN}/demo?rs=cancelled`);
  });

  it("monthly and annual: subscription mode with the right interval", async () => {
    for (const [frequency, interval] of [
      ["monthly", "month"],
      ["annual", "year"],
    ] as const) {
      const { sessionId } = await startCheckout({ frequency, amount: 1000, currency: "EUR" });
      const s = await session(sessionId);
      expect(s.mode).toBe("subscription");
      const items = (await (
        await fetch(`${EMULATOR}/v1/checkout/sessions/${sessionId}/line_items`, {
          headers: { authorization: "Bearer sk_test_x" },
        })
      ).json()) as { data: { price: { recurring: { interval: string } } }[] };
      expect(items.data[0]?.price.recurring.interval).toBe(interval);
    }
  });

  it("fee cover: its own line, and the ledger keeps gift and fee apart", async () => {
    const { pledgeId, sessionId } = await startCheckout({ frequency: "once", amount: 1000, coverFees: true });
    expect(await pledge(pledgeId)).toMatchObject({ amount: 1000, fee_amount: 61 });
    expect((await session(sessionId)).amount_total).toBe(1061);
  });

  it("JPY amounts are whole yen", async () => {
    const { sessionId } = await startCheckout({ frequency: "once", amount: 3000, currency: "JPY" });
    expect(await session(sessionId)).toMatchObject({ amount_total: 3000, currency: "jpy" });
  });

  it("the same Idempotency-Key twice gives one pledge and one session", async () => {
    const ip = freshIp();
    const key = "8f1c2b7e-double-click";
    const first = await postCheckout(checkoutBody(), { "idempotency-key": key }, ip);
    const second = await postCheckout(checkoutBody(), { "idempotency-key": key }, ip);
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(await second.json()).toEqual(await first.json());
    expect(await count()).toBe(1);
  });

  it("the same Idempotency-Key with another amount is a conflict", async () => {
    const key = "reused-key-1234";
    expect((await postCheckout(checkoutBody(), { "idempotency-key": key })).status).toBe(201);
    const response = await postCheckout(checkoutBody({ amount: 9900 }), { "idempotency-key": key });
    expect(response.status).toBe(409);
    expect(await count()).toBe(1);
  });

  // The attack: the same amount, but another address, return page, campaign, variant, placement
  // or fee cover under a key already used. Each is refused with 409 before Stripe is asked,
  // and the first pledge and its session are exactly as they were.
  it.each([
    ["another email", { email: "someone-else@example.com" }],
    ["another return URL", { returnUrl: `${ORIGIN}/demo?other=1` }],
    ["another campaign", { campaign: "spring" }],
    ["another variant", { variant: "control" }],
    ["another placement", { placement: "banner" }],
    ["fee cover added", { coverFees: true }],
  ])(
    "the same Idempotency-Key with %s: 409 idempotency_conflict, the first pledge untouched",
    async (_name, change) => {
      const key = `attack-${crypto.randomUUID()}`;
      const ip = freshIp();
      const first = await postCheckout(checkoutBody({ email: "first@example.com" }), { "idempotency-key": key }, ip);
      expect(first.status).toBe(201);
      const { id } = (await first.json()) as { id: string };
      const before = await env.DB.prepare("SELECT * FROM pledges WHERE id = ?").bind(id).first();

      const second = await postCheckout(
        checkoutBody({ email: "first@example.com", ...change }),
        { "idempotency-key": key },
        ip,
      );
      expect(second.status).toBe(409);
      expect(((await second.json()) as { error: { code: string } }).error.code).toBe("idempotency_conflict");
      expect(await env.DB.prepare("SELECT * FROM pledges WHERE id = ?").bind(id).first()).toEqual(before);
      expect(before).toMatchObject({ status: "pending", email: "first@example.com" });
      expect(await count()).toBe(1);

      // The reader's own retry (the same request, keys in another order) still gets the same pledge and session.
      const reordered = { email: "first@example.com", ...checkoutBody() };
      const retry = await postCheckout(reordered, { "idempotency-key": key }, ip);
      expect(retry.status).toBe(201);
      expect(await retry.json()).toMatchObject({ id });
    },
  );

  const bad: [string, unknown, string][] = [
    ["not JSON", "{nope", "invalid_json"],
    ["an array", [], "invalid_request"],
    ["a missing frequency", checkoutBody({ frequency: undefined }), "invalid_request"],
    ["an unknown frequency", checkoutBody({ frequency: "weekly" }), "invalid_request"],
    ["a fractional amount", checkoutBody({ amount: 10.5 }), "invalid_request"],
    ["a string amount", checkoutBody({ amount: "2500" }), "invalid_request"],
    ["a negative amount", checkoutBody({ amount: -100 }), "invalid_request"],
    ["a huge amount", checkoutBody({ amount: 1e300 }), "invalid_request"],
    ["an amount below the minimum", checkoutBody({ amount: 99 }), "amount_too_small"],
    ["an amount above the maximum", checkoutBody({ amount: 1000001 }), "amount_too_large"],
    ["a currency the site does not take", checkoutBody({ currency: "CHF" }), "currency_not_offered"],
    ["a malformed currency", checkoutBody({ currency: "DOLLARS" }), "invalid_request"],
    ["a foreign return URL", checkoutBody({ returnUrl: "https://evil.example.com/x" }), "return_url_not_allowed"],
    ["a javascript: return URL", checkoutBody({ returnUrl: "javascript:alert(1)" }), "invalid_request"],
    ["a campaign that is not a slug", checkoutBody({ campaign: "<script>" }), "invalid_request"],
    ["a bad email", checkoutBody({ email: "not-an-email" }), "invalid_request"],
    ["an unknown field", checkoutBody({ admin: true }), "invalid_request"],
    ["a prototype-pollution key", '{"__proto__":{"x":1},"site":"demo"}', "invalid_request"],
  ];
  it.each(bad)("refuses %s with a 4xx and stores nothing", async (_name, body, code) => {
    const response = await postCheckout(body);
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(code);
    expect(await count()).toBe(0);
  });

  it("an unknown site is a 404 and stores nothing", async () => {
    const response = await postCheckout(checkoutBody({ site: "nope" }));
    expect(response.status).toBe(404);
    expect(await count()).toBe(0);
  });

  it("refuses a page origin the site does not allow", async () => {
    const response = await postCheckout(checkoutBody(), { origin: "https://evil.example.com" });
    expect(response.status).toBe(403);
    expect(await count()).toBe(0);
  });

  it("answers CORS preflight for allowed origins only", async () => {
    const allowed = await call("/api/checkout", {
      method: "OPTIONS",
      headers: { origin: ORIGIN, "access-control-request-method": "POST" },
    });
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get("access-control-allow-origin")).toBe(ORIGIN);
    expect(allowed.headers.get("access-control-allow-headers")).toContain("Idempotency-Key");
    const refused = await call("/api/checkout", { method: "OPTIONS", headers: { origin: "https://evil.example.com" } });
    // Hono's cors answers every preflight; another origin's browser is refused for want of the allow header.
    expect(refused.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("limits a burst from one client with 429 and Retry-After; other clients are not limited", async () => {
    await insideOneWindow();
    const ip = freshIp();
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await postCheckout(checkoutBody(), {}, ip)).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(201));
    const limited = await postCheckout(checkoutBody(), {}, ip);
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("60");
    expect((await postCheckout(checkoutBody(), {}, freshIp())).status).toBe(201);
  }, 30_000);

  it("Stripe failing: 502, the pledge is marked unpayable, and a retry works", async () => {
    await control("/_test/faults", { mode: "error", count: 1 });
    const failed = await postCheckout(checkoutBody());
    expect(failed.status).toBe(502);
    expect(((await failed.json()) as { error: { code: string } }).error.code).toBe("payment_provider_unavailable");
    const rows = (await env.DB.prepare("SELECT status, stripe_session_id FROM pledges").all()).results;
    expect(rows).toEqual([{ status: "error", stripe_session_id: null }]);
    expect((await postCheckout(checkoutBody())).status).toBe(201);
  });

  it("Stripe hanging: 502 within a few seconds, never a hang", async () => {
    await control("/_test/faults", { mode: "hang", count: 1 });
    const started = Date.now();
    const response = await postCheckout(checkoutBody());
    expect(response.status).toBe(502);
    expect(Date.now() - started).toBeLessThan(6000);
    expect((await env.DB.prepare("SELECT status FROM pledges").first<{ status: string }>())?.status).toBe("error");
  }, 15_000);
});
