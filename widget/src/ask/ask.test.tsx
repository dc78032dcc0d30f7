import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AskConfig } from "../../../worker/core/widget-contract";
import sample from "../../fixtures/ask-config.json";
import { loadState, saveState } from "../rules/state";
import { DAY } from "../rules/time";
import { showBanner } from "./banner-place";
import { checkAmount } from "./check-amount";
import type { BannerChunk, Extras } from "./global";
import { type MountDeps, mount } from "./mount";
import type { MountOptions } from "./mount-options";
import { OtherAmount } from "./OtherAmount";
import { formatSendOn, Reminder } from "./Reminder";
import { confirmThanks, Thanks } from "./Thanks";
import { turnstileToken } from "./turnstile";

const config = sample as AskConfig;
const NOW = Date.UTC(2025, 4, 14, 12);
/** The extras chunk, as the build packs it (widget/src/ask/extras-chunk.ts). */
const extras: Extras = { Reminder, OtherAmount, checkAmount, turnstile: turnstileToken, Thanks, confirmThanks };
/** The banner chunk (widget/src/ask/banner-chunk.ts). */
const banner: BannerChunk = { showBanner };

/** Lets the view layer (which renders state changes in a microtask) and awaited fetches settle. */
const settle = () => new Promise((r) => setTimeout(r, 0));

function articlePage() {
  document.documentElement.lang = "en";
  document.body.innerHTML = `<header><p>Masthead</p></header><main><article>${Array.from(
    { length: 8 },
    (_, i) => `<p id="p${i + 1}">Paragraph ${i + 1}</p>`,
  ).join("")}</article></main>`;
}

/** What the worker answers `POST /api/thanks` in the next test (it says no unless told otherwise). */
let thanksReply: { status: number; body: unknown } = { status: 200, body: { supporter: false } };

function start(options: Partial<MountOptions> = {}, deps: MountDeps = {}) {
  const calls: { url: string; init: RequestInit }[] = [];
  const navigate = vi.fn();
  const beacon = vi.fn(() => true);
  const fetch = vi.fn(async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    if (url.endsWith("/api/thanks"))
      return new Response(JSON.stringify(thanksReply.body), { status: thanksReply.status });
    // As the worker answers (worker/reminders/routes.ts): the date is the server's, here
    // deliberately not "30 days from now" (June 13) so the form must show this one.
    if (url.endsWith("/api/reminders"))
      return new Response(JSON.stringify({ status: "confirmation_sent", when: "next_month", sendOn: "2025-06-15" }), {
        status: 202,
      });
    return new Response(JSON.stringify({ id: "cs_1", url: "https://checkout.example/cs_1" }), { status: 201 });
  });
  mount(
    {
      site: "demo",
      origin: "https://support.example.org",
      lang: "en",
      data: { site: "demo" },
      urlCampaign: null,
      config,
      rs: null,
      storage: localStorage,
      ...options,
    },
    {
      now: () => NOW,
      fetch: fetch as unknown as typeof globalThis.fetch,
      navigate,
      beacon,
      ...deps,
      chunks: { extras: async () => extras, banner: async () => banner, ...deps.chunks },
    },
  );
  return { calls, navigate, beacon, fetch, ...roots() };
}

/** The shadow roots of the in-article ask and of the banner, where they are on the page. */
function roots() {
  const inline = document.querySelector('reader-support[data-placement="inline"]')?.shadowRoot ?? null;
  const banner = document.querySelector('reader-support[data-placement="banner"]')?.shadowRoot ?? null;
  return { inline, banner };
}

/** The parsed JSON body of a recorded request. */
const bodyOf = (call: { init: RequestInit }) => JSON.parse(call.init.body as string);

const radios = (root: ShadowRoot, name: string) =>
  Array.from(root.querySelectorAll<HTMLInputElement>(`input[name=${name}]`));
const labelOf = (input: HTMLInputElement) => input.parentElement!.textContent;
const button = (root: ShadowRoot, text: string) =>
  Array.from(root.querySelectorAll("button")).find((b) => b.textContent === text)!;

async function choose(input: HTMLInputElement) {
  input.checked = true;
  input.dispatchEvent(new Event("change", { bubbles: true }));
  await settle();
}

async function type(input: HTMLInputElement, value: string) {
  input.value = value;
  input.dispatchEvent(new Event("input", { bubbles: true }));
  await settle();
}

beforeEach(() => {
  thanksReply = { status: 200, body: { supporter: false } };
  localStorage.clear();
  history.replaceState(null, "", "/news/ferry-terminal");
  articlePage();
});

afterEach(() => {
  document.body.innerHTML = "";
});

