import { z } from "zod";
import { contrastRatio } from "./colour";
import { CURRENCIES, type CurrencyCode, isCurrencyCode } from "./currencies";
import { FREQUENCIES } from "./frequencies";
import { LANGUAGES } from "./languages";
import { DEVICES, READER_KINDS, REFERRERS } from "./targeting";

/**
 * The schema of the one file a publisher edits (`worker/sites.config.ts`).
 * It is parsed when the worker starts and in tests; a mistake fails with the path of the field.
 */

const slug = z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, "use lower-case letters, digits and dashes");
const frequency = z.enum(FREQUENCIES);
const minor = z.number().int().positive();
const byFrequency = <T extends z.ZodType>(item: T) => z.object({ once: item, monthly: item, annual: item });

/** The words of the ask in one language. `{publisher}` and `{articles}` are filled in by the widget. */
export const copySchema = z.object({
  heading: z.string().min(1).max(120),
  body: z.array(z.string().min(1).max(800)).min(1).max(8),
  bannerTitle: z.string().min(1).max(80),
  bannerBody: z.string().min(1).max(240),
  thanksTitle: z.string().min(1).max(120),
  thanksBody: z.string().min(1).max(400),
  /** Shown instead of the first paragraph when the reader's article count is known and ≥ 3. */
  articleCountLine: z.string().max(200).optional(),
  /**
   * The monthly upsell's question and its line (after Once and Continue, and on the thank-you);
   * `{amount}` is the suggested monthly gift. Without them the ask uses its own words.
   */
  upsellTitle: z.string().min(1).max(120).optional(),
  upsellBody: z.string().min(1).max(300).optional(),
});
export type Copy = z.infer<typeof copySchema>;

const currencySettings = z.object({
  presets: byFrequency(z.array(minor).min(1).max(6)),
  defaultAmount: byFrequency(minor),
  min: minor,
  max: minor,
});

/** Publisher tags and sections as the script tag names them (`data-section`, `data-tags`). */
const tagName = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/i, "use up to 40 letters, digits, dashes or underscores");
const countryCode = z.string().regex(/^[A-Z]{2}$/, "use a two-letter country code");

/**
 * Who an ask or a variant is for. Every criterion that is set must match (within one, any of its
 * values); a criterion left out matches everyone. Evaluated in the reader's browser
 * (core/targeting.ts): sections and tags come from the script tag's `data-section` and
 * `data-tags`, the referrer and device from the page, the country from the config response, and
 * the reader's history from their own `localStorage`. Nothing about it is sent anywhere.
 */
export const targetSchema = z.object({
  sections: z.array(tagName).max(50).optional(),
  tags: z.array(tagName).max(50).optional(),
  /** Never on pages with one of these sections or tags. */
  excludeSections: z.array(tagName).max(50).optional(),
  excludeTags: z.array(tagName).max(50).optional(),
  referrers: z.array(z.enum(REFERRERS)).max(REFERRERS.length).optional(),
  devices: z.array(z.enum(DEVICES)).max(DEVICES.length).optional(),
  countries: z.array(countryCode).max(250).optional(),
  readers: z.array(z.enum(READER_KINDS)).max(READER_KINDS.length).optional(),
});
export type TargetSettings = z.infer<typeof targetSchema>;

const variantSchema = z.object({
  id: slug,
  weight: z.number().int().min(0).max(1000),
  copy: z.record(z.enum(LANGUAGES), copySchema.partial()).optional(),
  /** Only readers who match see this variant; the others are shared among the remaining variants. */
  target: targetSchema.optional(),
});

/**
 * How readers are shared among the variants: `fixed` by their weights, or allocated
 * automatically (core/allocation.ts) by `epsilon_greedy` or `thompson` sampling on revenue per
 * impression over the last `windowDays`. `controlShare` percent of readers always see the
 * `control` variant (default: the first), whatever the allocation says.
 */
