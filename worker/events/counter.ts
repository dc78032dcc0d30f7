import { DurableObject } from "cloudflare:workers";
import { database } from "../platform/db";
import type { WorkerEnv } from "../platform/env";
import { flushBuffer } from "./buffer";
import { addCounts } from "./store";

/** Counters waiting to be written: key = day|site|placement|campaign|variant|type. */
type Pending = Map<string, number>;

/** How long counts wait in memory before one batched D1 write. */
export const FLUSH_AFTER_MS = 5_000;

/** Shards per site, so one busy site's events spread over several objects. */
export const SHARDS = 4;

/**
 * Aggregates the ask's counters in memory and writes them to D1 in one batch every few
 * seconds, so thousands of events per second become a handful of upserts.
 */
export class EventCounter extends DurableObject<WorkerEnv> {
  private pending: Pending = new Map();

  /** Adds counts; schedules a flush if none is scheduled. */
  async add(counts: [key: string, n: number][]): Promise<void> {
    for (const [key, n] of counts) this.pending.set(key, (this.pending.get(key) ?? 0) + n);
    // Keep counts durable across an eviction before the flush.
    await this.ctx.storage.put("pending", [...this.pending]);
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + FLUSH_AFTER_MS);
  }

  override async alarm(): Promise<void> {
    await this.flush();
  }

  /** Writes pending counts to D1 now. */
  async flush(): Promise<number> {
    if (this.pending.size === 0) {
      const stored = await this.ctx.storage.get<[string, number][]>("pending");
      if (stored) this.pending = new Map(stored);
    }
    if (this.pending.size === 0) return 0;
    const rows = [...this.pending];
    await addCounts(
      database(this.env.DB),
      rows.map(([key, count]) => {
        const [day = "", site = "", placement = "", campaign = "", variant = "", type = ""] = key.split("|");
        return { day, site, placement, campaign, variant, type, count };
      }),
    );
    this.pending = new Map();
    await this.ctx.storage.delete("pending");
    return rows.length;
  }
}

/** The counter object for one site shard. */
export const counterFor = (env: WorkerEnv, site: string, shard: number) =>
  env.EVENT_COUNTER.get(env.EVENT_COUNTER.idFromName(`${site}#${shard}`));

/** Flushes this isolate's buffer and every shard of a site (staff and tests use it to read fresh figures). */
export async function flushSite(env: WorkerEnv, site: string): Promise<void> {
  await flushBuffer(env);
  await Promise.all(Array.from({ length: SHARDS }, (_, shard) => counterFor(env, site, shard).flush()));
}
