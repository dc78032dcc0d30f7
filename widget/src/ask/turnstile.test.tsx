import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AskConfig } from "../../../worker/core/widget-contract";
import sample from "../../fixtures/ask-config.json";
import { checkAmount } from "./check-amount";
import type { Extras } from "./global";
import { type MountDeps, mount } from "./mount";
import { OtherAmount } from "./OtherAmount";
import { Reminder } from "./Reminder";
import { confirmThanks, Thanks } from "./Thanks";
import { TURNSTILE_SRC, type TurnstileApi, turnstileToken } from "./turnstile";

const base = sample as AskConfig;
const withKey: AskConfig = { ...base, turnstileSiteKey: "0x4AAAAAAAtest" };
const extras: Extras = { Reminder, OtherAmount, checkAmount, turnstile: turnstileToken, Thanks, confirmThanks };
const FAILED = "We couldn't complete the security check. Please try again.";

const settle = () => new Promise((r) => setTimeout(r, 0));
const win = window as unknown as { turnstile?: TurnstileApi };

type Options = Record<string, any>;
/** A fake `window.turnstile`: records each render; `answer` decides what Cloudflare does. */
function fakeTurnstile(answer: (o: Options) => void) {
  const renders: { container: HTMLElement; options: Options; next: Element | null; prev: Element | null }[] = [];
  const api = {
    render: vi.fn((container: HTMLElement, options: Options) => {
      renders.push({
        container,
        options,
        next: container.nextElementSibling,
        prev: container.previousElementSibling,
      });
      setTimeout(() => answer(options), 1);
      return `w${renders.length}`;
    }),
    remove: vi.fn(),
  };
  return { api, renders };
}

function start(config: AskConfig, deps: MountDeps = {}) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetch = vi.fn(async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return new Response(JSON.stringify({ id: "cs_1", url: "https://checkout.example/cs_1" }), { status: 201 });
  });
  const navigate = vi.fn();
  mount(
    {
      site: "demo",
      origin: "https://support.example.org",
      lang: config.lang,
      data: { site: "demo", placement: "inline" },
      urlCampaign: null,
      config,
      rs: null,
      storage: localStorage,
    },
    {
      now: () => Date.UTC(2025, 4, 14, 12),
      fetch: fetch as unknown as typeof globalThis.fetch,
      navigate,
      beacon: null,
      ...deps,
      chunks: { extras: async () => extras, ...deps.chunks },
    },
  );
  const host = document.querySelector<HTMLElement>('reader-support[data-placement="inline"]')!;
  const root = host.shadowRoot!;
  const submit = async () => {
    root.querySelector("form")!.dispatchEvent(new Event("submit", { cancelable: true }));
    for (let i = 0; i < 5; i++) await settle();
    await new Promise((r) => setTimeout(r, 5));
    for (let i = 0; i < 3; i++) await settle();
  };
  const alert = () => root.querySelector("[role=alert]")!.textContent;
  const continueState = () => root.querySelector("button[type=submit]")!.getAttribute("aria-disabled");
  return { host, root, calls, fetch, navigate, submit, alert, continueState };
}

const body = (call: { init: RequestInit }) => JSON.parse(call.init.body as string);
const scripts = () => document.querySelectorAll(`script[src^="https://challenges.cloudflare.com"]`);

beforeEach(() => {
  localStorage.clear();
  history.replaceState(null, "", "/news/ferry-terminal");
  document.documentElement.lang = "en";
  document.body.innerHTML = `<main><article>${Array.from({ length: 6 }, (_, i) => `<p id="p${i + 1}">Paragraph</p>`).join("")}</article></main>`;
});

afterEach(() => {
  document.body.innerHTML = "";
  delete win.turnstile;
  vi.restoreAllMocks();
});

