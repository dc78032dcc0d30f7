import { hmacBase64Url, linkSecret, normalizeEmail, sha256Hex } from "../platform/crypto";
import type { WorkerEnv } from "../platform/env";

/**
 * The forget-me token of one reader on one site: an HMAC of both, so every reminder of that
 * reader shares it and we never need to keep the address to honour the link. Only its hash is stored.
 */
export function forgetToken(env: WorkerEnv, site: string, email: string): Promise<string> {
  return hmacBase64Url(linkSecret(env), `forget:${site}:${normalizeEmail(email)}`);
}

/** What is stored for a token (and looked up when the link is used). */
export const forgetHash = (token: string) => sha256Hex(`forget:${token}`);
