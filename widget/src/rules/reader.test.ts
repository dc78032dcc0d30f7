import { describe, expect, it } from "vitest";
import { decide, MOBILE_BELOW, type PageView, readerKind, readerOf, variantsFor } from "./reader";
import { DAY } from "./time";
import { recordView } from "./views";

const T0 = Date.UTC(2025, 4, 14, 12);
const page = (over: Partial<PageView> = {}): PageView => ({
  data: {},
  referrer: "",
  href: "https://courier.example.org/news/ferry",
  width: 1280,
  ...over,
});

describe("the reader of this page view", () => {
  it("sections and tags from the script tag's data-section and data-tags, comma-separated, any case", () => {
    const r = readerOf(page({ data: { section: "Politics", tags: "council, Harbour" } }), {}, T0);
    expect(r.sections).toEqual(["politics"]);
    expect(r.tags).toEqual(["council", "harbour"]);
    expect(readerOf(page(), {}, T0).tags).toEqual([]);
  });

  it("where they came from: search, social, newsletter, direct, internal, other", () => {
    const kind = (referrer: string, href?: string) =>
      readerOf(page({ referrer, ...(href ? { href } : {}) }), {}, T0).referrer;
    expect(kind("https://www.google.com/")).toBe("search");
    expect(kind("https://duckduckgo.com/?q=ferry")).toBe("search");
    expect(kind("https://t.co/x1")).toBe("social");
    expect(kind("https://l.facebook.com/l.php")).toBe("social");
    expect(kind("https://mail.google.com/")).toBe("newsletter");
    expect(kind("", "https://courier.example.org/news/ferry?utm_medium=email")).toBe("newsletter");
    expect(kind("https://www.google.com/", "https://courier.example.org/news/ferry?utm_source=friday-newsletter")).toBe(
      "newsletter",
    );
    expect(kind("")).toBe("direct");
    expect(kind("https://courier.example.org/")).toBe("internal");
    expect(kind("https://blog.example.net/post")).toBe("other");
  });

  it("mobile below 768 px of window width, desktop from there", () => {
    expect(readerOf(page({ width: 390 }), {}, T0).device).toBe("mobile");
    expect(readerOf(page({ width: MOBILE_BELOW - 1 }), {}, T0).device).toBe("mobile");
    expect(readerOf(page({ width: MOBILE_BELOW }), {}, T0).device).toBe("desktop");
  });

  it("the country is the config's, unknown by default", () => {
    expect(readerOf(page(), {}, T0, "GB").country).toBe("GB");
    expect(readerOf(page(), {}, T0).country).toBe("");
  });

  it("new until the ask has been seen, returning after (even once the view cap forgot it), lapsed once a supporter's memory ran out", () => {
    expect(readerKind({}, T0)).toBe("new");
    // Only having the reader id (the ask bundle ran, the ask was not seen) is still new.
    expect(readerKind({ id: "r1" }, T0)).toBe("new");
    const seen = recordView({}, T0);
    expect(readerKind(seen, T0 + DAY)).toBe("returning");
    expect(readerKind(seen, T0 + 60 * DAY)).toBe("returning");
    expect(readerKind({ views: [T0] }, T0 + DAY)).toBe("returning");
    expect(readerKind({ supporterUntil: T0 + 90 * DAY, seen: true }, T0 + 89 * DAY)).toBe("returning");
    expect(readerKind({ supporterUntil: T0 + 90 * DAY }, T0 + 90 * DAY)).toBe("lapsed");
    expect(readerKind({ supporterUntil: T0 + 90 * DAY, seen: true }, T0 + 200 * DAY)).toBe("lapsed");
  });
});

describe("targeting the ask and its variants", () => {
  const variants = [
    { id: "control", weight: 50 },
    { id: "returning", weight: 50, target: { readers: ["returning" as const] } },
    { id: "phones", weight: 50, target: { devices: ["mobile" as const] } },
  ];

  it("a variant whose target leaves the reader out is not among those to pick from", () => {
    const fresh = readerOf(page(), {}, T0);
    expect(variantsFor(variants, fresh).map((v) => v.id)).toEqual(["control"]);
    const back = readerOf(page({ width: 400 }), { seen: true }, T0);
    expect(variantsFor(variants, back).map((v) => v.id)).toEqual(["control", "returning", "phones"]);
  });

  it("the site's target refuses page views outside it; no target takes everyone", () => {
    const politics = page({ data: { section: "politics" } });
    expect(decide({ variants }, politics, {}, T0)[0]).toBe(true);
    expect(decide({ target: { sections: ["sport"] }, variants }, politics, {}, T0)[0]).toBe(false);
    expect(
      decide({ target: { sections: ["politics"], excludeTags: ["obituaries"] }, variants }, politics, {}, T0),
    ).toEqual([true, [variants[0]]]);
    expect(decide({ target: { countries: ["GB"] }, variants, country: "GB" }, politics, {}, T0)[0]).toBe(true);
    expect(decide({ target: { countries: ["GB"] }, variants, country: "" }, politics, {}, T0)[0]).toBe(false);
  });
});
