import { env } from "cloudflare:workers";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { database } from "../../worker/platform/db";
import { accessVerifier } from "../../worker/staff/access-jwt";
import { staffRoutes } from "../../worker/staff/routes";
import { openSession } from "../../worker/staff/session";
import { ADMIN, ADMIN_TOKEN, call, ORIGIN } from "./helpers";

/** nobody but staff reaches /admin, by any route, with any forged or stale credential. */

const PAGES = ["/admin", "/admin?site=demo&range=all", "/admin/", "/admin/anything", "/admin/sign-in"];
const JSON_ROUTES = [
  "/admin/api/summary?site=demo",
  "/admin/api/dashboard?site=demo&range=all",
  "/admin/api/payments.csv?site=demo",
  "/admin/api/nothing-here",
];
const SECRETS = { sessionSecret: "test-session-secret-0123456789abcdef", adminToken: ADMIN_TOKEN };

async function expectRefused(response: Response, kind: "html" | "json") {
  expect(response.status).toBe(401);
  expect(response.headers.get("access-control-allow-origin")).toBeNull();
  if (kind === "json") {
    expect(await response.json()).toEqual({
      error: { code: "unauthorized", message: "Staff authentication is required." },
    });
  } else {
    expect(response.headers.get("content-type")).toMatch(/text\/html/);
    const html = await response.text();
    expect(html).toContain('action="/admin/sign-in"');
    expect(html).not.toMatch(/Net raised|payments\.csv/);
  }
}

async function signIn(token = ADMIN_TOKEN, headers: Record<string, string> = { origin: ORIGIN }) {
  return call("/admin/sign-in", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams({ token, next: "/admin?range=all" }).toString(),
    redirect: "manual",
  });
}

const cookieOf = (response: Response) => (response.headers.get("set-cookie") ?? "").split(";")[0] as string;

describe("without authentication every admin route refuses", () => {
  it("pages show the sign-in form (401); JSON answers 401 JSON; no CORS", async () => {
    for (const path of PAGES)
      await expectRefused(await call(path, { headers: { origin: "https://evil.example" } }), "html");
    for (const path of JSON_ROUTES)
      await expectRefused(await call(path, { headers: { origin: "https://evil.example" } }), "json");
  });

  it("a wrong bearer token, an empty one or the token in another scheme are refused", async () => {
    for (const authorization of [
      "Bearer wrong",
      "Bearer ",
      "Basic dGVzdC1hZG1pbi10b2tlbg==",
      ADMIN_TOKEN,
      `Bearer  ${ADMIN_TOKEN}`,
    ])
      await expectRefused(await call(JSON_ROUTES[0] as string, { headers: { authorization } }), "json");
  });

  it("a preflight gets no CORS permission", async () => {
    const response = await call("/admin/api/summary?site=demo", {
      method: "OPTIONS",
      headers: {
        origin: "https://evil.example",
        "access-control-request-method": "GET",
        "access-control-request-headers": "authorization",
      },
    });
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    expect(response.status).toBe(401);
  });

  it("the bearer token still works for JSON, and for pages", async () => {
    expect((await call(JSON_ROUTES[0] as string, { headers: ADMIN })).status).toBe(200);
    const page = await call("/admin?site=demo", { headers: ADMIN });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(await page.text()).toContain("Money raised");
  });
});

