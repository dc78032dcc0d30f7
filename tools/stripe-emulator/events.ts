/** Emitting events: a full `event` object with a snapshot of the object, stored and queued for delivery. */
import { newId } from "./ids.ts";
import { API_VERSION } from "./objects.ts";
import { nowSeconds, type Obj, type Store } from "./store.ts";
import { renderEvent } from "./versions.ts";
import type { WebhookDispatcher } from "./webhooks.ts";

/** The API request that caused an event (null id for things a customer or time did). */
export interface EventRequest {
  id: string | null;
  idempotency_key: string | null;
}

/** What emitting needs: the state and the webhook queue. */
export interface EventSink {
  store: Store;
  webhooks: WebhookDispatcher;
}

/**
 * Emits `type` with a deep snapshot of `object`; returns the stored event. It goes to the
 * emulator's own target, and to every enabled webhook endpoint subscribed to it, rendered at
 * that endpoint's API version.
 */
export function emitEvent(
  sink: EventSink,
  type: string,
  object: Obj,
  options: { previousAttributes?: Obj; request?: EventRequest } = {},
): Obj {
  const data: Obj = { object: structuredClone(object) };
  if (options.previousAttributes) data.previous_attributes = structuredClone(options.previousAttributes);
  const event: Obj = {
    id: newId("evt"),
    object: "event",
    api_version: API_VERSION,
    created: nowSeconds(),
    data,
    livemode: false,
    pending_webhooks: 1,
    request: options.request ?? { id: null, idempotency_key: null },
    type,
  };
  sink.store.events.push(event);
  void sink.webhooks.enqueue(event);
  for (const endpoint of sink.store.all("webhook_endpoint")) {
    if (endpoint.status !== "enabled") continue;
    if (!endpoint.enabled_events.includes("*") && !endpoint.enabled_events.includes(type)) continue;
    const secret = sink.store.endpointSecrets.get(endpoint.id) as string;
    void sink.webhooks.enqueueFor(
      { id: endpoint.id, url: endpoint.url, secret },
      renderEvent(sink.store, event, endpoint.api_version),
    );
  }
  return event;
}
