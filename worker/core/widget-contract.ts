/**
 * Everything the widget takes from the worker, in one place: the types of the HTTP contract
 * (erased at build time) and the few pure helpers both sides need. Only modules free of zod
 * and of worker code are re-exported as values, so readers never download them.
 */
export type {
  AskConfig,
  AskEventType,
  CheckoutRequest,
  CheckoutResponse,
  Placement,
  ProgressResponse,
  ReminderResponse,
  ThanksResponse,
} from "./contract";
export { coverFee } from "./fees";
export type { Frequency } from "./frequencies";
export type { Language } from "./languages";
export { parseAmount } from "./money";
export type { Copy, Rules } from "./site-config";
export {
  type Device,
  listOf,
  type Reader,
  type ReaderKind,
  type ReferrerKind,
  referrerKind,
  type Target,
  targetMatches,
} from "./targeting";
export { suggestMonthly } from "./upsell";
