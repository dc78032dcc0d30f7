import Stripe from "stripe";
import { isDevelopment, type WorkerEnv } from "./env";
import { STRIPE_API_VERSION } from "./stripe-version";

export { STRIPE_API_VERSION };

/** How long a Stripe call may take before the reader gets a 502 instead of a hang. */
export const STRIPE_TIMEOUT_MS = 3000;

/**
 * The Stripe SDK for this environment: real Stripe when STRIPE_SECRET_KEY is set; otherwise
 * the local emulator (tools/stripe-emulator) at STRIPE_API_BASE, when that is set explicitly or
 * in development (default http://127.0.0.1:12111), and never in production. The emulator itself
 * refuses live keys.
 * One client per key and address per isolate: building one sets up every Stripe resource, which
 * cost a webhook's apply more CPU (and garbage) than its own work. A client holds no request's state
 * (no telemetry carried from one call to the next).
 */
export function stripeFor(env: WorkerEnv): Stripe {
  if (env.STRIPE_SECRET_KEY) return cached(env.STRIPE_SECRET_KEY, null);
  if (env.ENVIRONMENT === "production" || !(env.STRIPE_API_BASE || isDevelopment(env)))
    throw new Error("STRIPE_SECRET_KEY is not set");
  return cached("sk_test_emulator", new URL(env.STRIPE_API_BASE || "http://127.0.0.1:12111"));
}

const clients = new Map<string, Stripe>();

function cached(key: string, emulator: URL | null): Stripe {
  const id = `${key} ${emulator?.href ?? ""}`;
  let client = clients.get(id);
  if (!client) {
    client = new Stripe(key, {
      apiVersion: STRIPE_API_VERSION as Stripe.StripeConfig["apiVersion"],
      httpClient: Stripe.createFetchHttpClient(),
      timeout: STRIPE_TIMEOUT_MS,
      maxNetworkRetries: 0,
      telemetry: false,
      ...(emulator && {
        host: emulator.hostname,
        port: emulator.port || 80,
        protocol: emulator.protocol === "https:" ? "https" : "http",
      }),
    });
    clients.set(id, client);
  }
  return client;
}

/** Verifies a webhook's signature over the raw body; throws when missing, wrong or stale. */
export async function verifyWebhook(env: WorkerEnv, rawBody: string, signature: string | undefined) {
  if (!env.STRIPE_WEBHOOK_SECRET) throw new Error("STRIPE_WEBHOOK_SECRET is not set");
  if (!signature) throw new Error("missing Stripe-Signature header");
  return Stripe.webhooks.constructEventAsync(
    rawBody,
    signature,
    env.STRIPE_WEBHOOK_SECRET,
    300,
    Stripe.createSubtleCryptoProvider(),
  );
}
