/**
 * The local stack for `npm run bench`, on its own ports and persist dir so it never meets a
 * running `npm start`. tools/stack.ts starts the servers: the product (Stripe emulator and
 * `wrangler dev --env local`) and, on the same workerd, the hello baseline
 * (`scripts/bench/hello/wrangler.toml`).
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { ROOT, readDevVars, readVarsFile, startStack, startWranglerDev } from "../../tools/stack.ts";

/** Ports and paths of the bench stack (override with BENCH_* variables). */
export const STACK = {
  port: Number(process.env.BENCH_PORT ?? process.env.PORT ?? 8803),
  helloPort: Number(process.env.BENCH_HELLO_PORT ?? 18803),
  emulatorPort: Number(process.env.BENCH_EMULATOR_PORT ?? process.env.STRIPE_EMULATOR_PORT ?? 12203),
  // The bench's own: emptied at every start (never npm start's PERSIST_DIR).
  persist: process.env.BENCH_PERSIST_DIR ?? ".wrangler/bench",
  webhookSecret: "whsec_local_dev_only",
  // The development token, from .dev.vars (or its example before the first `npm start`).
  adminToken:
    readDevVars().ADMIN_TOKEN ?? readVarsFile(join(ROOT, ".dev.vars.example")).ADMIN_TOKEN ?? "dev-admin-token",
};

/**
 * wrangler dev (4.x) attaches a local trace collector to every worker it runs by default
 * (`X_LOCAL_OBSERVABILITY`, for its local explorer): it receives each request's spans (every D1
 * call, fetch and Durable Object call) and stores them in batches, in the same workerd. Nothing
 * like it runs beside a deployed worker, and its cost grows with the spans a request makes, so it
 * would be charged to the product far more than to hello. The bench turns it off for the product
 * and hello alike (set X_LOCAL_OBSERVABILITY=true to measure with it).
 */
process.env.X_LOCAL_OBSERVABILITY ??= "false";

/**
 * Empties the bench's persist dir (the routes are measured on an empty ledger, the same state
 * whether or not a run came before, instead of on the last run's ten million payments), builds the
 * widget, migrates the bench D1 and starts the product and hello side by side; resolves once all
 * answer. `log()` is the product worker's output, `stop()` ends everything.
 */
export async function startBenchStack() {
  await rm(STACK.persist, { recursive: true, force: true });
  const [product, hello] = await Promise.allSettled([
    startStack({
      port: STACK.port,
      inspectorPort: STACK.port + 11000,
      emulatorPort: STACK.emulatorPort,
      persistDir: STACK.persist,
      // Checkout sessions made by the benchmark are never paid: their events just queue.
      deliverWebhooks: false,
      webhookSecret: STACK.webhookSecret,
      vars: { ADMIN_TOKEN: STACK.adminToken },
      logLevel: "warn",
    }),
    startWranglerDev({
      name: "hello",
      config: "scripts/bench/hello/wrangler.toml",
      port: STACK.helloPort,
      // Each its own persist dir: two workerd starting at once on one directory's SQLite files can fail with SQLITE_BUSY.
      persistDir: `${STACK.persist}/hello`,
      inspectorPort: STACK.helloPort + 2000,
      logLevel: "warn",
    }),
  ]);
  const all = [product, hello];
  const started = all.filter((s) => s.status === "fulfilled").map((s) => s.value);
  const stop = () => Promise.all(started.map((s) => s.stop())).then(() => undefined);
  const failed = all.find((s) => s.status === "rejected");
  if (failed) {
    await stop();
    throw failed.reason;
  }
  return { log: () => product.value.log(), stop };
}
