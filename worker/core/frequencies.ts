/** How often a reader gives. */
export const FREQUENCIES = ["once", "monthly", "annual"] as const;
export type Frequency = (typeof FREQUENCIES)[number];

/** Stripe's `recurring.interval` for a recurring frequency. */
export function stripeInterval(frequency: Frequency): "month" | "year" | null {
  return frequency === "monthly" ? "month" : frequency === "annual" ? "year" : null;
}
