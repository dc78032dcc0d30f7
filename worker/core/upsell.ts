/**
 * Suggested amounts: the monthly gift offered to a one-off giver (the upsell), and the smaller
 * gift offered to a supporter about to cancel (the save offer). Pure and free of zod, so the
 * widget's ask bundle imports it too (through core/widget-contract.ts).
 */

/** What the ask's config says about the upsell in the visitor's currency (absent: no upsell). */
export type UpsellRule = {
  /** A fixed suggestion in minor units, when the site configured one for this currency. */
  amount?: number;
  /** Otherwise this percentage of the one-off amount. */
  share: number;
  min: number;
  max: number;
};

/**
 * `amount` rounded half up to a whole major unit (100 minor units: one dollar, euro or pound,
 * or ¥100), then kept within [min, max]. The step keeps suggestions readable ("$6", not "$6.25").
 */
export function roundSuggestion(amount: number, min: number, max: number): number {
  const rounded = Math.floor((amount + 50) / 100) * 100;
  return Math.min(max, Math.max(min, rounded));
}

/** The monthly amount suggested to someone giving `oneOff` once (minor units). */
export function suggestMonthly(oneOff: number, rule: UpsellRule): number {
  if (rule.amount !== undefined) return Math.min(rule.max, Math.max(rule.min, rule.amount));
  return roundSuggestion(Math.floor((oneOff * rule.share) / 100), rule.min, rule.max);
}

/**
 * The smaller amount a supporter giving `current` per period is offered before cancelling:
 * `percent` of it, rounded like a suggestion; null when that is not less than `current`
 * (already at the minimum), so no such offer is made.
 */
export function reducedAmount(current: number, percent: number, min: number, max: number): number | null {
  const offer = roundSuggestion(Math.floor((current * percent) / 100), min, max);
  return offer < current ? offer : null;
}
