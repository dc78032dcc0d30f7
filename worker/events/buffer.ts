import type { WorkerEnv } from "../platform/env";
import { type BeaconCounts, type ClientBeacons, counterFor, eventsPerClientMinute, shardOf } from "./counter";

/** How long one isolate gathers the ask's counts before handing them to the counter objects. */
export const BUFFER_MS = 1_000;

/** This isolate's beacons not yet handed over, per site and client (its rate-limit key), oldest first. */
const pending = new Map<string, Map<string, BeaconCounts[]>>();
let scheduled = false;
/** Hand-overs under way: a flush waits for them, so what it returns after is at the counter objects. */
const handingOver = new Set<Promise<void>>();

function clientsOf(site: string): Map<string, BeaconCounts[]> {
  const had = pending.get(site);
  if (had) return had;
  const forSite = new Map<string, BeaconCounts[]>();
  pending.set(site, forSite);
  return forSite;
}

/** Puts beacons back into the buffer (a hand-over that failed). */
function keep(site: string, clients: Iterable<ClientBeacons>) {
  const forSite = clientsOf(site);
  for (const [client, beacons] of clients) {
    const had = forSite.get(client);
    if (had) had.push(...beacons);
    else forSite.set(client, beacons);
  }
}

/**
 * Adds one beacon's counts to this isolate's buffer, under the client that sent it. The first add
 * of a window schedules one hand-over (kept alive by that request's waitUntil), so N beacons cost
 * one Durable Object call per shard, not N. The per-client limit is applied by the counter object
 * (`EventCounter.take`); a client's beacons beyond the limit within one window are not even kept
 * here, since the counter object would drop them. If the isolate is evicted inside the window, up
 * to a second of its counts is lost: the counters are aggregate statistics, not money.
 */
export function bufferCounts(
  env: WorkerEnv,
  ctx: Pick<ExecutionContext, "waitUntil">,
  site: string,
  client: string,
  counts: Map<string, number>,
): void {
  const forSite = clientsOf(site);
  const beacons = forSite.get(client);
  if (!beacons) forSite.set(client, [[...counts]]);
  else if (beacons.length < eventsPerClientMinute(env)) beacons.push([...counts]);
  if (scheduled) return;
  scheduled = true;
  ctx.waitUntil(new Promise((resolve) => setTimeout(resolve, BUFFER_MS)).then(() => flushBuffer(env)));
}

/**
 * Hands every buffered beacon to the counter object that keeps its client's tally now, and waits
 * for hand-overs already under way. Beacons are taken out of the buffer before the call, so those
 * added meanwhile wait for the next hand-over; a failed hand-over puts its beacons back.
 */
export async function flushBuffer(env: WorkerEnv): Promise<void> {
  scheduled = false;
  const batches = [...pending];
  pending.clear();
  const mine = batches.flatMap(([site, clients]) => {
    const byShard = new Map<number, ClientBeacons[]>();
    for (const entry of clients) {
      const shard = shardOf(entry[0]);
      const forShard = byShard.get(shard);
      if (forShard) forShard.push(entry);
      else byShard.set(shard, [entry]);
    }
    return [...byShard].map(([shard, entries]) => {
      const handOver = counterFor(env, site, shard)
        .take(entries)
        .then(
          () => {},
          (error: unknown) => {
            console.error("events: hand-over to the counter failed; keeping the counts", error);
            keep(site, entries);
          },
        )
        .finally(() => handingOver.delete(handOver));
      handingOver.add(handOver);
      return handOver;
    });
  });
  await Promise.all([...mine, ...handingOver]);
}
