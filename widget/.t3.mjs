import { build } from "esbuild";
import { gzipSync } from "node:zlib";
for (const target of ["es2019", "es2020"]) {
const r = await build({ entryPoints: ["widget/src/loader.ts"], bundle: true, minify: true, format: "iife", target, legalComments: "none", write: false, charset: "utf8", define: { __ASK_VERSION__: '"146281998a"' } });
console.log(target, gzipSync(r.outputFiles[0].contents, { level: 9 }).length);
}
