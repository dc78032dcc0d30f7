import { createServer, type Server } from "node:http";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../tools/stack.ts";
import { chromiumAvailable } from "./browser";
import { SHOTS, useStackAndBrowser } from "./setup";

/**
 * The ask moves nothing on the page, in Chromium against the whole stack: the layout shifts the
 * browser records (Layout Instability API, shifts without recent input, as Core Web Vitals count
 * them) add up to exactly 0 on /demo with the top banner, with the bottom banner, on a phone and on
 * a screen tall enough to show the paragraph the in-article ask follows; the top banner leaves the
 * page's header controls uncovered, and steps aside while keyboard focus is on something it covers.
 */

/** Before anything else: sums the page's layout shifts (those without recent input). */
function recordShifts() {
  const w = window as unknown as { __shifts: { value: number; sources: string[] }[] };
  w.__shifts = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries() as (PerformanceEntry & {
      value: number;
      hadRecentInput: boolean;
      sources?: { node?: Node | null }[];
    })[]) {
      if (entry.hadRecentInput) continue;
      w.__shifts.push({
        value: entry.value,
        sources: (entry.sources ?? []).map((s) => (s.node as Element | null)?.outerHTML?.slice(0, 80) ?? "?"),
      });
    }
  }).observe({ type: "layout-shift", buffered: true });
}

const shifts = (page: Page) =>
  page.evaluate(() => (window as unknown as { __shifts: { value: number; sources: string[] }[] }).__shifts);

