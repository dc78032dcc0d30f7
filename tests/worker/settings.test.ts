import { env } from "cloudflare:workers";
import { Hono } from "hono";
import { beforeEach, describe, expect, it } from "vitest";
import { forgetAnswers } from "../../worker/config/cache";
import { FILE_SITES, liveSites, replaceLiveSites, resetLiveSites } from "../../worker/platform/sites";
import { LIVE_TTL_MS, liveSettings, refreshLiveSites } from "../../worker/settings/live";
import { staffRoutes } from "../../worker/staff/routes";
import { ADMIN, call, ORIGIN } from "./helpers";

/**
 * Settings edited in /admin: validated by the sites schema with the field named, saved as a draft,
 * previewed, published as a new version that readers get without a restart, rolled back in one
 * click; who may do which (viewer, editor, owner); every change and export in the audit log.
 */

const demo = FILE_SITES.find((s) => s.id === "demo")!;
const json = { "content-type": "application/json", origin: ORIGIN };

/** The settings as the API gives them, to change and send back. */
async function liveSettingsJson(): Promise<Record<string, any>> {
  const response = await call("/admin/api/settings?site=demo", { headers: ADMIN });
  expect(response.status).toBe(200);
  return ((await response.json()) as { live: { settings: Record<string, any> } }).live.settings;
}

const putDraft = (settings: unknown, headers: Record<string, string> = ADMIN) =>
  call("/admin/api/settings/draft?site=demo", {
    method: "PUT",
    headers: { ...json, ...headers },
    body: JSON.stringify(settings),
  });
const publish = (headers: Record<string, string> = ADMIN) =>
  call("/admin/api/settings/publish?site=demo", { method: "POST", headers: { ...json, ...headers } });
const config = async (query = "") =>
  (await (await call(`/api/config?site=demo${query}`)).json()) as Record<string, any>;

/**
 * The staff app behind Cloudflare Access, with a stand-in verifier: the token is the email.
 * `ana@courier.example.org` is an owner from STAFF_OWNERS.
 */
const accessEnv = {
  ...env,
  ACCESS_TEAM_DOMAIN: "newsroom.cloudflareaccess.com",
  ACCESS_AUD: "aud",
  STAFF_OWNERS: "Ana@courier.example.org",
};
const accessApp = new Hono()
  .use(liveSettings)
  .route("/admin", staffRoutes({ verifyAccess: async (token) => (token ? { email: token, subject: token } : null) }));
const as = (email: string, path: string, init: RequestInit = {}) =>
  accessApp.request(
    path,
    {
      ...init,
      headers: {
        "cf-access-jwt-assertion": email,
        origin: "http://localhost",
        ...(init.headers as Record<string, string>),
      },
    },
    accessEnv,
  );

beforeEach(async () => {
  await env.DB.batch(
    ["settings_versions", "settings_drafts", "staff_roles", "staff_audit"].map((t) =>
      env.DB.prepare(`DELETE FROM ${t}`),
    ),
  );
  resetLiveSites();
  // Each test publishes from version 1 again: answers cached for another test's version 1 must go.
  forgetAnswers();
});

