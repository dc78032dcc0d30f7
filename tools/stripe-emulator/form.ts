/**
 * Stripe's request encoding: `application/x-www-form-urlencoded` with bracket notation,
 * e.g. `line_items[0][price_data][currency]=usd`, `metadata[pledge_id]=pl_1`,
 * `expand[]=latest_charge`. Parsed into nested objects; keys that are all integers
 * become arrays (ordered by index). Values stay strings, as Stripe receives them.
 */

/** A parsed form value: a string, a nested object, or an array. */
export type FormValue = string | FormObject | FormValue[];
/** A parsed form object. */
export type FormObject = { [key: string]: FormValue };

/** Splits `a[b][0][]` into `['a', 'b', '0', '']`. */
export function splitKey(key: string): string[] {
  const first = key.indexOf("[");
  if (first <= 0) return [key];
  const parts = [key.slice(0, first)];
  for (const m of key.slice(first).matchAll(/\[([^\]]*)\]/g)) parts.push(m[1] as string);
  return parts;
}

function isIndex(k: string): boolean {
  return /^\d+$/.test(k);
}

/** Converts objects whose keys are all integer indexes into arrays, recursively. */
function arrayify(value: FormValue): FormValue {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return value.map(arrayify);
  const keys = Object.keys(value);
  if (keys.length > 0 && keys.every(isIndex)) {
    return keys
      .map(Number)
      .sort((a, b) => a - b)
      .map((i) => arrayify(value[String(i)] as FormValue));
  }
  const out: FormObject = {};
  for (const k of keys) out[k] = arrayify(value[k] as FormValue);
  return out;
}

/** Parses a form-encoded body (or query string) into nested objects and arrays. */
export function parseForm(body: string): FormObject {
  const root: FormObject = {};
  const params = new URLSearchParams(body);
  for (const [rawKey, value] of params) {
    const path = splitKey(rawKey);
    let node: FormObject = root;
    for (let i = 0; i < path.length; i++) {
      const part = path[i] as string;
      const last = i === path.length - 1;
      if (part === "") {
        // `a[]=x`: append at the next free index.
        const idx = String(Object.keys(node).length);
        if (last) node[idx] = value;
        else {
          const child: FormObject = {};
          node[idx] = child;
          node = child;
        }
        continue;
      }
      const nextIsAppend = !last && path[i + 1] === "";
      if (last) {
        node[part] = value;
      } else {
        let child = node[part];
        if (typeof child !== "object" || child === null || Array.isArray(child)) {
          child = {};
          node[part] = child;
        }
        node = child as FormObject;
        if (nextIsAppend) continue;
      }
    }
  }
  return arrayify(root) as FormObject;
}

/** Stable JSON (sorted keys) of parsed params, used to compare idempotent requests. */
export function canonicalParams(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalParams).join(",")}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalParams(obj[k])}`)
    .join(",")}}`;
}
