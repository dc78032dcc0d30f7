import { CURRENCIES, CURRENCY_CODES, isCurrencyCode } from "../core/currencies";
import { FREQUENCIES } from "../core/frequencies";
import { LANGUAGES, type Language } from "../core/languages";
import { parseAmount } from "../core/money";
import { fieldName } from "../core/settings-diff";
import { DEVICES, READER_KINDS, REFERRERS } from "../core/targeting";
import type { StoredSettings } from "./validate";

/**
 * The settings editor's form, without a script: every input is described here once (its name is
 * the field's path in the settings, so the schema's errors land next to it), read from the
 * settings to fill the form, and written back from the posted form. Amounts are typed in major
 * units ("25" or "25.50") and kept in minor units. Pure.
 */

export type FieldKind =
  | "text"
  | "textarea"
  /** Paragraphs separated by a blank line → string[]. */
  | "paragraphs"
  /** One entry per line → string[]. */
  | "lines"
  /** Comma- or space-separated words → string[]. */
  | "list"
  | "int"
  /** A percentage with up to two decimals ("2.9") kept in basis points (290). */
  | "bps"
  /** An amount in the currency's major unit, kept in minor units. */
  | "money"
  /** Amounts separated by commas. */
  | "moneyList"
  | "bool"
  | "select"
  /** Checkboxes → string[]. */
  | "multi"
  | "colour"
  | "date"
  /** "DE EUR" per line → { DE: "EUR" }. */
  | "pairs";

export type Field = {
  name: string;
  path: (string | number)[];
  label: string;
  kind: FieldKind;
  hint?: string;
  options?: readonly string[];
  /** Minor-unit digits of the currency (money kinds). */
  decimals?: number;
  /** Empty means "not set" (the key is left out), rather than an empty value. */
  optional?: boolean;
};

/** `collapsed`: shown folded unless one of its fields holds a value or an error. */
export type Group = { title?: string; fields: Field[]; note?: string; collapsed?: boolean };
export type Section = { id: string; title: string; intro: string; groups: Group[] };

const f = (path: (string | number)[], label: string, kind: FieldKind, extra: Partial<Field> = {}): Field => ({
  name: fieldName(path),
  path,
  label,
  kind,
  ...extra,
});

const LANGUAGE_NAMES: Record<Language, string> = { en: "English", ru: "Russian" };
const FREQUENCY_NAMES = { once: "once", monthly: "monthly", annual: "annual" } as const;

/** The marker of the empty row that adds a currency, a variant or a goal. */
export const NEW = "new";

const decimalsOf = (code: string) => (isCurrencyCode(code) ? CURRENCIES[code].decimals : 2);

function copyFields(base: (string | number)[], optional: boolean, withExtras: boolean): Field[] {
  const o = { optional };
  const fields = [
    f([...base, "heading"], "Heading", "text", { ...o, hint: "{publisher} is replaced by the site's name." }),
    f([...base, "body"], "Paragraphs", "paragraphs", { ...o, hint: "Separate paragraphs with an empty line." }),
    f([...base, "bannerTitle"], "Banner title", "text", o),
    f([...base, "bannerBody"], "Banner text", "textarea", o),
    f([...base, "thanksTitle"], "Thank-you title", "text", o),
    f([...base, "thanksBody"], "Thank-you text", "textarea", o),
  ];
  if (!withExtras) return fields;
  return [
    ...fields,
    f([...base, "articleCountLine"], "Article-count line", "text", {
      optional: true,
      hint: "Shown instead of the first paragraph from the third article; {articles} is the count.",
    }),
    f([...base, "upsellTitle"], "Monthly upsell question", "text", {
      optional: true,
      hint: "Empty: the ask's own words. {amount} is the suggested monthly gift.",
    }),
    f([...base, "upsellBody"], "Monthly upsell line", "textarea", { optional: true }),
  ];
}

