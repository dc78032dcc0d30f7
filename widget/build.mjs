/**
 * Builds the widget into static assets the worker serves:
 *   dist/public/widget.js      the loader publishers embed (≤ 2 KB gzip)
 *   dist/public/widget/ask.js  the Preact ask (English UI), fetched only when an ask is due
 *   dist/public/widget/ask.ru.js  the same with the Russian UI strings
 *   dist/public/widget/extras.js, extras.ru.js  the "Other" amount field, the reminder
 *     form, the Turnstile check and the thank-you, fetched only when the reader reaches for
 *     the form, clicks "Remind me later" or comes back from Stripe;
 *     it borrows the ask bundle's Preact instead of carrying its own
 * One bundle per language keeps the first ask light: a reader downloads one string table.
 * The loader carries a hash of the ask bundles (and each ask one of the extras chunks) so
 * a new build is fetched after each deploy while every file can be cached.
 * Run: node widget/build.mjs
 */
import { createHash } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "dist", "public");

const common = {
  bundle: true,
  minify: true,
  format: "iife",
  // Every browser with constructable stylesheets (which the ask requires) runs ES2022.
  target: "es2022",
  platform: "browser",
  jsx: "automatic",
  jsxImportSource: "preact",
  legalComments: "none",
  write: false,
  logLevel: "warning",
  charset: "utf8",
};

/** Languages with their own ask bundle; English is `ask.js`, the others `ask.<lang>.js`. */
export const LANGS = ["en", "ru"];
export const askFile = (lang) => (lang === "en" ? "ask.js" : `ask.${lang}.js`);
/** The extras chunk of a language: `extras.js`, `extras.<lang>.js`. */
export const extrasFile = (lang) => (lang === "en" ? "extras.js" : `extras.${lang}.js`);

/**
 * Points the extras chunk's `preact` and `preact/jsx-runtime` imports at the functions
 * the ask bundle publishes on `__readerSupport.lib` (widget/src/ask/mount.tsx): one Preact
 * on the page, and a chunk of a kilobyte or two.
 */
const sharedPreact = {
  name: "shared-preact",
  setup(b) {
    b.onResolve({ filter: /^preact(\/jsx-runtime)?$/ }, (args) => ({ path: args.path, namespace: "shared-preact" }));
    b.onLoad({ filter: /.*/, namespace: "shared-preact" }, () => ({
      contents: "export const { Component, Fragment, jsx, jsxs } = self.__readerSupport.lib;",
      loader: "js",
    }));
  },
};

/** A BOM makes browsers decode the (raw UTF-8) strings correctly even on pages in legacy encodings. */
const withBom = (bytes) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]);
const shortHash = (parts) => {
  const hash = createHash("sha256");
  for (const p of parts) hash.update(p);
  return hash.digest("hex").slice(0, 10);
};

/** Builds the loader, the ask bundles and the extras chunks; returns their contents. */
/**
 * Cache rules for Workers Assets: every page view fetches the loader, so a new deploy reaches
 * readers within minutes; the loader asks for the bundles with `?v=<content hash>`, so those
 * URLs never change meaning and can be cached for a year.
 */
const HEADERS = `/widget.js
  Cache-Control: public, max-age=300
  X-Content-Type-Options: nosniff
/widget/*
  Cache-Control: public, max-age=31536000, immutable
  X-Content-Type-Options: nosniff
`;

export async function buildWidget({ write = true } = {}) {
  const extras = {};
  for (const lang of LANGS) {
    const chunk = await build({
      ...common,
      entryPoints: [join(root, "widget/src/ask/extras-chunk.ts")],
      define: { __LANG__: JSON.stringify(lang) },
      plugins: [sharedPreact],
    });
    extras[lang] = withBom(chunk.outputFiles[0].contents);
  }
  const chunkVersion = shortHash(LANGS.map((l) => extras[l]));
  const asks = {};
  for (const lang of LANGS) {
    const ask = await build({
      ...common,
      entryPoints: [join(root, "widget/src/ask/mount.tsx")],
      define: { __LANG__: JSON.stringify(lang), __CHUNK_VERSION__: JSON.stringify(chunkVersion) },
      // Preact's private fields (`__k`, `__e`, …) get one-letter names: the whole Preact lives
      // in this bundle (the extras chunk only calls Component and jsx), so nothing outside
      // reads them. Exactly two underscores and one letter: never `__html` or our own fields.
      mangleProps: /^__[a-zA-Z]$/,
    });
    asks[lang] = withBom(ask.outputFiles[0].contents);
  }
  const version = shortHash(LANGS.map((l) => asks[l]));
  const loader = await build({
    ...common,
    entryPoints: [join(root, "widget/src/loader.ts")],
    // The loader runs on every page, even where the ask will not: keep it ES2019.
    target: "es2019",
    define: { __ASK_VERSION__: JSON.stringify(version) },
  });
  const loaderCode = loader.outputFiles[0].contents;
  if (write) {
    await mkdir(join(out, "widget"), { recursive: true });
    await writeFile(join(out, "widget.js"), loaderCode);
    for (const lang of LANGS) {
      await writeFile(join(out, "widget", askFile(lang)), asks[lang]);
      await writeFile(join(out, "widget", extrasFile(lang)), extras[lang]);
    }
    await writeFile(join(out, "_headers"), HEADERS);
  }
  return { loader: loaderCode, ask: asks.en, asks, extras, version };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { loader, asks, extras, version } = await buildWidget();
  const sizes = LANGS.map(
    (l) => `widget/${askFile(l)} ${asks[l].length} B, widget/${extrasFile(l)} ${extras[l].length} B`,
  ).join(", ");
  console.log(`widget built (${version}): widget.js ${loader.length} B, ${sizes} → dist/public`);
}
