import { describe, expect, it } from "vitest";
import askRu from "../../dist/public/widget/ask.ru.js?raw";
import loader from "../../dist/public/widget.js?raw";
import { call } from "./helpers";

/** An answer's bytes, against a built file's: text() would drop the bundles' byte-order mark. */
const sameBytes = async (response: Response, built: string) =>
  expect(new Uint8Array(await response.arrayBuffer())).toEqual(new TextEncoder().encode(built));

describe("the widget's files, served by the worker", () => {
  it("serves the loader as built, as JavaScript that browsers keep five minutes", async () => {
    const response = await call("/widget.js");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("public, max-age=300");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("cross-origin-resource-policy")).toBe("cross-origin");
    expect(response.headers.get("etag")).toMatch(/^"[0-9a-f]{10}"$/);
    await sameBytes(response, loader);
  });

  it("serves each bundle, whatever its ?v=, for a year", async () => {
    const response = await call("/widget/ask.ru.js?v=0123abcd");
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    await sameBytes(response, askRu);
    expect(askRu.charCodeAt(0)).toBe(0xfeff);
    for (const file of ["ask", "extras", "banner", "goal", "target"]) {
      const en = await call(`/widget/${file}.js`);
      expect(en.status, file).toBe(200);
      expect((await en.text()).length, file).toBeGreaterThan(500);
    }
    // Files differ, and so do their ETags.
    const etags = await Promise.all(["/widget.js", "/widget/ask.js", "/widget/ask.ru.js"].map((p) => call(p)));
    expect(new Set(etags.map((r) => r.headers.get("etag"))).size).toBe(3);
  });

  it("answers 304 with no body when the reader's copy is current, and the file when it is not", async () => {
    const etag = (await call("/widget.js")).headers.get("etag") as string;
    for (const header of [etag, `W/${etag}`, `"stale", ${etag}`, "*"]) {
      const unchanged = await call("/widget.js", { headers: { "If-None-Match": header } });
      expect(unchanged.status, header).toBe(304);
      expect(await unchanged.text()).toBe("");
      expect(unchanged.headers.get("etag")).toBe(etag);
      expect(unchanged.headers.get("cache-control")).toBe("public, max-age=300");
    }
    const stale = await call("/widget.js", { headers: { "If-None-Match": '"0000000000"' } });
    expect(stale.status).toBe(200);
    await sameBytes(stale, loader);
  });

  it("answers HEAD with the headers only", async () => {
    const response = await call("/widget/ask.ru.js", { method: "HEAD" });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(await response.text()).toBe("");
  });

  it("answers the JSON 404 for any other file, and writing to them is not a route", async () => {
    for (const path of [
      "/widget/ask.de.js",
      "/widget/",
      "/widget/..%2Fwidget.js",
      "/widget/ask.js/x",
      "/widget.json",
    ]) {
      const response = await call(path);
      expect(response.status, path).toBe(404);
      expect(await response.json(), path).toEqual({
        error: { code: "not_found", message: "There is nothing at this address." },
      });
    }
    const post = await call("/widget.js", { method: "POST", body: "x" });
    expect(post.status).toBe(404);
  });
});
