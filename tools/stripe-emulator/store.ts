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
}

/** In-memory state of one emulator. */
export class Store {
  /** Every API object by id (ids are unique across types thanks to their prefixes). */
  objects = new Map<string, Obj>();
  /** Events in the order they were emitted (oldest first). */
  events: Obj[] = [];
  sessionInternals = new Map<string, SessionInternals>();
  idempotency = new Map<string, IdempotentResponse>();
  /** The one billing portal configuration every portal session uses. */
  portalConfigurationId = newId("bpc");

  /** Forgets all state. */
  reset(): void {
    this.objects.clear();
    this.events = [];
    this.sessionInternals.clear();
    this.idempotency.clear();
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

/** Current time in unix seconds. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
