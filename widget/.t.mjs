import { build } from "esbuild";
import { gzipSync } from "node:zlib";
const base = { entryPoints: ["widget/src/ask/mount.tsx"], bundle: true, minify: true, format: "iife", target: "es2022", jsx: "automatic", jsxImportSource: "preact", legalComments: "none", write: false, charset: "utf8", define: { __LANG__: '"ru"', __CHUNK_VERSION__: '"x"' } };
for (const [name, extra] of [["base", {}], ["mangle __x", { mangleProps: /^__[a-zA-Z]$/ }], ["es2020", { target: "es2020" }], ["es2017", { target: "es2017" }]]) {
  const r = await build({ ...base, ...extra });
  const c = r.outputFiles[0].contents;
  console.log(name, c.length, gzipSync(c, { level: 9 }).length);
}