describe("token sign-in and the session cookie", () => {
  it("signs in with a strict, HttpOnly, Secure, expiring cookie that opens pages and JSON", async () => {
    const response = await signIn();
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/admin?range=all");
    const setCookie = response.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/^rs_admin=[\w-]{43}; Max-Age=43200; Path=\/admin; HttpOnly; Secure; SameSite=Strict$/);
    const cookie = cookieOf(response);
    expect((await call("/admin?site=demo", { headers: { cookie } })).status).toBe(200);
    expect((await call("/admin/api/summary?site=demo", { headers: { cookie } })).status).toBe(200);
  });

  it("a wrong token sets nothing and says so", async () => {
    const response = await signIn(`${ADMIN_TOKEN.slice(0, -1)}J`);
    expect(response.status).toBe(401);
    expect(response.headers.get("set-cookie")).toBeNull();
    expect(await response.text()).toContain("That token is not right.");
  });

  it("sign-in from another site (or with no origin at all) is refused: no login CSRF", async () => {
    expect((await signIn(ADMIN_TOKEN, { origin: "https://evil.example" })).status).toBe(403);
    expect((await signIn(ADMIN_TOKEN, {})).status).toBe(403);
    expect((await signIn(ADMIN_TOKEN, { "sec-fetch-site": "same-origin" })).status).toBe(303);
  });

  it("never redirects outside /admin after sign-in", async () => {
    for (const next of ["https://evil.example/", "//evil.example/admin", "/administrator", "/\\evil.example"]) {
      const response = await call("/admin/sign-in", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", origin: ORIGIN },
        body: new URLSearchParams({ token: ADMIN_TOKEN, next }).toString(),
        redirect: "manual",
      });
      expect(response.headers.get("location"), next).toBe("/admin");
    }
  });

  it("refuses expired, tampered, made-up and foreign-secret sessions", async () => {
    const db = database(env.DB);
    const now = Date.now();
    const expired = await openSession(db, SECRETS, now - 13 * 3_600_000);
    const valid = await openSession(db, SECRETS, now);
    const forged = [
      expired,
      `${valid.slice(0, -1)}${valid.endsWith("A") ? "B" : "A"}`, // one character changed
      "A".repeat(43), // made up
      `${valid}.${valid}`,
      "",
      await openSession(db, { ...SECRETS, sessionSecret: "someone-elses-secret-0123456789" }, now),
      await openSession(db, { ...SECRETS, adminToken: "the-old-admin-token-0123456789abcdef" }, now), // token rotated since
    ];
    for (const value of forged) {
      await expectRefused(await call("/admin", { headers: { cookie: `rs_admin=${value}` } }), "html");
      await expectRefused(
        await call("/admin/api/summary?site=demo", { headers: { cookie: `rs_admin=${value}` } }),
        "json",
      );
    }
    expect((await call("/admin/api/summary?site=demo", { headers: { cookie: `rs_admin=${valid}` } })).status).toBe(200);
  });

  it("a cookie-borne state change from another site is refused (CSRF)", async () => {
    const cookie = cookieOf(await signIn());
    const cross = await call("/admin/api/summary?site=demo", {
      method: "POST",
      headers: { cookie, origin: "https://evil.example" },
    });
    expect(cross.status).toBe(403);
    const outbox = await call("/admin/api/reminders/dispatch", {
      method: "POST",
      headers: { cookie, origin: "https://evil.example" },
    });
    expect(outbox.status).toBe(403);
  });

  it("signs out: the cookie is cleared; only from our own pages; a copy of the old cookie is dead at once", async () => {
    const cookie = cookieOf(await signIn());
    expect(
      (await call("/admin/sign-out", { method: "POST", headers: { cookie, origin: "https://evil.example" } })).status,
    ).toBe(403);
    const out = await call("/admin/sign-out", {
      method: "POST",
      headers: { cookie, origin: ORIGIN },
      redirect: "manual",
    });
    expect(out.status).toBe(303);
    expect(out.headers.get("set-cookie")).toMatch(
      /^rs_admin=; Max-Age=0; Path=\/admin; HttpOnly; Secure; SameSite=Strict/,
    );
    // The attack: the cookie was copied before signing out (a shared computer, a stolen laptop).
    await expectRefused(await call("/admin/api/summary?site=demo", { headers: { cookie } }), "json");
    await expectRefused(await call("/admin?site=demo", { headers: { cookie } }), "html");
  });

  it("sign out everywhere ends every session at once (and needs staff, from our own pages)", async () => {
    const laptop = cookieOf(await signIn());
    const phone = cookieOf(await signIn());
    expect((await call("/admin/api/summary?site=demo", { headers: { cookie: phone } })).status).toBe(200);
    expect((await call("/admin/sign-out-everywhere", { method: "POST" })).status).toBe(401);
    expect(
      (
        await call("/admin/sign-out-everywhere", {
          method: "POST",
          headers: { cookie: laptop, origin: "https://evil.example" },
        })
      ).status,
    ).toBe(403);
    const out = await call("/admin/sign-out-everywhere", {
      method: "POST",
      headers: { cookie: laptop, origin: ORIGIN },
      redirect: "manual",
    });
    expect(out.status).toBe(303);
    for (const cookie of [laptop, phone])
      await expectRefused(await call("/admin/api/summary?site=demo", { headers: { cookie } }), "json");
    // The dashboard offers it.
    const page = await (
      await call("/admin?site=demo", { headers: { cookie: cookieOf(await signIn()), origin: ORIGIN } })
    ).text();
    expect(page).toContain('action="/admin/sign-out-everywhere"');
  });
});

