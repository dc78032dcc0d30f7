import { completeResponse, type HeaderSet, headerSet, matchesEtag } from "../platform/headers";

/** One prepared answer: the JSON text, its ETag, and its headers with the baseline among them. */
export type PreparedAnswer = { body: string; etag: string; headers: HeaderSet };

/** More than any deployment's sites × languages × currencies × the thank-you's variant. */
const MAX_ENTRIES = 512;
const answers = new Map<string, PreparedAnswer>();

/** A short, stable hash of a cache key (FNV-1a), for the ETag. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(36);
}

/**
 * The answer cached under `key` in this isolate, made by `make` on first use. The key must name
 * everything the answer depends on, the settings version included (platform/sites.ts): answers of
 * an older version are never served, they just age out. Keys are built from resolved values (a
 * known site, language and currency), never from raw input, so the cache stays small; it is
 * emptied if it ever fills up.
 */
export function preparedAnswer(
  key: string,
  make: () => { body: string; headers: Record<string, string> },
): PreparedAnswer {
  let answer = answers.get(key);
  if (!answer) {
    const { body, headers } = make();
    const etag = `"${fnv1a(key)}-${fnv1a(body)}"`;
    answer = { body, etag, headers: headerSet({ ...headers, ETag: etag }) };
    if (answers.size >= MAX_ENTRIES) answers.clear();
    answers.set(key, answer);
  }
  return answer;
}

/** Forgets every prepared answer (tests that wipe the settings and publish version 1 again). */
export function forgetAnswers(): void {
  answers.clear();
}

/** The prepared answer as a response: 304 without a body when the client already holds it. */
export function answerWith(prepared: PreparedAnswer, ifNoneMatch: string | undefined): Response {
  if (matchesEtag(ifNoneMatch, prepared.etag)) return completeResponse(null, 304, prepared.headers);
  return completeResponse(prepared.body, 200, prepared.headers);
}
