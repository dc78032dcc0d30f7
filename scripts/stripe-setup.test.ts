// @vitest-environment node
/**
 * `npm run stripe:setup` against the Stripe emulator, like any other command: the endpoint with
 * exactly the handled events on the pinned API version, its secret printed once, the portal
 * configuration, and later runs converging instead of duplicating.
 */
import { spawn } from "node:child_process";
import Stripe from "stripe";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../tools/stripe-emulator/server.ts";
import { HANDLED_EVENT_TYPES } from "../worker/core/ledger.ts";
import { STRIPE_API_VERSION } from "../worker/platform/stripe-version.ts";
import { report, stripeSetup, webhookUrl } from "./stripe-setup.ts";

let emulator: Emulator;
let stripe: Stripe;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, webhookSecret: "whsec_setup" });
  stripe = new Stripe("sk_test_setup", {
    host: "127.0.0.1",
    port: emulator.port,
    protocol: "http",
    maxNetworkRetries: 0,
  });
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(async () => {
  await fetch(`${emulator.url}/_test/reset`, { method: "POST" });
});

/**
 * Runs the real command, as a newsroom would, against the emulator (asynchronously: the emulator
 * answers from this very process).
 */
function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ status: number | null; out: string; err: string }> {
  const child = spawn("npm", ["run", "--silent", "stripe:setup", "--", ...args], {
    env: { ...process.env, STRIPE_SECRET_KEY: "sk_test_setup", STRIPE_API_BASE: emulator.url, ...env },
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (chunk: Buffer) => {
    out += chunk.toString("utf8");
  });
  child.stderr.on("data", (chunk: Buffer) => {
    err += chunk.toString("utf8");
  });
  return new Promise((resolve) => child.on("close", (status) => resolve({ status, out, err })));
}

describe("npm run stripe:setup", () => {
  it("creates the endpoint with exactly the handled events on the pinned version, and the portal configuration", async () => {
    const run = await cli(["--url", "https://support.example.org/"]);
    expect(run.err).toBe("");
    expect(run.status).toBe(0);
    const [endpoint, ...others] = (await stripe.webhookEndpoints.list()).data;
    expect(others).toEqual([]);
    expect(endpoint).toMatchObject({
      url: "https://support.example.org/api/webhooks/stripe",
      api_version: STRIPE_API_VERSION,
      status: "enabled",
      metadata: { reader_support: "ledger" },
    });
    expect([...(endpoint?.enabled_events ?? [])].sort()).toEqual([...HANDLED_EVENT_TYPES].sort());
    expect(run.out).toMatch(/Signing secret \(Stripe shows it only now\): whsec_[A-Za-z0-9_-]+/);
    expect(run.out).toContain(`Webhook endpoint ${endpoint?.id} created`);
    const portals = (await stripe.billingPortal.configurations.list()).data.filter((c) => c.metadata?.reader_support);
    expect(portals).toHaveLength(1);
    expect(portals[0]?.features).toMatchObject({
      payment_method_update: { enabled: true },
      subscription_cancel: { enabled: true, mode: "immediately" },
      invoice_history: { enabled: true },
    });
    expect(run.out).toContain(`npx wrangler secret put STRIPE_PORTAL_CONFIGURATION   # paste ${portals[0]?.id}`);

    // A second run changes nothing and shows no new secret.
    const again = await cli(["--url", "https://support.example.org"]);
    expect(again.status).toBe(0);
    expect(again.out).toContain(`Webhook endpoint ${endpoint?.id} up to date`);
    expect(again.out).not.toContain("whsec_");
    expect((await stripe.webhookEndpoints.list()).data).toHaveLength(1);
    expect(
      (await stripe.billingPortal.configurations.list()).data.filter((c) => c.metadata?.reader_support),
    ).toHaveLength(1);
  });

  it("repairs an endpoint's events; replaces one on another API version, disabling it and any duplicate", async () => {
    const url = "https://support.example.org/api/webhooks/stripe";
    const stale = await stripe.webhookEndpoints.create({
      url,
      enabled_events: ["charge.refunded"],
      api_version: STRIPE_API_VERSION as never,
    });
    const first = await stripeSetup(stripe, "https://support.example.org");
    expect(first.endpoint).toMatchObject({ id: stale.id, created: false, secret: null });
    expect([...(await stripe.webhookEndpoints.retrieve(stale.id)).enabled_events].sort()).toEqual(
      [...HANDLED_EVENT_TYPES].sort(),
    );

    await stripe.webhookEndpoints.del(stale.id);
    const old = await stripe.webhookEndpoints.create({
      url,
      enabled_events: ["*"],
      api_version: "2024-06-20" as never,
    });
    const other = await stripe.webhookEndpoints.create({
      url: "https://elsewhere.example/hook",
      enabled_events: ["*"],
    });
    const replaced = await stripeSetup(stripe, "https://support.example.org");
    expect(replaced.endpoint.created).toBe(true);
    expect(replaced.endpoint.secret).toMatch(/^whsec_/);
    expect(replaced.disabled).toEqual([old.id]);
    expect((await stripe.webhookEndpoints.retrieve(old.id)).status).toBe("disabled");
    expect((await stripe.webhookEndpoints.retrieve(other.id)).status).toBe("enabled");
    expect(report(replaced)).toContain(`Disabled 1 other endpoint(s) at the same address`);
  });

  it("refuses what it cannot use, with a clear message and exit status 1", async () => {
    expect(() => webhookUrl("http://support.example.org")).toThrow(/https/);
    expect(webhookUrl("http://localhost:8787")).toBe("http://localhost:8787/api/webhooks/stripe");
    expect(webhookUrl("https://example.org/support/")).toBe("https://example.org/support/api/webhooks/stripe");
    const noUrl = await cli([]);
    expect(noUrl.status).toBe(1);
    expect(noUrl.err).toMatch(/--url is required/);
    const publishable = await cli(["--url", "https://support.example.org"], { STRIPE_SECRET_KEY: "pk_test_123" });
    expect(publishable.status).toBe(1);
    expect(publishable.err).toMatch(/STRIPE_SECRET_KEY must be a secret/);
  });
});