describe("the in-article ask", () => {
  it("renders after the Nth paragraph in a shadow root with the heading, copy and default choice", async () => {
    const { inline } = start();
    await settle();
    const host = document.querySelector('reader-support[data-placement="inline"]')!;
    expect(host.previousElementSibling?.id).toBe(`p${config.rules.afterParagraph}`);
    expect(host.getAttribute("style")).toBeNull();
    expect(inline!.querySelector("h2")!.textContent).toBe("A Message from The Harbour Courier");
    expect(inline!.textContent).toContain("Dear reader,");
    expect(radios(inline!, "frequency").map(labelOf)).toEqual(["Once", "Monthly", "Annual"]);
    expect(radios(inline!, "frequency").find((r) => r.checked)!.value).toBe("monthly");
    expect(radios(inline!, "amount").map(labelOf)).toEqual(["$5", "$10", "$20", "Other"]);
    expect(radios(inline!, "amount").find((r) => r.checked)!.value).toBe("1000");
    expect(inline!.querySelector("fieldset legend")).not.toBeNull();
    expect(button(inline!, "Continue")).toBeTruthy();
    expect(inline!.querySelectorAll(".marks svg[role=img]")).toHaveLength(5);
    expect(inline!.textContent).toContain("I'll add $0.61 to cover processing costs");
  });

  it("goes into [data-reader-support] when the page has one", async () => {
    document.querySelector("#p5")!.insertAdjacentHTML("afterend", '<div data-reader-support id="slot"></div>');
    start();
    await settle();
    expect(document.querySelector("#slot > reader-support")).not.toBeNull();
  });

  it("switching frequency shows that frequency's presets", async () => {
    const { inline } = start();
    await settle();
    await choose(radios(inline!, "frequency")[0]!);
    expect(radios(inline!, "amount").map(labelOf)).toEqual(["$10", "$25", "$50", "$100", "Other"]);
    expect(radios(inline!, "amount").find((r) => r.checked)!.value).toBe("2500");
    expect(inline!.querySelector("legend:not(:first-child), fieldset:nth-of-type(2) legend")!.textContent).toBe(
      "Amount",
    );
    await choose(radios(inline!, "frequency")[2]!);
    expect(radios(inline!, "amount").map(labelOf)).toEqual(["$50", "$100", "$200", "Other"]);
  });

  it("validates Other live against min and max, in words", async () => {
    const { inline, calls } = start();
    await settle();
    await choose(radios(inline!, "amount").at(-1)!);
    const field = inline!.querySelector<HTMLInputElement>("#rs-other")!;
    const error = () => inline!.querySelector("#rs-other-err")!.textContent;
    expect(inline!.querySelector("label[for=rs-other]")!.textContent).toBe("Other amount in USD");
    await type(field, "0.5");
    expect(error()).toBe("Enter at least $1.00");
    expect(field.getAttribute("aria-invalid")).toBe("true");
    await type(field, "20000");
    expect(error()).toBe("Enter at most $10,000");
    await type(field, "abc");
    expect(error()).toMatch(/^Enter an amount in numbers/);
    await type(field, "12.50");
    expect(error()).toBe("");
    expect(field.getAttribute("aria-invalid")).toBe("false");
    await type(field, "");
    inline!.querySelector("form")!.dispatchEvent(new Event("submit", { cancelable: true }));
    await settle();
    expect(calls).toHaveLength(0);
    expect(error()).toBe("Enter at least $1.00");
  });

  it("Continue posts the choice with a fresh Idempotency-Key and navigates to checkout", async () => {
    const { inline, calls, navigate } = start();
    await settle();
    const fee = inline!.querySelector<HTMLInputElement>(".chk input")!;
    fee.checked = true;
    fee.dispatchEvent(new Event("change", { bubbles: true }));
    await settle();
    inline!.querySelector("form")!.dispatchEvent(new Event("submit", { cancelable: true }));
    await settle();
    expect(button(inline!, "Opening secure checkout…")?.getAttribute("aria-disabled")).toBe("true");
    await settle();
    expect(calls).toHaveLength(1);
    const { url, init } = calls[0]!;
    expect(url).toBe("https://support.example.org/api/checkout");
    expect(init.method).toBe("POST");
    const headers = init.headers as Record<string, string>;
    expect(headers["Idempotency-Key"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(init.body as string)).toEqual({
      site: "demo",
      frequency: "monthly",
      amount: 1000,
      currency: "USD",
      returnUrl: `${location.origin}/news/ferry-terminal`,
      variant: expect.stringMatching(/^(control|monthly-first)$/),
      placement: "inline",
      coverFees: true,
    });
    expect(navigate).toHaveBeenCalledWith("https://checkout.example/cs_1");
  });

  it("fetches the extras chunk only when the reader reaches for the form, and only once", async () => {
    const load = vi.fn(async () => extras);
    const { inline } = start({}, { chunks: { extras: load } });
    await settle();
    expect(load).not.toHaveBeenCalled();
    expect(inline!.querySelector("#rs-other")).toBeNull();
    radios(inline!, "amount")[0]!.dispatchEvent(new FocusEvent("focusin", { bubbles: true }));
    await choose(radios(inline!, "amount").at(-1)!);
    expect(load).toHaveBeenCalledTimes(1);
    expect(inline!.querySelector("#rs-other")).not.toBeNull();
  });

  it("sends the page view's campaign at checkout and with every event, and strips rs_campaign", async () => {
    history.replaceState(null, "", "/news/ferry-terminal?rs_campaign=reminder&x=1");
    const { inline, calls, beacon } = start({ urlCampaign: "reminder", data: { site: "demo", campaign: "spring" } });
    await settle();
    expect(location.search).toBe("?x=1");
    inline!.querySelector("form")!.dispatchEvent(new Event("submit", { cancelable: true }));
    await settle();
    await settle();
    const body = JSON.parse(calls[0]!.init.body as string);
    expect(body.campaign).toBe("reminder");
    expect(body.returnUrl).toBe(`${location.origin}/news/ferry-terminal?x=1`);
    dispatchEvent(new Event("pagehide"));
    const events = (beacon.mock.calls as unknown as [string, string][]).flatMap(([, b]) => JSON.parse(b).events);
    expect(events.map((e: { type: string }) => e.type)).toEqual(
      expect.arrayContaining(["impression", "click", "checkout"]),
    );
    for (const e of events) expect(e.campaign).toBe("reminder");
  });

  it("takes the page URL's campaign, else data-campaign, each only if the API would take it", async () => {
    const campaignOf = async (options: Partial<MountOptions>) => {
      document.body.innerHTML = "";
      articlePage();
      const { inline, calls } = start(options);
      await settle();
      inline!.querySelector("form")!.dispatchEvent(new Event("submit", { cancelable: true }));
      await settle();
      await settle();
      return JSON.parse(calls[0]!.init.body as string).campaign;
    };
    expect(await campaignOf({ data: { site: "demo", campaign: "spring" } })).toBe("spring");
    expect(await campaignOf({ urlCampaign: "<script>", data: { site: "demo", campaign: "spring" } })).toBe("spring");
    expect(await campaignOf({ urlCampaign: "<script>" })).toBeUndefined();
    expect(await campaignOf({ data: { site: "demo", campaign: "x".repeat(41) } })).toBeUndefined();
  });

  it("sends no campaign when the page view has none", async () => {
    const { inline, calls, beacon } = start();
    await settle();
    inline!.querySelector("form")!.dispatchEvent(new Event("submit", { cancelable: true }));
    await settle();
    await settle();
    expect(JSON.parse(calls[0]!.init.body as string)).not.toHaveProperty("campaign");
    dispatchEvent(new Event("pagehide"));
    const events = (beacon.mock.calls as unknown as [string, string][]).flatMap(([, b]) => JSON.parse(b).events);
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) expect(e).not.toHaveProperty("campaign");
  });

  it("announces an error and lets the reader try again with a new key", async () => {
    const { inline, fetch, calls } = start();
    fetch.mockImplementationOnce(async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      return new Response(
        JSON.stringify({ error: { code: "rate_limited", message: "Too many attempts. Wait a minute." } }),
        {
          status: 429,
        },
      );
    });
    await settle();
    const form = inline!.querySelector("form")!;
    form.dispatchEvent(new Event("submit", { cancelable: true }));
    await settle();
    await settle();
    const alert = inline!.querySelector("[role=alert]")!;
    expect(alert.textContent).toBe("Too many attempts. Wait a minute.");
    expect(button(inline!, "Continue").getAttribute("aria-disabled")).toBe("false");
    form.dispatchEvent(new Event("submit", { cancelable: true }));
    await settle();
    await settle();
    expect(calls).toHaveLength(2);
    const key = (i: number) => (calls[i]!.init.headers as Record<string, string>)["Idempotency-Key"];
    expect(key(0)).not.toBe(key(1));
  });

  it("says so when the network fails", async () => {
    const { inline, fetch } = start();
    fetch.mockRejectedValueOnce(new TypeError("Failed to fetch"));
    await settle();
    inline!.querySelector("form")!.dispatchEvent(new Event("submit", { cancelable: true }));
    await settle();
    await settle();
    expect(inline!.querySelector("[role=alert]")!.textContent).toMatch(/couldn't connect/);
  });

  it("Remind me later snoozes at once, hides the banner and offers the reminder form", async () => {
    const { inline, calls } = start();
    await settle();
    expect(document.querySelector('reader-support[data-placement="banner"]')).not.toBeNull();
    button(inline!, "Remind me later").click();
    await settle();
    expect(loadState(localStorage, "demo").snoozeUntil).toBe(NOW + config.rules.snoozeDays * DAY);
    expect(document.querySelector('reader-support[data-placement="banner"]')).toBeNull();
    expect(inline!.textContent).toContain("hide this message for 7 days");
    expect(inline!.textContent).toContain("one email");
    const email = inline!.querySelector<HTMLInputElement>("#rs-email")!;
    await type(email, "reader@example.com");
    await choose(radios(inline!, "when")[1]!);
    inline!.querySelector("form")!.dispatchEvent(new Event("submit", { cancelable: true }));
    await settle();
    await settle();
    expect(calls.at(-1)!.url).toBe("https://support.example.org/api/reminders");
    expect(JSON.parse(calls.at(-1)!.init.body as string)).toEqual({
      site: "demo",
      email: "reader@example.com",
      when: "next_month",
      lang: "en",
      pageUrl: `${location.origin}/news/ferry-terminal`,
    });
    const statuses = Array.from(inline!.querySelectorAll("[role=status]"));
    // The server's sendOn, not a date computed in the browser (NOW + 30 days would be June 13).
    expect(statuses.at(-1)!.textContent).toBe(
      "Almost done: check your inbox and confirm with the link we've just sent. Then we'll email you once, around June 15.",
    );
  });

  it("asks the reader to confirm by email, with the server's sendOn in the reader's language", async () => {
    const { inline } = start({ lang: "ru", config: { ...config, lang: "ru" } });
    await settle();
    button(inline!, "Напомнить позже").click();
    await settle();
    await type(inline!.querySelector<HTMLInputElement>("#rs-email")!, "reader@example.com");
    inline!.querySelector("form")!.dispatchEvent(new Event("submit", { cancelable: true }));
    await settle();
    await settle();
    const statuses = Array.from(inline!.querySelectorAll("[role=status]"));
    expect(statuses.at(-1)!.textContent).toBe(
      "Почти готово: проверьте почту и подтвердите напоминание по ссылке из письма. Тогда мы напишем вам один раз, около 15 июня.",
    );
  });

  it("asks to confirm without a date when the answer carries no usable sendOn", async () => {
    const fetch = vi.fn(
      async () => new Response(JSON.stringify({ status: "confirmation_sent", when: "next_week" }), { status: 202 }),
    );
    const { inline } = start({}, { fetch: fetch as unknown as typeof globalThis.fetch });
    await settle();
    button(inline!, "Remind me later").click();
    await settle();
    await type(inline!.querySelector<HTMLInputElement>("#rs-email")!, "reader@example.com");
    inline!.querySelector("form")!.dispatchEvent(new Event("submit", { cancelable: true }));
    await settle();
    await settle();
    const statuses = Array.from(inline!.querySelectorAll("[role=status]"));
    expect(statuses.at(-1)!.textContent).toBe(
      "Almost done: check your inbox and confirm with the link we've just sent.",
    );
  });

  it("hides the reminder form when the site disables reminders", async () => {
    const { inline } = start({ config: { ...config, reminders: false } });
    await settle();
    button(inline!, "Remind me later").click();
    await settle();
    expect(inline!.querySelector("#rs-email")).toBeNull();
  });

  it("shows the article count with an opt-out", async () => {
    const weeks = { [Math.floor(NOW / (7 * DAY))]: ["a", "b", "c", "d", "e"] };
    saveState(localStorage, "demo", { weeks });
    const { inline } = start();
    await settle();
    expect(inline!.textContent).toContain("You've read 5 articles in the last month.");
    button(inline!, "Don't count my articles").click();
    await settle();
    expect(inline!.textContent).not.toContain("You've read");
    expect(loadState(localStorage, "demo")).toMatchObject({ countOff: true });
    expect(loadState(localStorage, "demo").weeks).toBeUndefined();
  });

  it("renders Russian labels", async () => {
    const { inline } = start({ lang: "ru", config: { ...config, lang: "ru" } });
    await settle();
    expect(radios(inline!, "frequency").map(labelOf)).toEqual(["Разово", "Ежемесячно", "Ежегодно"]);
    expect(button(inline!, "Продолжить")).toBeTruthy();
  });
});