describe("Turnstile on checkout", () => {
  it("renders Turnstile in a light-DOM box after the ask and sends the token as turnstileToken", async () => {
    const { api, renders } = fakeTurnstile((o) => o.callback("token-1"));
    win.turnstile = api;
    const { host, calls, navigate, submit } = start(withKey);
    await settle();
    await submit();
    expect(renders).toHaveLength(1);
    const { container, options, prev, next } = renders[0]!;
    // In the light DOM, right after the ask's host (Turnstile's iframe fails in a shadow root).
    expect(prev).toBe(host);
    expect(next?.id).toBe("p4");
    expect(container.getRootNode()).not.toBeInstanceOf(ShadowRoot);
    expect(options).toMatchObject({ sitekey: "0x4AAAAAAAtest", appearance: "interaction-only" });
    for (const cb of ["callback", "error-callback", "expired-callback"]) expect(typeof options[cb]).toBe("function");
    expect(calls).toHaveLength(1);
    expect(body(calls[0]!)).toMatchObject({ amount: 1000, frequency: "monthly", turnstileToken: "token-1" });
    expect(navigate).toHaveBeenCalledWith("https://checkout.example/cs_1");
    // Used once: the widget and its box are gone; the page's own Turnstile meant no script was added.
    expect(api.remove).toHaveBeenCalledWith("w1");
    expect(container.isConnected).toBe(false);
    expect(document.querySelector("[data-reader-support-check]")).toBeNull();
    expect(scripts()).toHaveLength(0);
  });

  it("says so when the script cannot load (blocked by CSP or offline), and tries again next time", async () => {
    const added: HTMLScriptElement[] = [];
    vi.spyOn(document.head, "appendChild").mockImplementation(<T extends Node>(node: T) => {
      added.push(node as unknown as HTMLScriptElement);
      return node;
    });
    const { calls, submit, alert, continueState } = start(withKey);
    await settle();
    const first = submit();
    await settle();
    await settle();
    added[0]!.onerror!(new Event("error"));
    await first;
    expect(alert()).toBe(FAILED);
    expect(continueState()).toBe("false");
    expect(calls).toHaveLength(0);
    const second = submit();
    await settle();
    await settle();
    expect(added).toHaveLength(2);
    added[1]!.onerror!(new Event("error"));
    await second;
  });

  it("loads Cloudflare's script once, as a classic script element, and asks for a fresh token per attempt", async () => {
    const added: HTMLScriptElement[] = [];
    // happy-dom does not run external scripts: keep the element and play its load event.
    vi.spyOn(document.head, "appendChild").mockImplementation(<T extends Node>(node: T) => {
      added.push(node as unknown as HTMLScriptElement);
      return node;
    });
    let n = 0;
    const { api } = fakeTurnstile((o) => o.callback(`token-${++n}`));
    const { calls, fetch, submit, continueState } = start(withKey);
    fetch.mockImplementationOnce(async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      return new Response(JSON.stringify({ error: { code: "rate_limited", message: "Wait a minute." } }), {
        status: 429,
      });
    });
    await settle();
    const first = submit();
    await settle();
    await settle();
    expect(added).toHaveLength(1);
    const script = added[0]!;
    expect(script.tagName).toBe("SCRIPT");
    expect(script.src).toBe(TURNSTILE_SRC);
    expect(script.type).toBe("");
    expect(script.textContent).toBe("");
    expect(calls).toHaveLength(0); // Nothing is posted before the token.
    win.turnstile = api;
    script.onload!(new Event("load"));
    await first;
    expect(body(calls[0]!).turnstileToken).toBe("token-1");
    expect(continueState()).toBe("false");
    delete win.turnstile; // Even so, the loaded script is not added again.
    await submit();
    expect(added).toHaveLength(1);
    expect(body(calls[1]!).turnstileToken).toBe("token-2");
  });

  it("announces an error from Turnstile, posts nothing and lets the reader continue again", async () => {
    let fail = true;
    const { api, renders } = fakeTurnstile((o) => (fail ? o["error-callback"]("300030") : o.callback("token-ok")));
    win.turnstile = api;
    const { calls, submit, alert, continueState, root } = start(withKey);
    await settle();
    await submit();
    expect(alert()).toBe(FAILED);
    expect(root.querySelector("[role=alert]")!.getAttribute("role")).toBe("alert");
    expect(continueState()).toBe("false");
    expect(root.querySelector("button[type=submit]")!.textContent).toBe("Continue");
    expect(calls).toHaveLength(0);
    expect(renders[0]!.container.isConnected).toBe(false);
    expect(api.remove).toHaveBeenCalledWith("w1");
    fail = false;
    await submit();
    expect(calls).toHaveLength(1);
    expect(body(calls[0]!).turnstileToken).toBe("token-ok");
  });

  it("treats an expired token like an error, in the ask's language", async () => {
    const { api } = fakeTurnstile((o) => o["expired-callback"]());
    win.turnstile = api;
    const { calls, submit, alert, continueState } = start({ ...withKey, lang: "ru" });
    await settle();
    await submit();
    expect(alert()).toBe("Не удалось пройти проверку безопасности. Попробуйте ещё раз.");
    expect(continueState()).toBe("false");
    expect(calls).toHaveLength(0);
  });

  it("without a site key, adds no script, renders nothing and sends no token", async () => {
    const { api } = fakeTurnstile((o) => o.callback("never"));
    win.turnstile = api;
    const load = vi.fn(async () => extras);
    const { calls, submit } = start(base, { chunks: { extras: load } });
    await settle();
    await submit();
    expect(calls).toHaveLength(1);
    expect(body(calls[0]!)).not.toHaveProperty("turnstileToken");
    expect(api.render).not.toHaveBeenCalled();
    expect(load).not.toHaveBeenCalled(); // Nothing extra is fetched for Continue.
    expect(document.querySelectorAll("script")).toHaveLength(0);
    expect(document.querySelector("[data-reader-support-check]")).toBeNull();
  });
});

