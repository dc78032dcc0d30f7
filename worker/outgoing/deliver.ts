import type { LedgerEvent } from "../core/ledger";
import { nextAttemptAt, type Outgoing, type OutgoingType, outgoingOf, webhookUrlProblem } from "../core/outgoing";
import { hmacKey, randomToken, sha256Hex } from "../platform/crypto";
import { database } from "../platform/db";
import { isDevelopment, type WorkerEnv } from "../platform/env";
import { findSite } from "../platform/sites";
import {
  abandonDelivery,
  activeEndpoints,
  claimDelivery,
  type DeliveryRow,
  deliveryById,
  dueDeliveries,
  type EndpointRow,
  endpointById,
  finishAttempt,
  insertDeliveries,
  pledgeForEvent,
} from "./store";

/**
 * Outgoing webhooks: events are queued in D1 (one delivery per event and endpoint), tried at once
 * (after the answer, when the caller can wait for it), then retried by the 15-minute Cron Trigger
 * after 1, 5, 30 minutes, 2, 6, 12 and 24 hours (core/outgoing.ts), and can be replayed by staff.
 * Each request is signed like Stripe's: `Reader-Support-Signature: t=<unix seconds>,v1=<hex
 * HMAC-SHA256 of "<t>.<body>" under the endpoint's secret>`. Redirects are not followed; every
 * answer's status and first kilobyte are kept for staff.
 */

export const SIGNATURE_HEADER = "Reader-Support-Signature";
/** An answer must come within this long. */
export const TIMEOUT_MS = 10_000;
/** A claim older than this belongs to a run that died: another may take the delivery. */
export const STALE_CLAIM_MS = 5 * 60_000;
/** How many deliveries one Cron run tries at most. */
const PER_RUN = 50;
const KEEP_BODY = 1024;

/** Whether this deployment may send to http:// and private or loopback addresses (development, tests). */
export const allowPrivateHosts = (env: WorkerEnv) =>
  isDevelopment(env) || (env.WEBHOOK_PRIVATE_HOSTS === "on" && env.ENVIRONMENT !== "production");

/** A new endpoint secret. */
export const newSecret = () => `whsec_${randomToken(24)}`;

