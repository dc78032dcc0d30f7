/** Stripe-style object ids (`pi_3Qx…`, `cs_test_a1…`) and request ids. */
import { randomBytes } from "node:crypto";

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** Random base62 string of the given length (crypto-random; ids never repeat in practice). */
export function base62(length: number): string {
  const bytes = randomBytes(length * 2);
  let out = "";
  for (let i = 0; out.length < length && i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (b < 248) out += ALPHABET[b % 62];
  }
  while (out.length < length) out += ALPHABET[Math.floor(Math.random() * 62)];
  return out;
}

/** A new id with Stripe's prefix, e.g. `newId('pi')` → `pi_1Qa…` (24 characters after the prefix). */
export function newId(prefix: string): string {
  if (prefix === "cs") return `cs_test_a1${base62(56)}`;
  if (prefix === "bps") return `bps_1${base62(23)}`;
  return `${prefix}_1${base62(23)}`;
}

/** A `Request-Id` header value: `req_` + 14 characters, as Stripe sends. */
export function newRequestId(): string {
  return `req_${base62(14)}`;
}
