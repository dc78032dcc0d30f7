import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { rateLimitKey } from "../../worker/platform/http";
import { checkoutBody, clearLedger, control, drain, EMULATOR, freshIp, insideOneWindow, postCheckout } from "./helpers";

/**
 * Proof: the card-testing defence. A burst of parallel checkout creations from one
 * client is cut off at the limit (wrangler.toml: 10 a minute per client IP) with 429 and
 * Retry-After, the refused requests store nothing and never reach Stripe, and other clients
 * checking out during the burst are not affected.
 */
const LIMIT = 10;
const BURST = 40;
const OTHERS = 12;

const pledgeCount = async () => (await env.DB.prepare("SELECT count(*) AS n FROM pledges").first<{ n: number }>())?.n;
const sessionCount = async () =>
  (
    (await (
      await fetch(`${EMULATOR}/v1/checkout/sessions?limit=100`, { headers: { authorization: "Bearer sk_test_x" } })
    ).json()) as { data: unknown[] }
  ).data.length;

beforeEach(async () => {
  await clearLedger();
  await control("/_test/reset");
  await drain();
});

describe("proof: checkout bursts are limited per client", () => {
  it(`${BURST} parallel checkouts from one client: at most ${LIMIT} pass, the rest get 429; ${OTHERS} other clients pass`, async () => {
    await insideOneWindow();
    const attacker = freshIp();
    const others = Array.from({ length: OTHERS }, () => freshIp());
    // The attacker's burst and ordinary readers' checkouts, all in flight together.
    const [burst, readers] = await Promise.all([
      Promise.all(
        Array.from({ length: BURST }, (_, i) => postCheckout(checkoutBody({ amount: 1000 + i }), {}, attacker)),
      ),
      Promise.all(others.map((ip) => postCheckout(checkoutBody(), {}, ip))),
    ]);

    const passed = burst.filter((r) => r.status === 201);
    const limited = burst.filter((r) => r.status === 429);
    expect(passed.length + limited.length, "every answer is 201 or 429").toBe(BURST);
    expect(passed.length).toBeGreaterThan(0);
    expect(passed.length).toBeLessThanOrEqual(LIMIT);
    expect(limited.length).toBeGreaterThanOrEqual(BURST - LIMIT);
    for (const r of limited) {
      expect(r.headers.get("retry-after")).toBe("60");
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe("rate_limited");
    }
    expect(readers.map((r) => r.status)).toEqual(Array(OTHERS).fill(201));

    // Refused attempts left no trace: one pledge and one Stripe session per accepted checkout.
    expect(await pledgeCount()).toBe(passed.length + OTHERS);
    expect(await sessionCount()).toBe(passed.length + OTHERS);

    // The attacker stays limited (even with a body that would fail validation), others still pass.
    const again = await postCheckout("{nope", {}, attacker);
    expect(again.status).toBe(429);
    expect((await postCheckout(checkoutBody(), {}, freshIp())).status).toBe(201);
    expect((await postCheckout(checkoutBody(), {}, others[0])).status).toBe(201);
  }, 30_000);

  it("the limit is per client, not per request shape: a burst of invalid bodies also spends it", async () => {
    await insideOneWindow();
    const ip = freshIp();
    const statuses = await Promise.all(
      Array.from({ length: LIMIT + 5 }, () =>
        postCheckout(checkoutBody({ amount: "lots" }), {}, ip).then((r) => r.status),
      ),
    );
    expect(statuses.filter((s) => s === 400).length).toBeLessThanOrEqual(LIMIT);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(5);
    expect((await postCheckout(checkoutBody(), {}, ip)).status).toBe(429);
    expect(await pledgeCount()).toBe(0);
  }, 30_000);
});

describe("proof: an IPv6 client cannot take a fresh bucket per address", () => {
  it("the rate-limit key of an IPv6 address is its /64; IPv4 and IPv4-mapped addresses stay whole", () => {
    expect(rateLimitKey("2001:db8:1:2:aaaa:bbbb:cccc:dddd")).toBe("2001:db8:1:2::/64");
    expect(rateLimitKey("2001:0db8:0001:0002::1")).toBe("2001:db8:1:2::/64");
    expect(rateLimitKey("2001:db8:1:3::1")).toBe("2001:db8:1:3::/64");
    expect(rateLimitKey("::ffff:198.51.100.7")).toBe("198.51.100.7");
    expect(rateLimitKey("198.51.100.7")).toBe("198.51.100.7");
    expect(rateLimitKey("not-an-ip")).toBe("not-an-ip");
    expect(rateLimitKey("2001:DB8:1:2::1")).toBe("2001:db8:1:2::/64");
    expect(rateLimitKey("::1")).toBe("::/64");
  });

  it(`${BURST} checkouts from ${BURST} addresses of one /64 share one bucket; the next /64 is not affected`, async () => {
    await insideOneWindow();
    const net = `2001:db8:${Math.floor(Math.random() * 0xffff).toString(16)}:7`;
    const statuses = await Promise.all(
      Array.from({ length: BURST }, (_, i) =>
        postCheckout(checkoutBody({ amount: 1000 + i }), {}, `${net}:${(i + 1).toString(16)}::1`).then((r) => r.status),
      ),
    );
    expect(statuses.filter((s) => s === 201).length).toBeLessThanOrEqual(LIMIT);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(BURST - LIMIT);
    expect((await postCheckout(checkoutBody(), {}, `${net}:ffff::abcd`)).status).toBe(429);
    expect((await postCheckout(checkoutBody(), {}, `${net.replace(/:7$/, ":8")}::1`)).status).toBe(201);
  }, 30_000);
});