describe("bad settings are refused with the field named", () => {
  it("the JSON API answers 422 naming every bad field and saves nothing", async () => {
    const s = await liveSettingsJson();
    s.currencies.GBP.min = 10;
    s.copy.en.heading = "";
    s.currencies.USD.presets.once = [1000, "lots"];
    const response = await putDraft(s);
    expect(response.status).toBe(422);
    type Refusal = {
      error: { code: string; field: string; message: string; fields: { field: string; message: string }[] };
    };
    const body = (await response.json()) as Refusal;
    expect(body.error.code).toBe("invalid_settings");
    expect(body.error.fields).toEqual([
      { field: "copy.en.heading", message: "must not be empty" },
      { field: "currencies.USD.presets.once[1]", message: "must be a number" },
    ]);
    expect(body.error.field).toBe("copy.en.heading");
    // Rules across fields are checked once every field has its type: the minimum is next.
    s.copy.en.heading = "Hello";
    s.currencies.USD.presets.once = [1000];
    const next = (await (await putDraft(s)).json()) as Refusal;
    expect(next.error).toMatchObject({
      field: "currencies.GBP.min",
      message: "currencies.GBP.min: must be at least Stripe's minimum charge (30)",
    });
    const after = (await (await call("/admin/api/settings?site=demo", { headers: ADMIN })).json()) as {
      draft: unknown;
    };
    expect(after.draft).toBeNull();
  });

  it("the rules that span fields name the field too: a default outside the amounts, a goal of an unknown campaign, an unreadable colour", async () => {
    const s = await liveSettingsJson();
    s.currencies.EUR.defaultAmount.monthly = 5;
    s.goals = { "winter-drive": { currency: "EUR", amount: 500000, endsOn: "2026-12-31" } };
    s.theme = { accent: "#f6f3ec", background: "#f6f3ec" };
    s.allocation = { mode: "thompson", control: "nobody", controlShare: 20, epsilon: 10, windowDays: 30 };
    const body = (await (await putDraft(s)).json()) as { error: { fields: { field: string; message: string }[] } };
    const fields = body.error.fields.map((f) => f.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        "currencies.EUR.defaultAmount.monthly",
        "goals.winter-drive",
        "theme.accent",
        "allocation.control",
      ]),
    );
    expect(body.error.fields.find((f) => f.field === "theme.accent")?.message).toMatch(/too light/);
  });

  it("the form shows each problem beside its field, keeps what was typed and saves nothing", async () => {
    const page = await (await call("/admin/settings?site=demo", { headers: ADMIN })).text();
    expect(page).toContain('name="copy.en.heading"');
    const form = new URLSearchParams(formValues(page));
    form.set("copy.en.heading", "");
    form.set("currencies.USD.min", "a lot");
    const response = await call("/admin/settings/draft?site=demo", {
      method: "POST",
      headers: { ...ADMIN, "content-type": "application/x-www-form-urlencoded", origin: ORIGIN },
      body: form.toString(),
    });
    expect(response.status).toBe(422);
    const html = await response.text();
    expect(html).toMatch(/Nothing was saved/);
    expect(html).toMatch(/data-error-for="currencies.USD.min">use an amount like 25 or 25.50</);
    expect(html).toMatch(/id="f-currencies-USD-min" name="currencies.USD.min" value="a lot"[^>]*aria-invalid="true"/);
    const draft = (
      (await (await call("/admin/api/settings?site=demo", { headers: ADMIN })).json()) as { draft: unknown }
    ).draft;
    expect(draft).toBeNull();
    // With the amount fixed, the empty heading is the schema's to refuse, beside its field.
    form.set("currencies.USD.min", "1");
    const again = await call("/admin/settings/draft?site=demo", {
      method: "POST",
      headers: { ...ADMIN, "content-type": "application/x-www-form-urlencoded", origin: ORIGIN },
      body: form.toString(),
    });
    expect(again.status).toBe(422);
    expect(await again.text()).toMatch(/data-error-for="copy.en.heading">must not be empty</);
  });
});

/** Every named input's value on a page, as a browser would post the form (checked boxes only). */
function formValues(html: string): [string, string][] {
  const out: [string, string][] = [];
  const form = html.slice(html.indexOf('<form method="post" action="/admin/settings/draft'));
  for (const m of form.matchAll(/<input ([^>]*)>/g)) {
    const attrs = m[1] as string;
    const name = /name="([^"]*)"/.exec(attrs)?.[1];
    if (!name) continue;
    const type = /type="([^"]*)"/.exec(attrs)?.[1];
    const value = decode(/value="([^"]*)"/.exec(attrs)?.[1] ?? "");
    if (type === "checkbox") {
      if (/ checked/.test(attrs)) out.push([name, /value="/.test(attrs) ? value : "on"]);
    } else out.push([name, value]);
  }
  for (const m of form.matchAll(/<textarea [^>]*name="([^"]*)"[^>]*>([\s\S]*?)<\/textarea>/g))
    out.push([m[1] as string, decode(m[2] as string)]);
  for (const m of form.matchAll(/<select [^>]*name="([^"]*)"[^>]*>([\s\S]*?)<\/select>/g)) {
    const selected = /<option value="([^"]*)" selected/.exec(m[2] as string)?.[1] ?? "";
    out.push([m[1] as string, decode(selected)]);
  }
  return out;
}
const decode = (s: string) =>
  s
    .replaceAll("&quot;", '"')
    .replaceAll("&#39;", "'")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&amp;", "&");

