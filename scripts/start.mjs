#!/usr/bin/env node
// `npm start`: the whole product locally — widget build, migrated local D1, the Stripe emulator
// on :12111 delivering signed webhooks, and the worker on http://localhost:8787.
// PORT, STRIPE_EMULATOR_PORT and PERSIST_DIR change the ports and where local data is kept.
import { copyFileSync, existsSync } from "node:fs";
import { exitOnSignals, readDevVars, startStack } from "../tools/stack.ts";

const PORT = Number(process.env.PORT ?? 8787);
const EMULATOR_PORT = Number(process.env.STRIPE_EMULATOR_PORT ?? 12111);

if (!existsSync(".dev.vars")) {
  copyFileSync(".dev.vars.example", ".dev.vars");
  console.log("Created .dev.vars from .dev.vars.example (development secrets).");
}
const devVars = readDevVars();
// With a real Stripe test key the worker talks to Stripe, and `stripe listen` forwards its events.
const useEmulator = !devVars.STRIPE_SECRET_KEY;
if (!useEmulator) {
  console.log("STRIPE_SECRET_KEY is set in .dev.vars: using real Stripe test mode (run `stripe listen`).");
}

// Ctrl+C stops everything and ends `npm start` without an error.
exitOnSignals(() => 0);

let stack;
try {
  stack = await startStack({
    port: PORT,
    emulator: useEmulator,
    emulatorPort: EMULATOR_PORT,
    persistDir: process.env.PERSIST_DIR || undefined,
    stdio: "inherit",
  });
} catch (error) {
  console.error(`\n${error instanceof Error ? error.message : error}`);
  process.exit(1);
}

console.log(`
  Reader Support is running
    demo article   http://localhost:${stack.port}/demo
    staff view     http://localhost:${stack.port}/admin   (token: ${stack.adminToken ?? "see .dev.vars"})
    ${useEmulator ? `Stripe emulator http://localhost:${stack.emulatorPort}  (local test checkout, no real money)` : "Stripe: test mode"}
  Ctrl+C stops everything.
`);

// If wrangler ends on its own, stop the rest and end with its exit code.
const code = await stack.exited;
await stack.stop();
process.exit(code);
