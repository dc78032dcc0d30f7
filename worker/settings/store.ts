import { and, desc, eq, max, or } from "drizzle-orm";
import type { Database, Statement } from "../platform/db";
import { settingsDrafts, settingsVersions, variantAllocations } from "../platform/schema";

/** D1 access for site settings edited in /admin: published versions (immutable) and drafts. */

export type VersionRow = {
  site: string;
  version: number;
  settings: string;
  createdAt: number;
  createdBy: string;
  changes: string;
  restoredFrom: number | null;
};

export type DraftRow = { site: string; settings: string; baseVersion: number; updatedAt: number; updatedBy: string };

/** The newest version number of every site that has one. */
export async function latestVersions(db: Database): Promise<{ site: string; version: number }[]> {
  const rows = await db
    .select({ site: settingsVersions.site, version: max(settingsVersions.version).as("version") })
    .from(settingsVersions)
    .groupBy(settingsVersions.site)
    .all();
  return rows.map((r) => ({ site: r.site, version: r.version ?? 0 }));
}

/** One version of a site's settings. */
export async function versionOf(db: Database, site: string, version: number): Promise<VersionRow | undefined> {
  return db
    .select()
    .from(settingsVersions)
    .where(and(eq(settingsVersions.site, site), eq(settingsVersions.version, version)))
    .get();
}

/** The newest version of a site's settings. */
export async function latestVersion(db: Database, site: string): Promise<VersionRow | undefined> {
  return db
    .select()
    .from(settingsVersions)
    .where(eq(settingsVersions.site, site))
    .orderBy(desc(settingsVersions.version))
    .limit(1)
    .get();
}

/** A site's versions, newest first (without the settings themselves). */
export async function listVersions(db: Database, site: string, limit = 50) {
  return db
    .select({
      version: settingsVersions.version,
      createdAt: settingsVersions.createdAt,
      createdBy: settingsVersions.createdBy,
      changes: settingsVersions.changes,
      restoredFrom: settingsVersions.restoredFrom,
    })
    .from(settingsVersions)
    .where(eq(settingsVersions.site, site))
    .orderBy(desc(settingsVersions.version))
    .limit(limit)
    .all();
}

/**
 * Writes version `row.version` (the caller's newest + 1) with `also` (the audit entry, the draft's
 * deletion) in one batch. Two publishes racing for the same number: the primary key lets one win;
 * the other gets false and nothing of its batch is written.
 */
export async function insertVersion(db: Database, row: VersionRow, also: Statement[]): Promise<boolean> {
  try {
    await db.batch([db.insert(settingsVersions).values(row), ...also]);
    return true;
  } catch (error) {
    if (/UNIQUE|PRIMARY KEY|constraint/i.test(String(error))) return false;
    throw error;
  }
}

/** The deletion of a site's draft, to batch with a publish. */
export const deleteDraftStatement = (db: Database, site: string) =>
  db.delete(settingsDrafts).where(eq(settingsDrafts.site, site));

export async function draftOf(db: Database, site: string): Promise<DraftRow | undefined> {
  return db.select().from(settingsDrafts).where(eq(settingsDrafts.site, site)).get();
}

/** Saves a site's draft (replacing the one before) with `also` (its audit entry) in one batch. */
export async function saveDraft(db: Database, row: DraftRow, also: Statement[]): Promise<void> {
  const upsert = db
    .insert(settingsDrafts)
    .values(row)
    .onConflictDoUpdate({
      target: settingsDrafts.site,
      set: { settings: row.settings, baseVersion: row.baseVersion, updatedAt: row.updatedAt, updatedBy: row.updatedBy },
    });
  await db.batch([upsert, ...also]);
}

/** Deletes a site's draft with `also` (its audit entry); false when there was none. */
export async function deleteDraft(db: Database, site: string, also: Statement[]): Promise<boolean> {
  const [deleted] = await db.batch([
    db.delete(settingsDrafts).where(eq(settingsDrafts.site, site)).returning({ site: settingsDrafts.site }),
    ...also,
  ]);
  return deleted.length > 0;
}

/** Every site's current allocation (weights chosen by automatic allocation). */
export async function allAllocations(db: Database) {
  return db
    .select({
      site: variantAllocations.site,
      computedAt: variantAllocations.computedAt,
      mode: variantAllocations.mode,
      settingsVersion: variantAllocations.settingsVersion,
      weights: variantAllocations.weights,
    })
    .from(variantAllocations)
    .all();
}

/** The settings of the given versions (one row per site). */
export async function settingsOf(db: Database, wanted: { site: string; version: number }[]) {
  if (wanted.length === 0) return [];
  return db
    .select({ site: settingsVersions.site, version: settingsVersions.version, settings: settingsVersions.settings })
    .from(settingsVersions)
    .where(or(...wanted.map((w) => and(eq(settingsVersions.site, w.site), eq(settingsVersions.version, w.version)))))
    .all();
}

/** Keeps the newest allocation of a site. */
export async function saveAllocation(
  db: Database,
  row: { site: string; computedAt: number; mode: string; settingsVersion: number; weights: string; stats: string },
): Promise<void> {
  await db
    .insert(variantAllocations)
    .values(row)
    .onConflictDoUpdate({
      target: variantAllocations.site,
      set: {
        computedAt: row.computedAt,
        mode: row.mode,
        settingsVersion: row.settingsVersion,
        weights: row.weights,
        stats: row.stats,
      },
    });
}

/** A site's current allocation with its figures. */
export async function allocationOf(db: Database, site: string) {
  return db.select().from(variantAllocations).where(eq(variantAllocations.site, site)).get();
}

/** Forgets a site's allocation (automatic allocation was turned off). */
export async function deleteAllocation(db: Database, site: string): Promise<void> {
  await db.delete(variantAllocations).where(eq(variantAllocations.site, site));
}
