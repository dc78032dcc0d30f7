import type { z } from "zod";
import { fieldName } from "../core/settings-diff";
import { type SiteConfig, siteSchema } from "../core/site-config";

/**
 * Site settings from /admin, checked by the one schema the sites file is checked by
 * (core/site-config.ts). A mistake is reported per field, with the field's path as the editor
 * names its inputs ("copy.en.heading", "currencies.USD.presets.once") and a sentence for people.
 */

/** One problem with submitted settings. */
export type FieldIssue = { field: string; message: string };

/** What staff may not change in /admin: the site's identity and where its pages are (the sites file's). */
export const FIXED_KEYS = ["id", "allowedOrigins"] as const;

/** Settings as stored: the parsed site without what the sites file fixes. */
export type StoredSettings = Omit<SiteConfig, (typeof FIXED_KEYS)[number]>;

export function toStored(site: SiteConfig): StoredSettings {
  const { id: _id, allowedOrigins: _origins, ...rest } = site;
  return rest;
}

/** A readable sentence for one of zod's issues (its own words are for programmers). */
export function messageOf(issue: z.core.$ZodIssue): string {
  const i = issue as z.core.$ZodIssue & {
    origin?: string;
    minimum?: number | bigint;
    maximum?: number | bigint;
    expected?: string;
    input?: unknown;
    values?: unknown[];
    keys?: string[];
  };
  switch (i.code) {
    case "too_small":
      if (i.origin === "string")
        return Number(i.minimum) <= 1 ? "must not be empty" : `needs at least ${i.minimum} characters`;
      if (i.origin === "array")
        return Number(i.minimum) <= 1 ? "needs at least one entry" : `needs at least ${i.minimum} entries`;
      return `must be at least ${i.minimum}`;
    case "too_big":
      if (i.origin === "string") return `must be at most ${i.maximum} characters`;
      if (i.origin === "array") return `can have at most ${i.maximum} entries`;
      return `must be at most ${i.maximum}`;
    case "invalid_type":
      if (i.message.includes("received undefined")) return "is required";
      if (i.expected === "int") return "must be a whole number";
      return `must be a ${i.expected === "record" ? "set of values" : i.expected}`;
    case "invalid_value":
      return `must be one of ${(i.values ?? []).map(String).join(", ")}`;
    case "unrecognized_keys":
      return `unknown ${(i.keys ?? []).length === 1 ? "field" : "fields"}: ${(i.keys ?? []).join(", ")}`;
    default:
      return i.message;
  }
}

/**
 * Validates submitted settings for a site of the sites file: its id and allowed origins always
 * come from the file. Either the parsed site, or every problem by field.
 */
export function validateSettings(
  file: SiteConfig,
  input: unknown,
): { ok: true; site: SiteConfig } | { ok: false; issues: FieldIssue[] } {
  if (typeof input !== "object" || input === null || Array.isArray(input))
    return { ok: false, issues: [{ field: "", message: "settings must be a JSON object" }] };
  const result = siteSchema.safeParse({ ...input, id: file.id, allowedOrigins: file.allowedOrigins });
  if (result.success) return { ok: true, site: result.data };
  return {
    ok: false,
    issues: result.error.issues.map((issue) => ({ field: fieldName(issue.path), message: messageOf(issue) })),
  };
}
