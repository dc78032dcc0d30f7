/**
 * Webhook signing (Stripe's `Stripe-Signature: t=…,v1=…` scheme) and delivery.
 * With a webhook URL, events are POSTed one at a time in emission order and retried on
 * non-2xx or network errors. Without one, signed deliveries wait in a queue that tests
 * drain (`POST /_test/deliveries/drain`) and hand to the worker in-process.
 */
import { createHmac } from "node:crypto";
import type { Obj } from "./store.ts";

/** One signed delivery: the exact body and its `Stripe-Signature` header. */
export interface Delivery {
  event_id: string;
  type: string;
  payload: string;
  signature: string;
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

  /** Queues an event for delivery. The promise settles once delivery finished or gave up. */
  enqueue(event: Obj): Promise<void> {
    const payload = eventPayload(event);
    if (!this.options.url) {
      this.pending.push({
        event_id: event.id,
        type: event.type,
        payload,
        signature: signPayload(payload, this.options.secret),
      });
      return Promise.resolve();
    }
    const url = this.options.url;
    const record: DeliveryRecord = {
      event_id: event.id,
      type: event.type,
      attempts: [],
      delivered: false,
      done: false,
    };
    this.log.push(record);
    const run = this.chain.then(() => this.deliver(url, payload, record));
    this.chain = run.catch(() => undefined);
    this.done.set(event.id, this.chain);
    return this.chain;
  }

  /** Settles when the given events' current deliveries finished (immediately in drain mode). */
  async waitFor(eventIds: string[]): Promise<void> {
    await Promise.all(eventIds.map((id) => this.done.get(id) ?? Promise.resolve()));
  }

  /** Returns and forgets the queued deliveries (drain mode). */
  drain(): Delivery[] {
    const out = this.pending;
    this.pending = [];
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

  private async deliver(url: string, payload: string, record: DeliveryRecord): Promise<void> {
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
            "Stripe-Signature": signPayload(payload, this.options.secret),
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