/** The signature header's value for `body` sent at `seconds`. */
export async function signature(secret: string, seconds: number, body: string): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", await hmacKey(secret), new TextEncoder().encode(`${seconds}.${body}`));
  return `t=${seconds},v1=${[...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** The outgoing event's id: the same for every endpoint, every attempt and every redelivery of its cause. */
export const eventIdOf = async (type: OutgoingType, source: string) =>
  `evt_${(await sha256Hex(`${type}|${source}`)).slice(0, 24)}`;

type Subscribed = { bySite: Map<string, EndpointRow[]>; at: number };
const SUBSCRIBERS_TTL_MS = 30_000;
let subscribed: Subscribed | null = null;

/**
 * Every site's active endpoints, read from D1 at most every 30 s per isolate (one query for all
 * sites: a newsroom has a handful). Most events have none to go to, and then not even their pledge is read.
 */
async function subscribers(env: WorkerEnv, now: number): Promise<Map<string, EndpointRow[]>> {
  if (subscribed && now - subscribed.at < SUBSCRIBERS_TTL_MS) return subscribed.bySite;
  const bySite = new Map<string, EndpointRow[]>();
  for (const e of await activeEndpoints(database(env.DB))) bySite.set(e.site, [...(bySite.get(e.site) ?? []), e]);
  subscribed = { bySite, at: now };
  return bySite;
}

/** Forgets what this isolate knows of the endpoints (after staff change them). */
export const forgetEndpoints = () => {
  subscribed = null;
};

const wants = (endpoint: EndpointRow, type: OutgoingType) => (JSON.parse(endpoint.events) as string[]).includes(type);

/** Whether any site has an active endpoint that wants `type`. */
const anyoneWants = (bySite: Map<string, EndpointRow[]>, type: OutgoingType) =>
  [...bySite.values()].some((endpoints) => endpoints.some((e) => wants(e, type)));

/** Queues one event for every active endpoint of the site that wants it; returns the new deliveries' ids. */
async function enqueue(
  env: WorkerEnv,
  site: string,
  event: { type: OutgoingType; source: string; created: number; data: Record<string, unknown> },
  now: number,
): Promise<string[]> {
  const endpoints = ((await subscribers(env, now)).get(site) ?? []).filter((e) => wants(e, event.type));
  if (endpoints.length === 0) return [];
  const id = await eventIdOf(event.type, event.source);
  const payload = JSON.stringify({ id, type: event.type, created: event.created, site, data: event.data });
  return insertDeliveries(
    database(env.DB),
    endpoints.map((e) => ({
      id: `whd_${randomToken(12)}`,
      endpointId: e.id,
      site,
      eventId: id,
      type: event.type,
      payload,
      status: "pending" as const,
      attempts: 0,
      nextAttemptAt: now,
      claim: null,
      claimedAt: null,
      lastStatus: null,
      lastError: null,
      createdAt: now,
      updatedAt: now,
      deliveredAt: null,
    })),
  );
}

/** What a pledge event says about the supporter and their pledge. */
async function withPledge(env: WorkerEnv, o: Outgoing) {
  const pledge = await pledgeForEvent(database(env.DB), o);
  if (!pledge || !findSite(pledge.site)) return null;
  return {
    site: pledge.site,
    data: {
      supporter: { email: pledge.email, lang: pledge.lang },
      pledge: {
        id: pledge.id,
        frequency: pledge.frequency,
        amount: pledge.amount,
        fee_amount: pledge.feeAmount,
        currency: pledge.currency,
        status: pledge.status,
        campaign: pledge.campaign,
        variant: pledge.variant,
        placement: pledge.placement,
        page_url: pledge.pageUrl,
        created: Math.floor(pledge.createdAt / 1000),
      },
      ...o.data,
    },
  };
}

/** Runs the immediate attempts: after the answer when `defer` is given (waitUntil), else now. */
function attemptNow(env: WorkerEnv, ids: string[], now: number, defer?: (p: Promise<unknown>) => void): Promise<void> {
  if (ids.length === 0) return Promise.resolve();
  const run = Promise.all(ids.map((id) => deliver(env, id, "immediate", now))).then(() => {});
  if (defer) {
    defer(run.catch((error) => console.error("webhooks: immediate attempt failed", error)));
    return Promise.resolve();
  }
  return run;
}

/**
 * The outgoing events of a Stripe event, after the ledger has applied it: queued for every
 * endpoint that wants them and tried at once. For a duplicate delivery too (its deliveries exist
 * already, so nothing is queued twice). Never throws: the ledger is written, and a delivery that
 * cannot be queued is logged.
 */
export async function webhooksAfterEvent(
  env: WorkerEnv,
  event: LedgerEvent,
  defer?: (p: Promise<unknown>) => void,
  now = Date.now(),
): Promise<void> {
  try {
    const ids: string[] = [];
    const bySite = await subscribers(env, now);
    for (const o of outgoingOf(event)) {
      if (!anyoneWants(bySite, o.type)) continue;
      const facts = await withPledge(env, o);
      if (!facts) continue;
      ids.push(...(await enqueue(env, facts.site, { ...o, data: facts.data }, now)));
    }
    await attemptNow(env, ids, now, defer);
  } catch (error) {
    console.error("webhooks: could not queue", event.type, event.id, error instanceof Error ? error.message : error);
  }
}

/** `reminder.confirmed`: a reader confirmed a reminder email (address, language, the day it goes out). */
export async function webhooksForReminder(
  env: WorkerEnv,
  r: { id: string; site: string; email: string; lang: string; remindOn: string; pageUrl: string },
  defer?: (p: Promise<unknown>) => void,
  now = Date.now(),
): Promise<void> {
  try {
    const ids = await enqueue(
      env,
      r.site,
      {
        type: "reminder.confirmed",
        source: `reminder:${r.id}`,
        created: Math.floor(now / 1000),
        data: {
          supporter: { email: r.email, lang: r.lang },
          reminder: { id: r.id, remind_on: r.remindOn, page_url: r.pageUrl },
        },
      },
      now,
    );
    await attemptNow(env, ids, now, defer);
  } catch (error) {
    console.error("webhooks: could not queue reminder.confirmed", error instanceof Error ? error.message : error);
  }
}

/** Up to `KEEP_BODY` bytes of an answer's body, without reading the rest. */
async function bodyStart(response: Response): Promise<string> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < KEEP_BODY) {
    const { done, value } = await reader.read();
    if (done || !value) break;
    chunks.push(value);
    size += value.length;
  }
  await reader.cancel().catch(() => {});
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  return new TextDecoder().decode(all.slice(0, KEEP_BODY));
}

export type Trigger = "immediate" | "retry" | "replay";

/**
 * One attempt of a delivery, if this caller can claim it: a 2xx answer delivers it; otherwise it
 * waits for its next try, or has failed after the last one (a replay that fails keeps the retries
 * a pending delivery had left, and is the last word for one that had finished).
 */
export async function deliver(
  env: WorkerEnv,
  id: string,
  trigger: Trigger,
  now = Date.now(),
): Promise<DeliveryRow["status"] | "not_claimed"> {
  const db = database(env.DB);
  const claim = randomToken(9);
  const previous = trigger === "replay" ? await deliveryById(db, id) : undefined;
  const d = await claimDelivery(db, id, claim, now, now - STALE_CLAIM_MS, trigger === "replay");
  if (!d) return "not_claimed";
  const endpoint = await endpointById(db, d.endpointId);
  if (!endpoint) {
    await abandonDelivery(db, { id, claim }, "the endpoint was deleted", now);
    return "failed";
  }
  if (endpoint.status !== "active" && trigger !== "replay") {
    await abandonDelivery(db, { id, claim }, "the endpoint is disabled", now);
    return "failed";
  }
  const n = d.attempts + 1;
  const problem = webhookUrlProblem(endpoint.url, allowPrivateHosts(env));
  let status: number | null = null;
  let body: string | null = null;
  let error: string | null = problem;
  const started = Date.now();
  if (!problem) {
    const seconds = Math.floor(now / 1000);
    try {
      const response = await fetch(endpoint.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "ReaderSupport-Webhooks/1",
          [SIGNATURE_HEADER]: await signature(endpoint.secret, seconds, d.payload),
          "Reader-Support-Event-Id": d.eventId,
          "Reader-Support-Event-Type": d.type,
        },
        body: d.payload,
        redirect: "manual",
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      status = response.status;
      body = await bodyStart(response).catch(() => "");
      if (status >= 300 && status < 400) error = "redirects are not followed: register the final address";
    } catch (e) {
      error =
        e instanceof Error && e.name === "TimeoutError"
          ? `no answer within ${TIMEOUT_MS / 1000} s`
          : String(e instanceof Error ? e.message : e);
    }
  }
  const ok = status !== null && status >= 200 && status < 300;
  const keepRetrying = trigger !== "replay" || previous?.status === "pending";
  const retryAt = ok || problem || !keepRetrying ? null : nextAttemptAt(n, now);
  const next: DeliveryRow["status"] = ok ? "succeeded" : retryAt !== null ? "pending" : "failed";
  await finishAttempt(
    db,
    { id, claim },
    {
      deliveryId: id,
      n,
      at: now,
      trigger,
      status,
      body,
      error: ok ? null : (error ?? `answered ${status}`),
      durationMs: Date.now() - started,
    },
    {
      status: next,
      attempts: n,
      nextAttemptAt: retryAt,
      lastStatus: status,
      lastError: ok ? null : (error ?? `answered ${status}`),
      updatedAt: now,
      ...(ok ? { deliveredAt: now } : {}),
    },
  );
  return next;
}

/** The Cron Trigger's run: every delivery that is due (or stuck), a few at a time. */
export async function deliverDue(env: WorkerEnv, now: number): Promise<{ tried: number; succeeded: number }> {
  const ids = await dueDeliveries(database(env.DB), now, now - STALE_CLAIM_MS, PER_RUN);
  let succeeded = 0;
  for (let i = 0; i < ids.length; i += 5) {
    const results = await Promise.all(ids.slice(i, i + 5).map((id) => deliver(env, id, "retry", now)));
    succeeded += results.filter((r) => r === "succeeded").length;
  }
  return { tried: ids.length, succeeded };
}
