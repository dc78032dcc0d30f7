import type { MiddlewareHandler } from "hono";
import type { AppContext } from "../env";
import { jsonError } from "../http/errors";

/** Constant-time string comparison (the time taken does not depend on where strings differ). */
export function timingSafeEqual(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

/** Staff-only JSON: `Authorization: Bearer <ADMIN_TOKEN>`; anything else is a 401. */
export const requireStaffToken: MiddlewareHandler<AppContext> = async (c, next) => {
  const header = c.req.header("authorization") ?? "";
  const token = header.startsWith("Bearer ") ? header.slice(7) : "";
  const expected = c.env.ADMIN_TOKEN;
  if (!expected || !token || !timingSafeEqual(token, expected))
    return jsonError(c, 401, "unauthorized", "Staff authentication is required.");
  await next();
};