describe.skipIf(!chromiumAvailable())("the ask moves nothing on the page", () => {
  const e2e = useStackAndBrowser();

  /** /demo for a first-time reader: waits for both the in-article ask and the banner, then a while. */
  async function demo(viewport: { width: number; height: number }, bannerPosition?: "bottom") {
    const context = await e2e.browser.newContext({ viewport });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.addInitScript(recordShifts);
    if (bannerPosition)
      await page.route("**/api/config?*", async (route) => {
        const response = await route.fetch();
        const config = await response.json();
        config.rules.bannerPosition = bannerPosition;
        await route.fulfill({ response, json: config });
      });
    await page.goto(`${e2e.stack.base}/demo`);
    const banner = page.locator('reader-support[data-placement="banner"]');
    await expect
      .poll(
        () => page.locator('reader-support[data-placement="inline"]').getByRole("button", { name: "Continue" }).count(),
        {
          timeout: 10_000,
        },
      )
      .toBe(1);
    await expect
      .poll(() => banner.getByRole("button", { name: "Support us" }).isVisible(), { timeout: 10_000 })
      .toBe(true);
    // Late shifts (the banner settling, fonts) land within this.
    await page.waitForTimeout(700);
    return { context, page, banner, errors };
  }

  /** The page header's controls that the banner covers (the element on top at their centre is the banner). */
  const coveredControls = (page: Page) =>
    page.evaluate(() =>
      Array.from(document.querySelectorAll<HTMLElement>("header.masthead a, header.masthead button"))
        .filter((el) => {
          const r = el.getBoundingClientRect();
          if (!r.width || r.bottom < 0 || r.top > innerHeight) return false;
          const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
          return !!top?.closest("reader-support");
        })
        .map((el) => el.textContent?.trim()),
    );

  it.each([
    ["desktop", { width: 1280, height: 900 }],
    ["a phone", { width: 320, height: 640 }],
    ["a tall screen that shows the third paragraph", { width: 1280, height: 1600 }],
  ])("top banner, %s: no layout shift at all, and the header's controls stay uncovered", async (name, viewport) => {
    const { context, page, banner, errors } = await demo(viewport);
    expect(await shifts(page), name).toEqual([]);
    expect(await coveredControls(page), name).toEqual([]);
    // The banner is first after the skip link in the document (the Tab order), laid over the page.
    expect(
      await page.evaluate(() => document.querySelector("a.skip + reader-support")?.getAttribute("data-placement")),
    ).toBe("banner");
    const box = await banner.locator(".banner").boundingBox();
    const header = await page.locator("header.masthead").boundingBox();
    expect(Math.round(box?.y ?? -1)).toBe(Math.round((header?.y ?? 0) + (header?.height ?? 0)));
    if (viewport.width === 320) await page.screenshot({ path: `${SHOTS}/banner-over-320.png` });
    if (viewport.height === 1600) {
      // The third paragraph is on screen, so the ask went after the first one that ends below it.
      const placed = await page.evaluate(() => {
        const paragraphs = Array.from(document.querySelectorAll(".story-body p"));
        const ask = document.querySelector('reader-support[data-placement="inline"]');
        return {
          thirdEnds: paragraphs[2]!.getBoundingClientRect().bottom,
          after: paragraphs.indexOf(ask!.previousElementSibling!) + 1,
          afterEnds: ask!.previousElementSibling!.getBoundingClientRect().bottom,
        };
      });
      expect(placed.thirdEnds).toBeLessThan(1600);
      expect(placed.after).toBeGreaterThan(3);
      expect(placed.afterEnds).toBeGreaterThanOrEqual(1600);
    }
    // Closing it moves nothing either.
    await banner.getByRole("button", { name: "Close this message" }).click();
    await page.waitForTimeout(300);
    expect(await shifts(page)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("bottom banner: no layout shift, and the end of the page can still be scrolled clear of it", async () => {
    const { context, page, banner, errors } = await demo({ width: 1280, height: 900 }, "bottom");
    expect(await shifts(page)).toEqual([]);
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    await page.waitForTimeout(300);
    const bar = await banner.locator(".banner").boundingBox();
    const footer = await page.locator("footer.site-foot").boundingBox();
    expect((footer?.y ?? 0) + (footer?.height ?? 0)).toBeLessThanOrEqual((bar?.y ?? 0) + 1);
    await page.screenshot({ path: `${SHOTS}/banner-bottom.png` });
    expect(await shifts(page)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  describe("on a page with a link right below its header", () => {
    let publisher: Server;
    let url: string;

    beforeAll(async () => {
      const port = await freePort();
      url = `http://127.0.0.1:${port}/`;
      publisher = createServer((_req, res) => {
        res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
        res.end(`<!doctype html><html lang="en"><head><title>Publisher</title></head>
<body style="margin:0;font:16px sans-serif"><header style="height:60px"><a href="#home">Home</a></header>
<main><article><p style="margin:0"><a id="under" href="#story">A link just below the header</a></p>
${Array.from({ length: 8 }, (_, i) => `<p>Paragraph ${i + 1} of a story about the harbour.</p>`).join("")}</article></main>
<script async src="${e2e.stack.base}/widget.js" data-site="demo" data-placement="banner"></script></body></html>`);
      });
      await new Promise<void>((resolve) => publisher.listen(port, "127.0.0.1", resolve));
    });
    afterAll(() => new Promise<void>((resolve) => publisher.close(() => resolve())));

    it("the banner steps aside while keyboard focus is on what it covers, and comes back after", async () => {
      const context = await e2e.browser.newContext({ viewport: { width: 1024, height: 700 } });
      const page = await context.newPage();
      await page.addInitScript(recordShifts);
      await page.goto(url);
      const bar = page.locator('reader-support[data-placement="banner"] .banner');
      await expect.poll(() => bar.isVisible(), { timeout: 10_000 }).toBe(true);
      // The link sits under the banner.
      const link = await page.locator("#under").boundingBox();
      const box = await bar.boundingBox();
      expect((link?.y ?? 0) + (link?.height ?? 0)).toBeGreaterThan(box?.y ?? 0);
      expect(link?.y ?? 0).toBeLessThan((box?.y ?? 0) + (box?.height ?? 0));
      await page.locator("#under").focus();
      await expect.poll(() => bar.isVisible()).toBe(false);
      await page.locator("header a").focus();
      await expect.poll(() => bar.isVisible()).toBe(true);
      expect(await shifts(page)).toEqual([]);
      await context.close();
    });
  });
});
