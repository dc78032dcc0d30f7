import { fromBase64Url } from "../platform/crypto";

/**
 * Cloudflare Access for the staff view: verifies the `Cf-Access-Jwt-Assertion`
 * header Access adds to every request it let through — RS256 signature against the team's
 * published keys (https://<team>.cloudflareaccess.com/cdn-cgi/access/certs), issuer, audience
 * tag and expiry. See https://developers.cloudflare.com/cloudflare-one/identity/authorization-cookie/validating-json/
 * Where keys come from is injected, so tests sign with their own key.
 */

/** Gives the team's current public keys (JWKs with `kid`). */
export type KeySource = (teamDomain: string) => Promise<JsonWebKey[]>;

export type AccessConfig = { teamDomain: string; audience: string };
export type AccessIdentity = { email: string | null; subject: string };

/** Tolerated clock difference between Access and this worker. */
const SKEW_SECONDS = 60;
/** Keys are re-fetched after an hour, or sooner for an unknown `kid` (at most every 30 s). */
const KEYS_MAX_AGE_MS = 60 * 60 * 1000;
const REFETCH_MIN_MS = 30 * 1000;

/** The team domain as a bare host ("team.cloudflareaccess.com"), whatever form it was configured in. */
export const teamHost = (teamDomain: string) => teamDomain.replace(/^https?:\/\//, "").replace(/\/+$/, "");

/** Fetches the team's certs over HTTPS. */
export const fetchAccessKeys: KeySource = async (teamDomain) => {
  const response = await fetch(`https://${teamHost(teamDomain)}/cdn-cgi/access/certs`);
  if (!response.ok) throw new Error(`Access certs: HTTP ${response.status}`);
  const body = (await response.json()) as { keys?: JsonWebKey[] };
  return body.keys ?? [];
};

type Cached = { keys: Map<string, CryptoKey>; fetchedAt: number };

/** A verifier with its own key cache (one per isolate in production; one per test where needed). */
export function accessVerifier(source: KeySource = fetchAccessKeys) {
  const cache = new Map<string, Cached>();

  async function load(teamDomain: string, now: number): Promise<Cached> {
    const keys = new Map<string, CryptoKey>();
    for (const jwk of await source(teamDomain)) {
      const kid = (jwk as { kid?: string }).kid;
      if (!kid || jwk.kty !== "RSA") continue;
      keys.set(
        kid,
        await crypto.subtle.importKey("jwk", jwk, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["verify"]),
      );
    }
    const entry = { keys, fetchedAt: now };
    cache.set(teamDomain, entry);
    return entry;
  }

  async function keyFor(teamDomain: string, kid: string, now: number): Promise<CryptoKey | null> {
    let entry = cache.get(teamDomain);
    if (!entry || now - entry.fetchedAt > KEYS_MAX_AGE_MS) entry = await load(teamDomain, now);
    let key = entry.keys.get(kid);
    // Access rotates its keys: an unknown kid may be a new key.
    if (!key && now - entry.fetchedAt > REFETCH_MIN_MS) key = (await load(teamDomain, now)).keys.get(kid);
    return key ?? null;
  }

  /** The identity in a valid token, or null (wrong signature, issuer, audience, expired, malformed). */
  return async function verify(
    token: string | undefined,
    config: AccessConfig,
    now: number,
  ): Promise<AccessIdentity | null> {
    if (!token || token.length > 8192) return null;
    const parts = token.split(".");
    if (parts.length !== 3) return null;
    const [h, p, s] = parts as [string, string, string];
    const header = decodeJson(h);
    const payload = decodeJson(p);
    const signature = fromBase64Url(s);
    if (!header || !payload || !signature) return null;
    if (header.alg !== "RS256" || typeof header.kid !== "string") return null;
    let key: CryptoKey | null;
    try {
      key = await keyFor(config.teamDomain, header.kid, now);
    } catch (error) {
      console.error("access keys", error);
      return null;
    }
    if (!key) return null;
    const valid = await crypto.subtle.verify(
      "RSASSA-PKCS1-v1_5",
      key,
      signature,
      new TextEncoder().encode(`${h}.${p}`),
    );
    if (!valid) return null;
    const seconds = now / 1000;
    if (payload.iss !== `https://${teamHost(config.teamDomain)}`) return null;
    const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    if (!audiences.includes(config.audience)) return null;
    if (typeof payload.exp !== "number" || payload.exp + SKEW_SECONDS <= seconds) return null;
    if (typeof payload.nbf === "number" && payload.nbf - SKEW_SECONDS > seconds) return null;
    if (typeof payload.iat === "number" && payload.iat - SKEW_SECONDS > seconds) return null;
    return {
      email: typeof payload.email === "string" ? payload.email : null,
      subject: typeof payload.sub === "string" ? payload.sub : "",
    };
  };
}

function decodeJson(part: string): Record<string, unknown> | null {
  const bytes = fromBase64Url(part);
  if (!bytes) return null;
  try {
    const value = JSON.parse(new TextDecoder().decode(bytes));
    return value && typeof value === "object" && !Array.isArray(value) ? value : null;
  } catch {
    return null;
  }
}
