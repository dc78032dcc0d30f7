import { describe, expect, it } from "vitest";
import { articleKey, articlesRead, optOutOfCount, recordArticle, WEEKS_KEPT, weekOf } from "./articles";
import { FILTERS, type TargetingContext, whyNotShown } from "./filters";
import { dismissBanner, isActive, rememberSupporter, snooze } from "./memory";
import { loadState, saveState, stateKey } from "./state";
import { DAY, WEEK } from "./time";
import { pickVariant } from "./variants";
import { recordView, viewsInWindow } from "./views";

const T0 = Date.UTC(2025, 4, 14, 12); // a Wednesday noon, UTC
const rules = { supporterDaysOnce: 90, supporterDaysRecurring: 365 };

describe("snooze and banner dismissal", () => {
  it("a 7-day snooze ends exactly 7 days later", () => {
    const s = snooze({}, T0, 7);
    expect(isActive(s.snoozeUntil, T0)).toBe(true);
    expect(isActive(s.snoozeUntil, T0 + 7 * DAY - 1)).toBe(true);
    expect(isActive(s.snoozeUntil, T0 + 7 * DAY)).toBe(false);
  });

  it("closing the banner hides only the banner for N days", () => {
    const s = dismissBanner({}, T0, 14);
    const context = (now: number): TargetingContext => ({ state: s, now, viewCap: 4, minArticles: 0 });
    expect(whyNotShown(context(T0), "banner")).toBe("banner-dismissed");
    expect(whyNotShown(context(T0), "inline")).toBeNull();
    expect(whyNotShown(context(T0 + 14 * DAY - 1), "banner")).toBe("banner-dismissed");
    expect(whyNotShown(context(T0 + 14 * DAY), "banner")).toBeNull();
  });
});

describe("supporter memory", () => {
  it("remembers one-time supporters for 90 days and recurring ones for 365", () => {
    const once = rememberSupporter({}, T0, "once", rules);
    expect(isActive(once.supporterUntil, T0 + 90 * DAY - 1)).toBe(true);
    expect(isActive(once.supporterUntil, T0 + 90 * DAY)).toBe(false);
    for (const f of ["monthly", "annual"] as const) {
      const s = rememberSupporter({}, T0, f, rules);
      expect(isActive(s.supporterUntil, T0 + 365 * DAY - 1)).toBe(true);
      expect(isActive(s.supporterUntil, T0 + 365 * DAY)).toBe(false);
    }
  });

  it("never shortens a longer memory", () => {
    const monthly = rememberSupporter({}, T0, "monthly", rules);
    const thenOnce = rememberSupporter(monthly, T0 + DAY, "once", rules);
    expect(thenOnce.supporterUntil).toBe(monthly.supporterUntil);
  });
});

describe("view cap", () => {
  it("counts views in the 30 days up to now; a view exactly 30 days old has left", () => {
    const s = { views: [T0 - 30 * DAY, T0 - 30 * DAY + 1, T0 - DAY, T0] };
    expect(viewsInWindow(s, T0)).toBe(3);
    expect(viewsInWindow(s, T0 + 1)).toBe(2);
  });

  it("drops old views when recording", () => {
    const s = recordView({ views: [T0 - 31 * DAY, T0 - 29 * DAY] }, T0);
    expect(s.views).toEqual([T0 - 29 * DAY, T0]);
  });

  it("hides the ask at the cap, and shows it again once a view leaves the window", () => {
    let state = {};
    for (let i = 0; i < 4; i++) state = recordView(state, T0 + i * DAY);
    const at = (now: number) => whyNotShown({ state, now, viewCap: 4, minArticles: 0 }, "inline");
    expect(at(T0 + 3 * DAY)).toBe("view-cap");
    expect(at(T0 + 30 * DAY - 1)).toBe("view-cap");
    expect(at(T0 + 30 * DAY)).toBeNull();
    // A cancelled checkout shows the ask again despite the cap.
    expect(whyNotShown({ state, now: T0 + 3 * DAY, viewCap: 4, minArticles: 0, returning: true }, "inline")).toBeNull();
  });
});

