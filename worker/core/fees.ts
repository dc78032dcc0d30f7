/** Fee coverage: the amount a reader may add so the newsroom receives their whole gift. */
export type FeeRule = {
  /** Percentage in basis points (290 = 2.9 %). */
  percentBps: number;
  /** Fixed part in the currency's minor units. */
  fixed: number;
};

/**
 * The extra amount that, added to `gift`, leaves `gift` after the processor takes
 * `percentBps` of the total plus `fixed`: total = ceil((gift + fixed) / (1 − p)).
 * Integer arithmetic only, rounded up so the newsroom never receives less than the gift.
 */
export function coverFee(gift: number, rule: FeeRule): number {
  if (!Number.isSafeInteger(gift) || gift <= 0) throw new RangeError("gift must be a positive integer");
  return ceilDiv((gift + rule.fixed) * 10_000, 10_000 - rule.percentBps) - gift;
}

/** Exact ceiling of a / b for non-negative safe integers (float division can be one off). */
function ceilDiv(a: number, b: number): number {
  let q = Math.floor(a / b);
  while (q * b > a) q--;
  while (q * b < a) q++;
  return q;
}