function targetFields(base: (string | number)[]): Field[] {
  const o = { optional: true };
  return [
    f([...base, "sections"], "Only in sections", "list", { ...o, hint: "From the script tag's data-section." }),
    f([...base, "tags"], "Only with tags", "list", { ...o, hint: "From the script tag's data-tags." }),
    f([...base, "excludeSections"], "Never in sections", "list", o),
    f([...base, "excludeTags"], "Never with tags", "list", o),
    f([...base, "referrers"], "Readers who came from", "multi", { ...o, options: REFERRERS }),
    f([...base, "devices"], "Devices", "multi", { ...o, options: DEVICES }),
    f([...base, "countries"], "Countries", "list", { ...o, hint: "Two-letter codes, e.g. GB, DE." }),
    f([...base, "readers"], "Readers", "multi", {
      ...o,
      options: READER_KINDS,
      hint: "new: never shown the ask in this browser; lapsed: gave before, no longer remembered as a supporter.",
    }),
  ];
}

function currencyFields(code: string, isNew: boolean): Field[] {
  const key = isNew ? NEW : code;
  const d = { decimals: decimalsOf(code) };
  return [
    ...(isNew
      ? [
          f(["currencies", NEW, "code"], "Add a currency", "select", {
            options: ["", ...CURRENCY_CODES],
            optional: true,
          }),
        ]
      : []),
    ...FREQUENCIES.map((fr) =>
      f(["currencies", key, "presets", fr], `Amounts, ${FREQUENCY_NAMES[fr]}`, "moneyList", {
        ...d,
        hint: "Separated by commas, e.g. 5, 10, 20.",
      }),
    ),
    ...FREQUENCIES.map((fr) =>
      f(["currencies", key, "defaultAmount", fr], `Default, ${FREQUENCY_NAMES[fr]}`, "money", d),
    ),
    f(["currencies", key, "min"], "Minimum", "money", d),
    f(["currencies", key, "max"], "Maximum", "money", d),
    ...(isNew
      ? [
          f(["feeCoverage", "fixed", NEW], "Fee coverage's fixed part", "money", {
            optional: true,
            hint: "With fee coverage on, every currency needs one.",
          }),
        ]
      : [f(["currencies", key, "remove"], `Remove ${code}`, "bool")]),
  ];
}

/** A variant's groups: its name and weight, its copy, and who sees it (the last two folded). */
function variantGroups(i: number, isNew: boolean, title: string): Group[] {
  const base = ["variants", i];
  return [
    {
      title,
      fields: [
        f([...base, "id"], isNew ? "New variant's name" : "Name", "text", {
          optional: isNew,
          hint: isNew ? "Leave empty to add none. Lower-case letters, digits and dashes." : undefined,
        }),
        f([...base, "weight"], "Fixed weight", "int", { optional: isNew, hint: "Its share when allocation is fixed." }),
        ...(isNew ? [] : [f([...base, "remove"], "Remove this variant", "bool")]),
      ],
    },
    ...LANGUAGES.map((lang) => ({
      title: `${title}: copy in ${LANGUAGE_NAMES[lang]}`,
      note: "Empty fields use the site's own copy.",
      collapsed: true,
      fields: copyFields([...base, "copy", lang], true, false),
    })),
    { title: `${title}: who sees it`, collapsed: true, fields: targetFields([...base, "target"]) },
  ];
}

function goalFields(name: string, isNew: boolean): Field[] {
  const key = isNew ? NEW : name;
  return [
    ...(isNew
      ? [f(["goals", NEW, "campaign"], "Campaign", "text", { optional: true, hint: "One of the campaigns above." })]
      : []),
    f(["goals", key, "currency"], "Currency", "select", { options: ["", ...CURRENCY_CODES], optional: isNew }),
    f(["goals", key, "amount"], "Goal", "money", { decimals: 2, optional: isNew, hint: "In the goal's currency." }),
    f(["goals", key, "startsOn"], "From", "date", { optional: true, hint: "Empty: from the first gift." }),
    f(["goals", key, "endsOn"], "Until", "date", { optional: isNew }),
    f(["goals", key, "show"], "Show the progress in the ask", "bool"),
    ...(isNew ? [] : [f(["goals", key, "remove"], "Remove this goal", "bool")]),
  ];
}

