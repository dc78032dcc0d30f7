#!/usr/bin/env node
// `npm start`: the whole product locally — widget build, migrated local D1, the Stripe
// emulator on :12111 delivering signed webhooks, and the worker on http://localhost:8787.
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, readFileSync } from "node:fs";

const PORT = Number(process.env.PORT ?? 8787);
const EMULATOR_PORT = Number(process.env.STRIPE_EMULATOR_PORT ?? 12111);
// Where the local D1 and Durable Objects keep their data (wrangler's default unless set).
const PERSIST = process.env.PERSIST_DIR ? ["--persist-to", process.env.PERSIST_DIR] : [];

function run(command, args) {
  const result = spawnSync(command, args, { stdio: "inherit", env: process.env });
  if (result.status !== 0) {
    console.error(`\n${command} ${args.join(" ")} failed (exit ${result.status}).`);
    process.exit(result.status ?? 1);
  }
}

if (!existsSync(".dev.vars")) {
  copyFileSync(".dev.vars.example", ".dev.vars");
  console.log("Created .dev.vars from .dev.vars.example (development secrets).");
}
const devVars = Object.fromEntries(
  readFileSync(".dev.vars", "utf8")
    .split("\n")
    .filter((line) => /^\w+=/.test(line))
    .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1).trim()]),
);

run(process.execPath, ["widget/build.mjs"]);
run("npx", ["wrangler", "d1", "migrations", "apply", "DB", "--local", "--env", "local", ...PERSIST]);

const children = [];
const useEmulator = !devVars.STRIPE_SECRET_KEY;
if (useEmulator) {
  children.push(
    spawn(process.execPath, ["tools/stripe-emulator/main.ts"], {
      stdio: "inherit",
      env: {
        ...process.env,
        STRIPE_EMULATOR_PORT: String(EMULATOR_PORT),
        STRIPE_WEBHOOK_SECRET: devVars.STRIPE_WEBHOOK_SECRET ?? "whsec_local_dev_only",
        STRIPE_EMULATOR_WEBHOOK_URL: `http://127.0.0.1:${PORT}/api/webhooks/stripe`,
      },
    }),
  );
} else {
  console.log("STRIPE_SECRET_KEY is set in .dev.vars: using real Stripe test mode (run `stripe listen`).");
}

children.push(
  spawn(
    "npx",
    [
      "wrangler",
      "dev",
      "--env",
      "local",
      "--port",
      String(PORT),
      "--ip",
      "127.0.0.1",
      "--show-interactive-dev-session=false",
      // The worker talks to this run's emulator, whatever port it was given.
      ...(useEmulator ? ["--var", `STRIPE_API_BASE:http://127.0.0.1:${EMULATOR_PORT}`] : []),
      ...PERSIST,
    ],
    { stdio: "inherit", env: process.env },
  ),
);

setTimeout(() => {
  console.log(`
  Reader Support is running
    demo article   http://localhost:${PORT}/demo
    staff view     http://localhost:${PORT}/admin   (token: ${devVars.ADMIN_TOKEN ?? "see .dev.vars"})
    ${useEmulator ? `Stripe emulator http://localhost:${EMULATOR_PORT}  (local test checkout, no real money)` : "Stripe: test mode"}
  Ctrl+C stops everything.
`);
}, 4000).unref();

let stopping = false;
function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill("SIGTERM");
  setTimeout(() => process.exit(code), 500).unref();
}
process.on("SIGINT", () => stop(0));
process.on("SIGTERM", () => stop(0));
for (const child of children) child.on("exit", (code) => stop(code ?? 0));
