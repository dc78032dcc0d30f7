import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import {
  convertIPv4BinaryToString,
  convertIPv4MappedIPv6ToIPv4,
  convertIPv6BinaryToString,
  convertIPv6ToBinary,
  distinctRemoteAddr,
  isIPv4MappedIPv6,
} from "hono/utils/ipaddr";
import type { z } from "zod";
import { completeResponse, headerSet } from "./headers";

/** Every JSON error has one shape: {"error": {"code", "message", "field"?}}. */
export function jsonError(c: Context, status: ContentfulStatusCode, code: string, message: string, field?: string) {
  return c.json({ error: { code, message, ...(field ? { field } : {}) } }, status);
}

/**
 * A fixed JSON error, made once: its body and headers are computed when the worker starts, so the
 * answer costs what a hello world's does (the product's 404 is the one every stray request gets).
 */
export function fixedJsonError(status: ContentfulStatusCode, code: string, message: string): () => Response {
  const body = JSON.stringify({ error: { code, message } });
  const headers = headerSet({ "Content-Type": "application/json" });
  return () => completeResponse(body, status, headers);
}

/** The answer to every address nothing serves. */
export const notFound = fixedJsonError(404, "not_found", "There is nothing at this address.");

/** A 400 naming the first invalid field of a zod failure. */
export function validationError(c: Context, error: z.ZodError) {
  const issue = error.issues[0];
  const field = issue?.path.map(String).join(".") || undefined;
  const message = issue ? `${field ? `${field}: ` : ""}${issue.message}` : "The request is invalid.";
  return jsonError(c, 400, "invalid_request", message, field);
}

/** Refuses a request body over `maxBytes` with 413 (Hono's bodyLimit), before anything reads it. */
export const jsonBody = (maxBytes: number): MiddlewareHandler =>
  bodyLimit({
    maxSize: maxBytes,
    onError: (c) => jsonError(c, 413, "payload_too_large", `The body must be at most ${maxBytes} bytes.`),
  });

/**
 * Reads a JSON body without trusting it: not ok when it is missing or not JSON. Any content type
 * is accepted, because `navigator.sendBeacon` sends text/plain (which needs no CORS preflight).
 */
export async function readJson(c: Context): Promise<{ ok: true; value: unknown } | { ok: false }> {
  const text = await c.req.text().catch(() => null);
  if (!text) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** The client's IP as Cloudflare reports it (for Turnstile's check; never stored). */
export const clientIp = (c: Context) => c.req.header("cf-connecting-ip") ?? "local";

/**
 * The rate-limit key of a client: its IPv4 address, or the /64 network of an IPv6 address,
 * because one subscriber usually holds a whole /64 and could otherwise take a fresh bucket
 * per request. Never stored.
 */
export const clientKey = (c: Context) => rateLimitKey(clientIp(c));

/** `2001:db8:1:2:aaaa::1` → `2001:db8:1:2::/64` (Hono's IP parser); IPv4, and IPv4-mapped IPv6, as the IPv4 address. */
export function rateLimitKey(ip: string): string {
  if (distinctRemoteAddr(ip) !== "IPv6") return ip;
  try {
    const binary = convertIPv6ToBinary(ip);
    if (isIPv4MappedIPv6(binary)) return convertIPv4BinaryToString(convertIPv4MappedIPv6ToIPv4(binary));
    return `${convertIPv6BinaryToString((binary >> 64n) << 64n)}/64`;
  } catch {
    return ip;
  }
}

/**
 * The app's answer to an error: Hono's own middleware (csrf, bodyLimit) refuses with an
 * HTTPException, answered here in our JSON shape; anything else is a 500 that says nothing inside.
 */
export function httpErrorResponse(error: Error, c: Context) {
  if (error instanceof HTTPException) {
    if (error.status === 403)
      return jsonError(c, 403, "cross_site", "This request must come from this site's own pages.");
    return jsonError(c, error.status, "bad_request", error.message || "The request was refused.");
  }
  console.error("unhandled", error);
  return jsonError(c, 500, "internal_error", "Something went wrong on our side.");
}