/** The editor's sections for these settings (one group per currency, variant and goal, plus an empty one to add). */
export function formSections(s: StoredSettings): Section[] {
  const currencies = Object.keys(s.currencies);
  return [
    {
      id: "general",
      title: "General",
      intro: "The name readers see, languages, frequencies and payment marks.",
      groups: [
        {
          fields: [
            f(["name"], "Publisher name", "text", { hint: 'Shown as "A Message from {publisher}".' }),
            f(["defaultLanguage"], "Default language", "select", { options: LANGUAGES }),
            f(["frequencies"], "Frequencies offered", "multi", { options: FREQUENCIES }),
            f(["defaultFrequency"], "Default frequency", "select", { options: FREQUENCIES }),
            f(["defaultCurrency"], "Default currency", "select", { options: currencies }),
            f(["countryCurrency"], "Currency by country", "pairs", { hint: 'One per line, e.g. "DE EUR".' }),
            f(["paymentMethods"], "Payment marks shown", "multi", {
              options: ["visa", "mastercard", "amex", "applepay", "googlepay", "paypal", "sepa"],
            }),
            f(["reminders", "enabled"], 'Offer "Remind me later" by email', "bool"),
          ],
        },
      ],
    },
    {
      id: "copy",
      title: "Copy",
      intro: "What the ask says, in each language.",
      groups: LANGUAGES.map((lang) => ({
        title: LANGUAGE_NAMES[lang],
        fields: copyFields(["copy", lang], false, true),
      })),
    },
    {
      id: "amounts",
      title: "Amounts",
      intro: "Per currency and frequency: the amounts offered, the default, and the smallest and largest gift.",
      groups: [
        ...currencies.map((code) => ({ title: code, fields: currencyFields(code, false) })),
        { title: "Another currency", fields: currencyFields("USD", true) },
        {
          title: "Fee coverage",
          note: "Readers may add Stripe's fee to their gift so you receive all of it.",
          fields: [
            f(["feeCoverage", "enabled"], "Offer fee coverage", "bool"),
            f(["feeCoverage", "percentBps"], "Percentage", "bps", { optional: true, hint: "e.g. 2.9" }),
            ...currencies.map((code) =>
              f(["feeCoverage", "fixed", code], `Fixed part, ${code}`, "money", {
                decimals: decimalsOf(code),
                optional: true,
              }),
            ),
          ],
        },
        {
          title: "Monthly upsell",
          note: "After Once and Continue the ask offers once to make it monthly.",
          fields: [
            f(["upsell", "enabled"], "Offer the monthly upsell", "bool"),
            f(["upsell", "sharePercent"], "Suggest this percent of the one-off gift", "int"),
            ...currencies.map((code) =>
              f(["upsell", "monthlyAmount", code], `Or always suggest, ${code}`, "money", {
                decimals: decimalsOf(code),
                optional: true,
              }),
            ),
          ],
        },
      ],
    },
    {
      id: "variants",
      title: "Variants",
      intro: "Versions of the copy to compare, who sees them, and how readers are shared among them.",
      groups: [
        {
          title: "Allocation",
          fields: [
            f(["allocation", "mode"], "Share readers", "select", {
              options: ["fixed", "epsilon_greedy", "thompson"],
              hint: "fixed: by the weights below; epsilon_greedy or thompson: by revenue per impression, every 15 minutes.",
            }),
            f(["allocation", "control"], "Control variant", "select", {
              options: ["", ...s.variants.map((v) => v.id)],
              optional: true,
              hint: "Empty: the first variant.",
            }),
            f(["allocation", "controlShare"], "Control share (percent)", "int", {
              hint: "Always shown to this share of readers, whatever the allocation says.",
            }),
            f(["allocation", "epsilon"], "Exploration (percent, epsilon_greedy)", "int"),
            f(["allocation", "windowDays"], "Look back (days)", "int"),
          ],
        },
        ...s.variants.flatMap((v, i) => variantGroups(i, false, `Variant ${v.id}`)),
        ...variantGroups(s.variants.length, true, "Add a variant"),
      ],
    },
    {
      id: "targeting",
      title: "Targeting",
      intro:
        "Who sees the ask at all. Each criterion you fill must match; within one, any value matches. Decided in the reader's browser.",
      groups: [{ fields: targetFields(["target"]) }],
    },
    {
      id: "rules",
      title: "Rules",
      intro: "Where the ask goes and how often readers see it.",
      groups: [
        {
          fields: [
            f(["rules", "afterParagraph"], "In-article ask after paragraph", "int"),
            f(["rules", "viewCap"], "At most this many views per 30 days", "int"),
            f(["rules", "snoozeDays"], '"Remind me later" hides the ask for (days)', "int"),
            f(["rules", "bannerDismissDays"], "A closed banner stays closed for (days)", "int"),
            f(["rules", "supporterDaysOnce"], "Remember a one-off supporter for (days)", "int"),
            f(["rules", "supporterDaysRecurring"], "Remember a recurring supporter for (days)", "int"),
            f(["rules", "minArticles"], "Show only after this many articles in 4 weeks", "int"),
            f(["rules", "bannerPosition"], "Banner position", "select", { options: ["top", "bottom"] }),
          ],
        },
      ],
    },
    {
      id: "campaigns",
      title: "Campaigns and goals",
      intro: "Campaign names counted from the first view, and optional goals the ask shows progress toward.",
      groups: [
        { fields: [f(["campaigns"], "Campaigns", "list", { hint: "data-campaign or rs_campaign names." })] },
        ...Object.keys(s.goals).map((name) => ({ title: `Goal of ${name}`, fields: goalFields(name, false) })),
        { title: "Add a goal", fields: goalFields("", true) },
      ],
    },
    {
      id: "theme",
      title: "Colours",
      intro: "The ask's accent (buttons, links, the top rule) and background.",
      groups: [
        {
          fields: [
            f(["theme", "enabled"], "Use these colours", "bool", { hint: "Off: the ask's own teal on warm paper." }),
            f(["theme", "accent"], "Accent", "colour"),
            f(["theme", "background"], "Background", "colour"),
          ],
        },
      ],
    },
    {
      id: "emails",
      title: "Emails and the save offer",
      intro: "Who supporters' emails come from, which are sent, and the offer before a cancellation.",
      groups: [
        {
          fields: [
            f(["emails", "fromName"], "Sender name", "text", { optional: true }),
            f(["emails", "replyTo"], "Replies go to", "text", { optional: true }),
            f(["emails", "legalName"], "Legal name", "text", { optional: true }),
            f(["emails", "address"], "Postal address", "lines", { hint: "One line per line." }),
            ...LANGUAGES.map((l) =>
              f(["emails", "legalNote", l], `Legal note (${LANGUAGE_NAMES[l]})`, "textarea", { optional: true }),
            ),
            ...LANGUAGES.map((l) =>
              f(["emails", "supports", l], `A gift pays for (${LANGUAGE_NAMES[l]})`, "text", { optional: true }),
            ),
            f(["emails", "receipts"], "Send receipts", "bool"),
            f(["emails", "failedPayments", "enabled"], "Email about failed renewals", "bool"),
            f(["emails", "failedPayments", "stripeTries"], "Stripe's tries per renewal", "int"),
            f(["emails", "renewalNotice", "enabled"], "Announce annual renewals", "bool"),
            f(["emails", "renewalNotice", "daysBefore"], "Days before an annual renewal", "int"),
            f(
              ["emails", "checkoutRecovery", "enabled"],
              "Email readers who left a checkout (with their consent)",
              "bool",
            ),
          ],
        },
        {
          title: "Save offer at /manage",
          fields: [
            f(["saveOffer", "reduce"], "Offer to give less", "bool"),
            f(["saveOffer", "reducePercent"], "Give this percent instead", "int"),
            f(["saveOffer", "pause"], "Offer a break", "bool"),
            f(["saveOffer", "pauseMonths"], "Months of the break", "select", { options: ["1", "2", "3"] }),
          ],
        },
      ],
    },
  ];
}

