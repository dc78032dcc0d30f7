import { describe, expect, it } from "vitest";
import { monthlyEquivalent, parseRange, summarizeMoney } from "./summary";

describe("summary arithmetic", () => {
  it("net is gross minus refunds minus lost disputes, per currency and frequency, never mixed", () => {
    const rows = [
      {
        currency: "USD",
        frequency: "once" as const,
        gross: 5000,
        refunded: 1000,
        disputed: 0,
        disputedOpen: 0,
        feesCovered: 0,
        payments: 2,
        supporters: 2,
      },
      {
        currency: "USD",
        frequency: "monthly" as const,
        gross: 3000,
        refunded: 0,
        disputed: 1000,
        disputedOpen: 0,
        feesCovered: 61,
        payments: 3,
        supporters: 1,
      },
      {
        currency: "JPY",
        frequency: "once" as const,
        gross: 3000,
        refunded: 0,
        disputed: 0,
        disputedOpen: 500,
        feesCovered: 0,
        payments: 1,
        supporters: 1,
      },
    ];
    const [jpy, usd] = summarizeMoney(
      rows,
      new Map([
        ["USD", 3],
        ["JPY", 1],
      ]),
    );
    expect(usd).toMatchObject({
      currency: "USD",
      gross: 8000,
      refunded: 1000,
      disputed: 1000,
      net: 6000,
      payments: 5,
      supporters: 3,
      feesCovered: 61,
    });
    expect(usd?.byFrequency).toEqual({
      once: { net: 4000, payments: 2 },
      monthly: { net: 2000, payments: 3 },
      annual: { net: 0, payments: 0 },
    });
    expect(jpy).toMatchObject({ currency: "JPY", gross: 3000, net: 3000, disputedOpen: 500 });
  });

  it("monthly equivalent adds annual / 12 rounded half up", () => {
    expect(monthlyEquivalent(1000, 12000)).toBe(2000);
    expect(monthlyEquivalent(0, 10000)).toBe(833); // 833.33
    expect(monthlyEquivalent(0, 10002)).toBe(834); // 833.5 → 834
  });

  it("parses UTC day ranges, inclusive of the last day", () => {
    expect(parseRange("2026-01-01", "2026-01-01")).toEqual({ from: Date.UTC(2026, 0, 1), to: Date.UTC(2026, 0, 2) });
    expect(parseRange("2026-13-01", undefined)).toBeNull();
    expect(parseRange("2026-02-01", "2026-01-01")).toBeNull();
    expect(parseRange("yesterday")).toBeNull();
  });
});
