/**
 * `npm run stripe:setup -- --url https://support.example.org`: prepares a Stripe account for this
 * worker, instead of clicking through the Dashboard.
 *
 * - The webhook endpoint `<url>/api/webhooks/stripe`, subscribed to exactly the events the ledger
 *   handles (core/ledger.ts) on the API version the worker is pinned to (platform/stripe.ts).
 *   An endpoint already there is updated; one on another API version cannot be changed (Stripe
 *   fixes an endpoint's version when it is created), so a new one is created and the old one
 *   disabled. Stripe shows a signing secret only when it creates an endpoint: it is printed then.
 * - A Customer Portal configuration for supporters' self-service (change card, cancel, see
 *   receipts), created once and updated on later runs.
 *
 * Needs STRIPE_SECRET_KEY (sk_… or rk_… with write access to webhook endpoints and the portal).
 * STRIPE_API_BASE (e.g. http://127.0.0.1:12111) points it at the local Stripe emulator instead.
 * Run it again at any time: it converges on the same state.
 */
import { parseArgs } from "node:util";
import Stripe from "stripe";
import { HANDLED_EVENT_TYPES } from "../worker/core/ledger.ts";
import { STRIPE_API_VERSION } from "../worker/platform/stripe-version.ts";

/** Marks what this script made, so later runs find it again. */
export const MARK = "reader_support";

export type SetupResult = {
  endpoint: { id: string; url: string; apiVersion: string; created: boolean; secret: string | null };
  /** Endpoints at the same URL on another API version (or duplicates), now disabled. */
  disabled: string[];
  portal: { id: string; created: boolean };
};

