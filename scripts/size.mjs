/**
 * The widget's weight budget, run in CI: builds the bundles and prints their gzip sizes. It fails
 * when one of these is over its limit (LIMITS below):
 *   - the loader (widget.js), which every reader downloads on every page;
 *   - the first ask: everything a first-time reader downloads before the in-article ask renders,
 *     the loader, the heavier language's ask bundle and the heaviest real `/api/config` response;
 *   - the first ask with the banner: the same plus the banner chunk, fetched once the ask bundle
 *     runs when a banner is due (on /demo both show);
 *   - of which the monthly upsell: what the upsell (offered after Once + Continue) adds to the
 *     ask bundle, which carries it so the offer shows at once;
 *   - the extras chunk: the "Other" field, Turnstile, the reminder form and the thank-you, fetched
 *     when the reader reaches for the form, clicks "Remind me later" or comes back from Stripe.
 * The config responses are the worker's own: `askConfig()` (worker/core/ask-config.ts) for every
 * site in worker/sites.config.ts and every language, serialised as the route does, with no
 * Turnstile key (as `npm start` serves them). With `--url <origin>` they are fetched from a
 * running worker instead.
 * Usage: node scripts/size.mjs [--no-build] [--url http://localhost:8787]
 *   --no-build reads dist/public as it is.
 */
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { askFile, buildWidget, CHUNKS, chunkFile, LANGS } from "../widget/build.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * Limits in gzip bytes. `aim` is where the widget is headed (see BENCHMARKS.md); `limit` is what CI enforces, lowered as the widget gets
 * lighter so that it cannot grow back unnoticed.
 */
export const LIMITS = {
  loader: { limit: 1536, aim: 1536 },
  firstAsk: { limit: 11728, aim: 12288 },
  firstAskWithBanner: { limit: 14176, aim: 14336 },
  extras: { limit: 4224, aim: 4224 },
};

const gz = (bytes) => gzipSync(bytes, { level: 9 }).length;

/** The real config responses, `{ label, body }` per site and language. */
async function configResponses(url) {
  // Bundle the worker's pure config code (and the validated site list) for Node.
  const bundled = await build({
    stdin: {
      contents: `export { FILE_SITES as SITES } from "./worker/platform/sites"; export { askConfig } from "./worker/core/ask-config";`,
      resolveDir: root,
      loader: "ts",
    },
    bundle: true,
    format: "esm",
    platform: "node",
    write: false,
    logLevel: "warning",
  });
  const code = Buffer.from(bundled.outputFiles[0].contents).toString("base64");
  const { SITES, askConfig } = await import(`data:text/javascript;base64,${code}`);
  const responses = [];
  for (const site of SITES) {
    for (const lang of LANGS) {
      const label = `${site.id}, lang=${lang}`;
      if (url) {
        const res = await fetch(`${url}/api/config?site=${encodeURIComponent(site.id)}&lang=${lang}`);
        if (!res.ok) throw new Error(`${url}/api/config for ${label} answered ${res.status}`);
        responses.push({ label, body: Buffer.from(await res.arrayBuffer()) });
      } else {
        responses.push({ label, body: Buffer.from(JSON.stringify(askConfig(site, { lang }, null))) });
      }
    }
  }
  return responses;
}

/**
 * What the monthly upsell adds to the first ask: the ask bundle (of the language given) minus the
 * same bundle built without the upsell (its component, strings and rules; `Upsell.tsx` replaced).
 */
async function upsellWeight(lang, askBytes) {
  const { asks } = await buildWidget({
    without: { "widget/src/ask/Upsell.tsx": "export const Upsell = () => null;" },
  });
  return gz(askBytes) - gz(asks[lang]);
}

