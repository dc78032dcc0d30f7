import { describe, expect, it } from "vitest";
import { monthlyEquivalent, netOf, parseRange, summarizeMoney } from "./summary";

describe("summary arithmetic", () => {
  it("net is what Stripe pays out: gross less refunds, disputes, Stripe's fees and dispute fees, per currency", () => {
    const zero = { stripeFees: 0, disputeFees: 0, feesPending: 0, feesElsewhere: 0 };
    const rows = [
      {
        ...zero,
        currency: "USD",
        frequency: "once" as const,
        gross: 5000,
        refunded: 1000,
        disputed: 0,
        disputedOpen: 0,
        feesCovered: 0,
        stripeFees: 205,
        payments: 2,
      },
      {
        ...zero,
        currency: "USD",
        frequency: "monthly" as const,
        gross: 3000,
        refunded: 0,
        disputed: 1000,
        disputedOpen: 0,
        feesCovered: 61,
        stripeFees: 177,
        disputeFees: 1500,
        feesPending: 1,
        payments: 3,
      },
      {
        ...zero,
        currency: "JPY",
        frequency: "once" as const,
        gross: 3000,
        refunded: 0,
        disputed: 0,
        disputedOpen: 500,
        feesCovered: 0,
        stripeFees: 87,
        feesElsewhere: 1,
        payments: 1,
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
      stripeFees: 382,
      disputeFees: 1500,
      net: 8000 - 1000 - 1000 - 382 - 1500,
      payments: 5,
      supporters: 3,
      feesCovered: 61,
      feesPending: 1,
    });
    expect(usd?.byFrequency).toEqual({
      once: { net: 5000 - 1000 - 205, payments: 2 },
      monthly: { net: 3000 - 1000 - 177 - 1500, payments: 3 },
      annual: { net: 0, payments: 0 },
    });
    // An open chargeback is withdrawn money: it is out of net until Stripe reinstates it.
    expect(jpy).toMatchObject({
      currency: "JPY",
      gross: 3000,
      disputedOpen: 500,
      net: 3000 - 500 - 87,
      feesElsewhere: 1,
    });
  });

  it("netOf is one rule: every deduction counts once, and only deductions count", () => {
    const base = { gross: 10000, refunded: 0, disputed: 0, disputedOpen: 0, stripeFees: 0, disputeFees: 0 };
    expect(netOf(base)).toBe(10000);
    for (const key of ["refunded", "disputed", "disputedOpen", "stripeFees", "disputeFees"] as const)
      expect(netOf({ ...base, [key]: 123 }), key).toBe(10000 - 123);
    // Fees Stripe returns (a negative dispute fee) add back.
    expect(netOf({ ...base, disputeFees: -1500 })).toBe(11500);
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
