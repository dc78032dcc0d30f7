/**
 * The widget's weight budget (issue #3), run in CI: builds the bundles and prints their
 * gzip sizes. Fails when the loader exceeds 2 KB or when the scripts a first-time reader
 * downloads for the ask — loader + ask bundle (the heavier language) — exceed 15 KB.
 * It also prints the total with the config JSON (estimated from widget/fixtures), the
 * one other response the first ask needs; that figure is reported, not enforced.
 * Usage: node scripts/size.mjs [--no-build]  (--no-build reads dist/public as it is)
 */
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { askFile, buildWidget, LANGS } from "../widget/build.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const LOADER_LIMIT = 2048;
const FIRST_ASK_LIMIT = 15360;

const gz = (bytes) => gzipSync(bytes, { level: 9 }).length;

let loader;
const asks = {};
if (process.argv.includes("--no-build")) {
  loader = await readFile(join(root, "dist/public/widget.js"));
  for (const lang of LANGS) asks[lang] = await readFile(join(root, "dist/public/widget", askFile(lang)));
} else {
  const built = await buildWidget();
  loader = built.loader;
  Object.assign(asks, built.asks);
}
const config = await readFile(join(root, "widget/fixtures/ask-config.json"), "utf8");
const configGz = gz(JSON.stringify(JSON.parse(config)));

const rows = [];
const row = (name, raw, zipped, limit) => {
  rows.push({ name, raw, zipped, limit });
};
const loaderGz = gz(loader);
row("widget.js (loader)", loader.length, loaderGz, LOADER_LIMIT);
let worst = 0;
for (const lang of LANGS) {
  const askGz = gz(asks[lang]);
  row(`widget/${askFile(lang)}`, asks[lang].length, askGz);
  worst = Math.max(worst, askGz);
}
row("config JSON (sample)", config.length, configGz);
row("first ask: loader + ask", null, loaderGz + worst, FIRST_ASK_LIMIT);
row("first ask with config JSON (info)", null, loaderGz + worst + configGz);

let failed = false;
for (const r of rows) {
  const over = r.limit !== undefined && r.zipped > r.limit;
  failed ||= over;
  const limit = r.limit === undefined ? "" : ` / ${r.limit} B ${over ? "OVER BUDGET" : "ok"}`;
  const raw = r.raw === null ? "" : ` (${r.raw} B raw)`;
  console.log(`${r.name.padEnd(36)} ${String(r.zipped).padStart(6)} B gzip${raw}${limit}`);
}
if (failed) {
  console.error("\nThe widget is over its weight budget (loader ≤ 2 KB, first ask ≤ 15 KB gzip).");
  process.exit(1);
}