describe("the monthly upsell", () => {
  const withUpsell = { ...config, upsell: { share: 25 } };
  const events = (beacon: { mock: { calls: unknown[] } }) => {
    dispatchEvent(new Event("pagehide"));
    return (beacon.mock.calls as unknown as [string, string][]).flatMap(([, b]) => JSON.parse(b).events);
  };
  /** Once, $25, Continue: the offer replaces the form. */
  async function offered(options: Partial<MountOptions> = {}, deps: MountDeps = {}) {
    const started = start({ config: withUpsell, ...options }, deps);
    await settle();
    const root = started.inline!;
    await choose(radios(root, "frequency").find((r) => r.value === "once")!);
    await choose(radios(root, "amount").find((r) => r.value === "2500")!);
    root.querySelector("form")!.dispatchEvent(new Event("submit", { cancelable: true }));
    for (let i = 0; i < 3; i++) await settle();
    return { ...started, root };
  }

  it("after Once and Continue offers, once, a monthly gift instead; focus on its question; nothing posted yet", async () => {
    const { root, calls, beacon } = await offered();
    expect(calls).toHaveLength(0);
    expect(root.querySelector("form")).toBeNull();
    const question = root.querySelector("h3")!;
    expect(question.textContent).toBe("Could you make it monthly?");
    expect(root.activeElement).toBe(question);
    expect(root.querySelector("section.up")!.getAttribute("aria-labelledby")).toBe(question.id);
    expect(root.querySelector(".up p")!.textContent).toBe(
      "A monthly gift of $6 does even more than $25 once: it lets us plan our reporting. You can change or cancel it at any time.",
    );
    expect(Array.from(root.querySelectorAll(".up button")).map((b) => b.textContent)).toEqual([
      "Make it $6 a month",
      "Keep my $25 one-off gift",
    ]);
    expect(events(beacon).map((e: { type: string }) => e.type)).toContain("upsell_offered");
  });

  it("Make it monthly: a monthly checkout of the suggested amount, marked as the upsell's", async () => {
    const { root, calls, navigate, beacon } = await offered();
    button(root, "Make it $6 a month").click();
    await settle();
    await settle();
    expect(calls).toHaveLength(1);
    expect(bodyOf(calls[0]!)).toMatchObject({ frequency: "monthly", amount: 600, upsell: "ask", placement: "inline" });
    expect(navigate).toHaveBeenCalledWith("https://checkout.example/cs_1");
    const types = events(beacon).map((e: { type: string }) => e.type);
    expect(types).toEqual(expect.arrayContaining(["upsell_offered", "upsell_accepted", "click", "checkout"]));
    expect(types).not.toContain("upsell_declined");
  });

  it("Keep it a one-off: the one-off checkout as chosen, and the offer is not made again", async () => {
    const { root, calls, beacon } = await offered();
    button(root, "Keep my $25 one-off gift").click();
    await settle();
    await settle();
    expect(calls).toHaveLength(1);
    const body = bodyOf(calls[0]!);
    expect(body).toMatchObject({ frequency: "once", amount: 2500 });
    expect(body).not.toHaveProperty("upsell");
    expect(events(beacon).map((e: { type: string }) => e.type)).toContain("upsell_declined");
  });

  it("uses the site's fixed monthly amount, and speaks Russian", async () => {
    const { root } = await offered({
      lang: "ru",
      config: { ...withUpsell, lang: "ru", upsell: { share: 25, amount: 700 } },
    });
    expect(root.querySelector("h3")!.textContent).toBe("Может быть, ежемесячно?");
    expect(root.querySelector(".up button")!.textContent).toMatch(/^Да, 7\s\$ в месяц$/);
  });

  it("is not offered for a monthly choice or where the site turned it off; it needs no chunk", async () => {
    const monthly = start({ config: withUpsell });
    await settle();
    monthly.inline!.querySelector("form")!.dispatchEvent(new Event("submit", { cancelable: true }));
    for (let i = 0; i < 3; i++) await settle();
    expect(bodyOf(monthly.calls[0]!)).toMatchObject({ frequency: "monthly", amount: 1000 });
    document.body.innerHTML = "";
    articlePage();
    localStorage.clear();
    const off = await offered({ config });
    expect(bodyOf(off.calls[0]!)).toMatchObject({ frequency: "once", amount: 2500 });
    document.body.innerHTML = "";
    articlePage();
    localStorage.clear();
    // Part of the ask bundle: offered even when the extras chunk cannot load.
    const offline = await offered({}, { chunks: { extras: () => Promise.reject(new Error("offline")) } });
    expect(offline.root.querySelector("h3")?.textContent).toBe("Could you make it monthly?");
    expect(offline.calls).toHaveLength(0);
  });
});

