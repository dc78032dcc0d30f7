import { type Context, Hono } from "hono";
import { isOutgoingType, OUTGOING_EVENTS, webhookUrlProblem } from "../core/outgoing";
import { randomToken } from "../platform/crypto";
import { database } from "../platform/db";
import { jsonBody, jsonError, readJson } from "../platform/http";
import { findSite } from "../platform/sites";
import { type AdminEnv, accessConfigured, sameSiteOnly } from "../staff/auth";
import { actorOf, atLeast, refuseUnless, roleOn } from "../staff/roles";
import { auditStatement } from "../staff/store";
import { allowPrivateHosts, deliver, forgetEndpoints, newSecret } from "./deliver";
import { deliveryPage, webhooksPage } from "./render";
import {
  attemptsOf,
  deleteEndpointStatement,
  deliveryById,
  deliveryCounts,
  type EndpointRow,
  endpointById,
  endpointsOfSite,
  insertEndpointStatement,
  recentDeliveries,
  updateEndpointStatement,
} from "./store";

/**
 * `/admin/webhooks` (pages) and `/admin/api/webhooks` (JSON). Deliveries carry supporters'
 * addresses, so reading them needs an editor; an editor may replay one; adding, disabling,
 * deleting an endpoint or making its secret anew needs an owner. Every change is audited.
 */

const READ = "reading webhook deliveries";
const MANAGE = "managing webhook endpoints";
const MAX_ENDPOINTS = 20;
const WEEK = 7 * 86_400_000;

const unknownSite = (c: Context<AdminEnv>) => jsonError(c, 404, "unknown_site", "No site has this id.", "site");

type EndpointInput = { url: string; description: string; events: string[] };

/** Checks an endpoint's address, events and description; each problem by field. */
function checkEndpoint(c: Context<AdminEnv>, input: Partial<Record<keyof EndpointInput, unknown>>) {
  const errors: Record<string, string> = {};
  const url = typeof input.url === "string" ? input.url.trim() : "";
  const problem = webhookUrlProblem(url, allowPrivateHosts(c.env));
  if (problem) errors.url = problem;
  const events = Array.isArray(input.events) ? input.events : typeof input.events === "string" ? [input.events] : [];
  if (events.length === 0) errors.events = "choose at least one event";
  else if (!events.every(isOutgoingType)) errors.events = `events must be among ${OUTGOING_EVENTS.join(", ")}`;
  const description = typeof input.description === "string" ? input.description.trim() : "";
  if (description.length > 200) errors.description = "must be at most 200 characters";
  return { value: { url, description, events: [...new Set(events as string[])] }, errors };
}

const publicEndpoint = ({ secret: _secret, ...e }: EndpointRow) => ({ ...e, events: JSON.parse(e.events) as string[] });

async function chrome(c: Context<AdminEnv>, site: { id: string; name: string }) {
  return {
    site: { id: site.id, name: site.name },
    staff: c.var.staff,
    role: await roleOn(c.env, c.var.staff, site.id),
    accessLogout: accessConfigured(c.env),
  };
}

/** Adds an endpoint with its new secret (audited); the secret is returned once. */
async function createEndpoint(c: Context<AdminEnv>, site: string, input: EndpointInput) {
  const db = database(c.env.DB);
  const now = Date.now();
  const actor = actorOf(c.var.staff);
  const row: EndpointRow = {
    id: `we_${randomToken(12)}`,
    site,
    url: input.url,
    description: input.description,
    events: JSON.stringify(input.events),
    secret: newSecret(),
    status: "active",
    createdAt: now,
    createdBy: actor,
    updatedAt: now,
  };
  await db.batch([
    insertEndpointStatement(db, row),
    auditStatement(db, {
      at: now,
      site,
      actor,
      action: "webhooks.create",
      detail: { id: row.id, url: row.url, events: input.events },
    }),
  ]);
  forgetEndpoints();
  return row;
}

