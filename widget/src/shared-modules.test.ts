import { describe, expect, it, vi } from "vitest";
import shared from "../shared-modules.json";

/**
 * The bundles share code through `window.__readerSupport` (widget/build.mjs): whatever the JSON
 * says a bundle takes from another must be there, or the published widget would break where the
 * unbundled tests cannot see it.
 */
describe("shared modules", () => {
  it("the ask bundle publishes everything the chunks take from it", async () => {
    await import("./ask/mount");
    const lib = (window as unknown as { __readerSupport: { lib: Record<string, unknown> } }).__readerSupport.lib;
    for (const [module, names] of Object.entries(shared.lib))
      for (const name of names) expect(lib[name], `${module}: ${name}`).toBeTypeOf("function");
  });

  it("the loader publishes everything the ask bundle takes from it, before adding the bundle", async () => {
    document.body.innerHTML = "<main><article><p>One</p></article></main>";
    const tag = document.createElement("template");
    tag.innerHTML = `<script async src="https://support.example.org/widget.js" data-site="demo"></script>`;
    vi.spyOn(document, "currentScript", "get").mockReturnValue(tag.content.firstElementChild as HTMLScriptElement);
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => new Response("{}")),
    );
    vi.stubGlobal("__ASK_VERSION__", "v1");
    let rulesWhenAdded: Record<string, unknown> | undefined;
    vi.spyOn(document.head, "appendChild").mockImplementation((node) => {
      rulesWhenAdded = { ...(window as unknown as { __readerSupport: { rules: object } }).__readerSupport.rules };
      return node;
    });
    vi.resetModules();
    await import("./loader");
    await new Promise((r) => setTimeout(r, 0));
    for (const [module, names] of Object.entries(shared.rules))
      for (const name of names) expect(rulesWhenAdded?.[name], `${module}: ${name}`).toBeTypeOf("function");
    vi.restoreAllMocks();
    vi.unstubAllGlobals();
  });
});
