import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { seededRandom } from "../../worker/core/allocation";
import { resetLiveSites } from "../../worker/platform/sites";
import { refreshLiveSites } from "../../worker/settings/live";
import { allocateVariants } from "../../worker/variants/allocate";
import { ADMIN, call, clearLedgerAndRollups, ORIGIN } from "./helpers";

/**
 * The variants' figures from the ledger and the ask's counters (revenue compared in one
 * settlement currency), the allocation run feeding readers' config, and a campaign goal's progress.
 */

const json = { ...ADMIN, "content-type": "application/json", origin: ORIGIN };
const today = new Date().toISOString().slice(0, 10);
let n = 0;

/** A paid pledge with its balance transaction (`settled` in the settlement currency, or none yet). */
async function paid(p: {
  variant: string;
  amount: number;
  currency?: string;
  settled?: { currency: string; amount: number } | null;
  campaign?: string;
  at?: number;
}) {
  const id = `t${++n}`;
  const currency = p.currency ?? "USD";
  const at = p.at ?? Date.now() - 3_600_000;
  await env.DB.batch([
    env.DB.prepare(
      "INSERT INTO pledges (id, site, frequency, currency, amount, status, campaign, variant, created_at, updated_at) VALUES (?, 'demo', 'once', ?, ?, 'paid', ?, ?, ?, ?)",
    ).bind(`pl_${id}`, currency, p.amount, p.campaign ?? null, p.variant, at, at),
    env.DB.prepare(
      "INSERT INTO payments (id, pledge_id, site, frequency, currency, amount, payment_intent_id, paid_at, campaign, variant) VALUES (?, ?, 'demo', 'once', ?, ?, ?, ?, ?, ?)",
    ).bind(`pi_${id}`, `pl_${id}`, currency, p.amount, `pi_${id}`, at, p.campaign ?? null, p.variant),
    ...(p.settled === null
      ? []
      : [
          env.DB.prepare(
            "INSERT INTO balance_transactions (id, use, source, payment_intent_id, type, currency, amount, fee, net, created) VALUES (?, 'payment', ?, ?, 'charge', ?, ?, 0, ?, ?)",
          ).bind(
            `txn_${id}`,
            `ch_${id}`,
            `pi_${id}`,
            (p.settled ?? { currency }).currency,
            (p.settled ?? { amount: p.amount }).amount,
            (p.settled ?? { amount: p.amount }).amount,
            at,
          ),
        ]),
  ]);
  return `pi_${id}`;
}

const impressions = (variant: string, count: number) =>
  env.DB.prepare(
    "INSERT INTO ask_event_counts (day, site, placement, campaign, variant, type, count) VALUES (?, 'demo', 'inline', '', ?, 'impression', ?) ON CONFLICT DO UPDATE SET count = count + excluded.count",
  )
    .bind(today, variant, count)
    .run();

async function publishWith(change: (s: Record<string, any>) => void) {
  const state = (await (await call("/admin/api/settings?site=demo", { headers: ADMIN })).json()) as {
    live: { settings: Record<string, any> };
  };
  const s = state.live.settings;
  change(s);
  const put = await call("/admin/api/settings/draft?site=demo", {
    method: "PUT",
    headers: json,
    body: JSON.stringify(s),
  });
  expect(put.status, await put.clone().text()).toBe(200);
  expect((await call("/admin/api/settings/publish?site=demo", { method: "POST", headers: json })).status).toBe(200);
}

beforeEach(async () => {
  await clearLedgerAndRollups();
  await env.DB.batch(
    ["settings_versions", "settings_drafts", "variant_allocations", "ask_event_counts", "refunds"].map((t) =>
      env.DB.prepare(`DELETE FROM ${t}`),
    ),
  );
  resetLiveSites();
});

