import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../../worker/app";
import { ADMIN, call, HSTS, ORIGIN } from "./helpers";

/**
 * Security headers on every answer, /demo only where it is meant to be, and development
 * behaviour only when ENVIRONMENT says exactly "development".
 */

async function withEnv(path: string, vars: Record<string, unknown>, init: RequestInit = {}) {
  const ctx = createExecutionContext();
  const headers = new Headers(init.headers);
  headers.set("cf-connecting-ip", "203.0.113.9");
  const response = await app.fetch(new Request(`${ORIGIN}${path}`, { ...init, headers }), { ...env, ...vars }, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

function expectBaseline(response: Response, path: string) {
  expect(response.headers.get("strict-transport-security"), path).toBe(HSTS);
  expect(response.headers.get("x-content-type-options"), path).toBe("nosniff");
  expect(response.headers.get("referrer-policy"), path).toMatch(
    /^(no-referrer|same-origin|strict-origin-when-cross-origin)$/,
  );
  expect(response.headers.get("content-security-policy"), path).toContain("frame-ancestors 'none'");
}

describe("every HTML page carries HSTS, nosniff, a referrer policy and frame-ancestors", () => {
  it.each([
    ["/admin", {}],
    ["/admin?site=demo", { headers: ADMIN }],
    ["/manage?site=demo", {}],
    ["/manage?site=nope", {}],
    [`/manage/open/${"a".repeat(22)}.1999999999.${"b".repeat(43)}`, {}],
    [`/r/forget/${"A".repeat(43)}?site=demo`, {}],
    ["/demo", {}],
  ] as [string, RequestInit][])("%s", async (path, init) => {
    const response = await call(path, init);
    expect(response.headers.get("content-type")).toMatch(/text\/html/);
    expectBaseline(response, path);
  });

  it("and so do JSON answers, errors and the stylesheets", async () => {
    for (const path of ["/api/config?site=demo", "/api/nothing", "/manage/style.css", "/demo/style.css"])
      expectBaseline(await call(path), path);
    const refused = await call("/api/checkout", { method: "POST", headers: { origin: "https://evil.example" } });
    expectBaseline(refused, "/api/checkout");
  });

  it("the demo article keeps the CSP we recommend to publishers, now with frame-ancestors", async () => {
    const response = await call("/demo");
    expect(response.headers.get("content-security-policy")).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'",
    );
  });
});

describe("/demo is served only in development or when DEMO_PAGE is on", () => {
  it("production without DEMO_PAGE: 404 for the article and its stylesheet", async () => {
    for (const path of ["/demo", "/demo/style.css", "/demo/anything"]) {
      const response = await withEnv(path, { ENVIRONMENT: "production", DEMO_PAGE: "off" });
      expect(response.status, path).toBe(404);
      expect(await response.text()).not.toContain("Harbour Courier");
    }
  });

  it("production with DEMO_PAGE on, and development, serve it", async () => {
    expect((await withEnv("/demo", { ENVIRONMENT: "production", DEMO_PAGE: "on" })).status).toBe(200);
    expect((await withEnv("/demo", { ENVIRONMENT: "development", DEMO_PAGE: "off" })).status).toBe(200);
  });
});

describe("development behaviour only when ENVIRONMENT is exactly development (fail closed)", () => {
  const preflight = (vars: Record<string, unknown>) =>
    withEnv(
      "/api/checkout",
      { DEMO_PAGE: "off", ...vars },
      {
        method: "OPTIONS",
        headers: { origin: "http://localhost:5173", "access-control-request-method": "POST" },
      },
    );

  it.each([["staging"], [""], ["Development"], ["dev"], [undefined]])(
    "ENVIRONMENT=%s: no localhost origin for the demo site, no /demo, no ?now",
    async (value) => {
      const vars = { ENVIRONMENT: value };
      expect((await preflight(vars)).headers.get("access-control-allow-origin")).toBeNull();
      expect((await withEnv("/demo", { ...vars, DEMO_PAGE: "off" })).status).toBe(404);
      const dispatch = await withEnv("/admin/api/reminders/dispatch?now=2030-01-01T09:00:00Z", vars, {
        method: "POST",
        headers: ADMIN,
      });
      expect(dispatch.status).toBe(400);
    },
  );

  it("ENVIRONMENT=development: the demo site accepts a local page", async () => {
    expect((await preflight({ ENVIRONMENT: "development" })).headers.get("access-control-allow-origin")).toBe(
      "http://localhost:5173",
    );
  });
});
