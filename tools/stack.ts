/**
 * The whole product on this machine, started one way for `npm start`, the browser tests and the
 * benchmark: the widget build, D1 migrations applied to a persist directory, the Stripe emulator
 * (in this process) delivering signed webhooks to the worker, and `wrangler dev --env local`
 * with the `--var`s that point the worker at this run's emulator. `startStack` resolves once the
 * worker answers; `stop()` ends everything it started.
 *
 * Every child process runs in its own process group and is stopped with its whole group (wrangler
 * and the workerd it starts), never by name. Whatever is still running when this process exits is
 * sent SIGTERM, so an interrupted run leaves nothing behind.
 *
 * Node 22 runs this file as it is (type stripping), so `.mjs` scripts import it like Vitest does.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { constants, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Emulator, startEmulator } from "./stripe-emulator/server.ts";

/** The repository root: every child runs here, so relative paths mean the same to all of them. */
export const ROOT = fileURLToPath(new URL("..", import.meta.url));

const WRANGLER = join(dirname(createRequire(import.meta.url).resolve("wrangler/package.json")), "bin/wrangler.js");

/** Where child output goes: this terminal, or kept in memory (its tail is in errors and `log()`). */
export type Stdio = "inherit" | "capture";

/** A child process in its own process group. */
type Child = {
  name: string;
  process: ChildProcess;
  /** The last part of what it printed (capture mode only). */
  log(): string;
  /** Resolves with its exit code (128 + signal number when a signal ended it). */
  exited: Promise<number>;
  /** Like `exited`, but only when it ended on its own: never after `stop()`. */
  endedByItself: Promise<number>;
  /** Stops its whole process group: SIGTERM, then SIGKILL if something is still there after a while. */
  stop(): Promise<void>;
};

const LOG_TAIL = 16_000;
const running = new Set<Child>();
let exitHookInstalled = false;

/** Sends SIGTERM to every process group still running (synchronous: usable in an `exit` handler). */
function terminateAll(): void {
  for (const child of running) signalGroup(child.process, "SIGTERM");
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals | 0): boolean {
  if (child.pid === undefined) return false;
  try {
    process.kill(-child.pid, signal);
    return true;
  } catch {
    return false; // the group is gone
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function startChild(name: string, command: string, args: string[], stdio: Stdio): Child {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on("exit", terminateAll);
  }
  const child = spawn(command, args, {
    cwd: ROOT,
    env: process.env,
    detached: true,
    // Never stdin: a process group in the background that reads the terminal would be stopped.
    stdio: stdio === "inherit" ? ["ignore", "inherit", "inherit"] : ["ignore", "pipe", "pipe"],
  });
  let log = "";
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-LOG_TAIL);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<number>((resolve) => {
    child.once("error", (error) => {
      keep(Buffer.from(`\n${name}: ${error.message}\n`));
      resolve(127);
    });
    child.once("exit", (code, signal) => {
      resolve(code ?? (signal ? 128 + (constants.signals[signal] ?? 0) : 1));
    });
  });
  let stopping = false;
  const entry: Child = {
    name,
    process: child,
    log: () => log,
    exited,
    endedByItself: exited.then((code) => (stopping ? new Promise<number>(() => {}) : code)),
    async stop() {
      stopping = true;
      signalGroup(child, "SIGTERM");
      const deadline = Date.now() + 10_000;
      // The group may outlive the direct child for a moment (workerd under wrangler).
      while (Date.now() < deadline && signalGroup(child, 0)) await sleep(100);
      signalGroup(child, "SIGKILL");
      await Promise.race([exited, sleep(1000)]);
      running.delete(entry);
    },
  };
  running.add(entry);
  void exited.then(() => {
    if (!signalGroup(child, 0)) running.delete(entry);
  });
  return entry;
}

/** Runs a command to completion; throws with its output (when captured) if it fails. */
async function run(name: string, command: string, args: string[], stdio: Stdio): Promise<void> {
  const child = startChild(name, command, args, stdio);
  const code = await child.exited;
  running.delete(child);
  if (code !== 0) {
    throw new Error(`${name} failed (exit ${code}): ${[command, ...args].join(" ")}\n${child.log()}`);
  }
}

/** Stops every process this module started (the stacks' own `stop()` also closes their emulators). */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((child) => child.stop()));
}

/**
 * On Ctrl+C (SIGINT), SIGTERM or SIGHUP: stops every process this module started, then exits
 * with `exitCode(signal)` (by default 128 + the signal's number). Signals that arrive while it is
 * stopping are ignored (npm forwards the terminal's Ctrl+C, so one keypress can arrive twice);
 * stopping takes at most a few seconds.
 */
export function exitOnSignals(exitCode: (signal: NodeJS.Signals) => number = (s) => 128 + constants.signals[s]): void {
  let stopping = false;
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      void stopAll().finally(() => process.exit(exitCode(signal)));
    });
  }
}

