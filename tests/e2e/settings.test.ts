import { webcrypto } from "node:crypto";
import { mkdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { Browser, BrowserContext, Frame, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, type Stack, startStack } from "../../tools/stack.ts";
import { chromiumAvailable, launchBrowser } from "./browser";
import { axeSource, SHOTS } from "./setup";

/**
 * Publishers run their asks from /admin, in Chromium against the real stack behind Cloudflare
 * Access (the test signs staff identities with its own key, which the worker fetches in development
 * from ACCESS_CERTS_URL): an owner makes an editor and a viewer; the editor changes the heading and
 * an amount, sees the preview (desktop and phone, each language), publishes, and a reader's /demo
 * shows the change without a restart; the viewer cannot edit; a rollback restores the old copy; the
 * variants' table. Screenshots: tests/e2e/screenshots/settings-*.png.
 */

const TEAM = "e2e-newsroom.cloudflareaccess.com";
const AUD = "e2e-audience";
const OWNER = "owner@courier.example.org";
const EDITOR = "editor@courier.example.org";
const VIEWER = "viewer@courier.example.org";
const NEW_HEADING = "Keep the Courier on the coast";

const b64url = (data: ArrayBuffer | Uint8Array | string) =>
  Buffer.from(typeof data === "string" ? data : new Uint8Array(data)).toString("base64url");

describe.skipIf(!chromiumAvailable())("running the ask from /admin, in Chromium", () => {
  let stack: Stack;
  let browser: Browser;
  let certs: Server;
  let key: CryptoKeyPair;

  /** An Access JWT for `email`, as Cloudflare Access would put in Cf-Access-Jwt-Assertion. */
  async function jwt(email: string) {
    const now = Math.floor(Date.now() / 1000);
    const data = `${b64url(JSON.stringify({ alg: "RS256", kid: "e2e" }))}.${b64url(
      JSON.stringify({ iss: `https://${TEAM}`, aud: [AUD], email, sub: email, iat: now, exp: now + 3600 }),
    )}`;
    const signature = await webcrypto.subtle.sign("RSASSA-PKCS1-v1_5", key.privateKey, new TextEncoder().encode(data));
    return `${data}.${b64url(signature)}`;
  }

  /** A browser for one staff member: every request carries their Access token. */
  async function staff(email: string, viewport = { width: 1280, height: 900 }) {
    const context = await browser.newContext({
      viewport,
      extraHTTPHeaders: { "Cf-Access-Jwt-Assertion": await jwt(email) },
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    return { context, page, errors };
  }

  /** A reader with an empty browser. */
  async function reader(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    return { context, page: await context.newPage() };
  }

  const inlineAsk = (page: Page | Frame) => page.locator('reader-support[data-placement="inline"]');

  async function readerHeading(): Promise<{ heading: string; amounts: string[] }> {
    const { context, page } = await reader();
    await page.goto(`${stack.base}/demo`);
    const ask = inlineAsk(page);
    await expect.poll(() => ask.getByRole("button", { name: "Continue" }).isVisible(), { timeout: 15_000 }).toBe(true);
    const heading = (await ask.locator("h2").first().textContent()) ?? "";
    const amounts = await ask
      .getByRole("radio")
      .evaluateAll((els) => els.map((e) => e.parentElement?.textContent ?? ""));
    await context.close();
    return { heading, amounts };
  }

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    key = (await webcrypto.subtle.generateKey(
      { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
      true,
      ["sign", "verify"],
    )) as CryptoKeyPair;
    const jwk = { ...(await webcrypto.subtle.exportKey("jwk", key.publicKey)), kid: "e2e" };
    const port = await freePort();
    certs = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => certs.listen(port, "127.0.0.1", resolve));
    [stack, browser] = await Promise.all([
      startStack({
        port: 0,
        inspectorPort: 0,
        emulatorPort: 0,
        persistDir: "temp",
        build: false,
        webhookSecret: "whsec_local_dev_only",
        webhookRetryDelaysMs: [200, 500, 1000],
        vars: {
          SESSION_SECRET: "e2e-session-secret-0123456789abcdef",
          ACCESS_TEAM_DOMAIN: TEAM,
          ACCESS_AUD: AUD,
          ACCESS_CERTS_URL: `http://127.0.0.1:${port}/certs`,
          STAFF_OWNERS: OWNER,
        },
      }),
      launchBrowser(),
    ]);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await new Promise<void>((resolve) => (certs ? certs.close(() => resolve()) : resolve()));
  });

  it("the owner (from STAFF_OWNERS) makes an editor and a viewer at /admin/staff", async () => {
    const { context, page, errors } = await staff(OWNER);
    await page.goto(`${stack.base}/admin/staff?site=demo`);
    for (const [email, role] of [
      [EDITOR, "editor"],
      [VIEWER, "viewer"],
    ] as const) {
      await page.getByLabel("Email").fill(email);
      await page.locator("#add-role").selectOption(role);
      await page.getByRole("button", { name: "Give the role" }).click();
      await expect.poll(() => page.getByRole("status").textContent()).toContain(`${email} is now ${role}`);
    }
    expect(await page.locator(`tr[data-email="${EDITOR}"]`).count()).toBe(1);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("an editor changes the heading and an amount, previews at desktop and phone in each language, publishes; /demo shows it without a restart", async () => {
    const before = await readerHeading();
    expect(before.heading).toBe("A Message from The Harbour Courier");
    expect(before.amounts).toEqual(expect.arrayContaining(["$5", "$10", "$20"]));

    const { context, page, errors } = await staff(EDITOR);
    const counted: string[] = [];
    page.on("request", (r) => {
      if (/\/api\/(events|checkout)/.test(r.url())) counted.push(r.url());
    });
    await page.goto(`${stack.base}/admin/settings?site=demo`);
    await page.screenshot({ path: `${SHOTS}/settings-editor.png` });
    await page.locator('[name="copy.en.heading"]').fill(NEW_HEADING);
    await page.locator('[name="currencies.USD.presets.monthly"]').fill("7, 10, 20");
    await page.locator('[name="currencies.USD.defaultAmount.monthly"]').fill("7");
    await page.getByRole("button", { name: "Save draft and preview" }).click();
    await page.waitForURL(/\/admin\/settings\/preview\?site=demo&source=draft/);
    expect(await page.getByRole("status").first().textContent()).toContain("Draft saved");

    // The real ask in every frame: desktop and phone, English and Russian.
    const frameOf = (lang: string, width: string) =>
      page.frames().find((f) => f.url().includes(`lang=${lang}`) && f.url().includes(`width=${width}`)) as Frame;
    for (const lang of ["en", "ru"])
      for (const width of ["desktop", "phone"]) {
        await expect.poll(() => Boolean(frameOf(lang, width)), { timeout: 10_000 }).toBe(true);
        const ask = inlineAsk(frameOf(lang, width));
        await expect.poll(() => ask.locator("h2").first().textContent(), { timeout: 15_000 }).toBeTruthy();
      }
    expect(await inlineAsk(frameOf("en", "desktop")).locator("h2").first().textContent()).toBe(NEW_HEADING);
    expect(await inlineAsk(frameOf("ru", "phone")).locator("h2").first().textContent()).toBe(
      "Обращение от The Harbour Courier",
    );
    const amounts = await inlineAsk(frameOf("en", "desktop"))
      .getByRole("radio")
      .evaluateAll((els) => els.map((e) => e.parentElement?.textContent ?? ""));
    expect(amounts).toEqual(expect.arrayContaining(["$7", "$10", "$20"]));
    // Continue in the preview starts nothing.
    await inlineAsk(frameOf("en", "desktop")).getByRole("button", { name: "Continue" }).click();
    await expect
      .poll(() => inlineAsk(frameOf("en", "desktop")).getByText("This is a preview: no checkout starts.").count())
      .toBeGreaterThan(0);
    await page.screenshot({ path: `${SHOTS}/settings-preview.png`, fullPage: true });
    // The draft is not live yet.
    expect((await readerHeading()).heading).toBe("A Message from The Harbour Courier");

    await page.getByRole("button", { name: "Publish the draft" }).click();
    await page.waitForURL(/\/admin\/settings\?site=demo&published=1/);
    expect(await page.getByRole("status").first().textContent()).toContain("Version 1 is live");

    const after = await readerHeading();
    expect(after.heading).toBe(NEW_HEADING);
    expect(after.amounts).toEqual(expect.arrayContaining(["$7", "$10", "$20"]));
    expect(after.amounts).not.toContain("$5");
    // Nothing the preview did was counted or sent to checkout.
    expect(counted).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("a viewer reads the settings but cannot edit: no form to send, and a 403 that says why", async () => {
    const { context, page } = await staff(VIEWER);
    await page.goto(`${stack.base}/admin/settings?site=demo`);
    expect(await page.locator("[data-read-only]").textContent()).toContain("Your role on this site is viewer");
    expect(await page.locator('[name="copy.en.heading"]').isDisabled()).toBe(true);
    expect(await page.getByRole("button", { name: "Save draft and preview" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: "Publish the draft" }).count()).toBe(0);
    await page.screenshot({ path: `${SHOTS}/settings-viewer.png` });
    const refused = await page.request.post(`${stack.base}/admin/settings/draft?site=demo`, {
      form: { "copy.en.heading": "A viewer's heading" },
      headers: { origin: stack.base },
    });
    expect(refused.status()).toBe(403);
    expect(await refused.text()).toContain(
      "Your role on demo is viewer: changing the settings needs an editor or an owner.",
    );
    const api = await page.request.post(`${stack.base}/admin/api/settings/publish?site=demo`, {
      headers: { origin: stack.base },
    });
    expect(api.status()).toBe(403);
    expect((await readerHeading()).heading).toBe(NEW_HEADING);
    await context.close();
  });

  it("a rollback restores the old copy in one click", async () => {
    const { context, page } = await staff(EDITOR);
    await page.goto(`${stack.base}/admin/settings/history?site=demo`);
    await page.screenshot({ path: `${SHOTS}/settings-history.png` });
    await page.locator('[data-restore="0"]').click();
    await page.waitForURL(/history\?site=demo&restored=0/);
    expect(await page.getByRole("status").first().textContent()).toContain(
      "version 2 is live, equal to the sites file",
    );
    expect(await page.locator('tr[data-version="2"]').textContent()).toContain("Restored the sites file");
    const back = await readerHeading();
    expect(back.heading).toBe("A Message from The Harbour Courier");
    expect(back.amounts).toEqual(expect.arrayContaining(["$5", "$10", "$20"]));
    await context.close();
  });

  it("the audit log shows who did what; the staff pages pass axe", async () => {
    const { context, page } = await staff(OWNER);
    await page.goto(`${stack.base}/admin/staff?site=demo`);
    const log = (await page.locator("#audit ~ .scroll table").textContent()) ?? "";
    expect(log).toContain(`${EDITOR}`);
    expect(log).toContain(
      "published version 1 (copy.en.heading, currencies.USD.presets.monthly, currencies.USD.defaultAmount.monthly)",
    );
    expect(log).toContain("restored the sites file as version 2");
    expect(log).toContain(`gave ${VIEWER} the role viewer`);
    for (const path of ["/admin/staff?site=demo", "/admin/settings?site=demo", "/admin/settings/history?site=demo"]) {
      await page.goto(`${stack.base}${path}`);
      await page.evaluate(axeSource());
      const violations = await page.evaluate(async () => {
        const axe = (
          window as unknown as { axe: { run: () => Promise<{ violations: { id: string; nodes: unknown[] }[] }> } }
        ).axe;
        return (await axe.run()).violations.map((v) => `${v.id} (${v.nodes.length})`);
      });
      expect(violations, path).toEqual([]);
    }
    await context.close();
  });

  it("the variants' table: each variant's impressions, conversion and revenue per thousand impressions, and the leader", async () => {
    // Counters as readers' browsers send them, and gifts through the emulator carrying each variant.
    const events = (variant: string, n: number) =>
      fetch(`${stack.base}/api/events`, {
        method: "POST",
        headers: { "content-type": "text/plain", origin: stack.base },
        body: JSON.stringify({
          site: "demo",
          events: Array.from({ length: n }, () => ({ type: "impression", placement: "inline", variant })),
        }),
      });
    for (let i = 0; i < 10; i++) {
      expect((await events("control", 20)).status).toBe(204);
      expect((await events("monthly-first", 20)).status).toBe(204);
    }
    const pay = async (variant: string, amount: number) => {
      const response = await fetch(`${stack.base}/api/checkout`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: stack.base },
        body: JSON.stringify({
          site: "demo",
          returnUrl: `${stack.base}/demo`,
          frequency: "once",
          amount,
          currency: "USD",
          variant,
        }),
      });
      const { url } = (await response.json()) as { url: string };
      const session = /\/(cs_test_[A-Za-z0-9]+)/.exec(url)?.[1];
      await fetch(`${stack.emulatorUrl}/_test/checkout/sessions/${session}/complete`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ outcome: "succeeded", email: "jane.reader@example.net" }),
      });
    };
    await pay("control", 2500);
    for (const amount of [2500, 5000, 2500, 10000]) await pay("monthly-first", amount);
    const { context, page } = await staff(VIEWER);
    // The readers of the tests above saw the ask too: at least these impressions are counted.
    await expect
      .poll(
        async () => {
          await page.goto(`${stack.base}/admin/variants?site=demo`);
          return Number(
            await page.locator('tr[data-variant="monthly-first"] [data-figure="impressions"]').textContent(),
          );
        },
        { timeout: 30_000, interval: 1000 },
      )
      .toBeGreaterThanOrEqual(200);
    await expect
      .poll(
        async () => {
          await page.reload();
          return page.locator('tr[data-variant="monthly-first"] [data-figure="conversions"]').textContent();
        },
        { timeout: 20_000, interval: 1000 },
      )
      .toContain("4");
    expect(await page.locator("[data-leader]").getAttribute("data-leader")).toBe("monthly-first");
    // $200 over the impressions counted (200, plus any of the readers above): at most $1,000 per
    // thousand, with its interval.
    const row = page.locator('tr[data-variant="monthly-first"]');
    const impressions = Number(await row.locator('[data-figure="impressions"]').textContent());
    const rpm = (await row.locator('[data-figure="rpm"]').textContent()) ?? "";
    expect(rpm).toMatch(/^\$[\d,]+\.\d\d\$[\d,]+\.\d\d – \$[\d,]+\.\d\d$/);
    expect(Number(/^\$([\d,]+\.\d\d)/.exec(rpm)?.[1]?.replace(/,/g, ""))).toBeCloseTo((200 * 1000) / impressions, 1);
    await page.screenshot({ path: `${SHOTS}/settings-variants.png`, fullPage: true });
    await context.close();
  });
});
