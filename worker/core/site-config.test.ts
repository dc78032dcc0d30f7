import { describe, expect, it } from "vitest";
import { sites } from "../sites.config";
import { parseSites } from "./site-config";

const demo = () => structuredClone(sites[0]) as Record<string, any>;

describe("the sites file", () => {
  it("ships a valid demo site with USD (default), EUR, GBP and JPY", () => {
    const [site] = parseSites(sites);
    expect(site?.id).toBe("demo");
    expect(site?.defaultCurrency).toBe("USD");
    expect(Object.keys(site?.currencies ?? {})).toEqual(["USD", "EUR", "GBP", "JPY"]);
  });

  it("names the field of a minimum below Stripe's minimum charge", () => {
    const site = demo();
    site.currencies.GBP.min = 10;
    expect(() => parseSites([site])).toThrow(
      /sites\[0\]\.currencies\.GBP\.min: must be at least Stripe's minimum charge \(30\)/,
    );
  });

  it("names a preset outside min and max", () => {
    const site = demo();
    site.currencies.JPY.presets.once[1] = 5;
    expect(() => parseSites([site])).toThrow(/sites\[0\]\.currencies\.JPY\.presets\.once\[1\]/);
  });

  it("names a default frequency that is not enabled", () => {
    const site = demo();
    site.frequencies = ["once"];
    expect(() => parseSites([site])).toThrow(/sites\[0\]\.defaultFrequency/);
  });

  it("names an unsupported currency and a country mapped to a missing currency", () => {
    const site = demo();
    site.currencies.XYZ = site.currencies.USD;
    site.countryCurrency.CH = "CHF";
    expect(() => parseSites([site])).toThrow(/sites\[0\]\.currencies\.XYZ: unsupported currency/);
    expect(() => parseSites([site])).toThrow(
      /sites\[0\]\.countryCurrency\.CH: CHF is not one of the site's currencies/,
    );
  });

  it("names a missing field and refuses duplicate ids", () => {
    const site = demo();
    delete site.name;
    expect(() => parseSites([site])).toThrow(/sites\[0\]\.name/);
    expect(() => parseSites([demo(), demo()])).toThrow(/sites\[1\]\.id: duplicate site id/);
  });

  it("checks the emails settings by field: reply-to, days before a renewal, Stripe's tries; recovery is off by default", () => {
    const site = demo();
    site.emails.replyTo = "not an address";
    site.emails.renewalNotice.daysBefore = 0;
    site.emails.failedPayments.stripeTries = 1;
    expect(() => parseSites([site])).toThrow(/sites\[0\]\.emails\.replyTo: use an email address/);
    expect(() => parseSites([site])).toThrow(/sites\[0\]\.emails\.renewalNotice\.daysBefore/);
    expect(() => parseSites([site])).toThrow(/sites\[0\]\.emails\.failedPayments\.stripeTries/);
    const plain = demo();
    delete plain.emails;
    const [parsed] = parseSites([plain]);
    expect(parsed?.emails).toMatchObject({
      receipts: true,
      failedPayments: { enabled: true, stripeTries: 8 },
      renewalNotice: { enabled: true, daysBefore: 7 },
      checkoutRecovery: { enabled: false },
      address: [],
    });
  });
});
