/**
 * The widget's weight budget, run in CI: builds the bundles and prints their
 * gzip sizes. It fails when
 *   - the loader (widget.js) exceeds 2 KB, or
 *   - everything a first-time reader downloads for the ask exceeds 15 KB: the loader, the
 *     heavier language's ask bundle and the heaviest real `/api/config` response.
 * The config responses are the worker's own: `askConfig()` (worker/core/ask-config.ts) for
 * every site in worker/sites.config.ts and every language, serialised as the route does
 * (`c.json`), with no Turnstile key (as `npm start` serves them). With `--url <origin>` they
 * are fetched from a running worker instead. The extras chunk (the "Other" field, the
 * reminder form, the Turnstile check and the thank-you) is printed but not counted: it is
 * fetched only when the reader reaches for one of them.
 * Usage: node scripts/size.mjs [--no-build] [--url http://localhost:8787]
 *   --no-build reads dist/public as it is.
 */
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { askFile, buildWidget, extrasFile, LANGS } from "../widget/build.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const LOADER_LIMIT = 2048;
const FIRST_ASK_LIMIT = 15360;

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

const urlAt = process.argv.indexOf("--url");
const url = urlAt > 0 ? process.argv[urlAt + 1]?.replace(/\/$/, "") : undefined;

let loader;
const asks = {};
const extras = {};
if (process.argv.includes("--no-build")) {
  loader = await readFile(join(root, "dist/public/widget.js"));
  for (const lang of LANGS) {
    asks[lang] = await readFile(join(root, "dist/public/widget", askFile(lang)));
    extras[lang] = await readFile(join(root, "dist/public/widget", extrasFile(lang)));
  }
} else {
  const built = await buildWidget();
  loader = built.loader;
  Object.assign(asks, built.asks);
  Object.assign(extras, built.extras);
}
const configs = await configResponses(url);

const line = (name, raw, zipped, note = "") =>
  console.log(`${name.padEnd(40)} ${String(zipped).padStart(6)} B gzip${raw === null ? "" : ` (${raw} B raw)`}${note}`);
const verdict = (zipped, limit) => ` / ${limit} B ${zipped > limit ? "OVER BUDGET" : "ok"}`;

const loaderGz = gz(loader);
line("widget.js (loader)", loader.length, loaderGz, verdict(loaderGz, LOADER_LIMIT));
let worstAsk = { gz: 0 };
for (const lang of LANGS) {
  const size = gz(asks[lang]);
  line(`widget/${askFile(lang)}`, asks[lang].length, size);
  if (size > worstAsk.gz) worstAsk = { gz: size, name: askFile(lang) };
}
let worstConfig = { gz: 0 };
for (const { label, body } of configs) {
  const size = gz(body);
  line(`/api/config (${label})`, body.length, size, url ? "" : " [askConfig()]");
  if (size > worstConfig.gz) worstConfig = { gz: size, label };
}
for (const lang of LANGS) line(`widget/${extrasFile(lang)} (on demand)`, extras[lang].length, gz(extras[lang]));

const firstAsk = loaderGz + worstAsk.gz + worstConfig.gz;
console.log(`\nfirst ask = loader + ${worstAsk.name} + config (${worstConfig.label})`);
line("first ask", null, firstAsk, `${verdict(firstAsk, FIRST_ASK_LIMIT)} (aim: 10240 B)`);

if (loaderGz > LOADER_LIMIT || firstAsk > FIRST_ASK_LIMIT) {
  console.error("\nThe widget is over its weight budget (loader ≤ 2 KB, first ask with its config ≤ 15 KB gzip).");
  process.exit(1);
}
