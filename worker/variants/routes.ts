import { Hono } from "hono";
import { variantWeights } from "../core/ask-config";
import { jsonError } from "../platform/http";
import { findSite, liveSites } from "../platform/sites";
import { type AdminEnv, accessConfigured } from "../staff/auth";
import { roleOn } from "../staff/roles";
import { figuresOf } from "./allocate";
import { variantsPage } from "./render";

/** `/admin/variants` and `/admin/api/variants`: the variants' figures and the shares readers get now (any staff). */
async function view(env: AdminEnv["Bindings"], siteId: string | undefined) {
  const site = findSite(siteId);
  if (!site) return null;
  const now = Date.now();
  const allocation = liveSites().allocations.get(site.id);
  return {
    site,
    figures: await figuresOf(env, site, now),
    weights: variantWeights(site, allocation?.weights),
    allocation,
  };
}

export const variantPages = new Hono<AdminEnv>().get("/", async (c) => {
  const v = await view(c.env, c.req.query("site"));
  if (!v) return jsonError(c, 404, "unknown_site", "No site has this id.", "site");
  return c.html(
    variantsPage({
      site: v.site,
      staff: c.var.staff,
      role: await roleOn(c.env, c.var.staff, v.site.id),
      accessLogout: accessConfigured(c.env),
      figures: v.figures,
      weights: v.weights,
      allocatedAt: v.site.allocation.mode !== "fixed" ? (v.allocation?.computedAt ?? null) : null,
    }),
  );
});

export const variantApi = new Hono<AdminEnv>().get("/variants", async (c) => {
  const v = await view(c.env, c.req.query("site"));
  if (!v) return jsonError(c, 404, "unknown_site", "No site has this id.", "site");
  return c.json({
    site: v.site.id,
    mode: v.site.allocation.mode,
    control: v.site.allocation.control ?? v.site.variants[0]?.id ?? null,
    controlShare: v.site.allocation.controlShare,
    windowDays: v.site.allocation.windowDays,
    allocatedAt: v.allocation?.computedAt ?? null,
    weights: v.weights,
    ...v.figures,
  });
});
