import { describe, expect, it } from "vitest";
import { coverFee } from "./fees";

describe("coverFee", () => {
  const stripeUs = { percentBps: 290, fixed: 30 };

  it("adds exactly enough that the newsroom keeps the whole gift", () => {
    for (const gift of [100, 500, 1000, 2500, 9999, 100000]) {
      const total = gift + coverFee(gift, stripeUs);
      // What remains after the processor's cut, in exact integer arithmetic (×10 000).
      const kept = (t: number) => t * (10000 - 290) - 30 * 10000;
      expect(kept(total)).toBeGreaterThanOrEqual(gift * 10000);
      // One unit less would leave the newsroom short.
      expect(kept(total - 1)).toBeLessThan(gift * 10000);
    }
  });

  it("computes the known figure for $10 at 2.9% + 30¢", () => {
    // (1000 + 30) / 0.971 = 1060.76… → 1061 → fee 61
    expect(coverFee(1000, stripeUs)).toBe(61);
  });

  it("works for zero-decimal currencies", () => {
    // (1000 + 40) / 0.964 = 1078.8… → 1079 → fee 79 yen
    expect(coverFee(1000, { percentBps: 360, fixed: 40 })).toBe(79);
  });

  it("rounds an exact quotient without adding a unit", () => {
    // (9970 + 30) / 0.5 = 20000 exactly
    expect(coverFee(9970, { percentBps: 5000, fixed: 30 })).toBe(10030);
  });

  it("refuses non-integer or non-positive gifts", () => {
    expect(() => coverFee(10.5, stripeUs)).toThrow(RangeError);
    expect(() => coverFee(0, stripeUs)).toThrow(RangeError);
  });
});
