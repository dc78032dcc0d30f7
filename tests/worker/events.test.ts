import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { flushSite } from "../../worker/events/counter";
import { call, ORIGIN } from "./helpers";

const send = (body: unknown, headers: Record<string, string> = {}) =>
  call("/api/events", {
    method: "POST",
    // sendBeacon with a string body sends text/plain: no CORS preflight.
    headers: { "content-type": "text/plain;charset=UTF-8", origin: ORIGIN, ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

const counts = async () =>
  (
    await env.DB.prepare(
      "SELECT placement, campaign, variant, type, count FROM ask_event_counts ORDER BY placement, type, variant",
    ).all()
  ).results;

beforeEach(async () => {
  await flushSite(env, "demo");
  await env.DB.prepare("DELETE FROM ask_event_counts").run();
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
          events: [{ type: "click", placement: "banner", campaign: "spring", variant: "monthly-first" }],
        })
      ).status,
    ).toBe(204);
    // Beacons are answered before the aggregator has the counts (waitUntil): flush until they land.
    await expect
      .poll(async () => {
        await flushSite(env, "demo");
        return counts();
      })
      .toEqual([
        { placement: "banner", campaign: "spring", variant: "monthly-first", type: "click", count: 1 },
        { placement: "inline", campaign: "", variant: "control", type: "impression", count: 3 },
        { placement: "inline", campaign: "", variant: "control", type: "view", count: 3 },
      ]);
    const row = await env.DB.prepare("SELECT day, site FROM ask_event_counts LIMIT 1").first();
    expect(row).toEqual({ day, site: "demo" });
  });

  it("writes nothing to D1 per request: counts wait in the aggregator until a flush", async () => {
    await send({ site: "demo", events: [{ type: "impression", placement: "inline" }] });
    expect(await counts()).toEqual([]);
    await expect
      .poll(async () => {
        await flushSite(env, "demo");
        return counts();
      })
      .toHaveLength(1);
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
