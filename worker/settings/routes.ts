import { type Context, Hono } from "hono";
import { LANGUAGES, type Language } from "../core/languages";
import { database } from "../platform/db";
import { jsonBody, jsonError, readJson } from "../platform/http";
import { type AdminEnv, accessConfigured, sameSiteOnly } from "../staff/auth";
import { actorOf, atLeast, refuseUnless, roleOn } from "../staff/roles";
import { CSS_PATH, cssVersion } from "../staff/styles";
import { type Posted, settingsFromForm } from "./form";
import { refreshLiveSites } from "./live";
import { PREVIEW_SCRIPT_PATH, previewConfig } from "./preview";
import { editorPage, historyPage, previewFrame, previewPage } from "./render";
import {
  discardDraft,
  draft,
  fileSite,
  type PublishOutcome,
  publishDraft,
  published,
  rollback,
  saveDraftSettings,
  settingsAt,
} from "./service";
import { listVersions } from "./store";
import { type FieldIssue, toStored } from "./validate";

/**
 * `/admin/settings` (pages) and `/admin/api/settings` (JSON), inside the staff app behind its
 * guard. Everyone signed in may read the settings and preview the ask; changing them needs an
 * editor or an owner on that site (403 with the reason otherwise). Every change is audited.
 */

const EDIT = "changing the settings";

/** The site named by `?site=`, or a 404 (pages and JSON alike). */
function siteOf(c: Context<AdminEnv>) {
  return fileSite(c.req.query("site"));
}
const unknownSite = (c: Context<AdminEnv>) => jsonError(c, 404, "unknown_site", "No site has this id.", "site");

async function chrome(c: Context<AdminEnv>, site: { id: string; name: string }) {
  const role = await roleOn(c.env, c.var.staff, site.id);
  return { site: { id: site.id, name: site.name }, staff: c.var.staff, role, accessLogout: accessConfigured(c.env) };
}

const back = (site: string, path = "/admin/settings", extra: Record<string, string> = {}) =>
  `${path}?${new URLSearchParams({ site, ...extra })}`;

const publishNotice = (o: PublishOutcome) => (o.ok ? `Version ${o.version} is live.` : o.message);

