import type { MiddlewareHandler } from "hono";

/**
 * The headers every answer of the worker carries, unless a router set its own: HTTPS only from
 * now on (HSTS), no content sniffing, no referrer, and a CSP that forbids framing. The HTML
 * routers (staff, reader pages, demo) set their own fuller CSP and referrer policy, which are kept.
 * Computed once, as name/value pairs: the values Hono's secureHeaders wrote with these options.
 */
export const BASELINE_HEADERS: readonly (readonly [string, string])[] = [
  ["Content-Security-Policy", "frame-ancestors 'none'"],
  ["Referrer-Policy", "no-referrer"],
  ["Strict-Transport-Security", "max-age=15552000; includeSubDomains"],
  ["X-Content-Type-Options", "nosniff"],
];

/** Answers built by `completeResponse`: they carry the baseline already, so the middleware skips them. */
const complete = new WeakSet<Response>();

/** Response headers with the baseline among them, made once by `headerSet` and reused for every answer. */
export type HeaderSet = { readonly pairs: readonly [string, string][] };

/** `headers` and the baseline, as one set to build answers with (`completeResponse`). */
export const headerSet = (headers: Record<string, string> = {}): HeaderSet => ({
  pairs: [...Object.entries(headers), ...BASELINE_HEADERS.map(([name, value]): [string, string] => [name, value])],
});

/**
 * An answer with every header of `set` given to the runtime in one go. The hot routes (the ask's
 * config, its counters, the 404) build theirs this way: it costs less than setting the headers one
 * by one on a finished response, which is what the middleware below does for every other answer.
 */
export function completeResponse(body: BodyInit | null, status: number, set: HeaderSet): Response {
  const response = new Response(body, { status, headers: set.pairs as [string, string][] });
  complete.add(response);
  return response;
}

/**
 * Whether an If-None-Match header names `etag`, so a GET may answer 304: one of its list,
 * weakly or strongly (GET compares weakly), or `*`.
 */
export const matchesEtag = (ifNoneMatch: string | undefined, etag: string): boolean =>
  ifNoneMatch?.split(",").some((tag) => {
    const t = tag.trim();
    return t === "*" || t === etag || t === `W/${etag}`;
  }) ?? false;

/** Adds the baseline headers the answer does not have yet (a router's own CSP or referrer policy stays). */
export const baselineHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  const response = c.res;
  if (complete.has(response)) return;
  const headers = response.headers;
  for (const [name, value] of BASELINE_HEADERS) if (!headers.has(name)) headers.set(name, value);
};
