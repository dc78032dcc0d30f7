import { describe, expect, it } from "vitest";
import { listOf, type Reader, referrerKind, targetMatches } from "./targeting";

const reader = (over: Partial<Reader> = {}): Reader => ({
  sections: ["politics"],
  tags: ["council", "harbour"],
  referrer: "search",
  device: "mobile",
  country: "GB",
  reader: "returning",
  ...over,
});

describe("targeting rules", () => {
  it("no target, or an empty one, includes everyone", () => {
    expect(targetMatches(undefined, reader())).toBe(true);
    expect(targetMatches({}, reader())).toBe(true);
    expect(targetMatches({ sections: [], countries: [] }, reader())).toBe(true);
  });

  it("within a criterion any value matches; every criterion that is set must match", () => {
    expect(targetMatches({ sections: ["sport", "politics"] }, reader())).toBe(true);
    expect(targetMatches({ sections: ["sport"] }, reader())).toBe(false);
    expect(targetMatches({ tags: ["harbour"], devices: ["mobile"], referrers: ["search", "social"] }, reader())).toBe(
      true,
    );
    expect(targetMatches({ tags: ["harbour"], devices: ["desktop"] }, reader())).toBe(false);
  });

  it("sections and tags in the settings match the page's whatever their case", () => {
    expect(targetMatches({ sections: ["Politics"], excludeTags: ["Obituaries"] }, reader())).toBe(true);
    expect(targetMatches({ tags: ["HARBOUR"] }, reader())).toBe(true);
    expect(targetMatches({ excludeTags: ["Council"] }, reader())).toBe(false);
  });

  it("exclusions hide the ask on pages carrying one of them", () => {
    expect(targetMatches({ excludeTags: ["obituaries"] }, reader())).toBe(true);
    expect(targetMatches({ excludeTags: ["council"] }, reader())).toBe(false);
    expect(targetMatches({ excludeSections: ["politics"], tags: ["harbour"] }, reader())).toBe(false);
  });

  it("by country (from the config response); an unknown country matches no list", () => {
    expect(targetMatches({ countries: ["GB", "IE"] }, reader())).toBe(true);
    expect(targetMatches({ countries: ["DE"] }, reader())).toBe(false);
    expect(targetMatches({ countries: ["GB"] }, reader({ country: "" }))).toBe(false);
  });

  it("by the reader's history: new, returning, lapsed supporter", () => {
    expect(targetMatches({ readers: ["lapsed"] }, reader({ reader: "lapsed" }))).toBe(true);
    expect(targetMatches({ readers: ["new"] }, reader())).toBe(false);
    expect(targetMatches({ readers: ["new", "returning"] }, reader())).toBe(true);
  });

  it("reads the script tag's lists loosely", () => {
    expect(listOf("Council, harbour  Pier")).toEqual(["council", "harbour", "pier"]);
    expect(listOf(undefined)).toEqual([]);
  });
});

describe("where a reader came from", () => {
  const page = "https://courier.example.org/2026/pier";
  it("search engines, social networks, webmail and newsletter links", () => {
    expect(referrerKind("https://www.google.com/", page)).toBe("search");
    expect(referrerKind("https://duckduckgo.com/", page)).toBe("search");
    expect(referrerKind("https://yandex.ru/search?text=pier", page)).toBe("search");
    expect(referrerKind("https://t.co/abc", page)).toBe("social");
    expect(referrerKind("https://l.facebook.com/l.php", page)).toBe("social");
    expect(referrerKind("https://bsky.app/profile/x", page)).toBe("social");
    expect(referrerKind("https://mail.google.com/", page)).toBe("newsletter");
    expect(referrerKind("", `${page}?utm_medium=email&utm_source=weekly`)).toBe("newsletter");
    expect(referrerKind("https://www.google.com/", `${page}?utm_source=Morning-Newsletter`)).toBe("newsletter");
  });

  it("nothing is direct, the site itself is internal, anything else is other", () => {
    expect(referrerKind("", page)).toBe("direct");
    expect(referrerKind("https://courier.example.org/", page)).toBe("internal");
    expect(referrerKind("https://another-paper.example.com/story", page)).toBe("other");
    expect(referrerKind("https://notgoogle.example.com/", page)).toBe("other");
  });
});