export const allFields = (sections: Section[]): Field[] => sections.flatMap((s) => s.groups.flatMap((g) => g.fields));

// ─── Reading settings into the form ──────────────────────────────────────────────────────────────

function get(obj: unknown, path: (string | number)[]): unknown {
  let cur = obj;
  for (const key of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return cur;
}

/** Minor units as typed in the form: "25", "25.50", "500" (yen). */
export function majorText(minor: number, decimals: number): string {
  const whole = minor % 10 ** decimals === 0;
  return whole ? String(minor / 10 ** decimals) : (minor / 10 ** decimals).toFixed(decimals);
}

/** What a field shows for these settings (a checkbox: "on" or ""; checkboxes: the checked values joined by "\n"). */
export function fieldText(s: StoredSettings, field: Field): string {
  const path = field.path;
  if (path[0] === "feeCoverage" && path[1] === "enabled") return s.feeCoverage ? "on" : "";
  if (path[0] === "theme" && path[1] === "enabled") return s.theme ? "on" : "";
  if (path[0] === "theme")
    return (get(s, path) as string | undefined) ?? (path[1] === "accent" ? "#0f4c5c" : "#f6f3ec");
  if (path.at(-1) === "remove") return "";
  const value = get(s, path);
  switch (field.kind) {
    case "bool":
      return value === true ? "on" : "";
    case "paragraphs":
      return Array.isArray(value) ? value.join("\n\n") : "";
    case "lines":
      return Array.isArray(value) ? value.join("\n") : "";
    case "list":
    case "multi":
      return Array.isArray(value) ? value.join(field.kind === "list" ? ", " : "\n") : "";
    case "bps":
      return typeof value === "number" ? String(value / 100) : "";
    case "money": {
      const decimals = moneyDecimals(s, field);
      return typeof value === "number" ? majorText(value, decimals) : "";
    }
    case "moneyList":
      return Array.isArray(value) ? value.map((v) => majorText(v as number, field.decimals ?? 2)).join(", ") : "";
    case "pairs":
      return value && typeof value === "object"
        ? Object.entries(value as Record<string, string>)
            .map(([k, v]) => `${k} ${v}`)
            .join("\n")
        : "";
    default:
      return value === undefined || value === null ? "" : String(value);
  }
}

/** A goal's amount is in its own currency's minor units. */
function moneyDecimals(s: StoredSettings, field: Field): number {
  if (field.path[0] === "goals" && field.path[1] !== NEW) {
    const goal = s.goals[field.path[1] as string];
    return goal ? decimalsOf(goal.currency) : 2;
  }
  return field.decimals ?? 2;
}

// ─── Writing the posted form into settings ───────────────────────────────────────────────────────

/** A posted form: each name with its value, or its values for repeated names (checkboxes). */
export type Posted = Record<string, string | string[] | undefined>;

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? (v.at(-1) ?? "") : (v ?? ""));
const many = (v: string | string[] | undefined) => (Array.isArray(v) ? v : v === undefined || v === "" ? [] : [v]);

