#!/usr/bin/env node
// `npm run db:check`: fails when worker/platform/schema.ts and the migrations' snapshots disagree,
// i.e. when `npm run db:generate` would write a new migration that nobody generated and reviewed.
// drizzle-kit runs on a scratch copy of migrations/, so nothing in the repository changes.
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const scratch = join(".wrangler", "migrations-check");
rmSync(scratch, { recursive: true, force: true });
mkdirSync(scratch, { recursive: true });
cpSync("migrations", join(scratch, "migrations"), { recursive: true });
const config = join(scratch, "drizzle.config.ts");
writeFileSync(
  config,
  `export default { dialect: "sqlite", schema: "./worker/platform/schema.ts", out: "./${scratch}/migrations" };\n`,
);
const result = spawnSync("npx", ["drizzle-kit", "generate", "--config", config], { encoding: "utf8" });
rmSync(scratch, { recursive: true, force: true });
const output = `${result.stdout}${result.stderr}`;
if (result.status !== 0 || !output.includes("No schema changes")) {
  console.error(output);
  console.error("db:check: the schema has changes no migration holds. Run `npm run db:generate` and review the SQL.");
  process.exit(1);
}
console.log("db:check: migrations and their snapshots match worker/platform/schema.ts.");