describe("draft, preview, publish, rollback", () => {
  it("the form as it is saves an unchanged draft (the form reads back exactly what it shows)", async () => {
    const page = await (await call("/admin/settings?site=demo", { headers: ADMIN })).text();
    const response = await call("/admin/settings/draft?site=demo", {
      method: "POST",
      headers: { ...ADMIN, "content-type": "application/x-www-form-urlencoded", origin: ORIGIN },
      body: new URLSearchParams(formValues(page)).toString(),
      redirect: "manual",
    });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/admin/settings/preview?site=demo&source=draft&saved=1");
    const state = (await (await call("/admin/api/settings?site=demo", { headers: ADMIN })).json()) as {
      live: { settings: unknown };
      draft: { settings: unknown };
    };
    expect(state.draft.settings).toEqual(state.live.settings);
  });

  it("the form adds and removes a currency, a variant with its own copy and audience, and a goal; amounts are typed in major units", async () => {
    const page = await (await call("/admin/settings?site=demo", { headers: ADMIN })).text();
    const form = new URLSearchParams(formValues(page));
    form.set("currencies.new.code", "CAD");
    for (const f of ["once", "monthly", "annual"]) form.set(`currencies.new.presets.${f}`, "10, 25.50, 50");
    for (const f of ["once", "monthly", "annual"]) form.set(`currencies.new.defaultAmount.${f}`, "25.50");
    form.set("currencies.new.min", "1");
    form.set("currencies.new.max", "10000");
    form.set("feeCoverage.fixed.new", "0.30");
    form.set("currencies.JPY.remove", "on");
    // Its country goes with it (or the form says JPY is no longer one of the site's currencies).
    form.set("countryCurrency", (form.get("countryCurrency") ?? "").replace(/\nJP JPY/, ""));
    form.set("feeCoverage.percentBps", "3.1");
    form.set("variants[2].id", "local-angle");
    form.set("variants[2].weight", "20");
    form.set("variants[2].copy.en.heading", "News from your own harbour");
    form.set("variants[2].target.sections", "harbour, council");
    form.append("variants[2].target.devices", "mobile");
    form.set("campaigns", "spring-appeal, winter-drive");
    form.set("goals.new.campaign", "winter-drive");
    form.set("goals.new.currency", "EUR");
    form.set("goals.new.amount", "5000");
    form.set("goals.new.endsOn", "2026-12-31");
    form.set("goals.new.show", "on");
    form.set("theme.enabled", "on");
    form.set("theme.accent", "#7a1f2b");
    form.set("theme.background", "#fbf7f0");
    const response = await call("/admin/settings/draft?site=demo", {
      method: "POST",
      headers: { ...ADMIN, "content-type": "application/x-www-form-urlencoded", origin: ORIGIN },
      body: form.toString(),
      redirect: "manual",
    });
    expect(response.status, (await response.clone().text()).match(/<ul>.*?<\/ul>/s)?.[0]).toBe(303);
    const draft = (
      (await (await call("/admin/api/settings?site=demo", { headers: ADMIN })).json()) as {
        draft: { settings: Record<string, any> };
      }
    ).draft.settings;
    expect(Object.keys(draft.currencies)).toEqual(["USD", "EUR", "GBP", "CAD"]);
    expect(draft.currencies.CAD).toEqual({
      presets: { once: [1000, 2550, 5000], monthly: [1000, 2550, 5000], annual: [1000, 2550, 5000] },
      defaultAmount: { once: 2550, monthly: 2550, annual: 2550 },
      min: 100,
      max: 1000000,
    });
    expect(draft.feeCoverage).toEqual({ percentBps: 310, fixed: { USD: 30, EUR: 25, GBP: 20, CAD: 30 } });
    expect(draft.countryCurrency.JP).toBeUndefined();
    expect(draft.countryCurrency.DE).toBe("EUR");
    expect(draft.variants[2]).toEqual({
      id: "local-angle",
      weight: 20,
      copy: { en: { heading: "News from your own harbour" }, ru: {} },
      target: { sections: ["harbour", "council"], devices: ["mobile"] },
    });
    expect(draft.goals).toEqual({
      "winter-drive": { currency: "EUR", amount: 500000, endsOn: "2026-12-31", show: true },
    });
    expect(draft.theme).toEqual({ accent: "#7a1f2b", background: "#fbf7f0" });
  });

  it("an editor's heading and amount reach readers' config on publish, without a restart; the audit log says who and what", async () => {
    const before = await config();
    expect(before.copy.heading).toBe("A Message from {publisher}");
    const s = await liveSettingsJson();
    s.copy.en.heading = "Keep the Courier on the coast";
    s.currencies.USD.presets.monthly = [700, 1000, 2000];
    s.currencies.USD.defaultAmount.monthly = 700;
    const saved = await putDraft(s);
    expect(saved.status).toBe(200);
    expect(((await saved.json()) as { changes: string[] }).changes).toEqual(
      expect.arrayContaining([
        "copy.en.heading",
        "currencies.USD.presets.monthly",
        "currencies.USD.defaultAmount.monthly",
      ]),
    );
    // A draft is not live: readers still get the old copy; the preview gets the draft.
    expect((await config()).copy.heading).toBe("A Message from {publisher}");
    const preview = (await (
      await call("/admin/api/settings/preview-config?site=demo&lang=en", { headers: ADMIN })
    ).json()) as Record<string, any>;
    expect(preview.copy.heading).toBe("Keep the Courier on the coast");
    expect(preview.presets.monthly).toEqual([700, 1000, 2000]);

    const published = await publish();
    expect(published.status).toBe(200);
    expect(await published.json()).toMatchObject({ version: 1 });
    const after = await config();
    expect(after.copy.heading).toBe("Keep the Courier on the coast");
    expect(after.presets.monthly).toEqual([700, 1000, 2000]);
    expect(after.defaultAmount.monthly).toBe(700);
    // Other languages and the site's fixed identity are untouched.
    expect((await config("&lang=ru")).copy.heading).toBe("Обращение от {publisher}");

    const audit = (await (await call("/admin/api/audit?site=demo", { headers: ADMIN })).json()) as {
      entries: { actor: string; action: string; detail: Record<string, unknown> }[];
    };
    expect(audit.entries.map((e) => e.action)).toEqual(["settings.publish", "settings.draft"]);
    expect(audit.entries[0]).toMatchObject({ actor: "staff token", detail: { version: 1 } });
    expect(audit.entries[0]?.detail.changes).toContain("copy.en.heading");
  });

  it("another isolate's publish is live here within the refresh interval, with no deploy", async () => {
    expect((await config()).copy.heading).toBe("A Message from {publisher}");
    const s = await liveSettingsJson();
    s.copy.en.heading = "Published elsewhere";
    const row = { ...s };
    // As another isolate would: the version row only (this isolate's snapshot is not told).
    await env.DB.prepare(
      "INSERT INTO settings_versions (site, version, settings, created_at, created_by, changes) VALUES ('demo', 1, ?, ?, 'x', '[]')",
    )
      .bind(JSON.stringify(row), Date.now())
      .run();
    expect((await config()).copy.heading).toBe("A Message from {publisher}");
    await refreshLiveSites(env, { now: Date.now() + LIVE_TTL_MS + 1 });
    expect((await config()).copy.heading).toBe("Published elsewhere");
  });

  it("a published version a later deploy's schema refuses is not served: the site runs the sites file and staff are told why", async () => {
    const s = await liveSettingsJson();
    s.copy.en.heading = "";
    await env.DB.prepare(
      "INSERT INTO settings_versions (site, version, settings, created_at, created_by, changes) VALUES ('demo', 1, ?, ?, 'x', '[]')",
    )
      .bind(JSON.stringify(s), Date.now())
      .run();
    await refreshLiveSites(env, { force: true });
    expect((await config()).copy.heading).toBe("A Message from {publisher}");
    const dashboard = await (await call("/admin?site=demo", { headers: ADMIN })).text();
    expect(dashboard).toContain("Settings of demo: Published version 1 no longer passes the checks (copy.en.heading");
    const editor = await (await call("/admin/settings?site=demo", { headers: ADMIN })).text();
    expect(editor).toContain("Version 1 no longer passes the checks, so the site runs on the sites file");
  });

  it("history lists each version; restoring an old one publishes it again as the newest, in one click", async () => {
    const s = await liveSettingsJson();
    s.copy.en.heading = "First change";
    await putDraft(s);
    await publish();
    s.copy.en.heading = "Second change";
    await putDraft(s);
    await publish();
    expect((await config()).copy.heading).toBe("Second change");

    const history = await (await call("/admin/settings/history?site=demo", { headers: ADMIN })).text();
    expect(history).toMatch(/data-version="2"/);
    expect(history).toMatch(/data-restore="1"/);
    expect(history).toMatch(/data-restore="0"/);
    const restored = await call("/admin/settings/rollback?site=demo", {
      method: "POST",
      headers: { ...ADMIN, "content-type": "application/x-www-form-urlencoded", origin: ORIGIN },
      body: "version=1",
      redirect: "manual",
    });
    expect(restored.status).toBe(303);
    expect((await config()).copy.heading).toBe("First change");
    const versions = (await (await call("/admin/api/settings/versions?site=demo", { headers: ADMIN })).json()) as {
      versions: { version: number; restoredFrom: number | null; changes: string[] }[];
    };
    expect(versions.versions.map((v) => [v.version, v.restoredFrom])).toEqual([
      [3, 1],
      [2, null],
      [1, null],
    ]);
    expect(versions.versions[0]?.changes).toEqual(["copy.en.heading"]);
    // Back to the sites file itself (version 0), through the JSON API.
    const file = await call("/admin/api/settings/rollback?site=demo", {
      method: "POST",
      headers: { ...ADMIN, ...json },
      body: JSON.stringify({ version: 0 }),
    });
    expect(await file.json()).toMatchObject({ version: 4, restoredFrom: 0 });
    expect((await config()).copy.heading).toBe(demo.copy.en?.heading);
    expect(
      (
        await call("/admin/api/settings/rollback?site=demo", {
          method: "POST",
          headers: { ...ADMIN, ...json },
          body: '{"version":9}',
        })
      ).status,
    ).toBe(404);
  });

  it("the preview frame runs only our own scripts and is framed only by our page; the staff pages run none", async () => {
    const frame = await call("/admin/settings/preview/frame?site=demo&lang=ru&source=draft", { headers: ADMIN });
    expect(frame.status).toBe(200);
    const csp = frame.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'self'");
    expect(csp).not.toMatch(/unsafe/);
    const html = await frame.text();
    expect(html).toContain(
      '<script src="/admin/static/preview.js" data-site="demo" data-lang="ru" data-source="draft"',
    );
    const page = await call("/admin/settings/preview?site=demo", { headers: ADMIN });
    const pageCsp = page.headers.get("content-security-policy") ?? "";
    expect(pageCsp).toContain("frame-src 'self'");
    expect(pageCsp).not.toContain("script-src");
    const body = await page.text();
    for (const lang of ["en", "ru"])
      for (const width of ["desktop", "phone"])
        expect(body).toContain(
          `/admin/settings/preview/frame?site=demo&amp;source=draft&amp;lang=${lang}&amp;width=${width}`,
        );
    expect(body).not.toContain("<script");
    const editor = await call("/admin/settings?site=demo", { headers: ADMIN });
    expect(editor.headers.get("content-security-policy")).not.toContain("script-src");
    // The preview's config is staff-only.
    expect((await call("/admin/api/settings/preview-config?site=demo&lang=en")).status).toBe(401);
  });

  it("the preview shows one variant when asked, and never targets: staff see the ask wherever they are", async () => {
    const s = await liveSettingsJson();
    s.target = { sections: ["sport"] };
    s.variants[1].target = { devices: ["mobile"] };
    await putDraft(s);
    const preview = (await (
      await call("/admin/api/settings/preview-config?site=demo&lang=en&variant=monthly-first", { headers: ADMIN })
    ).json()) as Record<string, any>;
    expect(preview.target).toBeUndefined();
    expect(preview.variants).toEqual([
      { id: "monthly-first", weight: 1, copy: { bannerTitle: "Six reporters. One coast. No ads." } },
    ]);
    await publish();
    const live = await config();
    expect(live.target).toEqual({ sections: ["sport"] });
    expect(live.variants[1].target).toEqual({ devices: ["mobile"] });
  });
});