describe("article count", () => {
  it("counts distinct articles per week, ignoring a trailing slash", () => {
    let s = recordArticle({}, T0, "/news/a");
    s = recordArticle(s, T0 + 1000, "/news/a/");
    s = recordArticle(s, T0 + 2000, "/news/b");
    expect(s.weeks?.[weekOf(T0)]).toEqual([articleKey("/news/a"), articleKey("/news/b")]);
    expect(articlesRead(s, T0)).toBe(2);
  });

  it("the same article read in two weeks counts once over the last 4 weeks", () => {
    let s = recordArticle({}, T0 - WEEK, "/news/a");
    s = recordArticle(s, T0, "/news/a");
    expect(articlesRead(s, T0)).toBe(1);
  });

  it("looks back over the current week and the 3 before it", () => {
    let s = {};
    for (let w = 0; w < 6; w++) s = recordArticle(s, T0 - w * WEEK, `/news/${w}`);
    expect(articlesRead(s, T0)).toBe(4);
  });

  it("keeps at most 52 weeks", () => {
    let s = {};
    for (let w = 0; w < 60; w++) s = recordArticle(s, T0 + w * WEEK, `/n/${w}`);
    const weeks = Object.keys((s as { weeks: object }).weeks).map(Number);
    expect(weeks).toHaveLength(WEEKS_KEPT);
    expect(Math.min(...weeks)).toBe(weekOf(T0 + 59 * WEEK) - (WEEKS_KEPT - 1));
  });

  it("opting out forgets the counts and stops counting", () => {
    const s = optOutOfCount(recordArticle({}, T0, "/news/a"));
    expect(s.weeks).toBeUndefined();
    expect(recordArticle(s, T0, "/news/b")).toEqual(s);
    expect(articlesRead(s, T0)).toBe(0);
  });

  it("is a targeting rule: show only after N articles in 4 weeks", () => {
    let state = {};
    const why = () => whyNotShown({ state, now: T0, viewCap: 4, minArticles: 3 }, "inline");
    state = recordArticle(recordArticle(state, T0, "/a"), T0, "/b");
    expect(why()).toBe("article-count");
    state = recordArticle(state, T0, "/c");
    expect(why()).toBeNull();
  });
});

describe("targeting filters", () => {
  it("name the first reason an ask is not shown", () => {
    const state = { supporterUntil: T0 + DAY, snoozeUntil: T0 + DAY };
    expect(whyNotShown({ state, now: T0, viewCap: 4, minArticles: 0 }, "inline")).toBe("supporter");
    expect(whyNotShown({ state: { snoozeUntil: T0 + DAY }, now: T0, viewCap: 4, minArticles: 0 }, "banner")).toBe(
      "snoozed",
    );
    expect(FILTERS.map((f) => f.name)).toEqual([
      "supporter",
      "snoozed",
      "view-cap",
      "article-count",
      "banner-dismissed",
    ]);
  });
});

describe("variants", () => {
  const variants = [
    { id: "control", weight: 50 },
    { id: "monthly-first", weight: 50 },
  ];

  it("are stable for a reader", () => {
    for (let i = 0; i < 50; i++) {
      const id = crypto.randomUUID();
      const first = pickVariant(variants, id, "demo");
      for (let j = 0; j < 3; j++) expect(pickVariant(variants, id, "demo")).toBe(first);
    }
  });

  it("follow the weights across readers", () => {
    const weighted = [
      { id: "a", weight: 10 },
      { id: "b", weight: 30 },
      { id: "c", weight: 60 },
      { id: "off", weight: 0 },
    ];
    const counts: Record<string, number> = {};
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      const v = pickVariant(weighted, `reader-${i}-${Math.random()}`, "demo")!;
      counts[v.id] = (counts[v.id] ?? 0) + 1;
    }
    expect(counts.off).toBeUndefined();
    expect(counts.a! / n).toBeGreaterThan(0.08);
    expect(counts.a! / n).toBeLessThan(0.12);
    expect(counts.b! / n).toBeGreaterThan(0.27);
    expect(counts.b! / n).toBeLessThan(0.33);
    expect(counts.c! / n).toBeGreaterThan(0.57);
    expect(counts.c! / n).toBeLessThan(0.63);
  });

  it("pick nothing when there are no weights", () => {
    expect(pickVariant([], "x", "demo")).toBeUndefined();
    expect(pickVariant([{ id: "a", weight: 0 }], "x", "demo")).toBeUndefined();
  });
});

describe("stored state", () => {
  it("survives corrupt or missing storage", () => {
    localStorage.setItem(stateKey("demo"), "{not json");
    expect(loadState(localStorage, "demo")).toEqual({});
    expect(loadState(null, "demo")).toEqual({});
    saveState(localStorage, "demo", { snoozeUntil: 5 });
    expect(loadState(localStorage, "demo")).toEqual({ snoozeUntil: 5 });
    const full = {
      getItem: () => null,
      setItem: () => {
        throw new Error("QuotaExceeded");
      },
    } as unknown as Storage;
    expect(() => saveState(full, "demo", {})).not.toThrow();
  });
});
