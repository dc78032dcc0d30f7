/** Small validators for form params, throwing Stripe-shaped errors. */
import { invalidParam, missingParam, unknownParam } from "./errors.ts";
import type { FormObject, FormValue } from "./form.ts";

/** Throws `parameter_unknown` for the first key not in `allowed`. */
export function rejectUnknown(params: FormObject, allowed: readonly string[], prefix = ""): void {
  for (const key of Object.keys(params)) {
    if (!allowed.includes(key)) unknownParamAt(prefix, key);
  }
}

function unknownParamAt(prefix: string, key: string): never {
  throw unknownParam(prefix ? `${prefix}[${key}]` : key);
}

/** A string param, or undefined if absent. Objects/arrays are refused. */
export function optString(value: FormValue | undefined, param: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string")
    throw invalidParam(param, `Invalid string: ${JSON.stringify(value)}`, "parameter_invalid_string_empty");
  return value;
}

/** A required non-empty string param. */
export function reqString(value: FormValue | undefined, param: string): string {
  const s = optString(value, param);
  if (s === undefined || s === "") throw missingParam(param);
  return s;
}

/** An integer param (Stripe's "Invalid integer: x"). */
export function optInteger(value: FormValue | undefined, param: string): number | undefined {
  const s = optString(value, param);
  if (s === undefined) return undefined;
  if (!/^-?\d+$/.test(s.trim())) throw invalidParam(param, `Invalid integer: ${s}`, "parameter_invalid_integer");
  const n = Number(s);
  if (!Number.isSafeInteger(n)) throw invalidParam(param, `Invalid integer: ${s}`, "parameter_invalid_integer");
  return n;
}

/** A boolean param (`true`/`false`). */
export function optBoolean(value: FormValue | undefined, param: string): boolean | undefined {
  const s = optString(value, param);
  if (s === undefined) return undefined;
  if (s === "true") return true;
  if (s === "false") return false;
  throw invalidParam(param, `Invalid boolean: ${s}`);
}

/** An enum param (Stripe's "Invalid x: must be one of a, b, or c"). */
export function optEnum<T extends string>(
  value: FormValue | undefined,
  param: string,
  allowed: readonly T[],
): T | undefined {
  const s = optString(value, param);
  if (s === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(s)) {
    const list = allowed.length > 2 ? `${allowed.slice(0, -1).join(", ")}, or ${allowed.at(-1)}` : allowed.join(" or ");
    throw invalidParam(param, `Invalid ${param}: must be one of ${list}`);
  }
  return s as T;
}

/** An object param (nested hash). */
export function optObject(value: FormValue | undefined, param: string): FormObject | undefined {
  if (value === undefined || value === "") return undefined;
  if (typeof value !== "object" || Array.isArray(value))
    throw invalidParam(param, `Invalid object`, "parameter_invalid_empty");
  return value;
}

/** An array param (`x[0]=…` or `x[]=…`). */
export function optArray(value: FormValue | undefined, param: string): FormValue[] | undefined {
  if (value === undefined || value === "") return undefined;
  if (!Array.isArray(value)) throw invalidParam(param, `Invalid array`);
  return value;
}

/** Metadata with Stripe's limits: 50 keys, key ≤ 40 chars, value ≤ 500 chars; empty values unset. */
export function metadata(value: FormValue | undefined, param: string): Record<string, string> {
  const obj = optObject(value, param);
  if (!obj) return {};
  const keys = Object.keys(obj);
  if (keys.length > 50)
    throw invalidParam(
      param,
      "You can specify up to 50 keys, with key names up to 40 characters long and values up to 500 characters long.",
    );
  const out: Record<string, string> = {};
  for (const k of keys) {
    const v = obj[k];
    if (typeof v !== "string") throw invalidParam(`${param}[${k}]`, "Metadata values must be strings.");
    if (k.length > 40) throw invalidParam(`${param}[${k}]`, `Metadata key is too long (max 40 characters): ${k}`);
    if (v.length > 500)
      throw invalidParam(
        `${param}[${k}]`,
        `Metadata values can have up to 500 characters, but you passed in a value that is ${v.length} characters. Invalid value: ${v.slice(0, 20)}…`,
      );
    if (v !== "") out[k] = v;
  }
  return out;
}

/** A URL param: absolute http(s) URL (templates like `{CHECKOUT_SESSION_ID}` allowed). */
export function optUrl(value: FormValue | undefined, param: string): string | undefined {
  const s = optString(value, param);
  if (s === undefined || s === "") return undefined;
  try {
    const u = new URL(s.replaceAll("{CHECKOUT_SESSION_ID}", "cs_placeholder"));
    if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error("scheme");
  } catch {
    throw invalidParam(param, "Not a valid URL", "url_invalid");
  }
  if (s.length > 5000) throw invalidParam(param, "URL is too long (max 5000 characters).", "url_invalid");
  return s;
}