/** The webhook URL for a worker's public base URL; refuses anything but https (or plain http on localhost). */
export function webhookUrl(workerUrl: string): string {
  let url: URL;
  try {
    url = new URL(workerUrl);
  } catch {
    throw new Error(
      `--url must be the worker's address, e.g. https://support.example.org (got ${JSON.stringify(workerUrl)})`,
    );
  }
  const local = ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
  if (url.protocol !== "https:" && !(local && url.protocol === "http:"))
    throw new Error(`--url must use https (Stripe only delivers to https), got ${url.protocol}//${url.host}`);
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}/api/webhooks/stripe`;
}

const sameEvents = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().join() === [...b].sort().join();

/** The Customer Portal supporters get: update their card, cancel at once (with a reason), see receipts. */
const PORTAL_FEATURES: Stripe.BillingPortal.ConfigurationCreateParams.Features = {
  payment_method_update: { enabled: true },
  subscription_cancel: {
    enabled: true,
    mode: "immediately",
    proration_behavior: "none",
    cancellation_reason: { enabled: true, options: ["too_expensive", "unused", "other"] },
  },
  invoice_history: { enabled: true },
  customer_update: { enabled: true, allowed_updates: ["email"] },
};

/** Creates or updates the webhook endpoint and the portal configuration; see the file's comment. */
export async function stripeSetup(stripe: Stripe, workerUrl: string): Promise<SetupResult> {
  const url = webhookUrl(workerUrl);
  const events = [...HANDLED_EVENT_TYPES] as Stripe.WebhookEndpointCreateParams.EnabledEvent[];
  const existing: Stripe.WebhookEndpoint[] = [];
  for await (const endpoint of stripe.webhookEndpoints.list({ limit: 100 }))
    if (endpoint.url === url) existing.push(endpoint);

  const pinned = existing.filter((e) => e.api_version === STRIPE_API_VERSION);
  let keep = pinned.find((e) => e.status === "enabled") ?? pinned[0];
  let secret: string | null = null;
  let created = false;
  if (keep) {
    if (!sameEvents(keep.enabled_events, events) || keep.status !== "enabled")
      keep = await stripe.webhookEndpoints.update(keep.id, { enabled_events: events, disabled: false });
  } else {
    keep = await stripe.webhookEndpoints.create({
      url,
      enabled_events: events,
      api_version: STRIPE_API_VERSION as Stripe.WebhookEndpointCreateParams.ApiVersion,
      description: "Reader Support: the ledger of pledges, payments, refunds and disputes",
      metadata: { [MARK]: "ledger" },
    });
    secret = keep.secret ?? null;
    created = true;
  }
  // Another endpoint at the same address would deliver every event twice (or in another version's shape).
  const disabled: string[] = [];
  for (const other of existing)
    if (other.id !== keep.id && other.status === "enabled") {
      await stripe.webhookEndpoints.update(other.id, { disabled: true });
      disabled.push(other.id);
    }

  let portal: Stripe.BillingPortal.Configuration | undefined;
  for await (const config of stripe.billingPortal.configurations.list({ limit: 100 }))
    if (config.metadata?.[MARK] === "portal") portal = config;
  const portalCreated = !portal;
  portal = portal
    ? await stripe.billingPortal.configurations.update(portal.id, { active: true, features: PORTAL_FEATURES })
    : await stripe.billingPortal.configurations.create({
        business_profile: { headline: "Manage your support" },
        features: PORTAL_FEATURES,
        metadata: { [MARK]: "portal" },
      });

  return {
    endpoint: { id: keep.id, url, apiVersion: keep.api_version ?? "", created, secret },
    disabled,
    portal: { id: portal.id, created: portalCreated },
  };
}

/** What to tell the person running it. */
export function report(result: SetupResult): string {
  const { endpoint, portal, disabled } = result;
  const lines = [
    `Webhook endpoint ${endpoint.id} ${endpoint.created ? "created" : "up to date"}:`,
    `  ${endpoint.url}`,
    `  API version ${endpoint.apiVersion}, ${HANDLED_EVENT_TYPES.length} events: ${HANDLED_EVENT_TYPES.join(", ")}`,
  ];
  if (disabled.length)
    lines.push(
      `Disabled ${disabled.length} other endpoint(s) at the same address (another API version, or duplicates): ${disabled.join(", ")}.`,
      "  Delete them in the Dashboard once the new signing secret is in place.",
    );
  lines.push(`Customer Portal configuration ${portal.id} ${portal.created ? "created" : "updated"}.`, "", "Next:");
  if (endpoint.secret)
    lines.push(
      `  1. Signing secret (Stripe shows it only now): ${endpoint.secret}`,
      "     npx wrangler secret put STRIPE_WEBHOOK_SECRET   # paste it",
    );
  else
    lines.push(
      "  1. The endpoint's signing secret is unchanged (Stripe shows it only when it creates one): keep",
      "     STRIPE_WEBHOOK_SECRET as it is; to get a new one, delete the endpoint in the Dashboard and run this again.",
    );
  lines.push(
    `  2. npx wrangler secret put STRIPE_PORTAL_CONFIGURATION   # paste ${portal.id}`,
    "  3. npm run deploy (if the worker is not deployed yet), then `npm run reconcile -- --since 1d` to check the books.",
  );
  return lines.join("\n");
}

/** The CLI: reads the environment and arguments, prints the report; exit 1 with a message on error. */
async function main() {
  const { values } = parseArgs({
    options: { url: { type: "string" }, help: { type: "boolean", short: "h" } },
  });
  const usage = "npm run stripe:setup -- --url https://support.example.org   (with STRIPE_SECRET_KEY set)";
  if (values.help) return console.log(usage);
  const key = process.env.STRIPE_SECRET_KEY;
  const workerUrl = values.url ?? process.env.WORKER_URL;
  if (!key || !/^(sk|rk)_(test|live)_/.test(key))
    throw new Error(`STRIPE_SECRET_KEY must be a secret (sk_…) or restricted (rk_…) key.\n${usage}`);
  if (!workerUrl) throw new Error(`--url is required.\n${usage}`);
  const base = process.env.STRIPE_API_BASE ? new URL(process.env.STRIPE_API_BASE) : null;
  if (base && /_live_/.test(key)) throw new Error("STRIPE_API_BASE is for the local emulator: use a test key with it.");
  const stripe = new Stripe(key, {
    apiVersion: STRIPE_API_VERSION as Stripe.StripeConfig["apiVersion"],
    maxNetworkRetries: 2,
    ...(base
      ? { host: base.hostname, port: base.port || 80, protocol: base.protocol === "https:" ? "https" : "http" }
      : {}),
  });
  console.log(report(await stripeSetup(stripe, workerUrl)));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    console.error(`stripe:setup: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