describe("roles", () => {
  it("a viewer reads the settings and previews, but cannot change them: 403 with a clear message", async () => {
    const page = await as("viola@courier.example.org", "/admin/settings?site=demo");
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("data-read-only");
    expect(html).toMatch(/<fieldset class="plain" disabled>/);
    expect(html).not.toContain('data-action="save"');
    const s = await liveSettingsJson();
    const put = await as("viola@courier.example.org", "/admin/api/settings/draft?site=demo", {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(s),
    });
    expect(put.status).toBe(403);
    expect(await put.json()).toEqual({
      error: {
        code: "forbidden",
        message:
          "Your role on demo is viewer: changing the settings needs an editor or an owner. Ask an owner of the site to change your role.",
      },
    });
    const form = await as("viola@courier.example.org", "/admin/settings/draft?site=demo", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "name=x",
    });
    expect(form.status).toBe(403);
    expect(await form.text()).toContain("Your role on demo is viewer");
    expect(
      (await as("viola@courier.example.org", "/admin/api/settings/publish?site=demo", { method: "POST" })).status,
    ).toBe(403);
    expect((await as("viola@courier.example.org", "/admin/api/reconcile?since=1d", { method: "POST" })).status).toBe(
      403,
    );
  });

  it("an owner gives roles; an editor edits and publishes but cannot manage roles; all of it audited", async () => {
    // Ana is an owner through STAFF_OWNERS (case does not matter).
    const give = await as("ana@courier.example.org", "/admin/api/roles?site=demo", {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "Ed@Courier.example.org", role: "editor" }),
    });
    expect(give.status).toBe(200);
    expect(await give.json()).toEqual({ site: "demo", email: "ed@courier.example.org", role: "editor" });
    const bad = await as("ana@courier.example.org", "/admin/api/roles?site=demo", {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "ed", role: "chief" }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { field: string } }).error.field).toBe("email");

    const s = await liveSettingsJson();
    s.copy.en.heading = "Ed's heading";
    const put = await as("ed@courier.example.org", "/admin/api/settings/draft?site=demo", {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(s),
    });
    expect(put.status).toBe(200);
    expect(
      (await as("ed@courier.example.org", "/admin/api/settings/publish?site=demo", { method: "POST" })).status,
    ).toBe(200);
    expect((await config()).copy.heading).toBe("Ed's heading");

    const roles = await as("ed@courier.example.org", "/admin/api/roles?site=demo", {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "ed@courier.example.org", role: "owner" }),
    });
    expect(roles.status).toBe(403);
    expect(((await roles.json()) as { error: { message: string } }).error.message).toBe(
      "Your role on demo is editor: managing roles and reading the audit log needs an owner. Ask an owner of the site to change your role.",
    );
    expect((await as("ed@courier.example.org", "/admin/staff?site=demo")).status).toBe(403);
    expect((await as("ed@courier.example.org", "/admin/api/audit?site=demo")).status).toBe(403);

    const audit = (await (await as("ana@courier.example.org", "/admin/api/audit?site=demo")).json()) as {
      entries: { actor: string; action: string }[];
    };
    expect(audit.entries.map((e) => [e.actor, e.action])).toEqual([
      ["ed@courier.example.org", "settings.publish"],
      ["ed@courier.example.org", "settings.draft"],
      ["ana@courier.example.org", "roles.set"],
    ]);
    const versions = (await (await as("ana@courier.example.org", "/admin/api/settings/versions?site=demo")).json()) as {
      versions: { createdBy: string }[];
    };
    expect(versions.versions[0]?.createdBy).toBe("ed@courier.example.org");
    const staffPage = await (await as("ana@courier.example.org", "/admin/staff?site=demo")).text();
    expect(staffPage).toContain("ed@courier.example.org");
    expect(staffPage).toContain("published version 1 (copy.en.heading)");
  });

  it("every export goes into the audit log", async () => {
    const csv = await call("/admin/api/payments.csv?site=demo&from=2026-01-01&to=2026-01-31", { headers: ADMIN });
    expect(csv.status).toBe(200);
    await csv.text();
    const audit = (await (await call("/admin/api/audit?site=demo", { headers: ADMIN })).json()) as {
      entries: { action: string; detail: Record<string, unknown>; text: string }[];
    };
    expect(audit.entries[0]).toMatchObject({
      action: "export.payments_csv",
      detail: { from: "2026-01-01", to: "2026-01-31" },
      text: "exported payments (2026-01-01 to 2026-01-31)",
    });
  });
});