/** The widget's weights, gzip bytes: each file, and the figures LIMITS holds. */
export async function widgetWeights({ noBuild = false, url } = {}) {
  let loader;
  const asks = {};
  const chunks = {};
  if (noBuild) {
    loader = await readFile(join(root, "dist/public/widget.js"));
    for (const name of Object.keys(CHUNKS)) chunks[name] = {};
    for (const lang of LANGS) {
      asks[lang] = await readFile(join(root, "dist/public/widget", askFile(lang)));
      for (const name of Object.keys(CHUNKS))
        chunks[name][lang] = await readFile(join(root, "dist/public/widget", chunkFile(name, lang)));
    }
  } else {
    const built = await buildWidget();
    loader = built.loader;
    Object.assign(asks, built.asks);
    Object.assign(chunks, built.chunks);
  }
  const configs = await configResponses(url);
  const files = [{ name: "widget.js (loader)", raw: loader.length, gzip: gz(loader) }];
  let ask = { gzip: 0 };
  for (const lang of LANGS) {
    const size = gz(asks[lang]);
    files.push({ name: `widget/${askFile(lang)}`, raw: asks[lang].length, gzip: size });
    if (size > ask.gzip) ask = { gzip: size, name: askFile(lang), lang };
  }
  let config = { gzip: 0 };
  for (const { label, body } of configs) {
    const size = gz(body);
    files.push({ name: `/api/config (${label})`, raw: body.length, gzip: size, note: url ? "" : "askConfig()" });
    if (size > config.gzip) config = { gzip: size, label };
  }
  const heaviest = {};
  for (const [name, byLang] of Object.entries(chunks)) {
    heaviest[name] = 0;
    for (const lang of LANGS) {
      const size = gz(byLang[lang]);
      files.push({ name: `widget/${chunkFile(name, lang)}`, raw: byLang[lang].length, gzip: size, note: "on demand" });
      heaviest[name] = Math.max(heaviest[name], size);
    }
  }
  const loaderGzip = gz(loader);
  const firstAsk = loaderGzip + ask.gzip + config.gzip;
  return {
    files,
    firstAskParts: { ask: ask.name, config: config.label },
    loader: loaderGzip,
    firstAsk,
    firstAskWithBanner: firstAsk + heaviest.banner,
    upsell: await upsellWeight(ask.lang, asks[ask.lang]),
    extras: heaviest.extras,
    firstAskWithExtras: firstAsk + heaviest.extras,
    chunks: heaviest,
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const urlAt = process.argv.indexOf("--url");
  const url = urlAt > 0 ? process.argv[urlAt + 1]?.replace(/\/$/, "") : undefined;
  const w = await widgetWeights({ noBuild: process.argv.includes("--no-build"), url });
  const line = (name, zipped, note = "") =>
    console.log(`${name.padEnd(44)} ${String(zipped).padStart(6)} B gzip${note}`);
  for (const f of w.files) line(f.name, f.gzip, ` (${f.raw} B raw)${f.note ? ` [${f.note}]` : ""}`);
  const over = [];
  const verdict = (key) => {
    const { limit, aim } = LIMITS[key];
    if (w[key] > limit) over.push(key);
    return ` / limit ${limit} B ${w[key] > limit ? "OVER BUDGET" : "ok"}${aim < limit ? ` (aim: ${aim} B)` : ""}`;
  };
  console.log(`\nfirst ask = loader + ${w.firstAskParts.ask} + config (${w.firstAskParts.config})`);
  line("loader", w.loader, verdict("loader"));
  line("first ask", w.firstAsk, verdict("firstAsk"));
  line("first ask with the banner (+ banner chunk)", w.firstAskWithBanner, verdict("firstAskWithBanner"));
  line("  of which the monthly upsell", w.upsell);
  line("extras chunk (Other, reminder, thank-you)", w.extras, verdict("extras"));
  line("first ask + extras chunk", w.firstAskWithExtras);
  if (over.length) {
    console.error(`\nThe widget is over its weight budget: ${over.join(", ")} (limits in scripts/size.mjs).`);
    process.exit(1);
  }
}
