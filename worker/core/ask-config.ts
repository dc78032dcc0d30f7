import type { AskConfig, ThanksCopyKey } from "./contract";
import { CURRENCIES, type CurrencyCode } from "./currencies";
import { firstLanguage, type Language } from "./languages";
import type { Copy, SiteConfig } from "./site-config";

/**
 * The currency a visitor is offered: the one they asked for if the site takes it,
 * else the one mapped to their country, else the site's default.
 */
export function pickCurrency(site: SiteConfig, requested: string | undefined, country: string | undefined): string {
  const wanted = requested?.toUpperCase();
  if (wanted && site.currencies[wanted]) return wanted;
  const byCountry = country ? site.countryCurrency[country.toUpperCase()] : undefined;
  return byCountry && site.currencies[byCountry] ? byCountry : site.defaultCurrency;
}

/** The language of the ask: the requested one when the site has copy for it, else the site default. */
export function pickLanguage(site: SiteConfig, requested: string | undefined): Language {
  const lang = firstLanguage(requested);
  return lang && site.copy[lang] ? lang : site.defaultLanguage;
}

/** Whether the site offers one-off givers a monthly gift instead (it must take both). */
export const upsellOffered = (site: SiteConfig): boolean =>
  site.upsell.enabled && site.frequencies.includes("once") && site.frequencies.includes("monthly");

/**
 * The weight each variant gets: automatic allocation's, when the site allocates automatically and
 * the allocation knows every variant (a variant added since waits for the next run); else the
 * configured weights.
 */
export function variantWeights(
  site: SiteConfig,
  allocated: Record<string, number> | undefined,
): Record<string, number> {
  const auto =
    site.allocation.mode !== "fixed" && allocated && site.variants.every((v) => allocated[v.id] !== undefined);
  return Object.fromEntries(site.variants.map((v) => [v.id, auto ? (allocated[v.id] as number) : v.weight]));
}

/** Whether any target of the site names countries (then the config carries the visitor's). */
export const targetsCountries = (site: SiteConfig): boolean =>
  Boolean(site.target?.countries?.length || site.variants.some((v) => v.target?.countries?.length));

/** What one visitor's config depends on: their choices, and whether it is for the thank-you. */
export type Visitor = { currency?: string; country?: string; lang?: string; thanks?: boolean };

/** `copy` without the thank-you's lines (for every ask but the thank-you). */
function withoutThanks<T extends Partial<Copy>>(copy: T): Omit<T, ThanksCopyKey> {
  const { thanksTitle: _title, thanksBody: _body, ...rest } = copy;
  return rest;
}

/**
 * Everything the ask needs for one visitor (`GET /api/config`). With `thanks` (the way back from
 * Stripe) also the thank-you's copy and the supporter memory's lengths, which no other ask reads.
 * `allocated` is automatic allocation's current weights, when the site has them.
 */
export function askConfig(
  site: SiteConfig,
  visitor: Visitor,
  turnstileSiteKey: string | null,
  allocated?: Record<string, number>,
): AskConfig {
  const weights = variantWeights(site, allocated);
  const goals = Object.entries(site.goals).filter(([, g]) => g.show);
  const lang = pickLanguage(site, visitor.lang);
  const currency = pickCurrency(site, visitor.currency, visitor.country);
  const settings = site.currencies[currency];
  if (!settings) throw new Error(`site ${site.id} has no settings for ${currency}`);
  const fullCopy = site.copy[lang] ?? site.copy[site.defaultLanguage];
  if (!fullCopy) throw new Error(`site ${site.id} has no copy`);
  const thanks = visitor.thanks === true;
  const { supporterDaysOnce: _once, supporterDaysRecurring: _recurring, ...rules } = site.rules;
  // Every byte here is downloaded by each reader who sees the ask: only what the widget reads.
  return {
    name: site.name,
    lang,
    copy: thanks ? fullCopy : withoutThanks(fullCopy),
    variants: site.variants.map((v) => {
      const copy = v.copy?.[lang] && (thanks ? v.copy[lang] : withoutThanks(v.copy[lang]));
      return {
        id: v.id,
        weight: weights[v.id] ?? v.weight,
        ...(copy && Object.keys(copy).length ? { copy } : {}),
        ...(v.target ? { target: v.target } : {}),
      };
    }),
    ...(site.target ? { target: site.target } : {}),
    ...(targetsCountries(site) ? { country: visitor.country?.toUpperCase() ?? "" } : {}),
    ...(site.theme ? { theme: site.theme } : {}),
    ...(goals.length
      ? {
          goals: Object.fromEntries(
            goals.map(([name, g]) => [name, { currency: g.currency, amount: g.amount, endsOn: g.endsOn }]),
          ),
        }
      : {}),
    frequencies: site.frequencies,
    defaultFrequency: site.defaultFrequency,
    currency,
    decimals: CURRENCIES[currency as CurrencyCode].decimals,
    min: settings.min,
    max: settings.max,
    presets: settings.presets,
    defaultAmount: settings.defaultAmount,
    fee: site.feeCoverage
      ? { percentBps: site.feeCoverage.percentBps, fixed: site.feeCoverage.fixed[currency] ?? 0 }
      : null,
    rules: thanks ? site.rules : rules,
    reminders: site.reminders.enabled,
    paymentMethods: site.paymentMethods,
    ...(turnstileSiteKey ? { turnstileSiteKey } : {}),
    ...(upsellOffered(site)
      ? {
          upsell: {
            share: site.upsell.sharePercent,
            ...(site.upsell.monthlyAmount[currency] !== undefined
              ? { amount: site.upsell.monthlyAmount[currency] }
              : {}),
          },
        }
      : {}),
  };
}
