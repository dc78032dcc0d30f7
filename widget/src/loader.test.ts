import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AskConfig } from "../../worker/core/widget-contract";
import sample from "../fixtures/ask-config.json";
import type { MountOptions } from "./ask/mount-options";
import { loadState, saveState } from "./rules/state";

const ORIGIN = "https://support.example.org";
const config = sample as AskConfig;
const settle = () => new Promise((r) => setTimeout(r, 0));

type Run = {
  fetch: ReturnType<typeof vi.fn>;
  warn: ReturnType<typeof vi.fn>;
  scripts: HTMLScriptElement[];
  mount: ReturnType<typeof vi.fn>;
  /** Lets the ask bundle "arrive": runs its onload, then waits for the config. */
  arrive: () => Promise<MountOptions | undefined>;
};

/**
 * Runs the loader as a page would: a script tag with `attrs`, the page at `path`, the
 * config API answering `status`. Script elements the loader adds are captured, not
 * fetched; the ask bundle's global is a spy.
 */
async function runLoader(attrs: string, path = "/news/ferry-terminal", status = 200): Promise<Run> {
  history.replaceState(null, "", path);
  document.body.innerHTML = "<main><article><p>One</p><p>Two</p></article></main>";
  // The tag as the publisher wrote it; the browser names it document.currentScript while it runs.
  const tag = document.createElement("template");
  tag.innerHTML = `<script async src="${ORIGIN}/widget.js" ${attrs}></script>`;
  const script = tag.content.firstElementChild!;
  vi.spyOn(document, "currentScript", "get").mockReturnValue(script as HTMLScriptElement);
  const fetch = vi.fn(async () =>
    status === 200
      ? new Response(JSON.stringify(config), { status })
      : new Response(JSON.stringify({ error: { code: "unknown_site", message: "No site has this id." } }), {
          status,
        }),
  );
  vi.stubGlobal("fetch", fetch);
  const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
  const scripts: HTMLScriptElement[] = [];
  vi.spyOn(document.head, "appendChild").mockImplementation((node) => {
    scripts.push(node as unknown as HTMLScriptElement);
    return node;
  });
  const mount = vi.fn();
  (window as unknown as { __readerSupport?: object }).__readerSupport = { mount };
  vi.resetModules();
  await import("./loader");
  await settle();
  return {
    fetch,
    warn: warn as unknown as ReturnType<typeof vi.fn>,
    scripts,
    mount,
    async arrive() {
      scripts[0]?.onload?.(new Event("load"));
      await settle();
      await settle();
      return mount.mock.calls[0]?.[0] as MountOptions | undefined;
    },
  };
}

beforeEach(() => {
  localStorage.clear();
  vi.stubGlobal("__ASK_VERSION__", "v1");
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
  document.body.innerHTML = "";
  delete (window as unknown as { __readerSupport?: object }).__readerSupport;
});

describe("the loader", () => {
  it("fetches the ask bundle and the config in parallel when an ask is due, then mounts it", async () => {
    const run = await runLoader('data-site="demo" data-lang="ru" data-currency="EUR"');
    expect(run.fetch).toHaveBeenCalledTimes(1);
    expect(run.fetch.mock.calls[0]![0]).toBe(`${ORIGIN}/api/config?site=demo&lang=ru&currency=EUR`);
    expect(run.scripts.map((s) => s.src)).toEqual([`${ORIGIN}/widget/ask.ru.js?v=v1`]);
    const options = await run.arrive();
    expect(options).toMatchObject({ site: "demo", origin: ORIGIN, lang: "ru", rs: null });
    expect(options!.data).toMatchObject({ site: "demo", lang: "ru", currency: "EUR" });
    expect(options!.config).toEqual(config);
    // This page was counted as an article read, in this browser only.
    expect(Object.values(loadState(localStorage, "demo").weeks ?? {}).flat()).toHaveLength(1);
  });

  it("warns once and renders nothing without data-site", async () => {
    const run = await runLoader("");
    expect(run.warn).toHaveBeenCalledTimes(1);
    expect(String(run.warn.mock.calls[0]![0])).toMatch(/data-site/);
    expect(run.fetch).not.toHaveBeenCalled();
    expect(run.scripts).toHaveLength(0);
    expect(document.querySelector("reader-support")).toBeNull();
  });

  it("fetches nothing for a snoozed reader", async () => {
    saveState(localStorage, "demo", { snoozeUntil: Date.now() + 86_400_000 });
    const run = await runLoader('data-site="demo"');
    expect(run.fetch).not.toHaveBeenCalled();
    expect(run.scripts).toHaveLength(0);
  });

  it("fetches nothing for a supporter", async () => {
    saveState(localStorage, "demo", { supporterUntil: Date.now() + 86_400_000 });
    const run = await runLoader('data-site="demo"');
    expect(run.fetch).not.toHaveBeenCalled();
    expect(run.scripts).toHaveLength(0);
  });

  it("loads the ask in thank-you mode (and its config) on the way back from Stripe, even for a snoozed reader", async () => {
    saveState(localStorage, "demo", { snoozeUntil: Date.now() + 86_400_000 });
    const run = await runLoader('data-site="demo"', "/news/ferry-terminal?rs=thanks&rs_pledge=pl_1&rs_freq=once");
    expect(run.scripts).toHaveLength(1);
    // Only this config carries what the thank-you needs.
    expect(run.fetch.mock.calls[0]![0]).toBe(`${ORIGIN}/api/config?site=demo&lang=en&thanks=1`);
    const options = await run.arrive();
    expect(options!.rs).toBe("thanks");
  });

  it("hands an unknown site's 404 to the ask bundle, which explains it (ask.test.tsx)", async () => {
    const run = await runLoader('data-site="nope"', "/news/ferry-terminal", 404);
    const options = await run.arrive();
    expect(options!.config).toBe(404);
    expect(document.querySelector("reader-support")).toBeNull();
  });

  it("takes the campaign from rs_campaign for this page view and strips it from the URL", async () => {
    const run = await runLoader('data-site="demo" data-campaign="spring"', "/news/story?x=1&rs_campaign=reminder#p3");
    expect(location.pathname + location.search + location.hash).toBe("/news/story?x=1#p3");
    // The ask bundle chooses between it and data-campaign, and checks both (ask.test.tsx).
    expect(await run.arrive()).toMatchObject({ urlCampaign: "reminder", data: { campaign: "spring" } });
  });

  it("hands over a page view without a campaign link as such", async () => {
    const run = await runLoader('data-site="demo" data-campaign="spring"');
    expect((await run.arrive())!.urlCampaign).toBeNull();
  });

  it("strips rs_campaign even when no ask is due", async () => {
    saveState(localStorage, "demo", { supporterUntil: Date.now() + 86_400_000 });
    const run = await runLoader('data-site="demo"', "/news/story?rs_campaign=reminder");
    expect(run.fetch).not.toHaveBeenCalled();
    expect(location.search).toBe("");
  });
});
