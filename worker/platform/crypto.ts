import { sessionSecretProblem } from "./deployment";
import type { WorkerEnv } from "./env";

/** The Web Crypto helpers every feature shares: hashes, HMACs, random tokens and base64url. */

const encoder = new TextEncoder();

/** Lower-case hex SHA-256 of a string. */
export async function sha256Hex(text: string): Promise<string> {
  const bytes = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** An HMAC-SHA256 key for signing and verifying under `secret`. */
export function hmacKey(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
    "verify",
  ]);
}

/** HMAC-SHA256 of `text` under `secret`, base64url without padding (43 characters). */
export async function hmacBase64Url(secret: string, text: string): Promise<string> {
  return base64Url(await crypto.subtle.sign("HMAC", await hmacKey(secret), encoder.encode(text)));
}

/** `bytes` random bytes, base64url. */
export function randomToken(bytes = 16): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** Base64url without padding. */
export function base64Url(data: Uint8Array | ArrayBuffer): string {
  let binary = "";
  for (const b of new Uint8Array(data)) binary += String.fromCharCode(b);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** The bytes of a base64url string (padding optional), or null when it is not one. */
export function fromBase64Url(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  try {
    return Uint8Array.from(atob(text.replaceAll("-", "+").replaceAll("_", "/")), (ch) => ch.charCodeAt(0));
  } catch {
    return null;
  }
}

/**
 * The secret that signs links and staff sessions; a deployment without one, or (outside
 * development) with the example's, fails loudly instead of signing with something guessable.
 */
export function linkSecret(env: WorkerEnv): string {
  const problem = sessionSecretProblem(env);
  if (problem) throw new Error(problem);
  return env.SESSION_SECRET as string;
}

/** Normalises an address for matching: trimmed and lower-cased. */
export const normalizeEmail = (email: string) => email.trim().toLowerCase();