function set(obj: Record<string, unknown>, path: (string | number)[], value: unknown): void {
  let cur: Record<string | number, unknown> = obj;
  path.forEach((key, i) => {
    if (i === path.length - 1) {
      if (value === undefined) delete cur[key];
      else cur[key] = value;
      return;
    }
    const next = cur[key];
    if (next === null || typeof next !== "object") cur[key] = typeof path[i + 1] === "number" ? [] : {};
    cur = cur[key] as Record<string | number, unknown>;
  });
}

type Converted = { value: unknown } | { error: string };

function convert(field: Field, raw: string | string[] | undefined, decimals: number): Converted {
  const text = one(raw).replace(/\r\n/g, "\n").trim();
  if (field.kind === "bool") return { value: text !== "" };
  if (field.kind === "multi") {
    const values = many(raw).filter((v) => v !== "");
    return { value: field.optional && values.length === 0 ? undefined : values };
  }
  if (text === "" && field.optional) return { value: undefined };
  switch (field.kind) {
    case "paragraphs":
      return {
        value: text
          .split(/\n\s*\n/)
          .map((p) => p.replace(/\s*\n\s*/g, " ").trim())
          .filter(Boolean),
      };
    case "lines":
      return {
        value: text
          .split("\n")
          .map((l) => l.trim())
          .filter(Boolean),
      };
    case "list":
      return { value: text.split(/[\s,]+/).filter(Boolean) };
    case "int":
      return /^-?\d{1,9}$/.test(text) ? { value: Number(text) } : { error: "use a whole number" };
    case "bps": {
      const m = /^(\d{1,3})(?:[.,](\d{1,2}))?$/.exec(text);
      return m
        ? { value: Number(m[1]) * 100 + Number((m[2] ?? "").padEnd(2, "0")) }
        : { error: "use a percentage like 2.9" };
    }
    case "money": {
      const amount = parseAmount(text, decimals);
      return amount === null ? { error: amountHint(decimals) } : { value: amount };
    }
    case "moneyList": {
      const amounts = text
        .split(/\s*[;,]\s*|\s+/)
        .filter(Boolean)
        .map((a) => parseAmount(a, decimals));
      return amounts.some((a) => a === null)
        ? { error: `${amountHint(decimals)}, separated by commas` }
        : { value: amounts };
    }
    case "pairs": {
      const out: Record<string, string> = {};
      for (const line of text.split("\n").filter((l) => l.trim())) {
        const m = /^\s*([A-Za-z]{2})\s*[:=\s]\s*([A-Za-z]{3})\s*$/.exec(line);
        if (!m) return { error: `"${line.trim()}": use a country and a currency, e.g. DE EUR` };
        out[(m[1] as string).toUpperCase()] = (m[2] as string).toUpperCase();
      }
      return { value: out };
    }
    case "select":
      return { value: field.path.at(-1) === "pauseMonths" ? Number(text) : text };
    default:
      return { value: text };
  }
}

