/**
 * Stripe renders a webhook event's `data.object` at the *endpoint's* API version (or the account's
 * default), not the version our SDK is pinned to. This pure adapter decides, per event, whether
 * the ledger can read it, and rewrites the few shapes that moved into the pinned version's shape.
 *
 * What the ledger reads, and where it moved (Stripe's changelog, checked against the `stripe`
 * package's types for the pinned version):
 *
 * | object       | before 2025-03-31.basil                         | basil and later (pinned)                                  |
 * | ------------ | ----------------------------------------------- | --------------------------------------------------------- |
 * | invoice      | `subscription`                                  | `parent.subscription_details.subscription`                |
 * | invoice      | `subscription_details.metadata`                 | `parent.subscription_details.metadata`                    |
 * | invoice      | `payment_intent`, `charge`                      | `payments.data[].payment.payment_intent` (includable)     |
 * | subscription | `current_period_start`, `current_period_end`    | `items.data[].current_period_start/end`                   |
 * | charge       | `invoice`                                       | (removed; the invoice names its payments instead)         |
 *
 * Nothing else the ledger reads (checkout sessions, refunds, disputes, balance transactions,
 * subscription status and metadata) changed shape between 2022-11-15 and the pinned version:
 * later majors (clover, dahlia, endive) only added fields and enum values. Versions within the
 * pinned major (`…​.endive`) are additive by Stripe's rules and read as they are.
 *
 * Refused (the caller answers non-2xx, so Stripe keeps the event and retries it):
 * - no or malformed `api_version`;
 * - older than 2022-11-15 (charges still embedded their refunds, and older shapes were never
 *   checked);
 * - a newer major than the pinned one (its shapes are unknown to this code).
 */

/** The first version of the basil major, where invoices, subscriptions and charges changed shape. */
export const BASIL = "2025-03-31";
/** The oldest version this adapter reads. */
export const OLDEST_SUPPORTED = "2022-11-15";

type Json = Record<string, unknown>;
/** The part of a Stripe event the adapter reads and rewrites. */
export type VersionedEvent = { id: string; type: string; api_version?: string | null; data: { object: Json } };

export type VersionVerdict<E> =
  | { ok: true; event: E; adapted: boolean }
  | { ok: false; reason: "missing_version" | "too_old" | "newer_major"; message: string };

const VERSION = /^(\d{4}-\d{2}-\d{2})(?:\.([a-z]+))?$/;

/** `2026-10-28.endive` → { date: "2026-10-28", major: "endive" }; null when malformed. */
export function parseApiVersion(version: unknown): { date: string; major: string | null } | null {
  if (typeof version !== "string") return null;
  const m = VERSION.exec(version);
  if (!m) return null;
  return { date: m[1] as string, major: m[2] ?? null };
}

/**
 * Whether events of `version` can be read by a worker pinned to `pinned`, and how:
 * "as_is" (same shapes), "pre_basil" (rewrite the moved shapes) or a refusal reason.
 */
export function versionSupport(
  version: unknown,
  pinned: string,
): "as_is" | "pre_basil" | "missing_version" | "too_old" | "newer_major" {
  const v = parseApiVersion(version);
  const p = parseApiVersion(pinned);
  if (!v || !p) return "missing_version";
  if (version === pinned || (v.major !== null && v.major === p.major)) return "as_is";
  if (v.date > p.date) return "newer_major";
  if (v.date < OLDEST_SUPPORTED) return "too_old";
  return v.date < BASIL ? "pre_basil" : "as_is";
}

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** An invoice rendered before basil, rewritten with `parent.subscription_details` and `payments`. */
function invoiceFromPreBasil(invoice: Json): Json {
  const out: Json = { ...invoice };
  const subscription = invoice.subscription;
  if (out.parent === undefined || out.parent === null) {
    const details = isObject(invoice.subscription_details) ? invoice.subscription_details : null;
    out.parent =
      subscription !== undefined && subscription !== null
        ? {
            type: "subscription_details",
            quote_details: null,
            subscription_details: { subscription, metadata: details?.metadata ?? null },
          }
        : null;
  }
  const intent = invoice.payment_intent;
  if (out.payments === undefined && intent !== undefined && intent !== null) {
    out.payments = {
      object: "list",
      data: [
        {
          object: "invoice_payment",
          invoice: invoice.id,
          is_default: true,
          status: invoice.status === "paid" ? "paid" : "open",
          payment: { type: "payment_intent", payment_intent: intent },
        },
      ],
      has_more: false,
    };
  }
  for (const moved of ["subscription", "subscription_details", "payment_intent", "charge"]) delete out[moved];
  return out;
}

/** A subscription rendered before basil: its period moves onto its items. */
function subscriptionFromPreBasil(subscription: Json): Json {
  const out: Json = { ...subscription };
  const items = isObject(subscription.items) ? subscription.items : null;
  if (items && Array.isArray(items.data)) {
    out.items = {
      ...items,
      data: items.data.map((item) =>
        isObject(item) && item.current_period_end === undefined
          ? {
              ...item,
              current_period_start: subscription.current_period_start ?? null,
              current_period_end: subscription.current_period_end ?? null,
            }
          : item,
      ),
    };
  }
  delete out.current_period_start;
  delete out.current_period_end;
  return out;
}

/** A charge rendered before basil: `invoice` is gone in the pinned version. */
function chargeFromPreBasil(charge: Json): Json {
  const out: Json = { ...charge };
  delete out.invoice;
  return out;
}

const PRE_BASIL: Record<string, (o: Json) => Json> = {
  invoice: invoiceFromPreBasil,
  subscription: subscriptionFromPreBasil,
  charge: chargeFromPreBasil,
};

/**
 * The event in the pinned version's shape, or why it cannot be read. Pure: the input is not
 * changed. `pinned` is the worker's pinned version (platform/stripe.ts).
 */
export function toPinnedVersion<E extends VersionedEvent>(event: E, pinned: string): VersionVerdict<E> {
  const support = versionSupport(event.api_version, pinned);
  const name = `${event.type} ${event.id} has api_version ${JSON.stringify(event.api_version ?? null)}`;
  switch (support) {
    case "as_is":
      return { ok: true, event, adapted: false };
    case "pre_basil": {
      const object = event.data.object;
      const rewrite = PRE_BASIL[String(object.object)];
      if (!rewrite) return { ok: true, event, adapted: false };
      return { ok: true, event: { ...event, data: { ...event.data, object: rewrite(object) } }, adapted: true };
    }
    case "missing_version":
      return { ok: false, reason: support, message: `${name}: not a Stripe API version this worker can read.` };
    case "too_old":
      return {
        ok: false,
        reason: support,
        message: `${name}: older than ${OLDEST_SUPPORTED}, whose shapes this worker does not read (it is pinned to ${pinned}).`,
      };
    case "newer_major":
      return {
        ok: false,
        reason: support,
        message: `${name}: a newer major version than the ${pinned} this worker is written for.`,
      };
  }
}
