import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumAvailable, launchBrowser } from "./browser";
import { axeSource, type E2eStack, startE2eStack } from "./setup";

/**
 * The staff view as staff meet it: money moved through the emulator, then /admin in Chromium —
 * refused without signing in, signed in with the development token, the figures and the
 * chart seen, axe clean on a laptop and a phone, the CSV read back. Screenshot:
 * tests/e2e/screenshots/admin.png.
 */

describe.skipIf(!chromiumAvailable())("the staff view in Chromium", () => {
  let stack: E2eStack;
  let browser: Browser;

  /** Creates a checkout through the worker and completes it on the emulator (webhooks go live to the worker). */
  async function pay(body: Record<string, unknown>) {
    const response = await fetch(`${stack.base}/api/checkout`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: stack.base },
      body: JSON.stringify({ site: "demo", returnUrl: `${stack.base}/demo`, ...body }),
    });
    expect(response.status).toBe(201);
    const { url } = (await response.json()) as { url: string };
    const session = /\/(cs_test_[A-Za-z0-9]+)/.exec(url)?.[1];
    const done = await fetch(`${stack.emulatorUrl}/_test/checkout/sessions/${session}/complete`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ outcome: "succeeded", email: "jane.reader@example.net" }),
    });
    expect(done.status).toBe(200);
    return (await done.json()) as { payment_intent: string; subscription?: string };
  }

  async function summary() {
    const response = await fetch(`${stack.base}/admin/api/summary?site=demo`, {
      headers: { authorization: `Bearer ${stack.adminToken}` },
    });
    return (await response.json()) as {
      currencies: { currency: string; net: number; payments: number; refunded: number; feesPending: number }[];
    };
  }

  beforeAll(async () => {
    [stack, browser] = await Promise.all([startE2eStack(), launchBrowser()]);
    const once = await pay({ frequency: "once", amount: 5000, currency: "USD", campaign: "spring", variant: "a" });
    await pay({ frequency: "monthly", amount: 1000, currency: "USD", campaign: "spring", variant: "b" });
    await pay({ frequency: "annual", amount: 8000, currency: "GBP" });
    await fetch(`${stack.emulatorUrl}/_test/payment_intents/${once.payment_intent}/refund`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ amount: 1000 }),
    });
    // Webhooks are delivered live; wait until the ledger has them all.
    const deadline = Date.now() + 15_000;
    for (;;) {
      const s = await summary();
      const usd = s.currencies.find((c) => c.currency === "USD");
      const settled = (c?: { feesPending: number }) => c !== undefined && c.feesPending === 0;
      if (
        usd?.payments === 2 &&
        usd.refunded === 1000 &&
        settled(usd) &&
        settled(s.currencies.find((c) => c.currency === "GBP"))
      )
        break;
      if (Date.now() > deadline) throw new Error(`webhooks did not arrive: ${JSON.stringify(s)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it("without signing in: the sign-in page, and no figures", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const response = await page.goto(`${stack.base}/admin?site=demo`);
    expect(response?.status()).toBe(401);
    await expect(page.getByLabel("Staff token").isVisible()).resolves.toBe(true);
    expect(await page.content()).not.toContain("Net raised");
    const csv = await page.request.get(`${stack.base}/admin/api/payments.csv?site=demo`);
    expect(csv.status()).toBe(401);
    await context.close();
  });

  it("signs in with the development token, shows the figures and the chart, exports the CSV, signs out", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${stack.base}/admin?site=demo&range=30d`);
    await page.getByLabel("Staff token").fill("not-the-token");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert").textContent()).resolves.toContain("That token is not right.");
    await page.getByLabel("Staff token").fill(stack.adminToken);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/admin\?site=demo&range=30d$/);
    // (The sign-in page itself answers 401; from here on nothing may fail to load.)
    const errors: string[] = [];
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    await page.reload();

    const usd = page.locator('article[data-currency="USD"]');
    // 50 + 10 − 10 refunded − Stripe's fees (2.9% + 30: 1.75 and 0.59).
    await expect(usd.locator('[data-figure="net"]').textContent()).resolves.toBe("$47.66");
    await expect(usd.locator('[data-figure="stripe-fees"]').textContent()).resolves.toBe("−$2.34");
    await expect(usd.locator('[data-figure="gross"]').textContent()).resolves.toBe("$60.00");
    await expect(usd.locator('[data-figure="refunded"]').textContent()).resolves.toBe("−$10.00");
    await expect(usd.locator('[data-figure="payments"]').textContent()).resolves.toBe("2");
    await expect(page.locator('article[data-currency="GBP"] [data-figure="net"]').textContent()).resolves.toBe(
      "£77.38",
    );
    // One chart per currency, with today's stacked bars.
    expect(await page.locator("svg.chart").count()).toBe(2);
    expect(await page.locator('svg.chart[data-currency="USD"] rect').count()).toBeGreaterThanOrEqual(2);
    const box = await page.locator('svg.chart[data-currency="USD"]').boundingBox();
    expect(box?.width).toBeGreaterThan(600);
    // Recent pledges show the reader's email masked.
    await expect(page.locator("#recent + .scroll").textContent()).resolves.toContain("j•••@example.net");
    expect(await page.content()).not.toContain("jane.reader");
    // The CSS and everything else loaded under the strict CSP.
    expect(errors).toEqual([]);
    expect(await page.locator("body").evaluate((b) => getComputedStyle(b).backgroundColor)).toBe("rgb(251, 250, 247)");
    await page.screenshot({ path: "tests/e2e/screenshots/admin.png", fullPage: true });

    // The export, with the signed-in browser's cookie.
    const download = page.waitForEvent("download");
    await page.getByRole("link", { name: "Export payments (CSV)" }).click();
    const file = await (await download).createReadStream();
    let csv = "";
    for await (const chunk of file) csv += chunk;
    const lines = csv.trim().split("\r\n");
    expect(lines[0]).toContain("paid_at,payment_id,currency,frequency,amount");
    expect(lines).toHaveLength(4); // header + once + monthly + annual
    expect(csv).toContain(",USD,once,50.00,");

    // Date presets and the site picker keep the figures coherent.
    await page.getByRole("link", { name: "All time" }).click();
    await expect(page.locator('article[data-currency="USD"] [data-figure="net"]').textContent()).resolves.toBe(
      "$47.66",
    );

    const session = await context.cookies();
    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    await page.waitForURL(/\/admin$/);
    await expect(page.getByLabel("Staff token").isVisible()).resolves.toBe(true);
    // A copy of the signed-out cookie, put back, opens nothing: the session ended on the server.
    await context.addCookies(session);
    await page.goto(`${stack.base}/admin?site=demo`);
    await expect(page.getByLabel("Staff token").isVisible()).resolves.toBe(true);
    await context.close();
  });

  it("axe finds no violations on the dashboard and the sign-in page, on a laptop and a phone", async () => {
    for (const viewport of [
      { width: 1280, height: 900 },
      { width: 375, height: 740 },
    ]) {
      const context = await browser.newContext({ viewport });
      const page = await context.newPage();
      await page.goto(`${stack.base}/admin`);
      await page.evaluate(axeSource());
      const signIn = await page.evaluate(async () => (await (window as any).axe.run(document)).violations);
      expect(signIn.map((v: { id: string }) => v.id)).toEqual([]);
      await page.getByLabel("Staff token").fill(stack.adminToken);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForSelector("svg.chart");
      await page.evaluate(axeSource());
      const violations = await page.evaluate(async () => (await (window as any).axe.run(document)).violations);
      expect(
        violations.map(
          (v: { id: string; nodes: { target: string[] }[] }) =>
            `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
        ),
      ).toEqual([]);
      // Nothing wider than the phone's screen except inside the scrollable tables.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      if (viewport.width < 400)
        await page.screenshot({ path: "tests/e2e/screenshots/admin-phone.png", fullPage: true });
      await context.close();
    }
  });
});
