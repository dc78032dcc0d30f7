import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { bufferCounts, flushBuffer } from "../../worker/events/buffer";
import {
  type BeaconCounts,
  type ClientBeacons,
  counterFor,
  EventCounter,
  eventsPerClientMinute,
  flushSite,
  MAX_CLIENTS_PER_MINUTE,
  MAX_ROWS_PER_SITE_DAY,
  shardOf,
} from "../../worker/events/counter";
import type { WorkerEnv } from "../../worker/platform/env";
import { ADMIN, call, clearLedger, freshIp, insideOneWindow, ORIGIN, startCheckout } from "./helpers";

const send = (body: unknown, headers: Record<string, string> = {}, ip = freshIp()) =>
  call("/api/events", {
    method: "POST",
    // sendBeacon with a string body sends text/plain: no CORS preflight.
    headers: { "content-type": "text/plain;charset=UTF-8", origin: ORIGIN, ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
    ip,
  });

const counts = async () =>
  (
    await env.DB.prepare(
      "SELECT placement, campaign, variant, type, count FROM ask_event_counts ORDER BY placement, type, campaign, variant",
    ).all()
  ).results;
const rowCount = async () =>
  (await env.DB.prepare("SELECT count(*) AS n FROM ask_event_counts").first<{ n: number }>())?.n ?? 0;
const total = async () =>
  (await env.DB.prepare("SELECT coalesce(sum(count), 0) AS n FROM ask_event_counts").first<{ n: number }>())?.n ?? 0;

/** Flushes until the counters hold `expected` counts in all (beacons are answered before they are handed over). */
async function flushedTotal(expected: number) {
  await expect
    .poll(
      async () => {
        await flushSite(env, "demo");
        return total();
      },
      { timeout: 10_000 },
    )
    .toBe(expected);
}

beforeEach(async () => {
  await flushSite(env, "demo");
  await env.DB.prepare("DELETE FROM ask_event_counts").run();
  await clearLedger();
});

describe("POST /api/events", () => {
  it("aggregates counters per day, site, placement, campaign, variant and type", async () => {
    const day = new Date().toISOString().slice(0, 10);
    for (let i = 0; i < 3; i++) {
      const response = await send({
        site: "demo",
        events: [
          { type: "impression", placement: "inline", variant: "control" },
          { type: "view", placement: "inline", variant: "control" },
        ],
      });
      expect(response.status).toBe(204);
    }
    expect(
      (
        await send({
          site: "demo",
          events: [{ type: "click", placement: "banner", campaign: "spring-appeal", variant: "monthly-first" }],
        })
      ).status,
    ).toBe(204);
    await flushedTotal(7);
    expect(await counts()).toEqual([
      { placement: "banner", campaign: "spring-appeal", variant: "monthly-first", type: "click", count: 1 },
      { placement: "inline", campaign: "", variant: "control", type: "impression", count: 3 },
      { placement: "inline", campaign: "", variant: "control", type: "view", count: 3 },
    ]);
    const row = await env.DB.prepare("SELECT day, site FROM ask_event_counts LIMIT 1").first();
    expect(row).toEqual({ day, site: "demo" });
  });

  it("writes nothing to D1 per request: counts wait in the aggregator until a flush", async () => {
    await send({ site: "demo", events: [{ type: "impression", placement: "inline" }] });
    expect(await counts()).toEqual([]);
    await flushedTotal(1);
  });

  it.each([
    ["not JSON", "{{"],
    ["no events", { site: "demo", events: [] }],
    ["an unknown type", { site: "demo", events: [{ type: "purchase", placement: "inline" }] }],
    ["personal data", { site: "demo", events: [{ type: "view", placement: "inline", email: "a@b.c" }] }],
    ["too many events", { site: "demo", events: Array(21).fill({ type: "view", placement: "inline" }) }],
  ])("refuses %s with 400 and counts nothing", async (_name, body) => {
    const response = await send(body);
    expect(response.status).toBe(400);
    await flushSite(env, "demo");
    expect(await counts()).toEqual([]);
  });

  it("refuses unknown sites and foreign origins", async () => {
    expect((await send({ site: "nope", events: [{ type: "view", placement: "inline" }] })).status).toBe(404);
    const foreign = await send(
      { site: "demo", events: [{ type: "view", placement: "inline" }] },
      { origin: "https://evil.example.com" },
    );
    expect(foreign.status).toBe(403);
    await flushSite(env, "demo");
    expect(await counts()).toEqual([]);
  });
});

describe("proof: the staff funnel cannot be poisoned", () => {
  const beacon = { site: "demo", events: [{ type: "view", placement: "inline" }] };

  it("a script without an Origin header (or with a null one) counts nothing", async () => {
    const noOrigin = await call("/api/events", {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: JSON.stringify(beacon),
    });
    expect(noOrigin.status).toBe(403);
    expect(((await noOrigin.json()) as { error: { code: string } }).error.code).toBe("origin_not_allowed");
    expect((await send(beacon, { origin: "null" })).status).toBe(403);
    await flushSite(env, "demo");
    expect(await counts()).toEqual([]);
  });

  it("600 made-up campaign names in 30 requests are counted as `other`: three rows, not 600", async () => {
    const made = Array.from({ length: 600 }, (_, i) => `made-up-${i}-${crypto.randomUUID().slice(0, 8)}`);
    for (let r = 0; r < 30; r++) {
      const events = made.slice(r * 20, r * 20 + 20).map((campaign, i) => ({
        type: "view",
        placement: i % 2 ? "inline" : "banner",
        campaign,
        variant: `v-${r}-${i}`,
      }));
      expect((await send({ site: "demo", events })).status).toBe(204);
    }
    await flushedTotal(600);
    expect(await counts()).toEqual([
      { placement: "banner", campaign: "other", variant: "other", type: "view", count: 300 },
      { placement: "inline", campaign: "other", variant: "other", type: "view", count: 300 },
    ]);
    // The staff dashboard JSON stays the size of an ordinary day.
    const dashboard = await call("/admin/api/dashboard?site=demo&range=today", { headers: ADMIN });
    const text = await dashboard.text();
    expect(text).not.toContain("made-up-");
    expect(text.length).toBeLessThan(10_000);
    const page = await (await call("/admin?site=demo&range=today", { headers: ADMIN })).text();
    expect(page).not.toContain("made-up-");
    expect(page.length).toBeLessThan(60_000);
  });

  it("a campaign a checkout has carried, and a configured one, keep their names", async () => {
    await startCheckout({ campaign: "autumn-drive" });
    const events = [
      { type: "view", placement: "inline", campaign: "autumn-drive" },
      { type: "view", placement: "inline", campaign: "spring-appeal" },
      { type: "view", placement: "inline", campaign: "reminder" },
      { type: "view", placement: "inline", campaign: "winter-drive" },
    ];
    expect((await send({ site: "demo", events })).status).toBe(204);
    await flushedTotal(4);
    expect((await counts()).map((r) => (r as { campaign: string }).campaign)).toEqual([
      "autumn-drive",
      "other",
      "reminder",
      "spring-appeal",
    ]);
  });

  it(`a site's day holds at most ${MAX_ROWS_PER_SITE_DAY} counters (plus one overflow per placement and type); no count is lost`, async () => {
    // 100 campaigns that checkouts have carried: 100 × 2 placements × 6 types = 1,200 possible counters.
    const campaigns = Array.from({ length: 100 }, (_, i) => `seen-${i}`);
    const now = Date.now();
    await env.DB.batch(
      campaigns.map((campaign, i) =>
        env.DB.prepare(
          `INSERT INTO pledges (id, site, frequency, currency, amount, status, campaign, created_at, updated_at)
           VALUES (?, 'demo', 'once', 'USD', 1000, 'pending', ?, ?, ?)`,
        ).bind(`pl_seen_${i}`, campaign, now, now),
      ),
    );
    const types = ["impression", "view", "click", "dismiss", "snooze", "checkout"];
    const all = campaigns.flatMap((campaign) =>
      ["inline", "banner"].flatMap((placement) => types.map((type) => ({ type, placement, campaign }))),
    );
    for (let i = 0; i < all.length; i += 20) {
      expect((await send({ site: "demo", events: all.slice(i, i + 20) })).status).toBe(204);
      // Flush as we go, so every name has been looked up by the time the cap is reached.
      if (i % 200 === 0) await flushSite(env, "demo");
    }
    await flushedTotal(all.length);
    const rows = await rowCount();
    expect(rows).toBeGreaterThan(MAX_ROWS_PER_SITE_DAY - 100);
    expect(rows).toBeLessThanOrEqual(MAX_ROWS_PER_SITE_DAY + 12);
    const overflow = await env.DB.prepare(
      "SELECT count(*) AS n, coalesce(sum(count), 0) AS counted FROM ask_event_counts WHERE campaign = 'other'",
    ).first<{ n: number; counted: number }>();
    expect(overflow?.n).toBeGreaterThan(0);
    expect(overflow?.n).toBeLessThanOrEqual(12);
  }, 60_000);

  it("each client's counters count up to its limit a minute; beyond it they are answered alike and not counted", async () => {
    const limit = eventsPerClientMinute(env);
    // The tests run with the production limit (wrangler.toml [vars]).
    expect(limit).toBe(120);
    await insideOneWindow();
    const ip = freshIp();
    const answers: Response[] = [];
    for (let i = 0; i < limit + 5; i++) answers.push(await send(beacon, {}, ip));
    // A beacon's answer is never read; one over the limit gets the same empty 204, so it tells the caller nothing.
    expect(answers.map((r) => r.status)).toEqual(Array(limit + 5).fill(204));
    const over = answers.at(-1) as Response;
    expect(await over.text()).toBe("");
    expect(over.headers.get("retry-after")).toBeNull();
    expect([...over.headers.keys()].sort()).toEqual([...(answers[0] as Response).headers.keys()].sort());
    // Another client is not affected.
    expect((await send(beacon, {}, freshIp())).status).toBe(204);
    await flushedTotal(limit + 1);
    await flushSite(env, "demo");
    expect(await total()).toBe(limit + 1);
  }, 30_000);

  it("an IPv6 client's addresses share one limit (its /64); the next /64 has its own", async () => {
    const limit = eventsPerClientMinute(env);
    await insideOneWindow();
    const net = `2001:db8:${Math.floor(Math.random() * 0xffff).toString(16)}:9`;
    for (let i = 0; i < limit + 10; i++)
      expect((await send(beacon, {}, `${net}:${(i + 1).toString(16)}::1`)).status).toBe(204);
    expect((await send(beacon, {}, `${net.replace(/:9$/, ":a")}::1`)).status).toBe(204);
    await flushedTotal(limit + 1);
  }, 30_000);
});

describe("proof: a client's limit holds however many isolates hand its counters over", () => {
  const key = (type: string) => `${new Date().toISOString().slice(0, 10)}|demo|banner|||${type}`;
  const beacons = (n: number, type = "view"): BeaconCounts[] => Array.from({ length: n }, () => [[key(type), 1]]);
  const stored = async (type: string) =>
    (
      await env.DB.prepare("SELECT coalesce(sum(count), 0) AS n FROM ask_event_counts WHERE type = ?")
        .bind(type)
        .first<{ n: number }>()
    )?.n ?? 0;

  it("hand-overs from three isolates: the client's shard takes its first beacons up to the limit and drops the rest", async () => {
    const limit = eventsPerClientMinute(env);
    await insideOneWindow();
    const client = `203.0.113.${Math.floor(Math.random() * 250)}-${crypto.randomUUID()}`;
    const other = `${client}-other`;
    const shard = counterFor(env, "demo", shardOf(client));
    // Each isolate buffers on its own; the counter object is the one place that sees them all.
    expect(await shard.take([[client, beacons(50)]])).toBe(0);
    expect(
      await shard.take([
        [client, beacons(50)],
        [other, beacons(3, "click")],
      ]),
    ).toBe(0);
    expect(await shard.take([[client, beacons(50)]])).toBe(150 - limit);
    expect(await shard.take([[client, beacons(1)]])).toBe(1);
    await flushSite(env, "demo");
    expect(await stored("view")).toBe(limit);
    expect(await stored("click")).toBe(3);
  });

  it(`an object that has met ${MAX_CLIENTS_PER_MINUTE.toLocaleString("en")} clients this minute takes no new one: no client escapes its tally`, async () => {
    await insideOneWindow();
    // An object of its own, and beacons without counts, so nothing here reaches another test's figures.
    const object = counterFor(env, "client-cap", 0);
    const prefix = crypto.randomUUID();
    const flood = Array.from({ length: MAX_CLIENTS_PER_MINUTE }, (_, i): ClientBeacons => [`${prefix}-${i}`, [[]]]);
    expect(await object.take(flood)).toBe(0);
    expect(await object.take([[`${prefix}-new`, [[], []]]])).toBe(2);
    expect(await object.take([[`${prefix}-7`, [[]]]])).toBe(0);
  }, 30_000);

  it("a client's beacons always go to the same shard, and clients spread over the shards", () => {
    const clients = Array.from({ length: 400 }, (_, i) => `198.51.100.${i % 250}-${i}`);
    for (const client of clients.slice(0, 20)) expect(shardOf(client)).toBe(shardOf(client));
    const perShard = new Map<number, number>();
    for (const client of clients) perShard.set(shardOf(client), (perShard.get(shardOf(client)) ?? 0) + 1);
    expect(perShard.size).toBe(4);
    for (const n of perShard.values()) expect(n).toBeGreaterThan(50);
  });
});

describe("proof: the counter's flush loses and doubles nothing while it waits on D1", () => {
  /** D1 whose batch writes wait until `release()`; `entered` resolves when one is waiting. */
  function slowD1() {
    let release!: () => void;
    let entered!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const waiting = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const db = new Proxy(env.DB, {
      get(target, prop) {
        if (prop === "batch")
          return async (statements: D1PreparedStatement[]) => {
            entered();
            await gate;
            return target.batch(statements);
          };
        const value = Reflect.get(target, prop);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    return { db, release, waiting };
  }

  const key = (type: string) => `${new Date().toISOString().slice(0, 10)}|demo|inline|||${type}`;
  const stored = async (type: string) =>
    (await env.DB.prepare("SELECT count FROM ask_event_counts WHERE type = ?").bind(type).first<{ count: number }>())
      ?.count ?? 0;

  /** Runs `body` on a counter object whose D1 writes wait until released. */
  async function withSlowD1(
    shard: number,
    body: (instance: EventCounter, slow: ReturnType<typeof slowD1>, state: DurableObjectState) => Promise<void>,
  ) {
    const stub = counterFor(env, "demo", shard);
    await runInDurableObject(stub, async (instance: EventCounter, state) => {
      const slow = slowD1();
      const object = instance as unknown as { env: WorkerEnv };
      const real = object.env;
      object.env = { ...real, DB: slow.db };
      try {
        await body(instance, slow, state);
      } finally {
        object.env = real;
      }
    });
  }

  it("counts that arrive while a flush waits on D1 are not lost: the next flush writes them", async () => {
    await withSlowD1(9, async (instance, slow, state) => {
      await instance.add([[key("impression"), 1]]);
      const first = instance.flush();
      await slow.waiting;
      await instance.add([[key("impression"), 5]]);
      await instance.add([[key("view"), 2]]);
      // Storage holds everything not yet in D1 (in flight and arrived since), should the object be evicted now.
      expect(new Map(await state.storage.get<[string, number][]>("pending"))).toEqual(
        new Map([
          [key("impression"), 6],
          [key("view"), 2],
        ]),
      );
      slow.release();
      await first;
      expect(await stored("impression")).toBe(1);
      expect(new Map(await state.storage.get<[string, number][]>("pending"))).toEqual(
        new Map([
          [key("impression"), 5],
          [key("view"), 2],
        ]),
      );
      await instance.flush();
      expect(await stored("impression")).toBe(6);
      expect(await stored("view")).toBe(2);
      expect(await state.storage.get("pending")).toBeUndefined();
    });
  });

  it("a flush asked for while another waits on D1 never writes the same counts twice", async () => {
    await withSlowD1(10, async (instance, slow) => {
      await instance.add([[key("click"), 1]]);
      const first = instance.flush();
      await slow.waiting;
      const second = instance.flush();
      const third = instance.flush();
      slow.release();
      await Promise.all([first, second, third]);
      expect(await stored("click")).toBe(1);
      expect(await instance.flush()).toBe(0);
      expect(await stored("click")).toBe(1);
    });
  });

  it("an isolate's flush waits for hand-overs already under way, so the figures staff read are complete", async () => {
    bufferCounts(env, { waitUntil: () => {} }, "demo", "198.51.100.1", new Map([[key("checkout"), 4]]));
    const handingOver = flushBuffer(env);
    // Staff read fresh figures while that hand-over is still on its way to the counter object.
    await flushSite(env, "demo");
    expect(await stored("checkout")).toBe(4);
    await handingOver;
  });

  it("an object that restarts keeps the counts it had stored, and new ones add to them (not replace them)", async () => {
    const stub = counterFor(env, "demo", 12);
    await runInDurableObject(stub, async (instance: EventCounter, state) => {
      await instance.add([[key("snooze"), 2]]);
      // The object is evicted and started again on the same storage: a new instance, empty memory.
      const restarted = new EventCounter(
        state as unknown as DurableObjectState,
        (instance as unknown as { env: WorkerEnv }).env,
      );
      await state.blockConcurrencyWhile(async () => {});
      await restarted.add([[key("snooze"), 3]]);
      expect(await state.storage.get("pending")).toEqual([[key("snooze"), 5]]);
      await restarted.flush();
      expect(await stored("snooze")).toBe(5);
    });
  });

  it("a failed write gives its counts back to the next flush", async () => {
    const stub = counterFor(env, "demo", 11);
    await runInDurableObject(stub, async (instance: EventCounter, state) => {
      const object = instance as unknown as { env: WorkerEnv };
      const real = object.env;
      const broken = new Proxy(env.DB, {
        get(target, prop) {
          if (prop === "batch") return async () => Promise.reject(new Error("D1 is down"));
          const value = Reflect.get(target, prop);
          return typeof value === "function" ? value.bind(target) : value;
        },
      });
      object.env = { ...real, DB: broken };
      await instance.add([[key("dismiss"), 3]]);
      await expect(instance.flush()).rejects.toThrow("D1 is down");
      object.env = real;
      expect(await state.storage.get("pending")).toEqual([[key("dismiss"), 3]]);
      await instance.flush();
      expect(await stored("dismiss")).toBe(3);
    });
  });
});
