import type { Context } from "hono";
import built from "../../dist/widget-files.json";
import { completeResponse, type HeaderSet, headerSet, matchesEtag } from "../platform/headers";
import { notFound } from "../platform/http";

/**
 * The widget's files (`/widget.js` and `/widget/<bundle>.js`), served by the worker from the build
 * it bundles. Workers Assets would serve them without running the worker, but its router then
 * stands in front of every request, the public API's included; these few files cost less.
 *
 * Cache rules: every page view asks for the loader, so a new deploy reaches readers within five
 * minutes; the loader asks for the bundles with `?v=<content hash>`, so those URLs never change
 * meaning and are cached for a year. Each file has an ETag, so a stale loader costs a 304.
 */
const LOADER_CACHE = "public, max-age=300";
const BUNDLE_CACHE = "public, max-age=31536000, immutable";

type ServedFile = {
  readonly body: string;
  readonly etag: string;
  readonly ok: HeaderSet;
  readonly unchanged: HeaderSet;
};

const served = new Map<string, ServedFile>(
  Object.entries(built).map(([path, { body, etag }]) => {
    const caching = {
      "Cache-Control": path === "/widget.js" ? LOADER_CACHE : BUNDLE_CACHE,
      ETag: etag,
      // Publishers' pages may require it of every script they load (Cross-Origin-Embedder-Policy).
      "Cross-Origin-Resource-Policy": "cross-origin",
    };
    return [
      path,
      {
        body,
        etag,
        ok: headerSet({ "Content-Type": "text/javascript; charset=utf-8", ...caching }),
        unchanged: headerSet(caching),
      },
    ];
  }),
);

/** GET (and HEAD) of a widget file: the file, a 304 when the reader has it, or the JSON 404. */
export function serveWidgetFile(c: Context): Response {
  const file = served.get(c.req.path);
  if (!file) return notFound();
  if (matchesEtag(c.req.header("If-None-Match"), file.etag)) return completeResponse(null, 304, file.unchanged);
  return completeResponse(file.body, 200, file.ok);
}
