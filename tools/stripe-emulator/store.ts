/** All emulator state, in memory. `reset()` forgets everything. */
import { newId } from "./ids.ts";

/** A Stripe API object as JSON (shapes follow the `stripe` package's types). */
export type Obj = Record<string, any>;

/** A remembered idempotent response. */
export interface IdempotentResponse {
  method: string;
  path: string;
  fingerprint: string;
  status: number;
  body: string;
  requestId: string;
}

/** Internal facts about a Checkout Session that are not part of its public shape. */
export interface SessionInternals {
  lineItems: Obj[];
  paymentIntentMetadata: Record<string, string>;
  paymentIntentDescription: string | null;
  subscriptionMetadata: Record<string, string>;
  subscriptionDescription: string | null;
  customerCreation: string | null;
  /** `subscription_data[trial_period_days]`, if any. */
  trialPeriodDays: number | null;
  /** The coupon applied to the session, if any. */
  coupon: Obj | null;
}

/** In-memory state of one emulator. */
export class Store {
  /** Every API object by id (ids are unique across types thanks to their prefixes). */
  objects = new Map<string, Obj>();
  /** Events in the order they were emitted (oldest first). */
  events: Obj[] = [];
  sessionInternals = new Map<string, SessionInternals>();
  idempotency = new Map<string, IdempotentResponse>();
  /** The account's default billing portal configuration (what a session uses unless it names another). */
  portalConfigurationId = newId("bpc");
  /** Signing secrets of the webhook endpoints created through the API, by endpoint id. */
  endpointSecrets = new Map<string, string>();
  /** Payment intents whose charge's balance transaction Stripe settles later (`balance_transaction: "later"`). */
  deferredBalance = new Set<string>();
  /** The discount of each subscription with a coupon, and whether a `once` coupon was used. */
  subscriptionDiscounts = new Map<string, { discount: Obj; used: boolean }>();

  /** Forgets all state (and puts the clock back). */
  reset(): void {
    this.objects.clear();
    this.events = [];
    this.sessionInternals.clear();
    this.idempotency.clear();
    this.endpointSecrets.clear();
    this.deferredBalance.clear();
    this.subscriptionDiscounts.clear();
    clockOffsetSeconds = 0;
  }

  /** Saves (or replaces) an object under its id and returns it. */
  put<T extends Obj>(obj: T): T {
    this.objects.set(obj.id as string, obj);
    return obj;
  }

  /** An object by id if it exists and has the expected `object` type. */
  get(id: string, objectType?: string): Obj | undefined {
    const obj = this.objects.get(id);
    if (!obj) return undefined;
    if (objectType && obj.object !== objectType) return undefined;
    return obj;
  }

  /** All objects of one type, in creation order. */
  all(objectType: string): Obj[] {
    return [...this.objects.values()].filter((o) => o.object === objectType);
  }
}

/**
 * How far the emulator's clock runs ahead of the wall clock (`POST /_test/clock/advance`), so a
 * test can play a dispute's weeks or a trial's days in order. One clock per process: every
 * emulator in it shares it, and `reset()` puts it back.
 */
let clockOffsetSeconds = 0;

/** Moves the emulator's clock forward; returns the new offset. */
export function advanceClock(seconds: number): number {
  clockOffsetSeconds += seconds;
  return clockOffsetSeconds;
}

/** Current time in unix seconds, on the emulator's clock. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000) + clockOffsetSeconds;
}
