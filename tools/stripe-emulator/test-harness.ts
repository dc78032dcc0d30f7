import Stripe from "stripe";
import { afterAll, beforeAll, beforeEach, expect } from "vitest";
import { type Emulator, startEmulator } from "./server.ts";

/**
 * One emulator per test file, on a free port, reset before each test: the official SDK pointed
 * at it, its test controls and its queued webhooks (each verified with the SDK, as the worker
 * would). Call it at the top of a test file; `emulator` and `stripe` are set before the tests run.
 */
export function emulatorHarness(secret: string) {
  const harness = {
    emulator: undefined as unknown as Emulator,
    stripe: undefined as unknown as Stripe,

    /** POSTs a test control with a JSON body; returns the parsed JSON answer. */
    async control(path: string, body: Record<string, unknown> = {}, expectStatus = 200): Promise<any> {
      const res = await fetch(`${harness.emulator.url}${path}`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
      const json = await res.json();
      expect(res.status, JSON.stringify(json)).toBe(expectStatus);
      return json;
    },

    /** Drains the deliveries queued for one webhook endpoint (default: the emulator's own target), verified. */
    async drain(endpoint?: { id: string; secret: string }): Promise<Stripe.Event[]> {
      const { deliveries } = await harness.control(
        "/_test/deliveries/drain",
        endpoint ? { endpoint: endpoint.id } : {},
      );
      return Promise.all(
        deliveries.map((d: { payload: string; signature: string; endpoint: string | null }) => {
          expect(d.endpoint ?? null).toBe(endpoint?.id ?? null);
          return harness.stripe.webhooks.constructEventAsync(d.payload, d.signature, endpoint?.secret ?? secret);
        }),
      );
    },
  };
  beforeAll(async () => {
    harness.emulator = await startEmulator({ port: 0, webhookSecret: secret });
    harness.stripe = new Stripe("sk_test_x", {
      host: "127.0.0.1",
      port: harness.emulator.port,
      protocol: "http",
      maxNetworkRetries: 0,
    });
  });
  afterAll(async () => {
    await harness.emulator.close();
  });
  beforeEach(async () => {
    await harness.control("/_test/reset");
  });
  return harness;
}

/** The types of a list of events, in order. */
export const types = (events: Stripe.Event[]) => events.map((e) => e.type);