/** Changes an endpoint (audited). */
async function changeEndpoint(
  c: Context<AdminEnv>,
  endpoint: EndpointRow,
  action: "webhooks.update" | "webhooks.delete" | "webhooks.roll_secret",
  set: Parameters<typeof updateEndpointStatement>[2] | null,
) {
  const db = database(c.env.DB);
  const now = Date.now();
  await db.batch([
    set
      ? updateEndpointStatement(db, endpoint.id, { ...set, updatedAt: now })
      : deleteEndpointStatement(db, endpoint.id),
    auditStatement(db, {
      at: now,
      site: endpoint.site,
      actor: actorOf(c.var.staff),
      action,
      detail: { id: endpoint.id, url: endpoint.url, ...(set?.status ? { status: set.status } : {}) },
    }),
  ]);
  forgetEndpoints();
}

/**
 * The delivery named in the path, for an editor of the site in the query (`what` names the action
 * in a refusal), or the answer that refuses it: an unknown site or delivery, a role too low.
 */
async function deliveryOf(c: Context<AdminEnv>, what: string) {
  const site = findSite(c.req.query("site"));
  if (!site) return { refused: unknownSite(c) };
  const refused = await refuseUnless(c, site.id, "editor", what);
  if (refused) return { refused };
  const db = database(c.env.DB);
  const delivery = await deliveryById(db, c.req.param("id") ?? "");
  if (!delivery || delivery.site !== site.id)
    return { refused: jsonError(c, 404, "unknown_delivery", "No delivery of this site has this id.") };
  return { site, db, delivery };
}

/**
 * Replays the delivery named in the path now (audited), for an editor of its site: the delivery
 * and its new status, or the answer that refuses it (unknown site or delivery, a role too low).
 */
async function replay(c: Context<AdminEnv>) {
  const found = await deliveryOf(c, "replaying a webhook delivery");
  if (found.refused) return { refused: found.refused };
  const { site, db, delivery } = found;
  const endpoint = await endpointById(db, delivery.endpointId);
  const now = Date.now();
  await db.batch([
    auditStatement(db, {
      at: now,
      site: site.id,
      actor: actorOf(c.var.staff),
      action: "webhooks.replay",
      detail: { delivery: delivery.id, type: delivery.type, url: endpoint?.url ?? null },
    }),
  ]);
  return { site, delivery, status: await deliver(c.env, delivery.id, "replay", now) };
}

async function listView(c: Context<AdminEnv>, site: { id: string; name: string }) {
  const db = database(c.env.DB);
  const [endpoints, counts, deliveries] = await Promise.all([
    endpointsOfSite(db, site.id),
    deliveryCounts(db, site.id, Date.now() - WEEK),
    recentDeliveries(db, site.id, 50),
  ]);
  return {
    endpoints: endpoints.map((e) => ({
      ...e,
      counts: Object.fromEntries(counts.filter((n) => n.endpointId === e.id).map((n) => [n.status, Number(n.n)])),
    })),
    deliveries,
  };
}

/** The endpoint `:id` of the site in `?site=`, or undefined. */
async function endpointOf(c: Context<AdminEnv>) {
  const site = findSite(c.req.query("site"));
  const endpoint = site ? await endpointById(database(c.env.DB), c.req.param("id") ?? "") : undefined;
  return site && endpoint && endpoint.site === site.id ? { site, endpoint } : undefined;
}

const back = (site: string, notice: string) => `/admin/webhooks?${new URLSearchParams({ site, notice })}`;

