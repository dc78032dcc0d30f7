import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { signUpsellToken } from "../../worker/checkout/thanks";
import { askConfig } from "../../worker/core/ask-config";
import { parseSites } from "../../worker/core/site-config";
import { suggestMonthly } from "../../worker/core/upsell";
import { sites } from "../../worker/sites.config";
import {
  call,
  checkoutBody,
  clearLedger,
  control,
  deliverAll,
  drain,
  EMULATOR,
  freshIp,
  ORIGIN,
  postCheckout,
  startCheckout,
  stripeApi,
} from "./helpers";

/**
 * The monthly upsell: the ask's config says how to suggest a monthly gift; a checkout the reader
 * started from the ask's offer is marked; after a one-off gift the thank-you's offer starts a
 * monthly checkout from the confirmed pledge (amount, currency, page and email taken server-side).
 */

const SECRET = (env as unknown as { SESSION_SECRET: string }).SESSION_SECRET;

const thanks = async (token: string) => {
  const response = await call("/api/thanks", {
    method: "POST",
    headers: { "content-type": "application/json", origin: ORIGIN },
    body: JSON.stringify({ site: "demo", token }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as {
    supporter: boolean;
    upsell?: { amount: number; currency: string; token: string };
  };
};
const upsell = (body: unknown, headers: Record<string, string> = {}) =>
  call("/api/upsell", {
    method: "POST",
    headers: { "content-type": "application/json", origin: ORIGIN, "idempotency-key": crypto.randomUUID(), ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
    ip: freshIp(),
  });
async function returnToken(sessionId: string) {
  const session = await stripeApi("GET", `/v1/checkout/sessions/${sessionId}`);
  return new URL(session.success_url).searchParams.get("rs_pledge") ?? "";
}
/** A paid one-off gift and the thank-you's offer that follows it. */
async function oneOff(amount = 2500, email = "once@example.org") {
  const { pledgeId, sessionId } = await startCheckout({ frequency: "once", amount, campaign: "spring-appeal" });
  await control(`/_test/checkout/sessions/${sessionId}/complete`, { outcome: "succeeded", email });
  await deliverAll();
  const answer = await thanks(await returnToken(sessionId));
  return { pledgeId, sessionId, answer };
}
const pledgeRow = (id: string) =>
  env.DB.prepare(
    "SELECT frequency, amount, currency, status, upsell, email, campaign, page_url FROM pledges WHERE id = ?",
  )
    .bind(id)
    .first<Record<string, unknown>>();

beforeEach(async () => {
  await clearLedger();
  await drain();
  await env.DB.prepare("DELETE FROM thank_yous").run();
});

describe("the upsell settings", () => {
  it("the ask's config carries the rule; a site can turn it off or fix the amount per currency", async () => {
    const response = await call("/api/config?site=demo&lang=en");
    expect(((await response.json()) as { upsell?: unknown }).upsell).toEqual({ share: 25 });
    const [base] = sites;
    const [off, fixed] = parseSites([
      { ...base, id: "off", upsell: { enabled: false } },
      { ...base, id: "fixed", upsell: { monthlyAmount: { USD: 700 } } },
    ]);
    expect(askConfig(off as never, {}, null).upsell).toBeUndefined();
    expect(askConfig(fixed as never, {}, null).upsell).toEqual({ share: 25, amount: 700 });
    expect(askConfig(fixed as never, { currency: "EUR" }, null).upsell).toEqual({ share: 25 });
    // A site without monthly support has nothing to offer.
    const [onceOnly] = parseSites([{ ...base, id: "once", frequencies: ["once"], defaultFrequency: "once" }]);
    expect(askConfig(onceOnly as never, {}, null).upsell).toBeUndefined();
    expect(() => parseSites([{ ...base, upsell: { monthlyAmount: { USD: 50 } } }])).toThrow(
      /upsell\.monthlyAmount\.USD: must be between min \(100\) and max \(1000000\)/,
    );
    expect(() => parseSites([{ ...base, upsell: { monthlyAmount: { CHF: 500 } } }])).toThrow(/CHF is not one of/);
  });

  it("suggests a rounded share of the one-off, never below the minimum nor above the maximum", () => {
    const rule = { share: 25, min: 100, max: 1_000_000 };
    expect(suggestMonthly(2500, rule)).toBe(600);
    expect(suggestMonthly(1000, rule)).toBe(300);
    expect(suggestMonthly(5000, rule)).toBe(1300);
    expect(suggestMonthly(200, rule)).toBe(100);
    expect(suggestMonthly(10_000_000, { ...rule, max: 500_000 })).toBe(500_000);
    expect(suggestMonthly(2500, { ...rule, amount: 700 })).toBe(700);
    expect(suggestMonthly(3000, { share: 25, min: 100, max: 1_000_000 })).toBe(800); // ¥3,000 → ¥800
  });
});

describe("the ask's offer", () => {
  it("a checkout started from it is a monthly pledge marked as the ask's upsell", async () => {
    const { pledgeId } = await startCheckout({ frequency: "monthly", amount: 600, upsell: "ask" });
    expect(await pledgeRow(pledgeId)).toMatchObject({ frequency: "monthly", amount: 600, upsell: "ask" });
    const refused = await postCheckout(checkoutBody({ frequency: "once", upsell: "ask" }));
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: { code: "invalid_upsell", field: "upsell" } });
    const odd = await postCheckout(checkoutBody({ frequency: "monthly", upsell: "banner" }));
    expect(odd.status).toBe(400);
  });
});

describe("the thank-you's offer after a one-off gift", () => {
  it("starts a monthly checkout with the suggested amount and the reader's address, and ends in an active pledge", async () => {
    const { pledgeId, answer } = await oneOff(2500, "giver@example.org");
    expect(answer.upsell).toMatchObject({ amount: 600, currency: "USD" });
    const response = await upsell({ site: "demo", token: answer.upsell?.token });
    expect(response.status).toBe(201);
    const { id, url } = (await response.json()) as { id: string; url: string };
    expect(await pledgeRow(id)).toMatchObject({
      frequency: "monthly",
      amount: 600,
      currency: "USD",
      status: "pending",
      upsell: "thanks",
      email: "giver@example.org",
      campaign: "spring-appeal",
      page_url: `${ORIGIN}/demo`,
    });
    const sessionId = /\/(cs_test_\w+)/.exec(url)?.[1] ?? "";
    const session = await stripeApi("GET", `/v1/checkout/sessions/${sessionId}`);
    expect(session).toMatchObject({ mode: "subscription", customer_email: "giver@example.org", amount_total: 600 });
    // The checkout page is prefilled with the address.
    expect(await (await fetch(`${EMULATOR}/c/pay/${sessionId}`)).text()).toContain('value="giver@example.org"');
    await control(`/_test/checkout/sessions/${sessionId}/complete`, { outcome: "succeeded" });
    await deliverAll();
    expect(await pledgeRow(id)).toMatchObject({ status: "active", upsell: "thanks" });
    expect((await pledgeRow(pledgeId))?.status).toBe("paid");
  });

  it("is offered after a one-off gift only, and only where the site has the upsell", async () => {
    const { sessionId } = await startCheckout({ frequency: "monthly", amount: 1000 });
    await control(`/_test/checkout/sessions/${sessionId}/complete`, { outcome: "succeeded" });
    await deliverAll();
    expect((await thanks(await returnToken(sessionId))).upsell).toBeUndefined();
  });

  it("refuses a forged, expired or misplaced offer with a clear 4xx and starts nothing", async () => {
    const { pledgeId, answer } = await oneOff();
    const token = answer.upsell?.token ?? "";
    const unpaid = await startCheckout({ frequency: "once" });
    const monthly = await startCheckout({ frequency: "monthly", amount: 1000 });
    const cases: [unknown, Record<string, string>, number, string][] = [
      [{ site: "demo", token: `${token.slice(0, -3)}AAA` }, {}, 403, "invalid_token"],
      [{ site: "demo", token: "nonsense" }, {}, 403, "invalid_token"],
      [{ site: "demo", token: await signUpsellToken(SECRET, pledgeId, Date.now() - 1000) }, {}, 410, "offer_expired"],
      [{ site: "nope", token }, {}, 404, "unknown_site"],
      [{ site: "demo", token }, { origin: "https://evil.example" }, 403, "origin_not_allowed"],
      [{ site: "demo" }, {}, 400, "invalid_request"],
      ["{not json", {}, 400, "invalid_json"],
      [{ site: "demo", token, amount: 1 }, {}, 400, "invalid_request"],
      [
        { site: "demo", token: await signUpsellToken(SECRET, unpaid.pledgeId, Date.now() + 60_000) },
        {},
        409,
        "offer_not_available",
      ],
      [
        { site: "demo", token: await signUpsellToken(SECRET, monthly.pledgeId, Date.now() + 60_000) },
        {},
        409,
        "offer_not_available",
      ],
    ];
    const before = (await env.DB.prepare("SELECT count(*) AS n FROM pledges").first<{ n: number }>())?.n;
    await drain();
    for (const [body, headers, status, code] of cases) {
      const response = await upsell(body, headers);
      expect(response.status, code).toBe(status);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe(code);
    }
    expect((await env.DB.prepare("SELECT count(*) AS n FROM pledges").first<{ n: number }>())?.n).toBe(before);
    expect(
      (await stripeApi("GET", "/v1/checkout/sessions", { limit: 100 })).data.filter(
        (s: any) => s.mode === "subscription" && s.customer_email === "once@example.org",
      ),
    ).toEqual([]);
  });

  it("the same press twice is one pledge and one checkout", async () => {
    const { answer } = await oneOff();
    const key = crypto.randomUUID();
    const a = await upsell({ site: "demo", token: answer.upsell?.token }, { "idempotency-key": key });
    const b = await upsell({ site: "demo", token: answer.upsell?.token }, { "idempotency-key": key });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(await a.json()).toEqual(await b.json());
  });
});
