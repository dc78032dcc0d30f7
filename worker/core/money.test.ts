import { describe, expect, it } from "vitest";
import { formatMoney, parseAmount } from "./money";

describe("formatMoney", () => {
  it("formats minor units in the currency's own way", () => {
    expect(formatMoney(1050, "USD", "en")).toBe("$10.50");
    expect(formatMoney(1000, "USD", "en")).toBe("$10");
    expect(formatMoney(500, "JPY", "en", 0)).toBe("¥500");
    expect(formatMoney(2500, "EUR", "en")).toBe("€25");
    expect(formatMoney(100, "GBP", "en")).toBe("£1");
  });
});

describe("parseAmount", () => {
  it("reads what readers type into minor units", () => {
    expect(parseAmount("10")).toBe(1000);
    expect(parseAmount("10.5")).toBe(1050);
    expect(parseAmount(" 10.05 ")).toBe(1005);
    expect(parseAmount("1,000.50")).toBe(100050);
    expect(parseAmount("10,50")).toBe(1050);
    expect(parseAmount("3000", 0)).toBe(3000);
  });

  it("refuses what is not a plain amount", () => {
    for (const bad of ["", "abc", "-5", "1e3", "10.999", "10.5.5", "Infinity", "0x10"])
      expect(parseAmount(bad)).toBeNull();
    expect(parseAmount("10.5", 0)).toBeNull();
  });
});