export const settingsPages = new Hono<AdminEnv>()
  .get("/", async (c) => {
    const file = siteOf(c);
    if (!file) return unknownSite(c);
    const db = database(c.env.DB);
    const [live, d, view] = await Promise.all([published(db, file), draft(db, file), chrome(c, file)]);
    const notice = c.req.query("published")
      ? `Version ${c.req.query("published")} is live: readers get it within a minute.`
      : c.req.query("discarded")
        ? "The draft was discarded."
        : c.req.query("error");
    return c.html(
      editorPage({
        ...view,
        site: { id: file.id, name: live.site.name },
        live,
        draft: d,
        values: toStored(d?.site ?? live.site),
        issues: [],
        typed: {},
        canEdit: atLeast(view.role, "editor"),
        ...(notice ? { notice } : {}),
      }),
    );
  })
  // The form: saved as the draft when every field passes; otherwise the form again, each problem beside its field.
  .post("/draft", sameSiteOnly, async (c) => {
    const file = siteOf(c);
    if (!file) return unknownSite(c);
    const refused = await refuseUnless(c, file.id, "editor", EDIT);
    if (refused) return refused;
    const db = database(c.env.DB);
    const [live, d, view] = await Promise.all([published(db, file), draft(db, file), chrome(c, file)]);
    const base = toStored(d?.site ?? live.site);
    const posted = (await c.req.parseBody({ all: true }).catch(() => ({}))) as Posted;
    const form = settingsFromForm(base, posted);
    let issues: FieldIssue[] = Object.entries(form.errors).map(([field, message]) => ({ field, message }));
    if (issues.length === 0) {
      const saved = await saveDraftSettings(db, file, form.settings, actorOf(c.var.staff), Date.now());
      if (saved.ok) return c.redirect(back(file.id, "/admin/settings/preview", { source: "draft", saved: "1" }), 303);
      issues = saved.issues;
    }
    return c.html(
      editorPage({
        ...view,
        live,
        draft: d,
        values: form.settings as unknown as ReturnType<typeof toStored>,
        issues,
        typed: form.typed,
        canEdit: true,
      }),
      422,
    );
  })
  .post("/publish", sameSiteOnly, async (c) => {
    const file = siteOf(c);
    if (!file) return unknownSite(c);
    const refused = await refuseUnless(c, file.id, "editor", "publishing the settings");
    if (refused) return refused;
    const outcome = await publishDraft(database(c.env.DB), file, actorOf(c.var.staff), Date.now());
    if (!outcome.ok) return c.redirect(back(file.id, "/admin/settings", { error: outcome.message }), 303);
    await refreshLiveSites(c.env, { force: true });
    return c.redirect(back(file.id, "/admin/settings", { published: String(outcome.version) }), 303);
  })
  .post("/discard", sameSiteOnly, async (c) => {
    const file = siteOf(c);
    if (!file) return unknownSite(c);
    const refused = await refuseUnless(c, file.id, "editor", EDIT);
    if (refused) return refused;
    await discardDraft(database(c.env.DB), file, actorOf(c.var.staff), Date.now());
    return c.redirect(back(file.id, "/admin/settings", { discarded: "1" }), 303);
  })
  .get("/history", async (c) => {
    const file = siteOf(c);
    if (!file) return unknownSite(c);
    const db = database(c.env.DB);
    const [live, versions, view] = await Promise.all([published(db, file), listVersions(db, file.id), chrome(c, file)]);
    const restored = c.req.query("restored");
    const notice = restored
      ? `Restored: version ${c.req.query("version")} is live, equal to ${restored === "0" ? "the sites file" : `version ${restored}`}.`
      : c.req.query("error");
    return c.html(
      historyPage({
        ...view,
        site: { id: file.id, name: live.site.name },
        live,
        versions: versions.map((v) => ({ ...v, changes: JSON.parse(v.changes) as string[] })),
        canEdit: atLeast(view.role, "editor"),
        ...(notice ? { notice } : {}),
      }),
    );
  })
  // One click: the old version published again as the newest.
  .post("/rollback", sameSiteOnly, async (c) => {
    const file = siteOf(c);
    if (!file) return unknownSite(c);
    const refused = await refuseUnless(c, file.id, "editor", "rolling back the settings");
    if (refused) return refused;
    const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    const version = Number(form.version);
    if (!Number.isInteger(version) || version < 0)
      return c.redirect(back(file.id, "/admin/settings/history", { error: "Choose a version to restore." }), 303);
    const outcome = await rollback(database(c.env.DB), file, version, actorOf(c.var.staff), Date.now());
    if (!outcome.ok)
      return c.redirect(back(file.id, "/admin/settings/history", { error: publishNotice(outcome) }), 303);
    await refreshLiveSites(c.env, { force: true });
    return c.redirect(
      back(file.id, "/admin/settings/history", { restored: String(version), version: String(outcome.version) }),
      303,
    );
  })
  .get("/preview", async (c) => {
    const file = siteOf(c);
    if (!file) return unknownSite(c);
    const db = database(c.env.DB);
    const source = c.req.query("source") === "live" ? "live" : "draft";
    const [live, d, view] = await Promise.all([published(db, file), draft(db, file), chrome(c, file)]);
    const shown = source === "draft" && d ? d.site : live.site;
    const variant = c.req.query("variant") ?? "";
    return c.html(
      previewPage({
        ...view,
        site: { id: file.id, name: shown.name },
        source,
        variant: shown.variants.some((v) => v.id === variant) ? variant : "",
        variants: shown.variants.map((v) => v.id),
        hasDraft: d !== null,
        canEdit: atLeast(view.role, "editor"),
        ...(c.req.query("saved") ? { notice: "Draft saved. This is how readers would see it." } : {}),
      }),
    );
  })
  .get("/preview/frame", (c) => {
    const file = siteOf(c);
    if (!file) return unknownSite(c);
    const lang = (LANGUAGES as readonly string[]).includes(c.req.query("lang") ?? "")
      ? (c.req.query("lang") as Language)
      : file.defaultLanguage;
    return c.html(
      previewFrame({
        site: file.id,
        name: file.name,
        lang,
        source: c.req.query("source") === "live" ? "live" : "draft",
        variant: c.req.query("variant") ?? "",
        script: PREVIEW_SCRIPT_PATH,
        css: `${CSS_PATH}?v=${cssVersion()}`,
      }),
    );
  });

/** The problems of refused settings as the JSON error shape, with every field listed. */
function invalid(c: Context<AdminEnv>, issues: FieldIssue[]) {
  const first = issues[0];
  return c.json(
    {
      error: {
        code: "invalid_settings",
        message: issues.map((i) => (i.field ? `${i.field}: ${i.message}` : i.message)).join("; "),
        ...(first?.field ? { field: first.field } : {}),
        fields: issues,
      },
    },
    422,
  );
}

