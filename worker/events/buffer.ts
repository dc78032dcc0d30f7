import type { WorkerEnv } from "../platform/env";
import { counterFor, SHARDS } from "./counter";

/** How long one isolate gathers the ask's counts before handing them to the counter object. */
export const BUFFER_MS = 1_000;

/** This isolate's counts not yet handed over, per site: key → n. */
const pending = new Map<string, Map<string, number>>();
let scheduled = false;

function merge(site: string, counts: Iterable<[string, number]>) {
  const forSite = pending.get(site) ?? new Map<string, number>();
  for (const [key, n] of counts) forSite.set(key, (forSite.get(key) ?? 0) + n);
  pending.set(site, forSite);
}

/**
 * Adds counts to this isolate's buffer. The first add of a window schedules one hand-over
 * (kept alive by that request's waitUntil), so N beacons cost one Durable Object call, not N.
 * If the isolate is evicted inside the window, up to a second of its counts is lost: the
 * counters are aggregate statistics, not money.
 */
export function bufferCounts(
  env: WorkerEnv,
  ctx: Pick<ExecutionContext, "waitUntil">,
  site: string,
  counts: Map<string, number>,
): void {
  merge(site, counts);
  if (scheduled) return;
  scheduled = true;
  ctx.waitUntil(new Promise((resolve) => setTimeout(resolve, BUFFER_MS)).then(() => flushBuffer(env)));
}

/** Hands every buffered count to its site's counter object now; a failed hand-over is kept for the next. */
export async function flushBuffer(env: WorkerEnv): Promise<void> {
  scheduled = false;
  const batches = [...pending];
  pending.clear();
  await Promise.all(
    batches.map(async ([site, counts]) => {
      try {
        await counterFor(env, site, Math.floor(Math.random() * SHARDS)).add([...counts]);
      } catch (error) {
        console.error("events: hand-over to the counter failed; keeping the counts", error);
        merge(site, counts);
      }
    }),
  );
}