/** A port nobody is listening on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

const portOrFree = async (port: number) => (port === 0 ? freePort() : port);

/** `KEY=value` lines of a file such as `.dev.vars` (empty when the file does not exist). */
export function readVarsFile(path: string): Record<string, string> {
  if (!existsSync(path)) return {};
  return Object.fromEntries(
    readFileSync(path, "utf8")
      .split("\n")
      .filter((line) => /^\w+=/.test(line))
      .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1).trim()]),
  );
}

/** The development secrets `wrangler dev` reads from `.dev.vars` at the repository root. */
export const readDevVars = () => readVarsFile(join(ROOT, ".dev.vars"));

/** Builds the widget into dist/public. */
export const buildWidget = (stdio: Stdio = "capture") =>
  run("widget build", process.execPath, ["widget/build.mjs"], stdio);

/** Applies the D1 migrations to the local database (wrangler's default directory unless `persistDir`). */
export const applyMigrations = (persistDir?: string, stdio: Stdio = "capture") =>
  run(
    "D1 migrations",
    process.execPath,
    [
      WRANGLER,
      "d1",
      "migrations",
      "apply",
      "DB",
      "--local",
      "--env",
      "local",
      ...(persistDir ? ["--persist-to", persistDir] : []),
    ],
    stdio,
  );

/** Options of `startWranglerDev`. */
export type WranglerDevOptions = {
  /** Names the process in messages (default "worker"). */
  name?: string;
  /** `-c`: another wrangler configuration (default: wrangler.toml). */
  config?: string;
  /** `--env` of the configuration (none by default). */
  env?: string;
  /** Port to listen on, on 127.0.0.1; 0 picks a free one. */
  port: number;
  /** The inspector's port; 0 picks a free one; unset leaves wrangler's default. */
  inspectorPort?: number;
  /** `--persist-to`: where local D1 and Durable Objects keep their data (default: wrangler's). */
  persistDir?: string;
  /** `--var`s, which take precedence over `.dev.vars`. */
  vars?: Record<string, string>;
  /** `--log-level` (wrangler's default unless set). */
  logLevel?: "debug" | "info" | "log" | "warn" | "error" | "none";
  /** The path that must answer 2xx before the server counts as started (default "/"). */
  readyPath?: string;
  stdio?: Stdio;
  /** How long to wait for it to answer (default 120 s). */
  timeoutMs?: number;
};

/** A running `wrangler dev`. */
export type WranglerDev = {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** The last part of what it printed (capture mode only). */
  log(): string;
  /** Resolves with its exit code if it ends by itself (never after `stop()`). */
  exited: Promise<number>;
  stop(): Promise<void>;
};

/** Starts `wrangler dev` in its own process group and resolves once `readyPath` answers 2xx. */
export async function startWranglerDev(options: WranglerDevOptions): Promise<WranglerDev> {
  const name = options.name ?? "worker";
  const port = await portOrFree(options.port);
  const inspectorPort = options.inspectorPort === undefined ? undefined : await portOrFree(options.inspectorPort);
  const args = [
    WRANGLER,
    "dev",
    ...(options.config ? ["-c", options.config] : []),
    ...(options.env ? ["--env", options.env] : []),
    "--port",
    String(port),
    "--ip",
    "127.0.0.1",
    ...(inspectorPort === undefined ? [] : ["--inspector-port", String(inspectorPort)]),
    "--show-interactive-dev-session=false",
    ...(options.logLevel ? ["--log-level", options.logLevel] : []),
    ...(options.persistDir ? ["--persist-to", options.persistDir] : []),
    ...Object.entries(options.vars ?? {}).flatMap(([key, value]) => ["--var", `${key}:${value}`]),
  ];
  const child = startChild(name, process.execPath, args, options.stdio ?? "capture");
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilAnswers(`${url}${options.readyPath ?? "/"}`, child, options.timeoutMs ?? 120_000);
  } catch (error) {
    await child.stop();
    throw new Error(`${name}: ${(error as Error).message}\n${child.log().slice(-3000)}`);
  }
  return { url, port, log: child.log, exited: child.endedByItself, stop: child.stop };
}