describe("the variants' figures", () => {
  it("impressions, conversion, revenue per thousand impressions with its interval, in the settlement currency; other currencies left out and said", async () => {
    await impressions("control", 4000);
    await impressions("monthly-first", 4000);
    for (let i = 0; i < 20; i++) await paid({ variant: "control", amount: 1000 });
    for (let i = 0; i < 60; i++) await paid({ variant: "monthly-first", amount: 1000 });
    // A euro gift Stripe converted into the dollar balance counts at its settled dollar amount.
    await paid({ variant: "monthly-first", amount: 1000, currency: "EUR", settled: { currency: "USD", amount: 1080 } });
    // One settled in a second balance currency is left out (never added as raw numbers), one is not settled yet.
    await paid({ variant: "control", amount: 2000, currency: "GBP", settled: { currency: "GBP", amount: 2000 } });
    await paid({ variant: "control", amount: 1000, settled: null });

    const api = (await (await call("/admin/api/variants?site=demo", { headers: ADMIN })).json()) as Record<string, any>;
    expect(api.currency).toBe("USD");
    expect(api.leftOut).toEqual({ otherCurrencies: 1, unsettled: 1 });
    const [control, challenger] = api.variants as [Record<string, any>, Record<string, any>];
    expect(control).toMatchObject({ id: "control", impressions: 4000, conversions: 20, revenue: 20000 });
    expect(challenger).toMatchObject({ id: "monthly-first", impressions: 4000, conversions: 61, revenue: 61080 });
    expect(control.rpm.rpm).toBe(5000);
    expect(control.rpm.low).toBeLessThan(5000);
    expect(control.rpm.high).toBeGreaterThan(5000);
    expect(challenger.chanceOfBest).toBeGreaterThan(0.99);
    expect(api.leader).toEqual({ id: "monthly-first", clear: true });

    const page = await (await call("/admin/variants?site=demo", { headers: ADMIN })).text();
    expect(page).toContain('data-leader="monthly-first"');
    expect(page).toMatch(/data-variant="control"[\s\S]*data-figure="rpm">\$50\.00/);
    expect(page).toContain("1 pledge settled in another currency is left out");
    expect(page).not.toContain("<script");
  });

  it("the allocation run shares readers by the figures, keeps the control's share, and readers' config follows within the refresh", async () => {
    await publishWith((s) => {
      s.allocation = { mode: "thompson", control: "control", controlShare: 25, epsilon: 10, windowDays: 30 };
    });
    await impressions("control", 5000);
    await impressions("monthly-first", 5000);
    for (let i = 0; i < 10; i++) await paid({ variant: "control", amount: 1000 });
    for (let i = 0; i < 50; i++) await paid({ variant: "monthly-first", amount: 1000 });
    const [run] = await allocateVariants(env, Date.now(), seededRandom(3));
    expect(run?.site).toBe("demo");
    const weights = run?.weights as Record<string, number>;
    expect(weights.control).toBeGreaterThanOrEqual(250);
    expect(weights["monthly-first"]).toBeGreaterThan(700);
    expect((weights.control ?? 0) + (weights["monthly-first"] ?? 0)).toBe(1000);
    await refreshLiveSites(env, { force: true });
    const config = (await (await call("/api/config?site=demo")).json()) as {
      variants: { id: string; weight: number }[];
    };
    expect(config.variants.map((v) => [v.id, v.weight])).toEqual([
      ["control", weights.control],
      ["monthly-first", weights["monthly-first"]],
    ]);
    // Back on fixed weights: the stored allocation goes, readers get the configured weights.
    await publishWith((s) => {
      s.allocation.mode = "fixed";
    });
    await allocateVariants(env, Date.now());
    await refreshLiveSites(env, { force: true });
    const fixed = (await (await call("/api/config?site=demo")).json()) as {
      variants: { id: string; weight: number }[];
    };
    expect(fixed.variants.map((v) => v.weight)).toEqual([50, 50]);
  });
});

describe("a campaign goal", () => {
  it("the ask's config names the goal; its progress is the campaign's payments in the goal's currency less refunds, never other currencies", async () => {
    await publishWith((s) => {
      s.goals = { "spring-appeal": { currency: "USD", amount: 500000, endsOn: "2099-12-31", show: true } };
    });
    const config = (await (await call("/api/config?site=demo")).json()) as { goals: Record<string, unknown> };
    expect(config.goals).toEqual({ "spring-appeal": { currency: "USD", amount: 500000, endsOn: "2099-12-31" } });

    await paid({ variant: "control", amount: 2500, campaign: "spring-appeal" });
    const refundedIntent = await paid({ variant: "control", amount: 5000, campaign: "spring-appeal" });
    await paid({ variant: "control", amount: 9000, currency: "EUR", campaign: "spring-appeal" });
    await paid({ variant: "control", amount: 7000 });
    await env.DB.prepare(
      "INSERT INTO refunds (id, charge_id, payment_intent_id, currency, amount, status, status_key, created_at, updated_at) VALUES ('re_1', 'ch_x', ?, 'USD', 1000, 'succeeded', 1, 0, 0)",
    )
      .bind(refundedIntent)
      .run();
    const response = await call("/api/progress?site=demo&campaign=spring-appeal");
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(response.headers.get("cache-control")).toBe("public, max-age=60");
    expect(await response.json()).toEqual({
      campaign: "spring-appeal",
      currency: "USD",
      amount: 500000,
      raised: 6500,
      supporters: 2,
      endsOn: "2099-12-31",
    });
    const none = await call("/api/progress?site=demo&campaign=reminder");
    expect(none.status).toBe(404);
    expect(await none.json()).toEqual({
      error: { code: "no_goal", message: "This campaign has no goal to show.", field: "campaign" },
    });
  });
});
