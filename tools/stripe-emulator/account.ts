/**
 * The account's configuration over the API: webhook endpoints (each with its own API version,
 * enabled events and signing secret), Customer Portal configurations, and coupons. What
 * `npm run stripe:setup` creates on a real account, created the same way here.
 */
import { randomBytes } from "node:crypto";
import { badState, invalidParam, missingParam, noSuch } from "./errors.ts";
import type { FlowContext } from "./flows.ts";
import type { FormObject } from "./form.ts";
import { base62, newId } from "./ids.ts";
import { buildCoupon, buildPortalConfiguration, buildWebhookEndpoint } from "./objects.ts";
import { nowSeconds, type Obj } from "./store.ts";
import {
  metadata,
  optArray,
  optBoolean,
  optEnum,
  optInteger,
  optObject,
  optString,
  optUrl,
  rejectUnknown,
  reqString,
} from "./validate.ts";

// ─── Webhook endpoints ───────────────────────────────────────────────────────────────────────────

const API_VERSION_PATTERN = /^\d{4}-\d{2}-\d{2}(\.[a-z]+)?$/;

function enabledEvents(value: FormObject[string] | undefined, param: string): string[] {
  const list = optArray(value, param);
  if (!list || list.length === 0) throw missingParam(param);
  const events = list.map((e, i) => reqString(e, `${param}[${i}]`));
  for (const [i, e] of events.entries()) {
    if (e !== "*" && !/^[a-z_]+(\.[a-z_]+)+$/.test(e)) throw invalidParam(`${param}[${i}]`, `Invalid event type: ${e}`);
  }
  return [...new Set(events)];
}

/** `POST /v1/webhook_endpoints`: the answer (only this one) carries the signing secret. */
export function createWebhookEndpoint(ctx: FlowContext, params: FormObject): Obj {
  rejectUnknown(params, ["api_version", "connect", "description", "enabled_events", "expand", "metadata", "url"]);
  const url = optUrl(params.url, "url");
  if (!url) throw missingParam("url");
  if (optBoolean(params.connect, "connect"))
    throw invalidParam("connect", "The Stripe emulator has no Connect accounts.");
  const apiVersion = optString(params.api_version, "api_version") || null;
  if (apiVersion !== null && !API_VERSION_PATTERN.test(apiVersion))
    throw invalidParam("api_version", `Invalid API version: ${apiVersion}`);
  const endpoint = ctx.store.put(
    buildWebhookEndpoint(nowSeconds(), {
      url,
      enabledEvents: enabledEvents(params.enabled_events, "enabled_events"),
      apiVersion,
      description: optString(params.description, "description") || null,
      metadata: metadata(params.metadata, "metadata"),
    }),
  );
  const secret = `whsec_${randomBytes(24).toString("base64url")}`;
  ctx.store.endpointSecrets.set(endpoint.id, secret);
  return { ...structuredClone(endpoint), secret };
}

function endpointOf(ctx: FlowContext, id: string): Obj {
  const endpoint = ctx.store.get(id, "webhook_endpoint");
  if (!endpoint) throw noSuch("webhook_endpoint", id);
  return endpoint;
}

/** `POST /v1/webhook_endpoints/{id}`: like Stripe, the API version cannot change (create a new endpoint). */
export function updateWebhookEndpoint(ctx: FlowContext, id: string, params: FormObject): Obj {
  rejectUnknown(params, ["description", "disabled", "enabled_events", "expand", "metadata", "url"]);
  const endpoint = endpointOf(ctx, id);
  const url = optUrl(params.url, "url");
  if (url) endpoint.url = url;
  if (params.enabled_events !== undefined)
    endpoint.enabled_events = enabledEvents(params.enabled_events, "enabled_events");
  const disabled = optBoolean(params.disabled, "disabled");
  if (disabled !== undefined) endpoint.status = disabled ? "disabled" : "enabled";
  if (params.description !== undefined) endpoint.description = optString(params.description, "description") || null;
  if (params.metadata !== undefined) endpoint.metadata = metadata(params.metadata, "metadata");
  return endpoint;
}

