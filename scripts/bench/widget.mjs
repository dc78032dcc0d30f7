/**
 * Widget figures for `npm run bench`: gzip weight of what readers download, and, in
 * headless Chromium on /demo, the time from the loader starting to the ask (and the banner) being
 * rendered and the cumulative layout shift — each run a first-time reader (fresh profile, empty
 * storage).
 */
/**
 * Gzip bytes of what readers download (scripts/size.mjs, `widgetWeights`), with the config as
 * this worker answers it: the loader; the first ask (loader, the heavier language's ask bundle and
 * config), and what of it is the monthly upsell; with the banner chunk; the extras chunk (on demand).
 */
export async function widgetWeight(base) {
  const { widgetWeights } = await import("../size.mjs");
  const w = await widgetWeights({ noBuild: true, url: base });
  return {
    loaderGzip: w.loader,
    firstAskGzip: w.firstAsk,
    firstAskParts: w.firstAskParts,
    bannerGzip: w.chunks.banner,
    firstAskWithBannerGzip: w.firstAskWithBanner,
    upsellGzip: w.upsell,
    extrasGzip: w.extras,
    firstAskWithExtrasGzip: w.firstAskWithExtras,
    files: w.files,
  };
}

/**
 * Runs in the page before anything else: records when the loader's script starts running
 * (its resource entry) and when the ask's shadow root first holds a rendered control, and sums
 * layout shifts not caused by input.
 */
function probe() {
  const w = /** @type {any} */ (window);
  w.__bench = { rendered: null, banner: null, cls: 0, shifts: [] };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.hadRecentInput) continue;
      w.__bench.cls += entry.value;
      const sources = (entry.sources ?? []).map((s) => {
        const n = s.node;
        if (n?.nodeType !== 1) return n?.nodeName ?? "?";
        return `${n.nodeName.toLowerCase()}${n.id ? `#${n.id}` : ""}${n.className ? `.${String(n.className).split(" ")[0]}` : ""}`;
      });
      w.__bench.shifts.push({ value: entry.value, at: Math.round(entry.startTime), sources });
    }
  }).observe({ type: "layout-shift", buffered: true });
  const rendered = (host) => host.shadowRoot?.querySelector("button, input, [role=radiogroup]");
  const check = () => {
    for (const host of document.querySelectorAll("reader-support")) {
      if (rendered(host)) {
        const placement = host.getAttribute("data-placement");
        if (w.__bench.rendered === null) {
          w.__bench.rendered = performance.now();
          w.__bench.placement = placement;
        }
        if (placement === "banner" && w.__bench.banner === null) w.__bench.banner = performance.now();
      }
      if (host.shadowRoot && !host.__benchObserved) {
        host.__benchObserved = true;
        new MutationObserver(check).observe(host.shadowRoot, { childList: true, subtree: true });
      }
    }
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true });
}

/** Median. */
export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** `runs` first-time visits of /demo: loader start → ask rendered, and CLS. */
export async function widgetTiming(base, runs = 20) {
  // The same Chromium and flags as the browser tests (Node 22 runs the .ts file as it is).
  const { launchBrowser } = await import("../../tests/e2e/browser.ts");
  const browser = await launchBrowser();
  const samples = [];
  try {
    for (let i = 0; i < runs; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      await page.addInitScript(probe);
      await page.goto(`${base}/demo`, { waitUntil: "load" });
      // Both placements show on /demo for a first-time reader: the ask, then the banner (its chunk).
      await page.waitForFunction(() => window.__bench?.rendered != null && window.__bench?.banner != null, null, {
        timeout: 15_000,
      });
      // Let late shifts (fonts, images, the ask settling) land before reading CLS.
      await page.waitForTimeout(500);
      const sample = await page.evaluate(() => {
        const loader = performance.getEntriesByType("resource").find((e) => /\/widget\.js(\?|$)/.test(e.name));
        const ask = performance.getEntriesByType("resource").find((e) => /\/widget\/ask[.\w]*\.js/.test(e.name));
        const config = performance.getEntriesByType("resource").find((e) => /\/api\/config/.test(e.name));
        const b = window.__bench;
        return {
          loaderStart: loader?.startTime ?? null,
          loaderEnd: loader?.responseEnd ?? null,
          askEnd: ask?.responseEnd ?? null,
          configEnd: config?.responseEnd ?? null,
          rendered: b.rendered,
          banner: b.banner,
          placement: b.placement,
          cls: b.cls,
          shifts: b.shifts,
        };
      });
      if (sample.loaderStart === null) throw new Error("no resource timing for /widget.js on /demo");
      samples.push({
        ...sample,
        loaderToAsk: sample.rendered - sample.loaderStart,
        loaderToBanner: sample.banner - sample.loaderStart,
      });
      await context.close();
    }
  } finally {
    await browser.close();
  }
  return {
    runs,
    medianLoaderToAskMs: round(median(samples.map((s) => s.loaderToAsk))),
    p90LoaderToAskMs: round([...samples.map((s) => s.loaderToAsk)].sort((a, b) => a - b)[Math.ceil(runs * 0.9) - 1]),
    medianLoaderDownloadedToAskMs: round(median(samples.map((s) => s.rendered - s.loaderEnd))),
    medianLoaderToBannerMs: round(median(samples.map((s) => s.loaderToBanner))),
    maxCls: Math.max(...samples.map((s) => s.cls)),
    medianCls: median(samples.map((s) => s.cls)),
    placement: samples[0]?.placement ?? null,
    // Where the largest run's shifts came from (element and time), to tell who moved what.
    worstShifts: [...samples].sort((a, b) => b.cls - a.cls)[0]?.shifts ?? [],
  };
}

const round = (n) => Math.round(n * 10) / 10;
