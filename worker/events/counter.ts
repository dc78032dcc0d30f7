import { DurableObject } from "cloudflare:workers";
import { database } from "../platform/db";
import type { WorkerEnv } from "../platform/env";
import { findSite } from "../platform/sites";
import { refreshLiveSites } from "../settings/live";
import { flushBuffer } from "./buffer";
import { configuredCampaigns, foldNames, knownNames, OTHER } from "./names";
import { addCounts, type CounterRow, campaignsSeenAtCheckout } from "./store";

/** Counters waiting to be written: key = day|site|placement|campaign|variant|type. */
type Pending = Map<string, number>;

/** How long counts wait in memory before one batched D1 write. */
export const FLUSH_AFTER_MS = 5_000;

/** Shards per site, so one busy site's events spread over several objects; a client's always go to the same one. */
export const SHARDS = 4;

/** Beacons (counter requests) taken from one client a minute per site when `EVENTS_PER_CLIENT_MINUTE` is not a number. */
export const DEFAULT_EVENTS_PER_CLIENT_MINUTE = 120;

/** Beacons taken from one client (its `clientKey`) a minute per site: `EVENTS_PER_CLIENT_MINUTE`; the rest are dropped. */
export function eventsPerClientMinute(env: Pick<WorkerEnv, "EVENTS_PER_CLIENT_MINUTE">): number {
  const n = Number(env.EVENTS_PER_CLIENT_MINUTE);
  return Number.isSafeInteger(n) && n > 0 ? n : DEFAULT_EVENTS_PER_CLIENT_MINUTE;
}

/**
 * Distinct clients one counter object keeps a tally of per minute. A flood of fresh addresses
 * beyond it is refused for the rest of the minute (its counts dropped), so the tally's memory
 * stays bounded and no client goes past its limit.
 */
export const MAX_CLIENTS_PER_MINUTE = 100_000;

/** One request's counts: key → n. */
export type BeaconCounts = [key: string, n: number][];

/** A client's beacons of one hand-over, oldest first, under its rate-limit key (`clientKey`). */
export type ClientBeacons = [client: string, beacons: BeaconCounts[]];

/** The shard that holds a client's tally: FNV-1a of its rate-limit key, its bits mixed (murmur3's finish). */
export function shardOf(client: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < client.length; i++) hash = Math.imul(hash ^ client.charCodeAt(i), 0x01000193);
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
  hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35);
  return ((hash ^ (hash >>> 16)) >>> 0) % SHARDS;
}

/** At most this many counters per site and day (plus the overflow counters); see store.addCounts. */
export const MAX_ROWS_PER_SITE_DAY = 1000;

/** At most this many unfamiliar campaign names are looked up among the pledges per flush; the rest count as `other`. */
const LOOKUPS_PER_FLUSH = 90;

const STORAGE_KEY = "pending";

function mergeInto(target: Pending, counts: Iterable<[string, number]>) {
  for (const [key, n] of counts) target.set(key, (target.get(key) ?? 0) + n);
}

const toRow = ([key, count]: [string, number]): CounterRow => {
  const [day = "", site = "", placement = "", campaign = "", variant = "", type = ""] = key.split("|");
  return { day, site, placement, campaign, variant, type, count };
};

/**
 * Aggregates the ask's counters in memory and writes them to D1 in one batch every few
 * seconds, so thousands of events per second become a handful of upserts.
 *
 * Counts are never lost or written twice: a flush takes the pending counts away before it
 * waits on D1, so counts that arrive meanwhile wait for the next flush; only one flush runs at
 * a time; a failed write gives its counts back. Storage always holds everything not yet in D1
 * (pending and in flight), so an eviction loses nothing either.
 */
export class EventCounter extends DurableObject<WorkerEnv> {
  private pending: Pending = new Map();
  /** The counts a running flush is writing. */
  private inFlight: Pending | null = null;
  private flushing: Promise<number> | null = null;
  /** Campaign names a checkout has carried, per site (a pledge is never deleted, so they stay known). */
  private seen = new Map<string, Set<string>>();
  /** The minute (since the epoch) `taken` counts. */
  private minute = 0;
  /** Beacons taken from each client this minute (memory only: an evicted object starts the minute afresh). */
  private taken = new Map<string, number>();

  constructor(ctx: DurableObjectState, env: WorkerEnv) {
    super(ctx, env);
    void ctx.blockConcurrencyWhile(async () => {
      const stored = await ctx.storage.get<[string, number][]>(STORAGE_KEY);
      if (stored) mergeInto(this.pending, stored);
    });
  }

