import type { AskConfig } from "./contract";
import { CURRENCIES, type CurrencyCode } from "./currencies";
import { firstLanguage, type Language } from "./languages";
import type { SiteConfig } from "./site-config";

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

/** Everything the ask needs for one visitor (`GET /api/config`). */
export function askConfig(
  site: SiteConfig,
  visitor: { currency?: string; country?: string; lang?: string },
  turnstileSiteKey: string | null,
  allocated?: Record<string, number>,
): AskConfig {
  const weights = variantWeights(site, allocated);
  const goals = Object.entries(site.goals).filter(([, g]) => g.show);
  const lang = pickLanguage(site, visitor.lang);
  const currency = pickCurrency(site, visitor.currency, visitor.country);
  const settings = site.currencies[currency];
  if (!settings) throw new Error(`site ${site.id} has no settings for ${currency}`);
  const copy = site.copy[lang] ?? site.copy[site.defaultLanguage];
  if (!copy) throw new Error(`site ${site.id} has no copy`);
  // Every byte here is downloaded by each reader who sees the ask: only what the widget reads.
  return {
    name: site.name,
    lang,
    copy,
    variants: site.variants.map((v) => ({
      id: v.id,
      weight: weights[v.id] ?? v.weight,
      ...(v.copy?.[lang] && Object.keys(v.copy[lang]).length ? { copy: v.copy[lang] } : {}),
      ...(v.target ? { target: v.target } : {}),
    })),
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
    rules: site.rules,
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