const amountHint = (decimals: number) =>
  decimals === 0 ? "use a whole amount like 500" : "use an amount like 25 or 25.50";

/**
 * The settings the posted form describes, starting from `base` (fields the form does not show are
 * kept), and the inputs that could not be read (each by field name, with the text as typed).
 */
export function settingsFromForm(
  base: StoredSettings,
  posted: Posted,
): { settings: Record<string, unknown>; errors: Record<string, string>; typed: Record<string, string> } {
  const settings = structuredClone(base) as unknown as Record<string, unknown>;
  const errors: Record<string, string> = {};
  const typed: Record<string, string> = {};
  const sections = formSections(base);
  const fields = allFields(sections);
  const raw = (field: Field) => posted[field.name];
  const checked = (name: string) => one(posted[name]) !== "";

  // Collections are rebuilt from their rows: currencies, variants, goals.
  const currencies: Record<string, unknown> = {};
  const variants: Record<string, unknown>[] = [];
  const goals: Record<string, unknown> = {};
  const newCode = one(posted[fieldName(["currencies", NEW, "code"])]).toUpperCase();
  const newGoal = one(posted[fieldName(["goals", NEW, "campaign"])]).trim();
  const newVariantId = one(posted[fieldName(["variants", base.variants.length, "id"])]).trim();
  // Amounts per currency are rebuilt too, so a removed currency leaves none behind.
  const records = settings as { feeCoverage?: { fixed: unknown }; upsell?: { monthlyAmount: unknown } };
  if (records.feeCoverage) records.feeCoverage.fixed = {};
  if (records.upsell) records.upsell.monthlyAmount = {};

  for (const field of fields) {
    const [head, key, ...rest] = field.path;
    if (field.path.at(-1) === "remove" || field.path.at(-1) === "code" || field.path.at(-1) === "campaign") continue;
    if (head === "feeCoverage" && key === "enabled") continue;
    if (head === "theme" && key === "enabled") continue;
    if (head === "currencies" && key === NEW && !newCode) continue;
    if (head === "goals" && key === NEW && !newGoal) continue;
    if (head === "variants" && key === base.variants.length && !newVariantId) continue;
    if (head === "currencies" && key !== NEW && checked(fieldName(["currencies", key as string, "remove"]))) continue;
    if (head === "goals" && key !== NEW && checked(fieldName(["goals", key as string, "remove"]))) continue;
    if (head === "variants" && checked(fieldName(["variants", key as number, "remove"]))) continue;
    if (head === "feeCoverage" && !checked("feeCoverage.enabled")) continue;
    // A currency's amounts elsewhere go with it: the new one's fee part, none for one removed.
    const perCurrency = (head === "feeCoverage" && key === "fixed") || (head === "upsell" && key === "monthlyAmount");
    if (perCurrency && rest[0] === NEW && !newCode) continue;
    if (perCurrency && rest[0] !== NEW && checked(fieldName(["currencies", rest[0] as string, "remove"]))) continue;
    if (head === "theme" && !checked("theme.enabled")) continue;

    // Where the value goes, and the currency its amounts are in.
    let target: (string | number)[] = field.path;
    let decimals = field.decimals ?? 2;
    if (head === "currencies") {
      const code = key === NEW ? newCode : (key as string);
      target = ["currencies", code, ...rest];
      decimals = decimalsOf(code);
    }
    if (perCurrency) {
      const code = rest[0] === NEW ? newCode : (rest[0] as string);
      target = [head as string, key as string, code];
      decimals = decimalsOf(code);
    }
    if (head === "goals") {
      const name = key === NEW ? newGoal : (key as string);
      target = ["goals", name, ...rest];
      decimals = decimalsOf(one(posted[fieldName(["goals", key as string, "currency"])]));
    }
    const result = convert(field, raw(field), decimals);
    if ("error" in result) {
      errors[field.name] = result.error;
      typed[field.name] = one(raw(field));
      continue;
    }
    if (head === "currencies") set(currencies, target.slice(1), result.value);
    else if (head === "goals") set(goals, target.slice(1), result.value);
    else if (head === "variants") {
      const i = key as number;
      variants[i] ??= {};
      set(variants[i], rest, result.value);
    } else set(settings, target, result.value);
  }

  settings.currencies = currencies;
  settings.goals = goals;
  settings.variants = variants.filter(Boolean).map(tidyVariant);
  if (!checked("feeCoverage.enabled")) delete settings.feeCoverage;
  if (!checked("theme.enabled")) delete settings.theme;
  settings.target = tidyTarget(settings.target);
  if (settings.target === undefined) delete settings.target;
  return { settings, errors, typed };
}

