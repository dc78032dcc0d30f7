import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { WorkerEnv } from "../../worker/platform/env";
import { stripeFor } from "../../worker/platform/stripe";

/**
 * The Stripe client is made once per key and address in an isolate (making one sets up every
 * Stripe resource, which cost a webhook more than its own work). A cached client must never
 * answer for another key or another emulator address, and production without a key still fails.
 */
describe("the Stripe client of an environment", () => {
  const base = env as unknown as WorkerEnv;
  // The SDK's own way of telling which key a client authenticates with (its authenticator's `_apiKey`).
  const keyOf = (stripe: ReturnType<typeof stripeFor>) =>
    (stripe as unknown as { _authenticator: { _apiKey: string } })._authenticator._apiKey;
  const portOf = (stripe: ReturnType<typeof stripeFor>) => stripe.getApiField("port");

  it("is the same client for the same key, another for another key", () => {
    const a = stripeFor({ ...base, STRIPE_SECRET_KEY: "sk_test_aaa" });
    expect(stripeFor({ ...base, STRIPE_SECRET_KEY: "sk_test_aaa" })).toBe(a);
    const b = stripeFor({ ...base, STRIPE_SECRET_KEY: "sk_test_bbb" });
    expect(b).not.toBe(a);
    expect(keyOf(a)).toBe("sk_test_aaa");
    expect(keyOf(b)).toBe("sk_test_bbb");
  });

  it("is another client for another emulator address", () => {
    const dev = { ...base, STRIPE_SECRET_KEY: "", ENVIRONMENT: "development" };
    const one = stripeFor({ ...dev, STRIPE_API_BASE: "http://127.0.0.1:12111" });
    const two = stripeFor({ ...dev, STRIPE_API_BASE: "http://127.0.0.1:12112" });
    expect(two).not.toBe(one);
    expect([portOf(one), portOf(two)]).toEqual(["12111", "12112"]);
    expect(stripeFor({ ...dev, STRIPE_API_BASE: "http://127.0.0.1:12112" })).toBe(two);
  });

  it("still refuses production without a key, even with a client cached", () => {
    stripeFor({
      ...base,
      STRIPE_SECRET_KEY: "",
      ENVIRONMENT: "development",
      STRIPE_API_BASE: "http://127.0.0.1:12111",
    });
    expect(() => stripeFor({ ...base, STRIPE_SECRET_KEY: "", ENVIRONMENT: "production" })).toThrow(/STRIPE_SECRET_KEY/);
  });
});
