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
