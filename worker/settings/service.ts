import { changedPaths } from "../core/settings-diff";
import type { SiteConfig } from "../core/site-config";
import type { Database } from "../platform/db";
import { FILE_SITES } from "../platform/sites";
import { auditStatement } from "../staff/store";
import { storedSite } from "./live";
import {
  deleteDraft,
  deleteDraftStatement,
  draftOf,
  insertVersion,
  latestVersion,
  saveDraft,
  versionOf,
} from "./store";
import { type FieldIssue, toStored, validateSettings } from "./validate";

/**
 * Editing a site's settings: a draft (validated, previewed, one per site), publishing it as a new
 * immutable version, and rolling back by publishing an old version again. Every change is in the
 * audit log, in the same batch, with who made it and which fields it changed.
 */

/** A site of the sites file (the only sites there are). */
export const fileSite = (id: string | undefined | null): SiteConfig | undefined =>
  id ? FILE_SITES.find((s) => s.id === id) : undefined;

export type Published = {
  version: number;
  site: SiteConfig;
  createdAt: number | null;
  createdBy: string | null;
  /** Why the newest version cannot run (it no longer passes the checks): the site runs the sites file. */
  problem?: string;
};

/** What a site runs now: its newest version, or the sites file (version 0). */
export async function published(db: Database, file: SiteConfig): Promise<Published> {
  const row = await latestVersion(db, file.id);
  if (!row) return { version: 0, site: file, createdAt: null, createdBy: null };
  const meta = { version: row.version, createdAt: row.createdAt, createdBy: row.createdBy };
  try {
    return { ...meta, site: storedSite(file, row.settings) };
  } catch (error) {
    return { ...meta, site: file, problem: error instanceof Error ? error.message : String(error) };
  }
}

export type Draft = { site: SiteConfig; baseVersion: number; updatedAt: number; updatedBy: string };

/** The site's draft, if any. */
export async function draft(db: Database, file: SiteConfig): Promise<Draft | null> {
  const row = await draftOf(db, file.id);
  if (!row) return null;
  try {
    return {
      site: storedSite(file, row.settings),
      baseVersion: row.baseVersion,
      updatedAt: row.updatedAt,
      updatedBy: row.updatedBy,
    };
  } catch {
    // A draft from before a deploy that tightened the checks: as good as none (the next save replaces it).
    return null;
  }
}

/** The settings of one version (0: the sites file), or null when there is no such version. */
export async function settingsAt(db: Database, file: SiteConfig, version: number): Promise<SiteConfig | null> {
  if (version === 0) return file;
  const row = await versionOf(db, file.id, version);
  return row ? storedSite(file, row.settings) : null;
}

/**
 * Saves submitted settings as the site's draft when they pass the schema; otherwise changes
 * nothing and returns every problem by field.
 */
export async function saveDraftSettings(
  db: Database,
  file: SiteConfig,
  input: unknown,
  actor: string,
  now: number,
): Promise<{ ok: true; site: SiteConfig; changes: string[] } | { ok: false; issues: FieldIssue[] }> {
  const checked = validateSettings(file, input);
  if (!checked.ok) return checked;
  const current = await published(db, file);
  const before = (await draft(db, file))?.site ?? current.site;
  const changes = changedPaths(toStored(before), toStored(checked.site));
  await saveDraft(
    db,
    {
      site: file.id,
      settings: JSON.stringify(toStored(checked.site)),
      baseVersion: current.version,
      updatedAt: now,
      updatedBy: actor,
    },
    [auditStatement(db, { at: now, site: file.id, actor, action: "settings.draft", detail: { changes } })],
  );
  return { ok: true, site: checked.site, changes };
}

/** Throws away the site's draft; false when there was none. */
export async function discardDraft(db: Database, file: SiteConfig, actor: string, now: number): Promise<boolean> {
  return deleteDraft(db, file.id, [
    auditStatement(db, { at: now, site: file.id, actor, action: "settings.discard", detail: {} }),
  ]);
}

export type PublishOutcome =
  | { ok: true; version: number; changes: string[] }
  | { ok: false; code: "no_draft" | "no_such_version" | "conflict" | "unchanged"; message: string };

/** Publishes `site` as the next version (a draft, or an old version again), its audit entry in the same batch. */
async function publishSettings(
  db: Database,
  file: SiteConfig,
  site: SiteConfig,
  actor: string,
  now: number,
  how: { action: "settings.publish" | "settings.rollback"; restoredFrom: number | null; dropDraft: boolean },
): Promise<PublishOutcome> {
  const current = await published(db, file);
  const changes = changedPaths(toStored(current.site), toStored(site));
  if (changes.length === 0 && current.version > 0 && how.action === "settings.rollback")
    return { ok: false, code: "unchanged", message: `Version ${how.restoredFrom} is what the site runs already.` };
  const version = current.version + 1;
  const written = await insertVersion(
    db,
    {
      site: file.id,
      version,
      settings: JSON.stringify(toStored(site)),
      createdAt: now,
      createdBy: actor,
      changes: JSON.stringify(changes),
      restoredFrom: how.restoredFrom,
    },
    [
      auditStatement(db, {
        at: now,
        site: file.id,
        actor,
        action: how.action,
        detail: { version, changes, ...(how.restoredFrom !== null ? { restoredFrom: how.restoredFrom } : {}) },
      }),
      ...(how.dropDraft ? [deleteDraftStatement(db, file.id)] : []),
    ],
  );
  if (!written)
    return {
      ok: false,
      code: "conflict",
      message: "Someone published at the same moment. Look at the history and try again.",
    };
  return { ok: true, version, changes };
}

/** Publishes the site's draft as its next version and deletes the draft. */
export async function publishDraft(
  db: Database,
  file: SiteConfig,
  actor: string,
  now: number,
): Promise<PublishOutcome> {
  const d = await draft(db, file);
  if (!d) return { ok: false, code: "no_draft", message: "There is no draft to publish. Save the form first." };
  return publishSettings(db, file, d.site, actor, now, {
    action: "settings.publish",
    restoredFrom: null,
    dropDraft: true,
  });
}

/** Publishes an old version (0: the sites file) again as the next version; the draft is left alone. */
export async function rollback(
  db: Database,
  file: SiteConfig,
  version: number,
  actor: string,
  now: number,
): Promise<PublishOutcome> {
  const old = await settingsAt(db, file, version);
  if (!old) return { ok: false, code: "no_such_version", message: `The site has no version ${version}.` };
  return publishSettings(db, file, old, actor, now, {
    action: "settings.rollback",
    restoredFrom: version,
    dropDraft: false,
  });
}
