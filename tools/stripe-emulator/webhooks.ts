/**
 * Webhook signing (Stripe's `Stripe-Signature: t=…,v1=…` scheme) and delivery.
 * Two kinds of target: the emulator's own (the CLI's `STRIPE_EMULATOR_WEBHOOK_URL`, like
 * `stripe listen`: every event, in the pinned version), and each webhook endpoint created through
 * `POST /v1/webhook_endpoints` (its enabled events only, rendered at its API version, signed
 * with its own secret). With a webhook URL, events are POSTed one at a time in emission order
 * and retried on non-2xx or network errors; endpoints then get theirs at their own URL. Without
 * one, signed deliveries wait in a queue that tests drain (`POST /_test/deliveries/drain`, per
 * target) and hand to the worker in-process.
 */
import { createHmac } from "node:crypto";
import type { Obj } from "./store.ts";

/** One signed delivery: the exact body and its `Stripe-Signature` header. */
export interface Delivery {
  event_id: string;
  type: string;
  payload: string;
  signature: string;
  /** The webhook endpoint it is for; null for the emulator's own target. */
  endpoint: string | null;
}

/** A webhook endpoint's delivery target. */
export interface EndpointTarget {
  id: string;
  url: string;
  secret: string;
}

/** Outcome of delivering one event to the webhook URL. */
export interface DeliveryRecord {
  event_id: string;
  type: string;
  attempts: { status: number | null; error: string | null; at: number }[];
  delivered: boolean;
  done: boolean;
}

/** `t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<payload>">`, keyed by the webhook secret. */
export function signPayload(payload: string, secret: string, timestamp = Math.floor(Date.now() / 1000)): string {
  const v1 = createHmac("sha256", secret).update(`${timestamp}.${payload}`, "utf8").digest("hex");
  return `t=${timestamp},v1=${v1}`;
}

/** The exact body Stripe sends for an event (pretty-printed JSON, like Stripe). */
export function eventPayload(event: Obj): string {
  return JSON.stringify(event, null, 2);
}

/** Options of a dispatcher. */
export interface DispatcherOptions {
  url?: string;
  secret: string;
  retryDelaysMs: number[];
  log: (message: string) => void;
  /** Per-attempt timeout; a hanging receiver counts as a failed attempt. */
  attemptTimeoutMs?: number;
}

/** Queues, signs and delivers events. */
export class WebhookDispatcher {
  private options: DispatcherOptions;
  private pending: Delivery[] = [];
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  private timers = new Set<{ timer: ReturnType<typeof setTimeout>; resolve: () => void }>();
  private inflight = new Set<AbortController>();
  private done = new Map<string, Promise<void>>();
  /** Delivery history (live mode), newest last. */
  log: DeliveryRecord[] = [];

  constructor(options: DispatcherOptions) {
    this.options = options;
  }

  /** True when events are POSTed to a URL (otherwise they wait to be drained). */
  get live(): boolean {
    return Boolean(this.options.url);
  }

  /** Queues an event for the emulator's own target. The promise settles once delivery finished or gave up. */
  enqueue(event: Obj): Promise<void> {
    return this.enqueueTo(event, null, this.options.url, this.options.secret);
  }

  /** Queues an event (already rendered at the endpoint's version) for a webhook endpoint. */
  enqueueFor(target: EndpointTarget, event: Obj): Promise<void> {
    return this.enqueueTo(event, target.id, this.options.url ? target.url : undefined, target.secret);
  }

  private enqueueTo(event: Obj, endpoint: string | null, url: string | undefined, secret: string): Promise<void> {
    const payload = eventPayload(event);
    if (!url) {
      this.pending.push({
        event_id: event.id,
        type: event.type,
        payload,
        signature: signPayload(payload, secret),
        endpoint,
      });
      return Promise.resolve();
    }
    const record: DeliveryRecord = {
      event_id: event.id,
      type: event.type,
      attempts: [],
      delivered: false,
      done: false,
    };
    this.log.push(record);
    const run = this.chain.then(() => this.deliver(url, payload, record, secret));
    this.chain = run.catch(() => undefined);
    this.done.set(event.id, this.chain);
    return this.chain;
  }

  /** Settles when the given events' current deliveries finished (immediately in drain mode). */
  async waitFor(eventIds: string[]): Promise<void> {
    await Promise.all(eventIds.map((id) => this.done.get(id) ?? Promise.resolve()));
  }

  /** Returns and forgets the queued deliveries of one target (drain mode): the emulator's own by default. */
  drain(endpoint: string | null = null): Delivery[] {
    const out = this.pending.filter((d) => d.endpoint === endpoint);
    this.pending = this.pending.filter((d) => d.endpoint !== endpoint);
    return out;
  }

  /** Forgets queued deliveries and history. */
  reset(): void {
    this.pending = [];
    this.log = [];
  }

  /** Stops retries and aborts in-flight deliveries. */
  close(): void {
    this.closed = true;
    for (const t of this.timers) {
      clearTimeout(t.timer);
      t.resolve();
    }
    this.timers.clear();
    for (const c of this.inflight) c.abort();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.timers.delete(entry);
          resolve();
        }, ms),
        resolve,
      };
      this.timers.add(entry);
    });
  }

  private async deliver(url: string, payload: string, record: DeliveryRecord, secret: string): Promise<void> {
    const delays = this.options.retryDelaysMs;
    for (let attempt = 0; attempt <= delays.length && !this.closed; attempt++) {
      if (attempt > 0) await this.sleep(delays[attempt - 1] as number);
      if (this.closed) break;
      const controller = new AbortController();
      this.inflight.add(controller);
      const timeout = setTimeout(() => controller.abort(), this.options.attemptTimeoutMs ?? 10_000);
      try {
        const res = await fetch(url, {
          method: "POST",
          body: payload,
          signal: controller.signal,
          headers: {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
            "Stripe-Signature": signPayload(payload, secret),
            "Cache-Control": "no-cache",
            Accept: "*/*; q=0.5, application/xml",
          },
        });
        await res.arrayBuffer().catch(() => undefined);
        record.attempts.push({ status: res.status, error: null, at: Date.now() });
        if (res.status >= 200 && res.status < 300) {
          record.delivered = true;
          break;
        }
      } catch (err) {
        record.attempts.push({ status: null, error: (err as Error).message, at: Date.now() });
      } finally {
        clearTimeout(timeout);
        this.inflight.delete(controller);
      }
    }
    record.done = true;
    if (!record.delivered && !this.closed) {
      const last = record.attempts.at(-1);
      this.options.log(
        `gave up delivering ${record.event_id} (${record.type}) to ${url} after ${record.attempts.length} attempts; last: ${last?.status ?? last?.error}`,
      );
    }
  }
}