describe("the banner", () => {
  it("has a labelled close button that hides it for bannerDismissDays", async () => {
    const { beacon } = start();
    await settle();
    const { banner } = roots();
    expect(banner!.textContent).toContain("Support us");
    const close = banner!.querySelector<HTMLButtonElement>("button[aria-label]")!;
    expect(close.getAttribute("aria-label")).toBe("Close this message");
    close.click();
    await settle();
    expect(document.querySelector('reader-support[data-placement="banner"]')).toBeNull();
    expect(loadState(localStorage, "demo").bannerUntil).toBe(NOW + config.rules.bannerDismissDays * DAY);
    dispatchEvent(new Event("pagehide"));
    const sent = (beacon.mock.calls as unknown as [string, string][]).map(([, body]) => JSON.parse(body));
    const types = sent.flatMap((b) =>
      b.events.map((e: { type: string; placement: string }) => `${e.type}:${e.placement}`),
    );
    expect(types).toEqual(expect.arrayContaining(["impression:inline", "impression:banner", "dismiss:banner"]));
    expect(sent[0].site).toBe("demo");
  });

  it("Escape closes it", async () => {
    start();
    await settle();
    document.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape" }));
    await settle();
    expect(document.querySelector('reader-support[data-placement="banner"]')).toBeNull();
  });

  it("opens a compact choice where the page has no article", async () => {
    document.body.innerHTML = "<main><h1>Home</h1></main>";
    start();
    await settle();
    const { banner, inline } = roots();
    expect(inline).toBeNull();
    button(banner!, "Support us").click();
    await settle();
    expect(radios(banner!, "frequency")).toHaveLength(3);
    expect(button(banner!, "Continue")).toBeTruthy();
  });

  it("a checkout from the banner's compact choice says placement banner", async () => {
    document.body.innerHTML = "<main><h1>Home</h1></main>";
    const { calls } = start();
    await settle();
    const { banner } = roots();
    button(banner!, "Support us").click();
    await settle();
    banner!.querySelector("form")!.dispatchEvent(new Event("submit", { cancelable: true }));
    await settle();
    await settle();
    expect(calls).toHaveLength(1);
    expect(bodyOf(calls[0]!)).toMatchObject({ frequency: "monthly", amount: 1000, placement: "banner" });
  });

  it("Support us on an article leads to the in-article ask, whose checkout says placement inline", async () => {
    const { calls } = start();
    await settle();
    const { banner, inline } = roots();
    button(banner!, "Support us").click();
    await settle();
    // No compact choice in the banner: the reader is taken to the ask in the article.
    expect(banner!.querySelector("form")).toBeNull();
    expect(inline!.activeElement?.tagName).toBe("H2");
    inline!.querySelector("form")!.dispatchEvent(new Event("submit", { cancelable: true }));
    await settle();
    await settle();
    expect(calls).toHaveLength(1);
    expect(bodyOf(calls[0]!).placement).toBe("inline");
  });

  it("goes after the page's leading skip link, so Tab still reaches the skip link first", async () => {
    document.body.insertAdjacentHTML("afterbegin", '<a id="skip" href="#main">Skip to content</a>');
    start();
    await settle();
    expect(document.body.firstElementChild!.id).toBe("skip");
    expect(document.querySelector("#skip + reader-support")?.getAttribute("data-placement")).toBe("banner");
  });

  it("stays first when the page starts with other controls", async () => {
    document.body.innerHTML = '<header><a href="/">Home</a><a href="#main">Skip</a></header><main><p>Text</p></main>';
    start();
    await settle();
    expect(document.body.firstElementChild!.tagName).toBe("READER-SUPPORT");
  });

  it("is not shown when dismissed, while the in-article ask still is", async () => {
    saveState(localStorage, "demo", { bannerUntil: NOW + DAY });
    const { banner, inline } = start();
    expect(banner).toBeNull();
    expect(inline).not.toBeNull();
  });
});

