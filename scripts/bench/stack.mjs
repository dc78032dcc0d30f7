/**
 * The local stack for `npm run bench` (issue 7), on its own ports and persist dir so it never
 * meets a running `npm start`: the Stripe emulator, the product (`wrangler dev --env local`) and
 * the hello baseline (`wrangler dev -c scripts/bench/hello/wrangler.toml`), same workerd.
 * Every child runs in its own process group and is stopped with it.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";

/** Ports and paths of the bench stack (override with BENCH_* variables). */
export const STACK = {
  port: Number(process.env.BENCH_PORT ?? process.env.PORT ?? 8803),
  helloPort: Number(process.env.BENCH_HELLO_PORT ?? 18803),
  emulatorPort: Number(process.env.BENCH_EMULATOR_PORT ?? process.env.STRIPE_EMULATOR_PORT ?? 12203),
  persist: process.env.BENCH_PERSIST_DIR ?? process.env.PERSIST_DIR ?? ".wrangler/bench",
  webhookSecret: "whsec_local_dev_only",
  adminToken: "dev-admin-token",
};

const children = [];

function run(command, args, env = process.env) {
  const result = spawnSync(command, args, { stdio: ["ignore", "pipe", "pipe"], env, encoding: "utf8" });
  if (result.status !== 0) {
    process.stderr.write(result.stdout + result.stderr);
    throw new Error(`${command} ${args.join(" ")} failed (exit ${result.status})`);
  }
}

function start(name, command, args, env) {
  const child = spawn(command, args, {
    env: { ...process.env, ...env },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  const keep = (chunk) => {
    log = (log + chunk).slice(-8000);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  children.push({ name, child, log: () => log });
  return child;
}

async function waitFor(url, name, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.status < 500) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const entry = children.find((c) => c.name === name);
  throw new Error(`${name} did not answer at ${url} within ${timeoutMs / 1000} s\n${entry?.log() ?? ""}`);
}

/** Builds the widget, migrates the bench D1, starts the three servers and waits until they answer. */
export async function startStack() {
  const devVars = existsSync(".dev.vars") ? ".dev.vars" : ".dev.vars.example";
  const adminToken = /^ADMIN_TOKEN=(.*)$/m.exec(readFileSync(devVars, "utf8"))?.[1]?.trim();
  if (adminToken) STACK.adminToken = adminToken;
  run(process.execPath, ["widget/build.mjs"]);
  run("npx", [
    "wrangler",
    "d1",
    "migrations",
    "apply",
    "DB",
    "--local",
    "--env",
    "local",
    "--persist-to",
    STACK.persist,
  ]);
  start("emulator", process.execPath, ["tools/stripe-emulator/main.ts"], {
    STRIPE_EMULATOR_PORT: String(STACK.emulatorPort),
    STRIPE_WEBHOOK_SECRET: STACK.webhookSecret,
    // No webhook URL: checkout sessions made by the benchmark are never paid, their events just queue.
    STRIPE_EMULATOR_WEBHOOK_URL: "",
  });
  const dev = (port, inspector, extra) => [
    "wrangler",
    "dev",
    "--port",
    String(port),
    "--ip",
    "127.0.0.1",
    "--inspector-port",
    String(inspector),
    "--show-interactive-dev-session=false",
    "--log-level",
    "warn",
    ...extra,
  ];
  start(
    "worker",
    "npx",
    dev(STACK.port, STACK.port + 11000, [
      "--env",
      "local",
      "--persist-to",
      STACK.persist,
      "--var",
      `STRIPE_API_BASE:http://127.0.0.1:${STACK.emulatorPort}`,
    ]),
  );
  start("hello", "npx", dev(STACK.helloPort, STACK.helloPort + 2000, ["-c", "scripts/bench/hello/wrangler.toml"]));
  await waitFor(`http://127.0.0.1:${STACK.emulatorPort}/_test/health`, "emulator");
  await waitFor(`http://127.0.0.1:${STACK.port}/api/config?site=demo`, "worker", 90_000);
  await waitFor(`http://127.0.0.1:${STACK.helloPort}/`, "hello", 90_000);
}

/** The last lines a stack process printed (for error reports). */
export const stackLog = (name) => children.find((c) => c.name === name)?.log() ?? "";

/** Stops every process the bench started (each child's whole process group, nothing else). */
export function stopStack() {
  for (const { child } of children) {
    if (child.exitCode !== null || child.pid === undefined) continue;
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      // already gone
    }
  }
}

/** Ends the run cleanly on Ctrl+C or an unexpected error. */
export function stopOnExit() {
  process.on("SIGINT", () => {
    stopStack();
    process.exit(130);
  });
  process.on("SIGTERM", () => {
    stopStack();
    process.exit(143);
  });
  process.on("exit", stopStack);
}
