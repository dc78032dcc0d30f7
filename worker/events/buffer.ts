import type { WorkerEnv } from "../platform/env";
import { counterFor, SHARDS } from "./counter";

/** How long one isolate gathers the ask's counts before handing them to the counter object. */
export const BUFFER_MS = 1_000;

/** This isolate's counts not yet handed over, per site: key → n. */
const pending = new Map<string, Map<string, number>>();
let scheduled = false;
/** Hand-overs under way: a flush waits for them, so what it returns after is at the counter objects. */
const handingOver = new Set<Promise<void>>();

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

/**
 * Hands every buffered count to its site's counter object now, and waits for hand-overs
 * already under way. Counts are taken out of the buffer before the call, so counts added
 * meanwhile wait for the next hand-over; a failed hand-over puts its counts back.
 */
export async function flushBuffer(env: WorkerEnv): Promise<void> {
  scheduled = false;
  const batches = [...pending];
  pending.clear();
  const mine = batches.map(([site, counts]) => {
    const handOver = counterFor(env, site, Math.floor(Math.random() * SHARDS))
      .add([...counts])
      .catch((error: unknown) => {
        console.error("events: hand-over to the counter failed; keeping the counts", error);
        merge(site, counts);
      })
      .finally(() => handingOver.delete(handOver));
    handingOver.add(handOver);
    return handOver;
  });
  await Promise.all([...mine, ...handingOver]);
}