export const webhookPages = new Hono<AdminEnv>()
  .get("/", async (c) => {
    const site = findSite(c.req.query("site"));
    if (!site) return unknownSite(c);
    const refused = await refuseUnless(c, site.id, "editor", READ);
    if (refused) return refused;
    const view = await chrome(c, site);
    const notice = c.req.query("notice");
    return c.html(
      webhooksPage({
        ...view,
        ...(await listView(c, site)),
        canManage: atLeast(view.role, "owner"),
        ...(notice ? { notice } : {}),
      }),
    );
  })
  .post("/", sameSiteOnly, async (c) => {
    const site = findSite(c.req.query("site"));
    if (!site) return unknownSite(c);
    const refused = await refuseUnless(c, site.id, "owner", MANAGE);
    if (refused) return refused;
    const form = await c.req.parseBody({ all: true }).catch(() => ({}) as Record<string, unknown>);
    const checked = checkEndpoint(c, form);
    const view = await chrome(c, site);
    if ((await endpointsOfSite(database(c.env.DB), site.id)).length >= MAX_ENDPOINTS)
      checked.errors.url = `a site has at most ${MAX_ENDPOINTS} endpoints; delete one first`;
    if (Object.keys(checked.errors).length > 0)
      return c.html(
        webhooksPage({
          ...view,
          ...(await listView(c, site)),
          canManage: true,
          form: { ...checked.value, errors: checked.errors },
        }),
        400,
      );
    const row = await createEndpoint(c, site.id, checked.value);
    // The secret is shown on this answer only (no redirect: it is never in a URL or a later page).
    return c.html(
      webhooksPage({
        ...view,
        ...(await listView(c, site)),
        canManage: true,
        secret: { url: row.url, secret: row.secret },
      }),
      201,
    );
  })
  .post("/:id/:action{disable|enable|roll-secret|delete}", sameSiteOnly, async (c) => {
    const found = await endpointOf(c);
    if (!found) return jsonError(c, 404, "unknown_endpoint", "No endpoint of this site has this id.");
    const refused = await refuseUnless(c, found.site.id, "owner", MANAGE);
    if (refused) return refused;
    const { endpoint, site } = found;
    const action = c.req.param("action");
    if (action === "delete") {
      await changeEndpoint(c, endpoint, "webhooks.delete", null);
      return c.redirect(back(site.id, `Deleted ${endpoint.url}.`), 303);
    }
    if (action === "roll-secret") {
      const secret = newSecret();
      await changeEndpoint(c, endpoint, "webhooks.roll_secret", { secret });
      const view = await chrome(c, site);
      return c.html(
        webhooksPage({ ...view, ...(await listView(c, site)), canManage: true, secret: { url: endpoint.url, secret } }),
      );
    }
    const status = action === "disable" ? "disabled" : "active";
    await changeEndpoint(c, endpoint, "webhooks.update", { status });
    return c.redirect(back(site.id, `${endpoint.url} is ${status}.`), 303);
  })
  .get("/deliveries/:id", async (c) => {
    const found = await deliveryOf(c, READ);
    if (found.refused) return found.refused;
    const { site, db, delivery } = found;
    const [endpoint, attempts, view] = await Promise.all([
      endpointById(db, delivery.endpointId),
      attemptsOf(db, delivery.id),
      chrome(c, site),
    ]);
    const notice = c.req.query("notice");
    return c.html(
      deliveryPage({ ...view, delivery, endpoint, attempts, canReplay: true, ...(notice ? { notice } : {}) }),
    );
  })
  .post("/deliveries/:id/replay", sameSiteOnly, async (c) => {
    const { refused, site, delivery, status: outcome } = await replay(c);
    if (refused) return refused;
    const notice =
      outcome === "succeeded"
        ? "Replayed: the endpoint answered 2xx."
        : outcome === "not_claimed"
          ? "Another attempt is running right now; look again in a moment."
          : "Replayed: the endpoint did not accept it (see the attempt below).";
    return c.redirect(
      `/admin/webhooks/deliveries/${delivery.id}?${new URLSearchParams({ site: site.id, notice })}`,
      303,
    );
  });