describe("Cloudflare Access", () => {
  const TEAM = "newsroom.cloudflareaccess.com";
  const AUD = "3b4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e";
  const accessEnv = { ...env, ACCESS_TEAM_DOMAIN: TEAM, ACCESS_AUD: AUD };
  const b64url = (data: ArrayBuffer | Uint8Array | string) =>
    btoa(typeof data === "string" ? data : String.fromCharCode(...new Uint8Array(data)))
      .replaceAll("+", "-")
      .replaceAll("/", "_")
      .replace(/=+$/, "");

  async function rsaKey() {
    return (await crypto.subtle.generateKey(
      { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
      true,
      ["sign", "verify"],
    )) as CryptoKeyPair;
  }

  async function jwt(
    key: CryptoKey,
    claims: Record<string, unknown>,
    header: Record<string, unknown> = { alg: "RS256", kid: "k1" },
  ) {
    const data = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const signature = await crypto.subtle.sign("RSASSA-PKCS1-v1_5", key, new TextEncoder().encode(data));
    return `${data}.${b64url(signature)}`;
  }

  async function setup() {
    const pair = await rsaKey();
    const jwk = { ...((await crypto.subtle.exportKey("jwk", pair.publicKey)) as JsonWebKey), kid: "k1" };
    let fetches = 0;
    const verifier = accessVerifier(async (team) => {
      expect(team).toBe(TEAM);
      fetches++;
      return [jwk];
    });
    const app = new Hono().route("/admin", staffRoutes({ verifyAccess: verifier }));
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: `https://${TEAM}`,
      aud: [AUD],
      email: "editor@courier.example.org",
      sub: "u1",
      iat: now,
      exp: now + 600,
    };
    const request = (path: string, token?: string, headers: Record<string, string> = {}) =>
      app.request(path, { headers: { ...(token ? { "cf-access-jwt-assertion": token } : {}), ...headers } }, accessEnv);
    return { pair, claims, request, fetches: () => fetches };
  }

  it("a valid Access JWT opens the dashboard and shows the staff email; keys are fetched once", async () => {
    const { pair, claims, request, fetches } = await setup();
    const token = await jwt(pair.privateKey, claims);
    const page = await request("/admin?site=demo", token);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("editor@courier.example.org");
    expect((await request("/admin/api/summary?site=demo", token)).status).toBe(200);
    expect(fetches()).toBe(1);
  });

  it("refuses expired, wrong-audience, wrong-issuer, forged, unsigned and missing tokens — and the admin token", async () => {
    const { pair, claims, request } = await setup();
    const other = await rsaKey();
    const now = Math.floor(Date.now() / 1000);
    const valid = await jwt(pair.privateKey, claims);
    const [h, p] = valid.split(".");
    const bad = [
      await jwt(pair.privateKey, { ...claims, exp: now - 120 }),
      await jwt(pair.privateKey, { ...claims, aud: ["another-application"] }),
      await jwt(pair.privateKey, { ...claims, iss: "https://evil.cloudflareaccess.com" }),
      await jwt(pair.privateKey, { ...claims, nbf: now + 3600 }),
      await jwt(other.privateKey, claims), // same kid, someone else's key
      await jwt(pair.privateKey, claims, { alg: "RS256", kid: "unknown" }),
      `${b64url(JSON.stringify({ alg: "none", kid: "k1" }))}.${p}.`,
      `${h}.${b64url(JSON.stringify({ ...claims, email: "intruder@evil.example" }))}.${valid.split(".")[2]}`,
      "not-a-jwt",
      undefined,
    ];
    for (const token of bad) {
      const page = await request("/admin", token);
      expect(page.status, String(token)).toBe(401);
      expect(await page.text()).toContain("Cloudflare Access");
      expect((await request("/admin/api/summary?site=demo", token)).status).toBe(401);
    }
    // With Access configured, the token door is closed.
    expect(
      (await request("/admin/api/summary?site=demo", undefined, { authorization: `Bearer ${ADMIN_TOKEN}` })).status,
    ).toBe(401);
  });
});