/** `DELETE /v1/webhook_endpoints/{id}`. */
export function deleteWebhookEndpoint(ctx: FlowContext, id: string): Obj {
  endpointOf(ctx, id);
  ctx.store.objects.delete(id);
  ctx.store.endpointSecrets.delete(id);
  return { id, object: "webhook_endpoint", deleted: true };
}

// ─── Customer Portal configurations ──────────────────────────────────────────────────────────────

/** The account's default configuration (made on first use, like Stripe's Dashboard default). */
export function defaultPortalConfiguration(ctx: FlowContext): Obj {
  const id = ctx.store.portalConfigurationId;
  return (
    ctx.store.get(id, "billing_portal.configuration") ??
    ctx.store.put(buildPortalConfiguration(nowSeconds(), id, { isDefault: true }))
  );
}

const FEATURE_KEYS: Record<string, string[]> = {
  customer_update: ["allowed_updates", "enabled"],
  invoice_history: ["enabled"],
  payment_method_update: ["enabled", "payment_method_configuration"],
  subscription_cancel: ["cancellation_reason", "enabled", "mode", "proration_behavior"],
  subscription_pause: ["enabled"],
  subscription_update: [
    "billing_cycle_anchor",
    "default_allowed_updates",
    "enabled",
    "products",
    "proration_behavior",
    "schedule_at_period_end",
    "trial_update_behavior",
  ],
};

/** Applies `features[...]` params onto a configuration's features. */
function applyFeatures(config: Obj, value: FormObject[string] | undefined): void {
  const features = optObject(value, "features");
  if (!features) return;
  rejectUnknown(features, Object.keys(FEATURE_KEYS), "features");
  for (const [name, raw] of Object.entries(features)) {
    const param = `features[${name}]`;
    const f = optObject(raw, param) ?? {};
    rejectUnknown(f, FEATURE_KEYS[name] as string[], param);
    const target = config.features[name] as Obj;
    const enabled = optBoolean(f.enabled, `${param}[enabled]`);
    if (enabled !== undefined) target.enabled = enabled;
    if (name === "subscription_cancel") {
      const mode = optEnum(f.mode, `${param}[mode]`, ["at_period_end", "immediately"] as const);
      if (mode) target.mode = mode;
      const proration = optEnum(f.proration_behavior, `${param}[proration_behavior]`, [
        "always_invoice",
        "create_prorations",
        "none",
      ] as const);
      if (proration) target.proration_behavior = proration;
      const reason = optObject(f.cancellation_reason, `${param}[cancellation_reason]`);
      if (reason) {
        const on = optBoolean(reason.enabled, `${param}[cancellation_reason][enabled]`);
        if (on !== undefined) target.cancellation_reason.enabled = on;
        const options = optArray(reason.options, `${param}[cancellation_reason][options]`);
        if (options)
          target.cancellation_reason.options = options.map((o, i) =>
            reqString(o, `${param}[cancellation_reason][options][${i}]`),
          );
      }
    }
    if (name === "customer_update") {
      const updates = optArray(f.allowed_updates, `${param}[allowed_updates]`);
      if (updates) target.allowed_updates = updates.map((u, i) => reqString(u, `${param}[allowed_updates][${i}]`));
    }
    if (name === "subscription_update" && target.enabled) {
      throw invalidParam(
        `${param}[enabled]`,
        "The Stripe emulator's portal does not let customers change their subscription.",
      );
    }
  }
}

function applyPortalParams(config: Obj, params: FormObject): void {
  const profile = optObject(params.business_profile, "business_profile");
  if (profile) {
    rejectUnknown(profile, ["headline", "privacy_policy_url", "terms_of_service_url"], "business_profile");
    if (profile.headline !== undefined)
      config.business_profile.headline = optString(profile.headline, "business_profile[headline]") || null;
    for (const key of ["privacy_policy_url", "terms_of_service_url"] as const) {
      if (profile[key] !== undefined)
        config.business_profile[key] = optUrl(profile[key], `business_profile[${key}]`) ?? null;
    }
  }
  if (params.default_return_url !== undefined)
    config.default_return_url = optUrl(params.default_return_url, "default_return_url") ?? null;
  if (params.metadata !== undefined) config.metadata = metadata(params.metadata, "metadata");
  if (params.name !== undefined) config.name = optString(params.name, "name") || null;
  applyFeatures(config, params.features);
  config.updated = nowSeconds();
}