  /** Everything not yet in D1. */
  private persist(): Promise<void> {
    const all = new Map(this.inFlight ?? []);
    mergeInto(all, this.pending);
    return all.size > 0
      ? this.ctx.storage.put(STORAGE_KEY, [...all])
      : this.ctx.storage.delete(STORAGE_KEY).then(() => {});
  }

  private async scheduleFlush(): Promise<void> {
    if (this.pending.size > 0 && (await this.ctx.storage.getAlarm()) === null)
      await this.ctx.storage.setAlarm(Date.now() + FLUSH_AFTER_MS);
  }

  /**
   * Adds counts; schedules a flush if none is scheduled. Once the counts are taken this never
   * fails (a storage error is logged: they are still flushed from memory), so the caller never
   * hands the same counts over twice.
   */
  async add(counts: [key: string, n: number][]): Promise<void> {
    mergeInto(this.pending, counts);
    try {
      await this.persist();
      await this.scheduleFlush();
    } catch (error) {
      console.error("events: could not store the pending counts; they stay in memory", error);
    }
  }

  /**
   * Takes clients' beacons, each client's up to its limit this minute (`eventsPerClientMinute`,
   * minutes aligned to the clock), and adds their counts; the rest are dropped. This object is the
   * one place that sees all of a client's beacons to a site (every isolate hands them to the shard
   * `shardOf` names), so the bound holds however many isolates the client reaches. Returns how
   * many beacons were dropped.
   */
  async take(clients: ClientBeacons[]): Promise<number> {
    const minute = Math.floor(Date.now() / 60_000);
    if (minute !== this.minute) {
      this.minute = minute;
      this.taken.clear();
    }
    const limit = eventsPerClientMinute(this.env);
    const counts: Pending = new Map();
    let dropped = 0;
    for (const [client, beacons] of clients) {
      let had = this.taken.get(client);
      if (had === undefined) {
        if (this.taken.size >= MAX_CLIENTS_PER_MINUTE) {
          dropped += beacons.length;
          continue;
        }
        had = 0;
      }
      const n = Math.min(Math.max(0, limit - had), beacons.length);
      for (let i = 0; i < n; i++) mergeInto(counts, beacons[i] ?? []);
      this.taken.set(client, had + n);
      dropped += beacons.length - n;
    }
    if (counts.size > 0) await this.add([...counts]);
    return dropped;
  }

  override async alarm(): Promise<void> {
    await this.flush();
  }

  /** Writes pending counts to D1 now (after any flush already running); returns how many counters it wrote. */
  async flush(): Promise<number> {
    while (this.flushing) await this.flushing.catch(() => {});
    if (this.pending.size === 0) return 0;
    const batch = this.pending;
    this.pending = new Map();
    this.inFlight = batch;
    this.flushing = this.write(batch);
    try {
      return await this.flushing;
    } catch (error) {
      // Give the counts back for the next flush (storage still holds them).
      mergeInto(this.pending, batch);
      throw error;
    } finally {
      this.inFlight = null;
      this.flushing = null;
      await this.persist();
      await this.scheduleFlush();
    }
  }

  private async write(batch: Pending): Promise<number> {
    const db = database(this.env.DB);
    // The variants a site knows are those of its live settings.
    await refreshLiveSites(this.env);
    const rows = [...batch].map(toRow);
    await this.learnCampaigns(rows);
    const folded = foldNames(rows, (siteId) => {
      const site = findSite(siteId);
      return site ? knownNames(site, this.seen.get(siteId) ?? []) : { campaigns: new Set(), variants: new Set() };
    });
    await addCounts(db, folded, MAX_ROWS_PER_SITE_DAY);
    return folded.length;
  }

  /** Looks up, among the pledges, campaign names this object has not met yet. */
  private async learnCampaigns(rows: CounterRow[]): Promise<void> {
    const bySite = new Map<string, Set<string>>();
    for (const row of rows) {
      const site = findSite(row.site);
      if (!site || row.campaign === "" || row.campaign === OTHER) continue;
      if (configuredCampaigns(site).has(row.campaign) || this.seen.get(row.site)?.has(row.campaign)) continue;
      const names = bySite.get(row.site) ?? new Set<string>();
      bySite.set(row.site, names);
      names.add(row.campaign);
    }
    for (const [site, names] of bySite) {
      const found = await campaignsSeenAtCheckout(database(this.env.DB), site, [...names].slice(0, LOOKUPS_PER_FLUSH));
      const known = this.seen.get(site) ?? new Set<string>();
      if (known.size > 10_000) known.clear();
      for (const name of found) known.add(name);
      this.seen.set(site, known);
    }
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
