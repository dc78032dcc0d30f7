/**
 * Builds the widget into the files the worker serves (dist/widget-files.json, which the worker
 * bundles) and, for reading and weighing, the same files under dist/public:
 *   dist/public/widget.js      the loader publishers embed (about 1.5 KB gzip)
 *   dist/public/widget/ask.js  the ask (English UI), fetched only when an ask is due
 *   dist/public/widget/ask.ru.js  the same with the Russian UI strings
 *   dist/public/widget/<chunk>[.ru].js  the lazily loaded chunks (CHUNKS below), each fetched
 *     only when the reader needs it; they borrow the ask bundle's view layer (widget/src/view) and a few of its
 *     parts (SHARED below) instead of carrying their own
 * One bundle per language keeps the first ask light: a reader downloads one string table.
 * The loader carries a hash of the ask bundles (and each ask one of the chunks) so a new build
 * is fetched after each deploy while every file can be cached.
 * Run: node widget/build.mjs
 */
import { createHash } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { minifySync } from "rolldown/utils";

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
  jsxImportSource: "@view",
  legalComments: "none",
  write: false,
  logLevel: "warning",
  charset: "utf8",
};

/** Languages with their own ask bundle; English is `ask.js`, the others `ask.<lang>.js`. */
export const LANGS = ["en", "ru"];
export const askFile = (lang) => (lang === "en" ? "ask.js" : `ask.${lang}.js`);
/**
 * The chunks the ask loads when the reader needs them (mount.tsx `loadChunk`), by name:
 *   extras  the "Other" amount field, the monthly upsell, the Turnstile check, the reminder form
 *           and the thank-you: fetched when the reader reaches for the form, clicks "Remind me
 *           later" or comes back from Stripe;
 *   banner  the banner and how it is laid over the page: fetched when a banner is due;
 *   goal    the campaign's progress toward its goal: fetched when the page's campaign has one;
 *   target  targeting in the reader's browser: fetched before the ask is placed, when the site's
 *           config has a target (the site's or a variant's).
 */
export const CHUNKS = {
  extras: "widget/src/ask/extras-chunk.ts",
  banner: "widget/src/ask/banner-chunk.ts",
  goal: "widget/src/ask/goal-chunk.ts",
  target: "widget/src/ask/target-chunk.ts",
};
/** The file of a chunk in a language: `extras.js`, `extras.<lang>.js`. */
export const chunkFile = (name, lang) => (lang === "en" ? `${name}.js` : `${name}.${lang}.js`);
/** The extras chunk of a language: `extras.js`, `extras.<lang>.js`. */
export const extrasFile = (lang) => chunkFile("extras", lang);

/**
 * What is shared between the bundles, by module (widget/shared-modules.json):
 *   lib    what the ask bundle shares with the chunks: mount.tsx puts these on
 *          `__readerSupport.lib`, and a chunk's imports of these modules read them from there.
 *          One view layer (and one stylesheet, one tracker helper…) on the page, and chunks of a
 *          kilobyte or two.
 *   rules  what the loader shares with the ask bundle: the reader's stored state and the
 *          targeting rules, which the loader carries anyway (it decides whether an ask is due).
 *          The loader puts these on `__readerSupport.rules` before it adds the ask bundle, and
 *          the bundle's imports of these modules read them from there.
 * No helper is downloaded twice. A bundle that imports anything else from one of these modules
 * fails to build; widget/src/shared-modules.test.ts checks that both sides publish every name.
 */
export const SHARED = JSON.parse(await readFile(join(root, "widget/shared-modules.json"), "utf8"));

/** Points imports of the modules in `shared` (one part of SHARED) at `self.__readerSupport[key]`. */
const fromGlobal = (shared, key) => ({
  name: `from-${key}`,
  setup(b) {
    const modules = new Map(
      Object.entries(shared).map(([module, names]) => [
        module.startsWith("widget/") ? join(root, module).replace(/\.tsx?$/, "") : module,
        names,
      ]),
    );
    b.onResolve({ filter: /.*/ }, (args) => {
      const path = args.path.startsWith(".") ? join(args.resolveDir, args.path).replace(/\.tsx?$/, "") : args.path;
      return modules.has(path) ? { path, namespace: key } : undefined;
    });
    b.onLoad({ filter: /.*/, namespace: key }, (args) => ({
      contents: `export const { ${modules.get(args.path).join(", ")} } = self.__readerSupport.${key};`,
      loader: "js",
    }));
  },
});

/**
 * A second minifying pass with oxc (rolldown's): its names for the local variables compress
 * better than esbuild's, some 1.5 % off each file's gzip size.
 */
function reminify(file, bytes, target) {
  const { code, errors } = minifySync(file, Buffer.from(bytes).toString("utf8"), {
    compress: { target },
    mangle: true,
  });
  if (errors.length) throw new Error(`${file}: ${errors.map((e) => e.message).join("; ")}`);
  return Buffer.from(code);
}

