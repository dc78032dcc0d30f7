import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import devVarsExample from "../../.dev.vars.example?raw";
import { app } from "../../worker/app";
import { EXAMPLE_ADMIN_TOKEN, EXAMPLE_SESSION_SECRET } from "../../worker/platform/deployment";
import { MAX_FAILURES } from "../../worker/staff/session";
import { ADMIN, ADMIN_TOKEN, call, freshIp, ORIGIN } from "./helpers";

/**
 * Proof: staff tokens cannot be guessed over any door, the development token (or any short
 * one) opens nothing outside development, and every refusal says why.
 */

const summary = (authorization: string, ip: string) =>
  call("/admin/api/summary?site=demo", { headers: { authorization }, ip });
const formSignIn = (token: string, ip: string) =>
  call("/admin/sign-in", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: ORIGIN },
    body: new URLSearchParams({ token, next: "/admin" }).toString(),
    redirect: "manual",
    ip,
  });

async function withEnv(path: string, vars: Record<string, unknown>, init: RequestInit = {}) {
  const ctx = createExecutionContext();
  const headers = new Headers(init.headers);
  if (!headers.has("cf-connecting-ip")) headers.set("cf-connecting-ip", freshIp());
  const response = await app.fetch(new Request(`${ORIGIN}${path}`, { ...init, headers }), { ...env, ...vars }, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

afterEach(() => vi.restoreAllMocks());

describe("proof: guessing the staff token is limited", () => {
  it(`${MAX_FAILURES} wrong bearer tokens, then every attempt is refused with 429 — even the right token`, async () => {
    const ip = freshIp();
    for (let i = 0; i < MAX_FAILURES; i++) expect((await summary(`Bearer guess-${i}`, ip)).status).toBe(401);
    const limited = await summary("Bearer guess-again", ip);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(((await limited.json()) as { error: { code: string } }).error.code).toBe("rate_limited");
    // The right token is not even compared now: a lucky guess gains nothing.
    expect((await summary(ADMIN.authorization, ip)).status).toBe(429);
    // Other clients are not affected.
    expect((await summary(ADMIN.authorization, freshIp())).status).toBe(200);
  });

  it("wrong bearer tokens and wrong sign-in form tokens share one limit", async () => {
    const ip = freshIp();
    for (let i = 0; i < MAX_FAILURES / 2; i++) expect((await summary(`Bearer guess-${i}`, ip)).status).toBe(401);
    for (let i = 0; i < MAX_FAILURES / 2; i++) expect((await formSignIn(`guess-${i}`, ip)).status).toBe(401);
    const form = await formSignIn(ADMIN_TOKEN, ip);
    expect(form.status).toBe(429);
    expect(form.headers.get("set-cookie")).toBeNull();
    expect(await form.text()).toContain("Too many wrong tokens");
    expect((await summary(ADMIN.authorization, ip)).status).toBe(429);
  });

  it("the limit covers a whole IPv6 /64", async () => {
    const net = `2001:db8:${Math.floor(Math.random() * 0xffff).toString(16)}:1`;
    for (let i = 0; i < MAX_FAILURES; i++)
      expect((await summary(`Bearer guess-${i}`, `${net}:${(i + 1).toString(16)}::1`)).status).toBe(401);
    expect((await summary(ADMIN.authorization, `${net}:ffff::2`)).status).toBe(429);
  });

  it("right tokens do not count: a script may call the API as often as it likes", async () => {
    const ip = freshIp();
    for (let i = 0; i < MAX_FAILURES + 5; i++) expect((await summary(ADMIN.authorization, ip)).status).toBe(200);
  });
});

describe("proof: outside development a weak ADMIN_TOKEN opens nothing, and says so", () => {
  it("the example's development token is refused in production over bearer, form and page, and logged", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const production = { ENVIRONMENT: "production", ADMIN_TOKEN: EXAMPLE_ADMIN_TOKEN };
    const bearer = await withEnv("/admin/api/summary?site=demo", production, {
      headers: { authorization: `Bearer ${EXAMPLE_ADMIN_TOKEN}` },
    });
    expect(bearer.status).toBe(503);
    const refusal = (await bearer.json()) as { error: { code: string; message: string } };
    expect(refusal.error.code).toBe("token_refused");
    expect(refusal.error.message).toContain("development token");

    const form = await withEnv("/admin/sign-in", production, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: ORIGIN },
      body: new URLSearchParams({ token: EXAMPLE_ADMIN_TOKEN }).toString(),
      redirect: "manual",
    });
    expect(form.status).toBe(503);
    expect(form.headers.get("set-cookie")).toBeNull();
    expect(await form.text()).toContain("ADMIN_TOKEN is the development token");

    const page = await withEnv("/admin", production);
    expect(page.status).toBe(401);
    expect(await page.text()).toContain("ADMIN_TOKEN is the development token from .dev.vars.example");

    expect(errors.mock.calls.flat().join(" ")).toContain("ADMIN_TOKEN is the development token");
  });

  it.each([
    ["short", "a-short-but-random-token-12345"],
    ["any ENVIRONMENT but development", EXAMPLE_ADMIN_TOKEN],
  ])("a %s token is refused too", async (_name, token) => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    for (const ENVIRONMENT of ["production", "staging", "test"]) {
      const response = await withEnv(
        "/admin/api/summary?site=demo",
        { ENVIRONMENT, ADMIN_TOKEN: token },
        { headers: { authorization: `Bearer ${token}` } },
      );
      expect(response.status, ENVIRONMENT).toBe(503);
    }
  });

  it("in development the development token works, as npm start promises", async () => {
    const response = await withEnv(
      "/admin/api/summary?site=demo",
      { ENVIRONMENT: "development", ADMIN_TOKEN: EXAMPLE_ADMIN_TOKEN },
      { headers: { authorization: `Bearer ${EXAMPLE_ADMIN_TOKEN}` } },
    );
    expect(response.status).toBe(200);
  });

  it("the example's SESSION_SECRET signs nothing outside development, and the dashboard says so", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const page = await withEnv(
      "/admin?site=demo",
      { ENVIRONMENT: "production", SESSION_SECRET: EXAMPLE_SESSION_SECRET },
      { headers: ADMIN },
    );
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("SESSION_SECRET is the development secret");
    const form = await withEnv(
      "/admin/sign-in",
      { ENVIRONMENT: "production", SESSION_SECRET: EXAMPLE_SESSION_SECRET },
      {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", origin: ORIGIN },
        body: new URLSearchParams({ token: ADMIN_TOKEN }).toString(),
      },
    );
    expect(form.status).toBe(503);
    expect(form.headers.get("set-cookie")).toBeNull();
    expect(await form.text()).toContain("SESSION_SECRET is the development secret");
  });

  it("the refused values are exactly those of .dev.vars.example", () => {
    const example = Object.fromEntries(
      devVarsExample
        .split("\n")
        .filter((line) => /^\w+=/.test(line))
        .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1).trim()]),
    );
    expect(example.ADMIN_TOKEN).toBe(EXAMPLE_ADMIN_TOKEN);
    expect(example.SESSION_SECRET).toBe(EXAMPLE_SESSION_SECRET);
  });
});