export const allocationSchema = z.object({
  mode: z.enum(["fixed", "epsilon_greedy", "thompson"]).default("fixed"),
  control: slug.optional(),
  controlShare: z.number().int().min(0).max(90).default(20),
  /** epsilon_greedy: the percent of readers (outside the control share) spread evenly to keep exploring. */
  epsilon: z.number().int().min(1).max(50).default(10),
  windowDays: z.number().int().min(7).max(90).default(30),
});
export type AllocationSettings = z.infer<typeof allocationSchema>;

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "use a date like 2026-12-31");
const hexColour = z.string().regex(/^#[0-9a-fA-F]{6}$/, "use a colour like #0f4c5c");

/** A campaign's goal: money raised in one currency between two days (UTC), shown in the ask when `show`. */
export const goalSchema = z.object({
  currency: z.string(),
  amount: minor,
  startsOn: day.optional(),
  endsOn: day,
  show: z.boolean().default(true),
});
export type GoalSettings = z.infer<typeof goalSchema>;

export const rulesSchema = z.object({
  /** The ask goes after this paragraph of the article when the page has no `[data-reader-support]`. */
  afterParagraph: z.number().int().min(0).max(50).default(3),
  /** At most this many views of the ask per 30 days. */
  viewCap: z.number().int().min(1).max(100).default(4),
  snoozeDays: z.number().int().min(1).max(365).default(7),
  bannerDismissDays: z.number().int().min(1).max(365).default(14),
  supporterDaysOnce: z.number().int().min(1).max(3650).default(90),
  supporterDaysRecurring: z.number().int().min(1).max(3650).default(365),
  /** Show the ask only after this many distinct articles in the last 4 weeks (0 = always). */
  minArticles: z.number().int().min(0).max(1000).default(0),
  bannerPosition: z.enum(["top", "bottom"]).default("top"),
});
export type Rules = z.infer<typeof rulesSchema>;

/**
 * The emails supporters receive after Stripe's events (supporter-mail/): who they come from, the
 * publisher's legal identity printed under receipts and statements, and which of them are sent.
 * Every field is optional; a site without `emails` sends receipts, failed-payment and renewal
 * emails from its `name`, and no abandoned-checkout emails.
 */
export const emailsSchema = z.object({
  /** The sender's display name (default: the site's `name`). The address is the deployment's MAIL_FROM. */
  fromName: z.string().min(1).max(80).optional(),
  /** Where replies go (a Reply-To header): a person who reads them. */
  replyTo: z.email("use an email address like support@example.org").max(254).optional(),
  /** The publisher's legal name under receipts and statements (default: the site's `name`). */
  legalName: z.string().min(1).max(120).optional(),
  /** The publisher's postal address, one line per entry. */
  address: z.array(z.string().min(1).max(120)).max(6).default([]),
  /** A tax or legal note under receipts and statements, per language (e.g. "No goods or services were provided"). */
  legalNote: z.partialRecord(z.enum(LANGUAGES), z.string().min(1).max(600)).default({}),
  /** What a gift supports, per language, as receipts say it ("independent reporting on the coast"). */
  supports: z.partialRecord(z.enum(LANGUAGES), z.string().min(1).max(200)).default({}),
  /** A receipt and thank-you on every successful payment. */
  receipts: z.boolean().default(true),
  failedPayments: z
    .object({
      enabled: z.boolean().default(true),
      /**
       * How many times Stripe tries a renewal in all (Dashboard → Billing → Revenue recovery →
       * Retries; Stripe's recommended Smart Retries policy makes 8). The second email goes with the
       * failure that leaves one try.
       */
      stripeTries: z.number().int().min(2).max(25).default(8),
    })
    .default({ enabled: true, stripeTries: 8 }),
  renewalNotice: z
    .object({
      enabled: z.boolean().default(true),
      /** Days before an annual supporter is charged again. */
      daysBefore: z.number().int().min(1).max(60).default(7),
    })
    .default({ enabled: true, daysBefore: 7 }),
  /**
   * One email when a checkout the reader left expires, only if they agreed to hear from the site
   * on Stripe's checkout page (Checkout's consent collection, which this turns on). Off by default.
   */
  checkoutRecovery: z.object({ enabled: z.boolean().default(false) }).default({ enabled: false }),
});
export type EmailSettings = z.infer<typeof emailsSchema>;

export const siteSchema = z
  .object({
    id: slug,
    name: z.string().min(1).max(80),
    /** Origins allowed to embed the ask, call the API and receive readers back from Stripe. */
    allowedOrigins: z.array(z.url({ protocol: /^https?$/ })).min(1),
    defaultLanguage: z.enum(LANGUAGES),
    copy: z.record(z.enum(LANGUAGES), copySchema),
    frequencies: z.array(frequency).min(1),
    defaultFrequency: frequency,
    defaultCurrency: z.string(),
    currencies: z.record(z.string(), currencySettings),
    /** ISO country code (as in `request.cf.country`) → the currency offered there. */
    countryCurrency: z.record(z.string().regex(/^[A-Z]{2}$/, "use a two-letter country code"), z.string()).default({}),
    feeCoverage: z
      .object({ percentBps: z.number().int().min(0).max(2000), fixed: z.record(z.string(), z.number().int().min(0)) })
      .optional(),
    variants: z.array(variantSchema).max(12).default([]),
    allocation: allocationSchema.default(allocationSchema.parse({})),
    /** Who sees the ask at all (see `targetSchema`); absent: every reader the rules allow. */
    target: targetSchema.optional(),
    /** The ask's colours: the accent of buttons, links and the top rule, and the background. */
    theme: z.object({ accent: hexColour, background: hexColour }).optional(),
    /**
     * Campaign names (`data-campaign`, `rs_campaign`) the ask's counters keep from the first view.
     * A name not listed here is counted as `other` until a checkout has carried it.
     */
    campaigns: z
      .array(z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/i, "use up to 40 letters, digits, dashes or underscores"))
      .max(200)
      .default([]),
    /** A goal per campaign (a name from `campaigns`): the ask can show its progress from the ledger. */
    goals: z.record(z.string(), goalSchema).default({}),
    rules: rulesSchema.default(rulesSchema.parse({})),
    reminders: z.object({ enabled: z.boolean() }).default({ enabled: true }),
    /**
     * The monthly upsell: after a reader picks a one-off gift and presses Continue (and on the
     * thank-you after a one-off gift), the ask offers once to make it monthly. The suggested
     * monthly amount is `monthlyAmount[currency]` when set, else `sharePercent` of the one-off
     * amount rounded to a whole major unit (100 minor units for JPY), never below the
     * currency's `min` nor above its `max`. Off when `enabled` is false or the site has no
     * monthly frequency.
     */
    upsell: z
      .object({
        enabled: z.boolean().default(true),
        sharePercent: z.number().int().min(1).max(100).default(25),
        monthlyAmount: z.record(z.string(), minor).default({}),
      })
      .default({ enabled: true, sharePercent: 25, monthlyAmount: {} }),
    /**
     * The one offer a supporter sees at /manage before a cancellation takes effect: give less
     * (`reducePercent` of the current amount, rounded like the upsell, never below `min`) and/or
     * pause for `pauseMonths`. No offer when both are off.
     */
    saveOffer: z
      .object({
        reduce: z.boolean().default(true),
        reducePercent: z.number().int().min(1).max(99).default(50),
        pause: z.boolean().default(true),
        pauseMonths: z.union([z.literal(1), z.literal(2), z.literal(3)]).default(3),
      })
      .default({ reduce: true, reducePercent: 50, pause: true, pauseMonths: 3 }),
    paymentMethods: z
      .array(z.enum(["visa", "mastercard", "amex", "applepay", "googlepay", "paypal", "sepa"]))
      .default(["visa", "mastercard", "amex", "applepay", "googlepay"]),
    emails: emailsSchema.default(emailsSchema.parse({})),
  })
  .superRefine((site, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: "custom", path, message });
    if (!site.frequencies.includes(site.defaultFrequency))
      issue(["defaultFrequency"], `must be one of the enabled frequencies (${site.frequencies.join(", ")})`);
    if (!site.copy[site.defaultLanguage])
      issue(["copy", site.defaultLanguage], "copy for the default language is missing");
    if (!site.currencies[site.defaultCurrency]) issue(["defaultCurrency"], "must be one of the site's currencies");
    for (const [country, code] of Object.entries(site.countryCurrency)) {
      if (!site.currencies[code]) issue(["countryCurrency", country], `${code} is not one of the site's currencies`);
    }
    for (const [code, settings] of Object.entries(site.currencies)) {
      if (!isCurrencyCode(code)) {
        issue(["currencies", code], `unsupported currency; use one of ${Object.keys(CURRENCIES).join(", ")}`);
        continue;
      }
      const stripeMinimum = CURRENCIES[code as CurrencyCode].stripeMinimum;
      if (settings.min < stripeMinimum)
        issue(["currencies", code, "min"], `must be at least Stripe's minimum charge (${stripeMinimum})`);
      if (settings.max < settings.min) issue(["currencies", code, "max"], "must not be below min");
      for (const f of FREQUENCIES) {
        settings.presets[f].forEach((amount, i) => {
          if (amount < settings.min || amount > settings.max)
            issue(
              ["currencies", code, "presets", f, i],
              `must be between min (${settings.min}) and max (${settings.max})`,
            );
        });
        const d = settings.defaultAmount[f];
        if (d < settings.min || d > settings.max)
          issue(
            ["currencies", code, "defaultAmount", f],
            `must be between min (${settings.min}) and max (${settings.max})`,
          );
      }
      const suggested = site.upsell.monthlyAmount[code];
      if (suggested !== undefined && (suggested < settings.min || suggested > settings.max))
        issue(["upsell", "monthlyAmount", code], `must be between min (${settings.min}) and max (${settings.max})`);
      if (site.feeCoverage && site.feeCoverage.fixed[code] === undefined)
        issue(["feeCoverage", "fixed", code], "fee coverage needs a fixed amount for every currency");
    }
    for (const code of Object.keys(site.upsell.monthlyAmount)) {
      if (!site.currencies[code])
        issue(["upsell", "monthlyAmount", code], `${code} is not one of the site's currencies`);
    }
    if (site.variants.length > 0 && site.variants.every((v) => v.weight === 0))
      issue(["variants"], "at least one variant needs a weight above 0");
    const ids = new Set<string>();
    site.variants.forEach((v, i) => {
      if (ids.has(v.id)) issue(["variants", i, "id"], `another variant is already called "${v.id}"`);
      ids.add(v.id);
    });
    const { allocation } = site;
    if (allocation.control !== undefined && !ids.has(allocation.control))
      issue(["allocation", "control"], "must be the id of one of the variants");
    if (allocation.mode !== "fixed" && site.variants.length < 2)
      issue(["allocation", "mode"], "automatic allocation needs at least two variants");
    for (const [name, goal] of Object.entries(site.goals)) {
      if (!site.campaigns.includes(name))
        issue(["goals", name], `"${name}" is not one of the site's campaigns; add it to campaigns first`);
      if (!site.currencies[goal.currency])
        issue(["goals", name, "currency"], `${goal.currency} is not one of the site's currencies`);
      if (goal.startsOn && goal.startsOn > goal.endsOn) issue(["goals", name, "endsOn"], "must not be before startsOn");
    }
    if (site.theme) {
      // Buttons write white on the accent; links write the accent, and small print grey, on the background.
      const { accent, background } = site.theme;
      if (contrastRatio(accent, "#ffffff") < 4.5)
        issue(["theme", "accent"], "too light: white button text on it would be hard to read (contrast below 4.5:1)");
      else if (contrastRatio(accent, background) < 4.5)
        issue(
          ["theme", "accent"],
          "links in this colour would be hard to read on the background (contrast below 4.5:1)",
        );
      if (contrastRatio(background, "#55524b") < 4.5)
        issue(
          ["theme", "background"],
          "too dark: the ask's small print would be hard to read on it (contrast below 4.5:1)",
        );
    }
  });

export type SiteConfig = z.infer<typeof siteSchema>;
export type CurrencySettings = z.infer<typeof currencySettings>;

export const sitesSchema = z.array(siteSchema).superRefine((sites, ctx) => {
  const seen = new Set<string>();
  sites.forEach((site, i) => {
    if (seen.has(site.id)) ctx.addIssue({ code: "custom", path: [i, "id"], message: `duplicate site id "${site.id}"` });
    seen.add(site.id);
  });
});

/** Parses the sites file, throwing one readable error that names each bad field. */
export function parseSites(input: unknown): SiteConfig[] {
  const result = sitesSchema.safeParse(input);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `${fieldPath(i.path)}: ${i.message}`);
  throw new Error(`Invalid site configuration:\n  ${lines.join("\n  ")}`);
}

/** [0, "currencies", "JPY", "presets", "once", 2] → "sites[0].currencies.JPY.presets.once[2]". */
function fieldPath(path: PropertyKey[]): string {
  return path.reduce<string>(
    (out, key) => (typeof key === "number" ? `${out}[${key}]` : `${out}.${String(key)}`),
    "sites",
  );
}
