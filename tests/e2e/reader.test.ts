import { createServer, type Server } from "node:http";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../tools/stack.ts";
import { chromiumAvailable } from "./browser";
import { axeSource, SHOTS, useStackAndBrowser } from "./setup";

/**
 * The reader's journey in a real Chromium against the real stack (worker + local D1 +
 * Stripe emulator delivering webhooks): demo → Monthly → amount →
 * Continue → emulator checkout → Pay → thank-you → reload shows no ask; Remind me later;
 * keyboard only; axe; a strict-CSP hostile publisher page on another origin; the API down.
 */

describe.skipIf(!chromiumAvailable())("the reader's ask in Chromium", () => {
  const e2e = useStackAndBrowser();

  /** A fresh reader: a new context has empty localStorage. */
  async function reader(
    options: Parameters<Browser["newContext"]>[0] = {},
  ): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
    const context = await e2e.browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    return { context, page, errors };
  }

  const inlineAsk = (page: Page) => page.locator('reader-support[data-placement="inline"]');

  async function summary() {
    const response = await fetch(`${e2e.stack.base}/admin/api/summary?site=demo`, {
      headers: { authorization: `Bearer ${e2e.stack.adminToken}` },
    });
    return (await response.json()) as {
      currencies: { currency: string; gross: number; byFrequency: Record<string, { payments: number }> }[];
    };
  }

  /** The return link from Stripe, as the browser was sent to it (the widget tidies the address bar at once). */
  let paidReturnLink = "";

  it("demo → Monthly → $20 → Continue → emulator checkout → Pay → thank-you; reload shows no ask", async () => {
    const { context, page, errors } = await reader();
    page.on("request", (r) => {
      if (r.isNavigationRequest() && r.url().includes("rs=thanks")) paidReturnLink = r.url();
    });
    await page.goto(`${e2e.stack.base}/demo`);
    const ask = inlineAsk(page);
    await expect.poll(() => ask.getByRole("button", { name: "Continue" }).isVisible(), { timeout: 10_000 }).toBe(true);
    await ask.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/ask-desktop.png`, fullPage: false });
    expect(await ask.getByRole("radio", { name: "Monthly" }).isChecked()).toBe(true);
    await ask.getByRole("radio", { name: "Once" }).check();
    await ask.getByRole("radio", { name: "Monthly" }).check();
    await ask.getByRole("radio", { name: "$20" }).check();
    await ask.getByRole("button", { name: "Continue" }).click();

    await page.waitForURL(/\/c\/pay\/cs_test_/, { timeout: 10_000 });
    await expect.poll(() => page.getByText("$20").first().isVisible()).toBe(true);
    await page.getByLabel("Email").fill("reader@example.org");
    await page.getByRole("button", { name: /^Pay/ }).click();

    await page.waitForURL(/\/demo/, { timeout: 10_000 });
    const thanks = inlineAsk(page).getByText("Thank you for supporting The Harbour Courier");
    await expect.poll(() => thanks.isVisible(), { timeout: 10_000 }).toBe(true);
    await inlineAsk(page).scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/thanks.png` });
    // The query parameters are gone from the address bar; the link carried a signed token, no frequency.
    expect(new URL(page.url()).search).toBe("");
    expect(paidReturnLink).toMatch(/\?rs=thanks&rs_pledge=pl_[0-9a-f]+\.[\w-]{43}$/);

    // The emulator delivered the signed webhooks: the money is in the ledger.
    await expect
      .poll(
        async () => (await summary()).currencies.find((c) => c.currency === "USD")?.byFrequency.monthly?.payments ?? 0,
        { timeout: 10_000 },
      )
      .toBe(1);

    await page.reload();
    await page.waitForLoadState("networkidle");
    expect(await page.locator("reader-support").count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  /** The reader's stored state, as the widget keeps it. */
  const stored = (page: Page) =>
    page.evaluate(() => JSON.parse(localStorage.getItem("reader-support:demo") ?? "{}") as { supporterUntil?: number });

  it("the attack `?rs=thanks&rs_freq=annual` without a payment: no thank-you, no supporter memory, the ask as usual", async () => {
    const { context, page, errors } = await reader();
    await page.goto(`${e2e.stack.base}/demo?rs=thanks&rs_freq=annual`);
    await expect
      .poll(() => inlineAsk(page).getByRole("button", { name: "Continue" }).isVisible(), { timeout: 10_000 })
      .toBe(true);
    expect(await page.getByText("Thank you for supporting").count()).toBe(0);
    expect((await stored(page)).supporterUntil).toBeUndefined();
    await page.reload();
    await expect
      .poll(() => inlineAsk(page).getByRole("button", { name: "Continue" }).isVisible(), { timeout: 10_000 })
      .toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("a forged token, and the paid reader's own link used again elsewhere, show nothing special", async () => {
    expect(paidReturnLink, "the payment test ran first").not.toBe("");
    const forged = paidReturnLink.replace(/\.[\w-]{43}$/, `.${"A".repeat(43)}`);
    for (const link of [forged, paidReturnLink]) {
      const { context, page } = await reader();
      const answers: number[] = [];
      page.on("response", (r) => {
        if (r.url().endsWith("/api/thanks")) answers.push(r.status());
      });
      await page.goto(link);
      await expect
        .poll(() => inlineAsk(page).getByRole("button", { name: "Continue" }).isVisible(), { timeout: 10_000 })
        .toBe(true);
      expect(answers.length).toBe(1);
      expect(await page.getByText("Thank you for supporting").count()).toBe(0);
      expect((await stored(page)).supporterUntil).toBeUndefined();
      expect(new URL(page.url()).search).toBe("");
      await context.close();
    }
  });

  it("a cancelled checkout shows the ask again, without a thank-you", async () => {
    const { context, page } = await reader();
    await page.goto(`${e2e.stack.base}/demo`);
    await inlineAsk(page).getByRole("button", { name: "Continue" }).click();
    await page.waitForURL(/\/c\/pay\/cs_test_/);
    await page.getByRole("button", { name: /Cancel/ }).click();
    await page.waitForURL(/\/demo/);
    await expect
      .poll(() => inlineAsk(page).getByRole("button", { name: "Continue" }).isVisible(), { timeout: 10_000 })
      .toBe(true);
    expect(await page.getByText("Thank you for supporting").count()).toBe(0);
    await context.close();
  });

  it("Remind me later hides the ask at once and on reload, and the reload downloads the loader alone", async () => {
    const { context, page } = await reader();
    await page.goto(`${e2e.stack.base}/demo`);
    const ask = inlineAsk(page);
    await ask.getByRole("button", { name: "Remind me later" }).click();
    await expect.poll(() => ask.getByRole("button", { name: "Continue" }).count()).toBe(0);
    const requests: string[] = [];
    page.on("request", (r) => requests.push(new URL(r.url()).pathname));
    await page.reload();
    await page.waitForLoadState("networkidle");
    expect(await inlineAsk(page).count()).toBe(0);
    expect(requests.filter((p) => p.startsWith("/widget") || p.startsWith("/api/"))).toEqual(["/widget.js"]);
    await context.close();
  });

  it("works with the keyboard alone: choose, Continue, pay, thank-you", async () => {
    const { context, page } = await reader();
    await page.goto(`${e2e.stack.base}/demo`);
    await expect
      .poll(() => inlineAsk(page).getByRole("button", { name: "Continue" }).isVisible(), { timeout: 10_000 })
      .toBe(true);
    const focusedInAsk = () =>
      page.evaluate(() => {
        const host = document.activeElement;
        if (host?.tagName !== "READER-SUPPORT" || host.getAttribute("data-placement") !== "inline") return null;
        const inner = host.shadowRoot?.activeElement as HTMLInputElement | HTMLButtonElement | null;
        return inner ? `${inner.tagName}:${(inner as HTMLInputElement).value ?? ""}:${inner.textContent ?? ""}` : null;
      });
    // Tab from the top of the page until focus reaches the ask (bounded).
    let focus: string | null = null;
    for (let i = 0; i < 60 && !focus; i++) {
      await page.keyboard.press("Tab");
      focus = await focusedInAsk();
    }
    expect(focus, "Tab reaches the ask").not.toBeNull();
    // The first stop is the frequency group; arrows choose Annual.
    expect(focus).toMatch(/^INPUT:monthly/);
    await page.keyboard.press("ArrowRight");
    expect(await focusedInAsk()).toMatch(/^INPUT:annual/);
    // Then Tab to the amounts, arrows to the next preset, and on to Continue.
    await page.keyboard.press("Tab");
    await page.keyboard.press("ArrowRight");
    for (let i = 0; i < 10 && !(await focusedInAsk())?.startsWith("BUTTON::Continue"); i++)
      await page.keyboard.press("Tab");
    expect(await focusedInAsk()).toMatch(/^BUTTON::Continue/);
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/c\/pay\/cs_test_/, { timeout: 10_000 });
    expect(await page.getByText("$200").first().isVisible()).toBe(true);
    // On the checkout page, too, the keyboard is enough: type the email, Tab to Pay.
    for (let i = 0; i < 20; i++) {
      await page.keyboard.press("Tab");
      const focused = await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.type ?? "");
      if (focused === "email") break;
    }
    await page.keyboard.type("keyboard@example.org");
    for (let i = 0; i < 20; i++) {
      await page.keyboard.press("Tab");
      const label = await page.evaluate(() => document.activeElement?.textContent?.trim() ?? "");
      if (label.startsWith("Pay")) break;
    }
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/demo/);
    await expect.poll(() => inlineAsk(page).getByText("Thank you").first().isVisible(), { timeout: 10_000 }).toBe(true);
    await context.close();
  });

  it("axe finds no WCAG violations on the ask and the banner, at desktop and 320 px", async () => {
    for (const width of [1280, 320]) {
      const { context, page } = await reader({ viewport: { width, height: 800 }, bypassCSP: true });
      await page.goto(`${e2e.stack.base}/demo`);
      await expect
        .poll(() => inlineAsk(page).getByRole("button", { name: "Continue" }).isVisible(), { timeout: 10_000 })
        .toBe(true);
      // Let entrance transitions finish: axe measures contrast on what is painted.
      await page.evaluate(() => Promise.all(document.getAnimations().map((a) => a.finished)));
      await page.waitForTimeout(400);
      await page.evaluate(axeSource());
      const result = await page.evaluate(async () => {
        const axe = (
          window as unknown as {
            axe: {
              run: (
                ctx: unknown,
                o: unknown,
              ) => Promise<{ violations: { id: string; nodes: { target: unknown }[] }[] }>;
            };
          }
        ).axe;
        const r = await axe.run(
          { include: [["reader-support"]] },
          { runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] },
        );
        return r.violations.map((v) => `${v.id}: ${JSON.stringify(v.nodes.map((n) => n.target))}`);
      });
      expect(result, `width ${width}`).toEqual([]);
      if (width === 320) {
        await page.screenshot({ path: `${SHOTS}/banner-320.png` });
        await inlineAsk(page).scrollIntoViewIfNeeded();
        await page.screenshot({ path: `${SHOTS}/ask-320.png` });
        // Usable at 320 px: nothing wider than the viewport, targets at least 44 px tall.
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
        const box = await inlineAsk(page).getByRole("button", { name: "Continue" }).boundingBox();
        expect(box?.height ?? 0).toBeGreaterThanOrEqual(44);
      } else {
        await page.screenshot({ path: `${SHOTS}/banner-desktop.png` });
      }
      await context.close();
    }
  });

  describe("on a publisher page of another origin, with a strict CSP and hostile CSS", () => {
    let publisher: Server;
    let publisherUrl: string;

    beforeAll(async () => {
      const port = await freePort();
      publisherUrl = `http://localhost:${port}`;
      publisher = createServer((req, res) => {
        if (req.url === "/hostile.css") {
          res.writeHead(200, { "content-type": "text/css" });
          res.end(
            "* { font-size: 40px !important; color: red !important } button { display: none !important } div { display: none } p { margin: 0 }",
          );
          return;
        }
        res.writeHead(200, {
          "content-type": "text/html; charset=utf-8",
          "content-security-policy": `default-src 'none'; script-src ${e2e.stack.base}; connect-src ${e2e.stack.base}; style-src 'self'; img-src data:; form-action 'none'`,
        });
        res.end(`<!doctype html><html lang="en"><head><title>Publisher</title><link rel="stylesheet" href="/hostile.css"></head>
<body><article><h1>Local news</h1>${Array.from({ length: 6 }, (_, i) => `<p>Paragraph ${i + 1} of a story about the harbour.</p>`).join("")}</article>
<script async src="${e2e.stack.base}/widget.js" data-site="demo" data-placement="inline"></script></body></html>`);
      });
      await new Promise<void>((resolve) => publisher.listen(port, "127.0.0.1", resolve));
    });
    afterAll(() => new Promise<void>((resolve) => publisher.close(() => resolve())));

    it("renders intact with no CSP violation, and Continue reaches checkout", async () => {
      const { context, page, errors } = await reader();
      await context.addInitScript(() => {
        (window as unknown as { violations: string[] }).violations = [];
        document.addEventListener("securitypolicyviolation", (e) =>
          (window as unknown as { violations: string[] }).violations.push(`${e.violatedDirective} ${e.blockedURI}`),
        );
      });
      const consoleCsp: string[] = [];
      page.on("console", (m) => {
        if (/Content Security Policy/i.test(m.text())) consoleCsp.push(m.text());
      });
      await page.goto(`${publisherUrl.replace("localhost", "127.0.0.1")}/article`);
      const ask = inlineAsk(page);
      const cont = ask.getByRole("button", { name: "Continue" });
      await expect.poll(() => cont.isVisible(), { timeout: 10_000 }).toBe(true);
      const box = await cont.boundingBox();
      expect(box?.height ?? 0).toBeGreaterThanOrEqual(44);
      expect(box?.height ?? 999).toBeLessThan(120); // the host's 40px !important did not reach it
      await ask.scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${SHOTS}/hostile-page.png` });
      expect(await page.evaluate(() => (window as unknown as { violations: string[] }).violations)).toEqual([]);
      expect(consoleCsp).toEqual([]);
      await cont.click();
      await page.waitForURL(/\/c\/pay\/cs_test_/, { timeout: 10_000 });
      expect(errors).toEqual([]);
      await context.close();
    });
  });

  it("with the API down the page stays exactly as it was", async () => {
    const { context, page, errors } = await reader();
    await page.route("**/api/**", (route) => route.abort());
    await page.goto(`${e2e.stack.base}/demo`);
    const before = await page.evaluate(() => document.body.innerHTML.length);
    await page.waitForLoadState("networkidle");
    await page.waitForTimeout(500);
    expect(await page.locator("reader-support").count()).toBe(0);
    expect(await page.evaluate(() => document.body.innerHTML.length)).toBe(before);
    expect(errors).toEqual([]);
    await context.close();
  });
});
