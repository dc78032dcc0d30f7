import { build } from "esbuild";
import { gzipSync } from "node:zlib";
const gz = (b) => gzipSync(b, { level: 9 }).length;
const base = { entryPoints: ["widget/src/ask/mount.tsx"], bundle: true, minify: true, format: "iife", target: "es2022", jsx: "automatic", jsxImportSource: "preact", legalComments: "none", write: false, charset: "utf8", metafile: true, platform: "browser", define: { __LANG__: '"ru"', __CHUNK_VERSION__: '"x"' } };
const full = await build(base);
const total = gz(full.outputFiles[0].contents);
const inputs = Object.entries(Object.values(full.metafile.outputs)[0].inputs);
// marginal cost: replace a module with an empty stub
for (const [path, v] of inputs) {
  if (path.includes("mount.tsx")) continue;
  const r = await build({ ...base, metafile: false, plugins: [{ name: "stub", setup(b) { b.onLoad({ filter: /.*/ }, (a) => a.path.endsWith(path.replace(/^.*\//, "")) && a.path.includes(path.split("/").slice(-2).join("/")) ? { contents: "", loader: "js" } : undefined); } }], logLevel: "silent" }).catch(() => null);
  console.log(String(v.bytesInOutput).padStart(6), r ? String(total - gz(r.outputFiles[0].contents)).padStart(6) : "  err", path);
}
console.log("total", total);