describe("coming back from Stripe", () => {
  /** The worker confirms the payment behind the return link, with the pledge's frequency. */
  const paid = (frequency: string) => {
    thanksReply = { status: 200, body: { supporter: true, frequency } };
  };
  /** Mount, the extras chunk, the worker's answer and the render. */
  const returned = async () => {
    for (let i = 0; i < 6; i++) await settle();
  };

  it("thanks the reader once the worker confirms the payment, remembers them and cleans the URL", async () => {
    paid("monthly");
    history.replaceState(null, "", "/news/ferry-terminal?x=1&rs=thanks&rs_pledge=pl_1.signature");
    const { calls } = start({ rs: "thanks" });
    // The address bar is clean at once: a reload cannot repeat the check.
    expect(location.search).toBe("?x=1");
    await returned();
    const { inline, banner } = roots();
    expect(inline!.querySelector("h2")!.textContent).toBe("Thank you for supporting The Harbour Courier");
    expect(inline!.querySelector("form")).toBeNull();
    expect(banner).toBeNull();
    expect(loadState(localStorage, "demo").supporterUntil).toBe(NOW + 365 * DAY);
    const check = calls.find((c) => c.url === "https://support.example.org/api/thanks")!;
    expect(bodyOf(check)).toEqual({ site: "demo", token: "pl_1.signature" });
  });

  it("after a recurring gift links to Manage your support, with a way back to the clean page", async () => {
    paid("monthly");
    history.replaceState(null, "", "/news/ferry-terminal?x=1&rs=thanks&rs_pledge=pl_1.signature#comments");
    start({ rs: "thanks" });
    await returned();
    const link = roots().inline!.querySelector<HTMLAnchorElement>("a")!;
    expect(link.textContent).toBe("Manage your support");
    const back = encodeURIComponent(`${location.origin}/news/ferry-terminal?x=1`);
    expect(link.getAttribute("href")).toBe(`https://support.example.org/manage?site=demo&lang=en&return=${back}`);
    expect(new URL(link.href).searchParams.get("return")).toBe(`${location.origin}/news/ferry-terminal?x=1`);
  });

  it("links to Управление поддержкой after an annual gift in Russian", async () => {
    paid("annual");
    history.replaceState(null, "", "/news/ferry-terminal?rs=thanks&rs_pledge=pl_1.signature");
    start({ rs: "thanks", lang: "ru", config: { ...config, lang: "ru" } });
    await returned();
    const link = roots().inline!.querySelector<HTMLAnchorElement>("a")!;
    expect(link.textContent).toBe("Управление поддержкой");
    expect(link.getAttribute("href")).toBe(
      `https://support.example.org/manage?site=demo&lang=ru&return=${encodeURIComponent(`${location.origin}/news/ferry-terminal`)}`,
    );
  });

  it("after a one-time gift shows no manage link (nothing to cancel; the page would email nothing)", async () => {
    paid("once");
    history.replaceState(null, "", "/news/ferry-terminal?rs=thanks&rs_pledge=pl_1.signature");
    start({ rs: "thanks" });
    await returned();
    const { inline } = roots();
    expect(inline!.querySelector("h2")!.textContent).toBe("Thank you for supporting The Harbour Courier");
    expect(inline!.querySelector("a")).toBeNull();
    expect(loadState(localStorage, "demo").supporterUntil).toBe(NOW + 90 * DAY);
  });

  it("on a page without an article thanks in the banner, with the manage link after a recurring gift", async () => {
    paid("monthly");
    document.body.innerHTML = "<main><h1>Home</h1></main>";
    history.replaceState(null, "", "/?rs=thanks&rs_pledge=pl_1.signature");
    start({ rs: "thanks" });
    await returned();
    const { inline, banner } = roots();
    expect(inline).toBeNull();
    expect(banner!.querySelector("strong")!.textContent).toBe("Thank you for supporting The Harbour Courier");
    expect(banner!.textContent).not.toContain("Support us");
    const link = banner!.querySelector<HTMLAnchorElement>("a")!;
    expect(link.textContent).toBe("Manage your support");
    expect(link.getAttribute("href")).toBe(
      `https://support.example.org/manage?site=demo&lang=en&return=${encodeURIComponent(`${location.origin}/`)}`,
    );
    expect(banner!.querySelector<HTMLButtonElement>("button[aria-label]")!.getAttribute("aria-label")).toBe(
      "Close this message",
    );
  });

  it("after a one-off gift offers to give monthly with one press; the worker starts that checkout", async () => {
    thanksReply = {
      status: 200,
      body: { supporter: true, frequency: "once", upsell: { amount: 600, currency: "USD", token: "pl_1.1.sig" } },
    };
    history.replaceState(null, "", "/news/ferry-terminal?rs=thanks&rs_pledge=pl_1.signature");
    const { calls, navigate, beacon } = start({ rs: "thanks" });
    await returned();
    const { inline } = roots();
    expect(inline!.textContent).toContain("Would you like to give $6 every month too?");
    const offer = button(inline!, "Give $6 a month");
    offer.click();
    for (let i = 0; i < 3; i++) await settle();
    const upsell = calls.find((c) => c.url === "https://support.example.org/api/upsell")!;
    expect(bodyOf(upsell)).toEqual({ site: "demo", token: "pl_1.1.sig" });
    expect((upsell.init.headers as Record<string, string>)["Idempotency-Key"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(navigate).toHaveBeenCalledWith("https://checkout.example/cs_1");
    dispatchEvent(new Event("pagehide"));
    const types = (beacon.mock.calls as unknown as [string, string][]).flatMap(([, b]) =>
      JSON.parse(b).events.map((e: { type: string }) => e.type),
    );
    expect(types).toEqual(expect.arrayContaining(["thanks_upsell_offered", "thanks_upsell_accepted"]));
  });

  it("shows no offer the worker did not make, or one in another currency", async () => {
    thanksReply = {
      status: 200,
      body: { supporter: true, frequency: "once", upsell: { amount: 600, currency: "EUR", token: "pl_1.1.sig" } },
    };
    history.replaceState(null, "", "/news/ferry-terminal?rs=thanks&rs_pledge=pl_1.signature");
    start({ rs: "thanks" });
    await returned();
    expect(roots().inline!.querySelector("button")).toBeNull();
  });

  /** What an ordinary reader of this page sees: the ask, and no supporter memory. */
  function expectNothingSpecial() {
    const { inline } = roots();
    expect(inline!.querySelector("h2")!.textContent).toBe("A Message from The Harbour Courier");
    expect(document.body.textContent).not.toContain("Thank you");
    expect(loadState(localStorage, "demo").supporterUntil).toBeUndefined();
    expect(location.search).toBe("");
  }

  it("the attack `?rs=thanks&rs_freq=annual` without payment: no thank-you, no supporter memory, the ask as usual", async () => {
    history.replaceState(null, "", "/news/ferry-terminal?rs=thanks&rs_freq=annual");
    const { calls } = start({ rs: "thanks" });
    await returned();
    expectNothingSpecial();
    // Without a token there is nothing to ask the worker.
    expect(calls.some((c) => c.url.endsWith("/api/thanks"))).toBe(false);
  });

  it.each([
    ["a forged token (the worker refuses it)", { status: 403, body: { error: { code: "invalid_token" } } }],
    ["an unpaid pledge, or a link already used", { status: 200, body: { supporter: false } }],
    ["an answer that is not the worker's", { status: 200, body: { supporter: "yes", frequency: "annual" } }],
    ["no answer at all", { status: 502, body: null }],
  ])("%s: nothing special", async (_name, reply) => {
    thanksReply = reply;
    history.replaceState(null, "", "/news/ferry-terminal?rs=thanks&rs_pledge=pl_1.forged&rs_freq=annual");
    start({ rs: "thanks" });
    await returned();
    expectNothingSpecial();
  });

  it("if the extras chunk cannot load, nothing special either", async () => {
    paid("monthly");
    history.replaceState(null, "", "/news/ferry-terminal?rs=thanks&rs_pledge=pl_1.signature");
    const load = vi.fn(() => Promise.reject(new Error("offline")));
    start({ rs: "thanks" }, { chunks: { extras: load } });
    await returned();
    expect(load).toHaveBeenCalledTimes(1);
    expectNothingSpecial();
  });

  it("after a cancelled checkout shows the ask again, without thanks", async () => {
    history.replaceState(null, "", "/news/ferry-terminal?rs=cancelled");
    saveState(localStorage, "demo", { views: [NOW - DAY, NOW - DAY, NOW - DAY, NOW - DAY] });
    const { inline } = start({ rs: "cancelled" });
    await settle();
    expect(inline!.querySelector("h2")!.textContent).toBe("A Message from The Harbour Courier");
    expect(location.search).toBe("");
  });

  it("for an unknown site (the API's 404) warns once on the console and shows nothing", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const before = document.body.innerHTML;
    const { inline, banner } = start({ site: "nope", config: 404 });
    await settle();
    expect(inline).toBeNull();
    expect(banner).toBeNull();
    expect(document.body.innerHTML).toBe(before);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/Unknown site "nope"/);
    warn.mockRestore();
  });

  it("shows nothing to a supporter, and nothing when the API was down", async () => {
    saveState(localStorage, "demo", { supporterUntil: NOW + DAY });
    expect(start().inline).toBeNull();
    localStorage.clear();
    const before = document.body.innerHTML;
    const { inline, banner } = start({ config: null });
    expect(inline).toBeNull();
    expect(banner).toBeNull();
    expect(document.body.innerHTML).toBe(before);
  });
});