async function waitUntilAnswers(url: string, child: Child, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | undefined;
  void child.exited.then((code) => {
    exitCode = code;
  });
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new Error(`exited with ${exitCode} before answering ${url}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await response.body?.cancel();
      if (response.ok) return;
    } catch {
      // not up yet
    }
    await sleep(250);
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
}

/** Options of `startStack`; the defaults are `npm start`'s, except that output is captured. */
export type StackOptions = {
  /** The worker's port (default 8787); 0 picks a free one. */
  port?: number;
  /** wrangler's inspector port; 0 picks a free one; unset leaves wrangler's default (9229). */
  inspectorPort?: number;
  /**
   * Where local D1 and Durable Objects keep their data: a directory, or "temp" for a fresh one
   * that `stop()` removes. Unset: wrangler's default (.wrangler/state).
   */
  persistDir?: string;
  /** Build the widget first (default true). */
  build?: boolean;
  /** Start the Stripe emulator and point the worker at it (default true; false when using real Stripe test mode). */
  emulator?: boolean;
  /** The emulator's port (default 12111); 0 picks a free one. */
  emulatorPort?: number;
  /**
   * Deliver the emulator's signed webhooks to the worker as events happen (default true). When
   * false they queue in the emulator for `POST /_test/deliveries/drain`.
   */
  deliverWebhooks?: boolean;
  /** Delays between delivery attempts of a webhook (the emulator's default: 500, 2000, 5000 ms). */
  webhookRetryDelaysMs?: number[];
  /** The webhook signing secret shared by emulator and worker (default: `.dev.vars`, else whsec_local_dev_only). */
  webhookSecret?: string;
  /** More `--var`s for the worker (they take precedence over `.dev.vars`), e.g. ADMIN_TOKEN. */
  vars?: Record<string, string>;
  /** Where the build, migrations and wrangler print (default "capture"). */
  stdio?: Stdio;
  /** wrangler dev's `--log-level` (wrangler's default unless set). */
  logLevel?: WranglerDevOptions["logLevel"];
  /** How long the worker may take to answer (default 120 s). */
  timeoutMs?: number;
};

/** A running stack. */
export type Stack = {
  /** The worker: `http://127.0.0.1:<port>`. */
  base: string;
  port: number;
  /** The Stripe emulator (undefined when it was not started). */
  emulatorUrl: string | undefined;
  emulatorPort: number | undefined;
  /** The staff token the worker accepts: `vars.ADMIN_TOKEN`, else the one in `.dev.vars`. */
  adminToken: string | undefined;
  webhookSecret: string;
  /** The persist directory in use (undefined: wrangler's default). */
  persistDir: string | undefined;
  /** The last part of what `wrangler dev` printed (capture mode only). */
  log(): string;
  /** Resolves with wrangler's exit code if it ends by itself (never after `stop()`). */
  exited: Promise<number>;
  /** Stops wrangler (its whole process group) and the emulator, and removes a temp persist dir. */
  stop(): Promise<void>;
};

/** Starts the whole local stack and resolves once the worker answers `/api/config?site=demo`. */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const stdio = options.stdio ?? "capture";
  const devVars = readDevVars();
  const webhookSecret = options.webhookSecret ?? devVars.STRIPE_WEBHOOK_SECRET ?? "whsec_local_dev_only";
  const temp = options.persistDir === "temp";
  const persistDir = temp ? mkdtempSync(join(tmpdir(), "reader-support-")) : options.persistDir;
  let emulator: Emulator | undefined;
  const cleanUp = async () => {
    await emulator?.close();
    if (temp && persistDir) rmSync(persistDir, { recursive: true, force: true });
  };
  try {
    if (options.build ?? true) await buildWidget(stdio);
    await applyMigrations(persistDir, stdio);
    const port = await portOrFree(options.port ?? 8787);
    const vars: Record<string, string> = {};
    if (options.emulator ?? true) {
      const webhookUrl = (options.deliverWebhooks ?? true) ? `http://127.0.0.1:${port}/api/webhooks/stripe` : undefined;
      emulator = await startEmulator({
        port: options.emulatorPort ?? 12111,
        webhookSecret,
        webhookUrl,
        retryDelaysMs: options.webhookRetryDelaysMs,
      });
      if (stdio === "inherit") {
        console.log(
          `stripe-emulator listening on ${emulator.url} (webhooks: ${webhookUrl ?? "queued; POST /_test/deliveries/drain"})`,
        );
      }
      // The worker talks to this run's emulator, whatever port it was given.
      vars.STRIPE_API_BASE = `http://127.0.0.1:${emulator.port}`;
      vars.STRIPE_WEBHOOK_SECRET = webhookSecret;
    }
    // Links in emails and pages start with the public origin: this run's port when it is not the default.
    if (port !== 8787) vars.PUBLIC_ORIGIN = `http://127.0.0.1:${port}`;
    Object.assign(vars, options.vars);
    const worker = await startWranglerDev({
      name: "wrangler dev",
      env: "local",
      port,
      inspectorPort: options.inspectorPort,
      persistDir,
      vars,
      logLevel: options.logLevel,
      readyPath: "/api/config?site=demo",
      stdio,
      timeoutMs: options.timeoutMs,
    });
    return {
      base: worker.url,
      port,
      emulatorUrl: emulator?.url,
      emulatorPort: emulator?.port,
      adminToken: vars.ADMIN_TOKEN ?? devVars.ADMIN_TOKEN,
      webhookSecret,
      persistDir,
      log: worker.log,
      exited: worker.exited,
      async stop() {
        await worker.stop();
        await cleanUp();
      },
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}
