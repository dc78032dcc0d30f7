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
 */
export function stripeFor(env: WorkerEnv): Stripe {
  const options: Stripe.StripeConfig = {
    apiVersion: STRIPE_API_VERSION as Stripe.StripeConfig["apiVersion"],
    httpClient: Stripe.createFetchHttpClient(),
    timeout: STRIPE_TIMEOUT_MS,
    maxNetworkRetries: 0,
  };
  if (env.STRIPE_SECRET_KEY) return new Stripe(env.STRIPE_SECRET_KEY, options);
  if (env.ENVIRONMENT === "production" || !(env.STRIPE_API_BASE || isDevelopment(env)))
    throw new Error("STRIPE_SECRET_KEY is not set");
  const url = new URL(env.STRIPE_API_BASE || "http://127.0.0.1:12111");
  return new Stripe("sk_test_emulator", {
    ...options,
    host: url.hostname,
    port: url.port || 80,
    protocol: url.protocol === "https:" ? "https" : "http",
  });
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
