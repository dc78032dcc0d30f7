import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Emulator, startEmulator } from "../../tools/stripe-emulator/server.ts";

/**
 * The whole product for browser tests, as `npm start` runs it but on free ports and a fresh
 * database: the Stripe emulator (delivering signed webhooks) and `wrangler dev` with local D1.
 */
export type Stack = { base: string; emulator: string; adminToken: string; stop(): Promise<void> };

export const ADMIN_TOKEN = "e2e-admin-token";
const WEBHOOK_SECRET = "whsec_local_dev_only";

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

async function waitFor(url: string, timeoutMs: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with ${child.exitCode}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

/** Starts the stack; `stop()` ends both processes and removes the database. */
export async function startStack(): Promise<Stack> {
  const port = await freePort();
  const persist = mkdtempSync(join(tmpdir(), "reader-support-e2e-"));
  const emulator: Emulator = await startEmulator({
    port: 0,
    webhookSecret: WEBHOOK_SECRET,
    webhookUrl: `http://127.0.0.1:${port}/api/webhooks/stripe`,
    retryDelaysMs: [200, 500, 1000],
  });
  const migrate = spawnSync(
    "npx",
    ["wrangler", "d1", "migrations", "apply", "DB", "--local", "--env", "local", "--persist-to", persist],
    { encoding: "utf8" },
  );
  if (migrate.status !== 0) throw new Error(`migrations failed:\n${migrate.stdout}\n${migrate.stderr}`);
  const vars = {
    STRIPE_API_BASE: `http://127.0.0.1:${emulator.port}`,
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    ADMIN_TOKEN,
    SESSION_SECRET: "e2e-session-secret-0123456789abcdef",
  };
  const child = spawn(
    "npx",
    [
      "wrangler",
      "dev",
      "--env",
      "local",
      "--port",
      String(port),
      "--ip",
      "127.0.0.1",
      "--persist-to",
      persist,
      "--show-interactive-dev-session=false",
      "--inspector-port",
      String(await freePort()),
      ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
    ],
    { stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  let output = "";
  child.stdout?.on("data", (d) => {
    output += d;
  });
  child.stderr?.on("data", (d) => {
    output += d;
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitFor(`${base}/api/config?site=demo`, 120_000, child);
  } catch (error) {
    if (child.pid) process.kill(-child.pid, "SIGTERM");
    await emulator.close();
    throw new Error(`${(error as Error).message}\n${output.slice(-3000)}`);
  }
  return {
    base,
    emulator: emulator.url,
    adminToken: ADMIN_TOKEN,
    async stop() {
      if (child.pid) {
        try {
          process.kill(-child.pid, "SIGTERM");
        } catch {
          // already gone
        }
      }
      await emulator.close();
      rmSync(persist, { recursive: true, force: true });
    },
  };
}