const PORTAL_PARAMS = [
  "business_profile",
  "default_return_url",
  "expand",
  "features",
  "login_page",
  "metadata",
  "name",
];

/** `POST /v1/billing_portal/configurations`. */
export function createPortalConfiguration(ctx: FlowContext, params: FormObject): Obj {
  rejectUnknown(params, PORTAL_PARAMS);
  if (params.features === undefined) throw missingParam("features");
  const config = buildPortalConfiguration(nowSeconds(), newId("bpc"), { isDefault: false });
  // A new configuration starts with nothing turned on but what its params enable.
  for (const feature of Object.values(config.features as Record<string, Obj>)) feature.enabled = false;
  applyPortalParams(config, params);
  return ctx.store.put(config);
}

/** `POST /v1/billing_portal/configurations/{id}`. */
export function updatePortalConfiguration(ctx: FlowContext, id: string, params: FormObject): Obj {
  rejectUnknown(params, [...PORTAL_PARAMS, "active"]);
  const config = portalConfiguration(ctx, id);
  const active = optBoolean(params.active, "active");
  if (active === false && config.is_default) throw badState("The default configuration cannot be deactivated.");
  if (active !== undefined) config.active = active;
  applyPortalParams(config, params);
  return config;
}

/** A portal configuration by id (the default one is made on first use). */
export function portalConfiguration(ctx: FlowContext, id: string): Obj {
  if (id === ctx.store.portalConfigurationId) return defaultPortalConfiguration(ctx);
  const config = ctx.store.get(id, "billing_portal.configuration");
  if (!config) throw noSuch("billing_portal.configuration", id);
  return config;
}

// ─── Coupons ─────────────────────────────────────────────────────────────────────────────────────

/** `POST /v1/coupons`: a percentage or an amount off, once, for some months, or forever. */
export function createCoupon(ctx: FlowContext, params: FormObject): Obj {
  rejectUnknown(params, [
    "amount_off",
    "applies_to",
    "currency",
    "duration",
    "duration_in_months",
    "expand",
    "id",
    "max_redemptions",
    "metadata",
    "name",
    "percent_off",
    "redeem_by",
  ]);
  const id = optString(params.id, "id") || base62(8);
  if (ctx.store.get(id)) throw badState(`Coupon already exists.`, "resource_already_exists");
  const percent = optString(params.percent_off, "percent_off");
  const percentOff = percent === undefined ? null : Number(percent);
  const amountOff = optInteger(params.amount_off, "amount_off") ?? null;
  if ((percentOff === null) === (amountOff === null))
    throw badState("You must pass exactly one of percent_off or amount_off.");
  if (percentOff !== null && !(percentOff > 0 && percentOff <= 100))
    throw invalidParam("percent_off", "percent_off must be more than 0 and at most 100.");
  const currency = optString(params.currency, "currency")?.toLowerCase() ?? null;
  if (amountOff !== null && !currency) throw missingParam("currency");
  const duration = optEnum(params.duration, "duration", ["forever", "once", "repeating"] as const) ?? "once";
  const months = optInteger(params.duration_in_months, "duration_in_months") ?? null;
  if (duration === "repeating" && !months) throw missingParam("duration_in_months");
  return ctx.store.put(
    buildCoupon(nowSeconds(), {
      id,
      percentOff,
      amountOff,
      currency: amountOff !== null ? currency : null,
      duration,
      durationInMonths: duration === "repeating" ? months : null,
      name: optString(params.name, "name") || null,
      metadata: metadata(params.metadata, "metadata"),
    }),
  );
}