/** A variant without empty copy overrides or an empty target. */
function tidyVariant(v: Record<string, unknown>): Record<string, unknown> {
  const copy = v.copy as Record<string, Record<string, unknown>> | undefined;
  const out: Record<string, unknown> = { ...v };
  if (copy && LANGUAGES.every((l) => Object.keys(copy[l] ?? {}).length === 0)) delete out.copy;
  else if (copy) for (const l of LANGUAGES) copy[l] ??= {};
  const target = tidyTarget(v.target);
  if (target === undefined) delete out.target;
  else out.target = target;
  return out;
}

const tidyTarget = (t: unknown) =>
  t && typeof t === "object" && Object.values(t).some((v) => Array.isArray(v) && v.length > 0) ? t : undefined;

/** The field an error of the schema belongs to: the same name, else the nearest enclosing or first contained one. */
export function fieldFor(fields: Field[], name: string): string | null {
  if (fields.some((f) => f.name === name)) return name;
  let best: string | null = null;
  for (const f of fields)
    if (name.startsWith(`${f.name}.`) || name.startsWith(`${f.name}[`))
      if (!best || f.name.length > best.length) best = f.name;
  if (best) return best;
  return fields.find((f) => f.name.startsWith(`${name}.`) || f.name.startsWith(`${name}[`))?.name ?? null;
}
