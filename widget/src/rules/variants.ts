import { fnv1a } from "./hash";

/** A weighted copy variant from the config. */
export type Weighted = { id: string; weight: number };

/**
 * Picks a variant for a browser: the same `readerId` always gets the same variant
 * (for a given site and set of variants), and across readers each variant's share
 * follows its weight. Returns undefined when there is nothing to pick.
 */
export function pickVariant<T extends Weighted>(variants: T[], readerId: string, site: string): T | undefined {
  const total = variants.reduce((sum, v) => sum + Math.max(0, v.weight), 0);
  if (total <= 0) return undefined;
  // Hash of id+site, mapped to [0, total): a uniform bucket, stable for this browser.
  let bucket = fnv1a(`${site}:${readerId}`) % total;
  for (const v of variants) {
    bucket -= Math.max(0, v.weight);
    if (bucket < 0) return v;
  }
  return undefined;
}

/**
 * A fresh random UUID (122 random bits): the reader id for variant assignment, and each
 * checkout attempt's Idempotency-Key. `randomUUID` needs a secure context; elsewhere a
 * blob URL ends in a random UUID too.
 */
export const newReaderId = (): string => crypto.randomUUID?.() ?? URL.createObjectURL(new Blob()).slice(-36);
