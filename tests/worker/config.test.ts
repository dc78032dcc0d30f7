import { describe, expect, it } from "vitest";
import { ADMIN_TOKEN, call } from "./helpers";

describe("GET /api/config", () => {
  it("gives the demo site's ask in its default currency, cacheable at the edge", async () => {
    const response = await call("/api/config?site=demo");
    expect(response.status).toBe(200);
    // It depends on the visitor's country here, so no shared cache may keep it...
    expect(response.headers.get("cache-control")).toBe("private, max-age=60");
    // ...while a URL that names its currency is the same for everyone and can be cached at the edge.
    const named = await call("/api/config?site=demo&currency=EUR");
    expect(named.headers.get("cache-control")).toContain("s-maxage=300");
    const config = (await response.json()) as Record<string, any>;
    expect(config).toMatchObject({
      name: "The Harbour Courier",
      lang: "en",
      currency: "USD",
      decimals: 2,
      frequencies: ["once", "monthly", "annual"],
      defaultFrequency: "monthly",
      min: 100,
      fee: { percentBps: 290, fixed: 30 },
    });
    expect(config.presets.monthly).toEqual([500, 1000, 2000]);
    expect(config.copy.heading).toBe("A Message from {publisher}");
  });

  it("takes the currency parameter, else the visitor's country, else the default", async () => {
    const jpy = (await (await call("/api/config?site=demo&currency=jpy")).json()) as Record<string, any>;
    expect(jpy).toMatchObject({ currency: "JPY", decimals: 0 });
    const german = await call("/api/config?site=demo", { cf: { country: "DE" } } as RequestInit);
    expect(((await german.json()) as { currency: string }).currency).toBe("EUR");
    const unknownCurrency = (await (await call("/api/config?site=demo&currency=XXX")).json()) as { currency: string };
    expect(unknownCurrency.currency).toBe("USD");
  });

  it("speaks Russian when asked, English otherwise", async () => {
    const ru = (await (await call("/api/config?site=demo&lang=ru")).json()) as Record<string, any>;
    expect(ru.lang).toBe("ru");
    expect(ru.copy.heading).toBe("Обращение от {publisher}");
    const fr = (await (await call("/api/config?site=demo&lang=fr")).json()) as { lang: string };
    expect(fr.lang).toBe("en");
  });

  it("carries the thank-you's copy and the supporter memory's lengths only when asked (thanks=1)", async () => {
    const ask = (await (await call("/api/config?site=demo&lang=ru")).json()) as Record<string, any>;
    expect(ask.copy.thanksTitle).toBeUndefined();
    expect(ask.copy.thanksBody).toBeUndefined();
    expect(ask.rules.supporterDaysOnce).toBeUndefined();
    expect(ask.rules.supporterDaysRecurring).toBeUndefined();
    expect(ask.rules).toMatchObject({ afterParagraph: 3, viewCap: 4, snoozeDays: 7, bannerPosition: "top" });
    const thanks = (await (await call("/api/config?site=demo&lang=ru&thanks=1")).json()) as Record<string, any>;
    expect(thanks.copy.thanksTitle).toBe("Спасибо, что поддерживаете {publisher}");
    expect(thanks.rules).toMatchObject({ supporterDaysOnce: 90, supporterDaysRecurring: 365 });
    // Otherwise the same answer.
    const { copy: _a, rules: _b, ...restAsk } = ask;
    const { copy: _c, rules: _d, ...restThanks } = thanks;
    expect(restThanks).toEqual(restAsk);
  });

  it("answers again from memory with the same body and an ETag; 304 when the reader already holds it", async () => {
    const first = await call("/api/config?site=demo&currency=EUR");
    const body = await first.text();
    const etag = first.headers.get("etag");
    expect(etag).toMatch(/^"[0-9a-z]+-[0-9a-z]+"$/);
    const again = await call("/api/config?site=demo&currency=EUR");
    expect(await again.text()).toBe(body);
    expect(again.headers.get("etag")).toBe(etag);
    const held = await call("/api/config?site=demo&currency=EUR", { headers: { "if-none-match": `W/${etag}` } });
    expect(held.status).toBe(304);
    expect(await held.text()).toBe("");
    expect(held.headers.get("etag")).toBe(etag);
    expect(held.headers.get("cache-control")).toContain("s-maxage=300");
    // Another answer (language, currency or the thank-you's) has another tag.
    const other = await call("/api/config?site=demo&currency=EUR&lang=ru");
    expect(other.headers.get("etag")).not.toBe(etag);
    expect((await call("/api/config?site=demo&currency=GBP", { headers: { "if-none-match": etag! } })).status).toBe(
      200,
    );
  });

  it("an unknown or missing site is a 404 JSON error", async () => {
    for (const path of ["/api/config?site=nope", "/api/config"]) {
      const response = await call(path);
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({
        error: { code: "unknown_site", message: "No site has this id.", field: "site" },
      });
    }
  });
});

describe("GET /admin/api/summary", () => {
  it("needs the staff token", async () => {
    expect((await call("/admin/api/summary?site=demo")).status).toBe(401);
    expect((await call("/admin/api/summary?site=demo", { headers: { authorization: "Bearer wrong" } })).status).toBe(
      401,
    );
    const ok = await call("/admin/api/summary?site=demo", { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ site: "demo", currencies: [], recurring: [] });
  });

  it("refuses a bad range with 400", async () => {
    const response = await call("/admin/api/summary?site=demo&from=2026-02-30x", {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(response.status).toBe(400);
  });
});

describe("settingsVersion", () => {
  it("follows the published settings version and the allocation's time, and is none for an unknown site", async () => {
    const { settingsVersion, liveSites, replaceLiveSites, resetLiveSites } = await import(
      "../../worker/platform/sites"
    );
    try {
      resetLiveSites();
      expect(settingsVersion("demo")).toBe("0.0");
      replaceLiveSites({ ...liveSites(), versions: new Map([["demo", 3]]) });
      expect(settingsVersion("demo")).toBe("3.0");
      replaceLiveSites({
        ...liveSites(),
        allocations: new Map([["demo", { weights: {}, computedAt: 1234, settingsVersion: 3 }]]),
      });
      expect(settingsVersion("demo")).toBe("3.1234");
      expect(settingsVersion("nope")).toBeUndefined();
    } finally {
      resetLiveSites();
    }
  });
});