export const settingsApi = new Hono<AdminEnv>()
  // What the site runs and its draft.
  .get("/", async (c) => {
    const file = siteOf(c);
    if (!file) return unknownSite(c);
    const db = database(c.env.DB);
    const [live, d] = await Promise.all([published(db, file), draft(db, file)]);
    return c.json({
      site: file.id,
      live: {
        version: live.version,
        createdAt: live.createdAt,
        createdBy: live.createdBy,
        settings: toStored(live.site),
      },
      draft: d
        ? { baseVersion: d.baseVersion, updatedAt: d.updatedAt, updatedBy: d.updatedBy, settings: toStored(d.site) }
        : null,
    });
  })
  .get("/versions", async (c) => {
    const file = siteOf(c);
    if (!file) return unknownSite(c);
    const versions = await listVersions(database(c.env.DB), file.id);
    return c.json({ site: file.id, versions: versions.map((v) => ({ ...v, changes: JSON.parse(v.changes) })) });
  })
  .get("/versions/:version", async (c) => {
    const file = siteOf(c);
    if (!file) return unknownSite(c);
    const version = Number(c.req.param("version"));
    const site = Number.isInteger(version) ? await settingsAt(database(c.env.DB), file, version) : null;
    if (!site) return jsonError(c, 404, "unknown_version", "The site has no such version.", "version");
    return c.json({ site: file.id, version, settings: toStored(site) });
  })
  // The whole settings object as the draft: 422 naming each bad field, nothing saved.
  .put("/draft", sameSiteOnly, jsonBody(256 * 1024), async (c) => {
    const file = siteOf(c);
    if (!file) return unknownSite(c);
    const refused = await refuseUnless(c, file.id, "editor", EDIT);
    if (refused) return refused;
    const body = await readJson(c);
    if (!body.ok) return jsonError(c, 400, "invalid_json", "The body must be the settings as JSON.");
    const saved = await saveDraftSettings(database(c.env.DB), file, body.value, actorOf(c.var.staff), Date.now());
    if (!saved.ok) return invalid(c, saved.issues);
    return c.json({ site: file.id, changes: saved.changes, settings: toStored(saved.site) });
  })
  .delete("/draft", sameSiteOnly, async (c) => {
    const file = siteOf(c);
    if (!file) return unknownSite(c);
    const refused = await refuseUnless(c, file.id, "editor", EDIT);
    if (refused) return refused;
    const deleted = await discardDraft(database(c.env.DB), file, actorOf(c.var.staff), Date.now());
    return deleted ? c.body(null, 204) : jsonError(c, 404, "no_draft", "There is no draft.");
  })
  .post("/publish", sameSiteOnly, async (c) => {
    const file = siteOf(c);
    if (!file) return unknownSite(c);
    const refused = await refuseUnless(c, file.id, "editor", "publishing the settings");
    if (refused) return refused;
    const outcome = await publishDraft(database(c.env.DB), file, actorOf(c.var.staff), Date.now());
    if (!outcome.ok) return jsonError(c, outcome.code === "no_draft" ? 404 : 409, outcome.code, outcome.message);
    await refreshLiveSites(c.env, { force: true });
    return c.json({ site: file.id, version: outcome.version, changes: outcome.changes });
  })
  .post("/rollback", sameSiteOnly, jsonBody(1024), async (c) => {
    const file = siteOf(c);
    if (!file) return unknownSite(c);
    const refused = await refuseUnless(c, file.id, "editor", "rolling back the settings");
    if (refused) return refused;
    const body = await readJson(c);
    const version = body.ok ? (body.value as { version?: unknown })?.version : undefined;
    if (typeof version !== "number" || !Number.isInteger(version) || version < 0)
      return jsonError(c, 400, "invalid_version", "version must be a version number (0: the sites file).", "version");
    const outcome = await rollback(database(c.env.DB), file, version, actorOf(c.var.staff), Date.now());
    if (!outcome.ok)
      return jsonError(c, outcome.code === "no_such_version" ? 404 : 409, outcome.code, outcome.message, "version");
    await refreshLiveSites(c.env, { force: true });
    return c.json({ site: file.id, version: outcome.version, restoredFrom: version, changes: outcome.changes });
  })
  // What the preview frame mounts: the draft's (or live) ask for a language, without targeting.
  .get("/preview-config", async (c) => {
    const file = siteOf(c);
    if (!file) return unknownSite(c);
    const db = database(c.env.DB);
    const d = c.req.query("source") === "live" ? null : await draft(db, file);
    const site = d?.site ?? (await published(db, file)).site;
    return c.json(
      previewConfig(
        site,
        c.req.query("lang") ?? site.defaultLanguage,
        c.req.query("variant") ?? "",
        c.req.query("currency"),
      ),
    );
  });
