import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";

/** Every JSON error has one shape: {"error": {"code", "message", "field"?}}. */
export function jsonError(c: Context, status: ContentfulStatusCode, code: string, message: string, field?: string) {
  return c.json({ error: { code, message, ...(field ? { field } : {}) } }, status);
}

/** A 400 naming the first invalid field of a zod failure. */
export function validationError(c: Context, error: z.ZodError) {
  const issue = error.issues[0];
  const field = issue?.path.map(String).join(".") || undefined;
  const message = issue ? `${field ? `${field}: ` : ""}${issue.message}` : "The request is invalid.";
  return jsonError(c, 400, "invalid_request", message, field);
}

/** Reads a JSON body without trusting it: null when it is missing, too large or not JSON. */
export async function readJson(c: Context, maxBytes = 16_384): Promise<{ ok: true; value: unknown } | { ok: false }> {
  const text = await c.req.text().catch(() => null);
  if (text === null || text.length === 0 || text.length > maxBytes) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** The client's IP as Cloudflare reports it (used only as a rate-limit key, never stored). */
export const clientIp = (c: Context) => c.req.header("cf-connecting-ip") ?? "local";
