import { describe, expect, it } from "vitest";
import { fill, strings } from "./i18n";
import { BANNER_STRINGS, type BannerStrings } from "./i18n/banner";
import { en } from "./i18n/en";
import { EXTRAS_STRINGS, type ExtrasStrings } from "./i18n/extras";
import { ru } from "./i18n/ru";
import { UPSELL_STRINGS, type UpsellStrings } from "./i18n/upsell";
import { pickLang } from "./lang";

describe("UI strings", () => {
  it("use the exact English labels", () => {
    const t = strings("en");
    expect([t.once, t.monthly, t.annual, t.continue, t.remind]).toEqual([
      "Once",
      "Monthly",
      "Annual",
      "Continue",
      "Remind me later",
    ]);
  });

  it("Russian translates every string, keeping the placeholders", () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(ru[key], key).toBeTruthy();
      expect(ru[key].match(/\{\w+\}/g) ?? [], key).toEqual(en[key].match(/\{\w+\}/g) ?? []);
    }
    expect(strings("ru").remind).toBe("Напомнить позже");
    expect(strings("de")).toBe(strings("en"));
  });

  it("fills placeholders", () => {
    expect(fill("Enter at least {min}", { min: "$1.00" })).toBe("Enter at least $1.00");
    expect(fill("{unknown} stays", {})).toBe("{unknown} stays");
  });

  it("picks the language from data-lang, then <html lang>, then English", () => {
    expect(pickLang("ru", "en")).toBe("ru");
    expect(pickLang(undefined, "ru-RU")).toBe("ru");
    expect(pickLang("", "de")).toBe("en");
    expect(pickLang(null, "")).toBe("en");
  });
});

describe("extras chunk strings", () => {
  it("Russian translates every string, keeping the placeholders", () => {
    const enX = EXTRAS_STRINGS.en!;
    const ruX = EXTRAS_STRINGS.ru!;
    for (const key of Object.keys(enX) as (keyof ExtrasStrings)[]) {
      expect(ruX[key], key).toBeTruthy();
      expect(ruX[key].match(/\{\w+\}/g) ?? [], key).toEqual(enX[key].match(/\{\w+\}/g) ?? []);
    }
  });
});

describe("banner chunk strings", () => {
  it("Russian translates every string", () => {
    const enB = BANNER_STRINGS.en!;
    const ruB = BANNER_STRINGS.ru!;
    for (const key of Object.keys(enB) as (keyof BannerStrings)[]) expect(ruB[key], key).toBeTruthy();
  });
});

describe("upsell strings", () => {
  it("Russian translates every string, keeping the placeholders", () => {
    const enU = UPSELL_STRINGS.en!;
    const ruU = UPSELL_STRINGS.ru!;
    for (const key of Object.keys(enU) as (keyof UpsellStrings)[]) {
      expect(ruU[key], key).toBeTruthy();
      expect(ruU[key].match(/\{\w+\}/g) ?? [], key).toEqual(enU[key].match(/\{\w+\}/g) ?? []);
    }
  });
});