describe("the settings refresh under concurrent requests", () => {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  /** env with a D1 that answers every statement `ms` late. */
  const slowDb = (ms: number) => {
    const statement = (s: D1PreparedStatement): D1PreparedStatement =>
      new Proxy(s, {
        get(target, name) {
          const value = Reflect.get(target, name);
          if (typeof value !== "function") return value;
          if (name === "bind") return (...args: unknown[]) => statement(value.apply(target, args));
          // Run at once (reading D1 as it is now), answered `ms` later.
          return async (...args: unknown[]) => {
            const result = await value.apply(target, args);
            await sleep(ms);
            return result;
          };
        },
      });
    const db = new Proxy(env.DB, {
      get(target, name) {
        const value = Reflect.get(target, name);
        if (name === "prepare") return (sql: string) => statement(target.prepare(sql));
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    return { ...env, DB: db };
  };
  /** Whether `p` settles within `ms`. */
  const settlesWithin = (p: Promise<unknown>, ms: number) =>
    Promise.race([p.then(() => true), sleep(ms).then(() => false)]);

  // In Workers, what follows a wait on a promise another request made runs in that request's
  // context, where the waiting request's own I/O (reading its body) then fails: "Cannot perform
  // I/O on behalf of a different request". So a request never waits on another's reload.
  it("a request that finds a reload under way serves the snapshot it has instead of waiting on it", async () => {
    const slow = slowDb(200);
    replaceLiveSites({ ...liveSites(), loadedAt: Date.now() - LIVE_TTL_MS - 1 });
    const first = refreshLiveSites(slow);
    expect(await settlesWithin(refreshLiveSites(slow), 50)).toBe(true);
    expect(await settlesWithin(first, 50)).toBe(false);
    await first;
    expect(Date.now() - liveSites().loadedAt).toBeLessThan(LIVE_TTL_MS);
  });

  it("with no snapshot loaded yet, each request loads its own rather than wait", async () => {
    const slow = slowDb(200);
    resetLiveSites();
    expect(liveSites().loadedAt).toBe(0);
    const first = refreshLiveSites(slow);
    const second = refreshLiveSites(slow);
    expect(await settlesWithin(second, 50)).toBe(false);
    await Promise.all([first, second]);
    expect(liveSites().loadedAt).toBeGreaterThan(0);
  });

  it("a forced reload reads D1 itself, and a reload that started before it cannot overwrite it when it ends later", async () => {
    const s = await liveSettingsJson();
    s.copy.en.heading = "Published after the slow read began";
    const slow = slowDb(300);
    replaceLiveSites({ ...liveSites(), loadedAt: Date.now() - LIVE_TTL_MS - 1 });
    // A reload on a slow D1 begins (it will read the state before the publish below)...
    const older = refreshLiveSites(slow);
    await sleep(20);
    // ...another isolate publishes, and this one is forced to reload on a quick D1.
    await env.DB.prepare(
      "INSERT INTO settings_versions (site, version, settings, created_at, created_by, changes) VALUES ('demo', 1, ?, ?, 'x', '[]')",
    )
      .bind(JSON.stringify(s), Date.now())
      .run();
    await refreshLiveSites(env, { force: true });
    expect((await config()).copy.heading).toBe("Published after the slow read began");
    await older;
    expect((await config()).copy.heading).toBe("Published after the slow read began");
  });
});