export const webhookApi = new Hono<AdminEnv>()
  .get("/", async (c) => {
    const site = findSite(c.req.query("site"));
    if (!site) return unknownSite(c);
    const refused = await refuseUnless(c, site.id, "editor", READ);
    if (refused) return refused;
    const { endpoints } = await listView(c, site);
    return c.json({
      site: site.id,
      events: OUTGOING_EVENTS,
      endpoints: endpoints.map((e) => ({ ...publicEndpoint(e), counts: e.counts })),
    });
  })
  .post("/", sameSiteOnly, jsonBody(8192), async (c) => {
    const site = findSite(c.req.query("site"));
    if (!site) return unknownSite(c);
    const refused = await refuseUnless(c, site.id, "owner", MANAGE);
    if (refused) return refused;
    const body = await readJson(c);
    if (!body.ok || typeof body.value !== "object" || body.value === null)
      return jsonError(c, 400, "invalid_json", 'The body must be JSON: {"url", "events": [...], "description"}.');
    const checked = checkEndpoint(c, body.value as Record<string, unknown>);
    const [field, message] = Object.entries(checked.errors)[0] ?? [];
    if (field) return jsonError(c, 400, "invalid_endpoint", `${field}: ${message}`, field);
    if ((await endpointsOfSite(database(c.env.DB), site.id)).length >= MAX_ENDPOINTS)
      return jsonError(c, 409, "too_many_endpoints", `A site has at most ${MAX_ENDPOINTS} endpoints.`);
    const row = await createEndpoint(c, site.id, checked.value);
    return c.json({ endpoint: publicEndpoint(row), secret: row.secret }, 201);
  })
  .get("/deliveries", async (c) => {
    const site = findSite(c.req.query("site"));
    if (!site) return unknownSite(c);
    const refused = await refuseUnless(c, site.id, "editor", READ);
    if (refused) return refused;
    const limit = Number(c.req.query("limit") ?? 50);
    if (!Number.isInteger(limit) || limit < 1 || limit > 200)
      return jsonError(c, 400, "invalid_limit", "limit must be a whole number from 1 to 200.", "limit");
    return c.json({
      site: site.id,
      deliveries: await recentDeliveries(database(c.env.DB), site.id, limit, c.req.query("endpoint")),
    });
  })
  .get("/deliveries/:id", async (c) => {
    const found = await deliveryOf(c, READ);
    if (found.refused) return found.refused;
    const { db, delivery } = found;
    return c.json({
      delivery: { ...delivery, payload: JSON.parse(delivery.payload) },
      attempts: await attemptsOf(db, delivery.id),
    });
  })
  .post("/deliveries/:id/replay", sameSiteOnly, async (c) => {
    const { refused, delivery, status } = await replay(c);
    if (refused) return refused;
    if (status === "not_claimed")
      return jsonError(c, 409, "in_progress", "Another attempt of this delivery is running.");
    return c.json({ delivery: delivery.id, status, attempts: await attemptsOf(database(c.env.DB), delivery.id) });
  })
  .patch("/:id", sameSiteOnly, jsonBody(8192), async (c) => {
    const found = await endpointOf(c);
    if (!found) return jsonError(c, 404, "unknown_endpoint", "No endpoint of this site has this id.");
    const refused = await refuseUnless(c, found.site.id, "owner", MANAGE);
    if (refused) return refused;
    const body = await readJson(c);
    const input = (body.ok && typeof body.value === "object" && body.value ? body.value : {}) as Record<
      string,
      unknown
    >;
    const merged = {
      url: found.endpoint.url,
      description: found.endpoint.description,
      events: JSON.parse(found.endpoint.events),
      ...input,
    };
    const checked = checkEndpoint(c, merged);
    const [field, message] = Object.entries(checked.errors)[0] ?? [];
    if (field) return jsonError(c, 400, "invalid_endpoint", `${field}: ${message}`, field);
    const status = input.status;
    if (status !== undefined && status !== "active" && status !== "disabled")
      return jsonError(c, 400, "invalid_endpoint", "status: must be active or disabled", "status");
    await changeEndpoint(c, found.endpoint, "webhooks.update", {
      url: checked.value.url,
      description: checked.value.description,
      events: JSON.stringify(checked.value.events),
      ...(status ? { status } : {}),
    });
    const after = await endpointById(database(c.env.DB), found.endpoint.id);
    return c.json({ endpoint: after ? publicEndpoint(after) : null });
  })
  .post("/:id/roll-secret", sameSiteOnly, async (c) => {
    const found = await endpointOf(c);
    if (!found) return jsonError(c, 404, "unknown_endpoint", "No endpoint of this site has this id.");
    const refused = await refuseUnless(c, found.site.id, "owner", MANAGE);
    if (refused) return refused;
    const secret = newSecret();
    await changeEndpoint(c, found.endpoint, "webhooks.roll_secret", { secret });
    return c.json({ endpoint: found.endpoint.id, secret });
  })
  .delete("/:id", sameSiteOnly, async (c) => {
    const found = await endpointOf(c);
    if (!found) return jsonError(c, 404, "unknown_endpoint", "No endpoint of this site has this id.");
    const refused = await refuseUnless(c, found.site.id, "owner", MANAGE);
    if (refused) return refused;
    await changeEndpoint(c, found.endpoint, "webhooks.delete", null);
    return c.body(null, 204);
  });
