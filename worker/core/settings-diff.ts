/**
 * What changed between two versions of a site's settings, as field paths the editor shows
 * ("copy.en.heading", "currencies.USD.presets.once", "variants[1].weight"). Pure.
 */

/** At most this many paths are kept per change; more are summarised by the last entry. */
export const MAX_CHANGES = 60;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** `["copy", "en", "heading"]` → "copy.en.heading"; numbers as indexes: "variants[1].weight". */
export function fieldName(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (out, key) => (typeof key === "number" ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)),
    "",
  );
}

/**
 * The paths whose values differ. Objects are compared key by key; arrays of objects item by item;
 * an array of plain values (presets, paragraphs, lists) counts as one field.
 */
export function changedPaths(before: unknown, after: unknown): string[] {
  const out: string[] = [];
  const walk = (a: unknown, b: unknown, path: PropertyKey[]) => {
    if (isObject(a) && isObject(b)) {
      for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) walk(a[key], b[key], [...path, key]);
      return;
    }
    if (Array.isArray(a) && Array.isArray(b) && [...a, ...b].some(isObject)) {
      for (let i = 0; i < Math.max(a.length, b.length); i++) walk(a[i], b[i], [...path, i]);
      return;
    }
    if (JSON.stringify(a) !== JSON.stringify(b)) out.push(fieldName(path) || "(everything)");
  };
  walk(before, after, []);
  if (out.length <= MAX_CHANGES) return out;
  return [...out.slice(0, MAX_CHANGES - 1), `…and ${out.length - MAX_CHANGES + 1} more`];
}