/** A BOM makes browsers decode the (raw UTF-8) strings correctly even on pages in legacy encodings. */
const withBom = (bytes) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]);
const shortHash = (parts) => {
  const hash = createHash("sha256");
  for (const p of parts) hash.update(p);
  return hash.digest("hex").slice(0, 10);
};

/** Builds the loader, the ask bundles and the extras chunks; returns their contents. */
/**
 * The built files as the worker serves them (worker/widget/files.ts imports this JSON):
 * URL path → { body, etag }. The worker, not Workers Assets, serves the widget: an assets router
 * in front of a Worker stands before every request to it, the public API's included.
 */
const servedFiles = (files) =>
  JSON.stringify(
    Object.fromEntries(
      Object.entries(files).map(([path, bytes]) => [
        path,
        { etag: `"${shortHash([bytes])}"`, body: Buffer.from(bytes).toString("utf8") },
      ]),
    ),
  );

/**
 * Replaces modules of the ask bundle with other source, `{ "widget/src/ask/Upsell.tsx": "export …" }`:
 * how `npm run size` weighs a part of the ask (the bundle with it, minus the bundle without it).
 */
const replacing = (modules) => ({
  name: "replacing",
  setup(b) {
    const paths = new Map(Object.entries(modules).map(([module, source]) => [join(root, module), source]));
    b.onLoad({ filter: /\.tsx?$/ }, (args) =>
      paths.has(args.path) ? { contents: paths.get(args.path), loader: "tsx" } : undefined,
    );
  },
});

/** `without` (see `replacing`) only for weighing: such a build is never written. */
export async function buildWidget({ write = true, without } = {}) {
  if (without) write = false;
  // chunks[name][lang]: the bytes of each chunk in each language.
  const chunks = {};
  for (const [name, entry] of Object.entries(CHUNKS)) {
    chunks[name] = {};
    for (const lang of LANGS) {
      const chunk = await build({
        ...common,
        entryPoints: [join(root, entry)],
        define: { __LANG__: JSON.stringify(lang) },
        plugins: [fromGlobal(SHARED.lib, "lib")],
      });
      chunks[name][lang] = withBom(reminify(chunkFile(name, lang), chunk.outputFiles[0].contents, common.target));
    }
  }
  const chunkVersion = shortHash(Object.values(chunks).flatMap((byLang) => LANGS.map((l) => byLang[l])));
  const asks = {};
  for (const lang of LANGS) {
    const ask = await build({
      ...common,
      entryPoints: [join(root, "widget/src/ask/mount.tsx")],
      define: { __LANG__: JSON.stringify(lang), __CHUNK_VERSION__: JSON.stringify(chunkVersion) },
      // The view layer's internal fields (names ending in "_", widget/src/view) get one-letter
      // names: the whole view layer lives in this bundle (the chunks only call Component,
      // render and jsx), so nothing outside reads them.
      mangleProps: /_$/,
      plugins: [fromGlobal(SHARED.rules, "rules"), ...(without ? [replacing(without)] : [])],
    });
    asks[lang] = withBom(reminify(askFile(lang), ask.outputFiles[0].contents, common.target));
  }
  const version = shortHash(LANGS.map((l) => asks[l]));
  const loader = await build({
    ...common,
    entryPoints: [join(root, "widget/src/loader.ts")],
    // The loader runs on every page, even where the ask will not: keep it ES2019.
    target: "es2019",
    // Without a "use strict" prologue (tsconfig's `strict` adds one): the loader is only our
    // own type-checked code, which behaves the same either way.
    tsconfigRaw: { compilerOptions: { alwaysStrict: false } },
    // The targeting filters' `hides` (rules/filters.ts) gets a one-letter name: the filters are
    // made and read in this bundle only (the ask bundle calls the loader's `whyNotShown`).
    mangleProps: /^hides$/,
    // The first 8 hex digits of the bundles' hash (32 bits) are plenty to tell one build from the next.
    define: { __ASK_VERSION__: JSON.stringify(version.slice(0, 8)) },
  });
  const loaderCode = reminify("widget.js", loader.outputFiles[0].contents, "es2019");
  if (write) {
    const files = { "/widget.js": loaderCode };
    for (const lang of LANGS) {
      files[`/widget/${askFile(lang)}`] = asks[lang];
      for (const name of Object.keys(CHUNKS)) files[`/widget/${chunkFile(name, lang)}`] = chunks[name][lang];
    }
    await mkdir(join(out, "widget"), { recursive: true });
    for (const [path, bytes] of Object.entries(files)) await writeFile(join(out, path), bytes);
    await writeFile(join(root, "dist", "widget-files.json"), servedFiles(files));
  }
  return { loader: loaderCode, ask: asks.en, asks, chunks, extras: chunks.extras, version };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { loader, asks, chunks, version } = await buildWidget();
  const sizes = LANGS.map(
    (l) =>
      `widget/${askFile(l)} ${asks[l].length} B, ${Object.keys(CHUNKS)
        .map((n) => `widget/${chunkFile(n, l)} ${chunks[n][l].length} B`)
        .join(", ")}`,
  ).join("; ");
  console.log(`widget built (${version}): widget.js ${loader.length} B, ${sizes} → dist/public`);
}