describe("formatSendOn", () => {
  const tz = process.env.TZ;
  afterEach(() => {
    process.env.TZ = tz;
  });

  it("formats the server's day in the reader's language", () => {
    expect(formatSendOn("2025-06-15", "en")).toBe("June 15");
    expect(formatSendOn("2025-06-15", "ru")).toBe("15 июня");
    expect(formatSendOn("2026-01-01", "en")).toBe("January 1");
  });

  it("keeps the day west of UTC (it names a calendar day, not an instant)", () => {
    for (const zone of ["America/Los_Angeles", "Pacific/Pago_Pago"]) {
      process.env.TZ = zone;
      // The zone took effect: there, midnight UTC on June 15 is still June 14 ...
      expect(new Date(Date.UTC(2025, 5, 15)).getDate(), zone).toBe(14);
      expect(new Intl.DateTimeFormat("en", { month: "long", day: "numeric" }).format(Date.UTC(2025, 5, 15))).toBe(
        "June 14",
      );
      // ... yet the reader is told June 15.
      expect(formatSendOn("2025-06-15", "en"), zone).toBe("June 15");
    }
  });

  it("refuses what is not a YYYY-MM-DD calendar day", () => {
    for (const bad of [undefined, null, 20250615, "", "2025-02-30", "2025-6-15", "2025-06-15T00:00:00Z", "soon"])
      expect(formatSendOn(bad, "en"), String(bad)).toBeNull();
  });
});