describe("turnstileToken", () => {
  const chooserIn = (host: HTMLElement, lang = "en") => {
    const root = host.attachShadow({ mode: "open" });
    const form = document.createElement("form");
    root.appendChild(form);
    return [{ config: withKey, lang: lang as "en" }, form] as const;
  };

  it("gives up after the timeout with the message and removes its box", async () => {
    const { api } = fakeTurnstile(() => {});
    win.turnstile = api;
    const host = document.createElement("reader-support");
    document.querySelector("#p2")!.insertAdjacentElement("afterend", host);
    const pending = turnstileToken(...chooserIn(host), 20);
    await settle();
    expect(host.nextElementSibling?.hasAttribute("data-reader-support-check")).toBe(true);
    await expect(pending).rejects.toBe(FAILED);
    expect(document.querySelector("[data-reader-support-check]")).toBeNull();
    expect(api.remove).toHaveBeenCalledWith("w1");
  });

  it("waits longer once Cloudflare asks the reader to interact, and shows the challenge", async () => {
    let options: Options = {};
    const { api } = fakeTurnstile((o) => {
      options = o;
      o["before-interactive-callback"]();
    });
    win.turnstile = api;
    const host = document.createElement("reader-support");
    document.querySelector("#p2")!.insertAdjacentElement("afterend", host);
    const scrolled = vi.spyOn(HTMLElement.prototype, "scrollIntoView").mockImplementation(() => {});
    const pending = turnstileToken(...chooserIn(host), 20);
    await new Promise((r) => setTimeout(r, 60));
    expect(scrolled).toHaveBeenCalled();
    expect(document.querySelector("[data-reader-support-check]")).not.toBeNull();
    options.callback("token-after-click");
    await expect(pending).resolves.toBe("token-after-click");
    expect(document.querySelector("[data-reader-support-check]")).toBeNull();
  });

  it("goes before a bottom banner, which is fixed over the end of the page", async () => {
    const { api, renders } = fakeTurnstile((o) => o.callback("t"));
    win.turnstile = api;
    const host = document.createElement("reader-support");
    document.body.appendChild(host);
    const root = host.attachShadow({ mode: "open" });
    const wrap = document.createElement("div");
    wrap.className = "bottom";
    const form = document.createElement("form");
    wrap.appendChild(form);
    root.appendChild(wrap);
    await turnstileToken({ config: withKey, lang: "en" }, form);
    expect(renders[0]!.next).toBe(host);
  });
});

describe("Turnstile on the reminder form", () => {
  it("a site that requires it sends a fresh token with the reminder request", async () => {
    const { api, renders } = fakeTurnstile((o) => o.callback("token-r"));
    win.turnstile = api;
    const { root, calls } = start(withKey);
    await settle();
    [...root.querySelectorAll("button")].find((b) => b.textContent === "Remind me later")!.click();
    for (let i = 0; i < 5; i++) await settle();
    const email = root.querySelector<HTMLInputElement>("#rs-email")!;
    email.value = "reader@example.com";
    email.dispatchEvent(new Event("input", { bubbles: true }));
    await settle();
    root.querySelector("form")!.dispatchEvent(new Event("submit", { cancelable: true }));
    for (let i = 0; i < 5; i++) await settle();
    await new Promise((r) => setTimeout(r, 5));
    for (let i = 0; i < 3; i++) await settle();
    expect(renders).toHaveLength(1);
    expect(calls.at(-1)!.url).toBe("https://support.example.org/api/reminders");
    expect(body(calls.at(-1)!)).toMatchObject({ email: "reader@example.com", turnstileToken: "token-r" });
  });

  it("a site without Turnstile sends no token and loads no script", async () => {
    const { root, calls } = start(base);
    await settle();
    [...root.querySelectorAll("button")].find((b) => b.textContent === "Remind me later")!.click();
    for (let i = 0; i < 5; i++) await settle();
    const email = root.querySelector<HTMLInputElement>("#rs-email")!;
    email.value = "reader@example.com";
    email.dispatchEvent(new Event("input", { bubbles: true }));
    await settle();
    root.querySelector("form")!.dispatchEvent(new Event("submit", { cancelable: true }));
    for (let i = 0; i < 5; i++) await settle();
    expect(body(calls.at(-1)!).turnstileToken).toBeUndefined();
    expect(scripts()).toHaveLength(0);
  });
});
