import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AskConfig } from "../../../worker/core/widget-contract";
import sample from "../../fixtures/ask-config.json";
import { decide } from "../rules/reader";
import { loadState, saveState } from "../rules/state";
import type { GoalChunk, TargetChunk } from "./global";
import { showGoal } from "./goal";
import { type MountDeps, mount } from "./mount";
import { sheet } from "./styles";

/** Targeting, theme and campaign goals as mount applies them, with the chunks as the build packs them. */

const NOW = Date.UTC(2025, 11, 1, 12);
const base = sample as AskConfig;
const target: TargetChunk = { decide };
const goal: GoalChunk = { showGoal };
const settle = () => new Promise((r) => setTimeout(r, 0));
const PROGRESS = {
  campaign: "spring-appeal",
  currency: "USD",
  amount: 500000,
  raised: 324000,
  supporters: 41,
  endsOn: "2025-12-31",
};

function start(
  config: AskConfig,
  data: Record<string, string> = {},
  deps: MountDeps = {},
  progress: unknown = PROGRESS,
) {
  const beacon = vi.fn(() => true);
  const fetch = vi.fn(async (url: string) =>
    url.includes("/api/progress") && progress
      ? new Response(JSON.stringify(progress), { status: 200 })
      : new Response("{}", { status: 404 }),
  );
  mount(
    {
      site: "demo",
      origin: "https://support.example.org",
      lang: "en",
      data: { site: "demo", ...data },
      urlCampaign: null,
      config,
      rs: null,
      storage: localStorage,
    },
    {
      now: () => NOW,
      fetch: fetch as unknown as typeof globalThis.fetch,
      beacon,
      navigate: () => {},
      ...deps,
      chunks: {
        target: async () => target,
        goal: async () => goal,
        banner: () => new Promise(() => {}),
        ...deps.chunks,
      },
    },
  );
  const inline = () => document.querySelector('reader-support[data-placement="inline"]')?.shadowRoot ?? null;
  return { fetch, beacon, inline };
}

beforeEach(() => {
  localStorage.clear();
  history.replaceState(null, "", "/news/ferry-terminal");
  document.body.innerHTML = `<main><article>${"<p>Story</p>".repeat(6)}</article></main>`;
});
afterEach(() => {
  document.body.innerHTML = "";
});

describe("targeting in the reader's browser", () => {
  it("outside the site's target: no ask, nothing counted, sent or stored", async () => {
    const { fetch, beacon, inline } = start({ ...base, target: { sections: ["sport"] } }, { section: "politics" });
    await settle();
    await settle();
    expect(inline()).toBeNull();
    expect(document.querySelector("reader-support")).toBeNull();
    expect(fetch).not.toHaveBeenCalled();
    expect(beacon).not.toHaveBeenCalled();
    expect(localStorage.length).toBe(0);
  });

  it("inside it (data-section, any case): the ask as usual", async () => {
    const { inline } = start({ ...base, target: { sections: ["Politics"] } }, { section: "politics, local" });
    await settle();
    await settle();
    expect(inline()?.querySelector("h2")?.textContent).toBe("A Message from The Harbour Courier");
  });

  it("a variant for returning readers: never for a new reader, the only one a returning reader may get besides the others", async () => {
    const config: AskConfig = {
      ...base,
      variants: [
        { id: "control", weight: 0 },
        { id: "welcome-back", weight: 100, copy: { heading: "Welcome back" }, target: { readers: ["returning"] } },
      ],
    };
    start(config);
    await settle();
    await settle();
    // Only "welcome-back" has weight, and a new reader may not get it: the site's own copy.
    expect(document.querySelector("reader-support")!.shadowRoot!.querySelector("h2")!.textContent).toBe(
      "A Message from The Harbour Courier",
    );
    document.body.innerHTML = `<main><article>${"<p>Story</p>".repeat(6)}</article></main>`;
    saveState(localStorage, "demo", { ...loadState(localStorage, "demo"), seen: true });
    start(config);
    await settle();
    await settle();
    expect(document.querySelector("reader-support")!.shadowRoot!.querySelector("h2")!.textContent).toBe("Welcome back");
  });

  it("a site that targets nobody never fetches the target chunk; one that does and cannot get it shows no ask", async () => {
    const load = vi.fn(async () => target);
    start(base, {}, { chunks: { target: load } });
    await settle();
    expect(load).not.toHaveBeenCalled();
    expect(document.querySelector("reader-support")).not.toBeNull();
    document.body.innerHTML = `<main><article>${"<p>Story</p>".repeat(6)}</article></main>`;
    start({ ...base, target: { devices: ["desktop"] } }, {}, { chunks: { target: () => Promise.reject(new Error()) } });
    await settle();
    await settle();
    expect(document.querySelector("reader-support")).toBeNull();
  });
});

describe("the site's colours", () => {
  it("become custom properties of every shadow root's stylesheet, which the accent and background read", async () => {
    start({ ...base, theme: { accent: "#7a1f5c", background: "#fff8e7" } });
    await settle();
    const rules = Array.from(sheet().cssRules, (r) => r.cssText).join("\n");
    expect(rules).toMatch(/--rs-accent:\s*#7a1f5c/);
    expect(rules).toMatch(/--rs-bg:\s*#fff8e7/);
    expect(rules).toMatch(/var\(--rs-accent,\s*#0f4c5c\)/);
  });
});

describe("a campaign's goal", () => {
  const withGoal: AskConfig = {
    ...base,
    goals: { "spring-appeal": { currency: "USD", amount: 500000, endsOn: "2025-12-31" } },
  };

  it("shows the progress line and bar at the top of the ask, from /api/progress", async () => {
    const { fetch, inline } = start(withGoal, { campaign: "spring-appeal" });
    for (let i = 0; i < 4; i++) await settle();
    expect(fetch).toHaveBeenCalledWith("https://support.example.org/api/progress?site=demo&campaign=spring-appeal");
    const line = inline()!.querySelector(".goal")!;
    expect(inline()!.firstElementChild).toBe(line);
    expect(line.querySelector("p")!.textContent).toBe("$3,240 of $5,000 raised · 41 supporters · until Dec 31");
    const bar = line.querySelector('[role="progressbar"]')!;
    expect(bar.getAttribute("aria-valuenow")).toBe("64");
    expect(bar.getAttribute("aria-labelledby")).toBe("rs-g");
  });

  it("a page without the goal's campaign fetches neither the chunk nor the progress", async () => {
    const load = vi.fn(async () => goal);
    const { fetch } = start(withGoal, { campaign: "other" }, { chunks: { goal: load } });
    for (let i = 0; i < 4; i++) await settle();
    expect(load).not.toHaveBeenCalled();
    expect(fetch).not.toHaveBeenCalled();
  });

  it("a failed progress answer shows nothing and leaves the ask whole", async () => {
    const { inline } = start(withGoal, { campaign: "spring-appeal" }, {}, null);
    for (let i = 0; i < 4; i++) await settle();
    expect(inline()!.querySelector(".goal")).toBeNull();
    expect(inline()!.querySelector("h2")!.textContent).toBe("A Message from The Harbour Courier");
  });
});
