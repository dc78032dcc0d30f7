import type { ComponentType } from "preact";
import type { Env } from "./env";
import type { checkAmount } from "./money";
import type { MountOptions } from "./mount-options";
import type { OtherAmount } from "./OtherAmount";
import type { confirmThanks, Thanks } from "./Thanks";
import type { turnstileToken } from "./turnstile";
import type { Upsell } from "./Upsell";

/** What the extras chunk provides (widget/src/ask/extras-chunk.ts). */
export type Extras = {
  Reminder: ComponentType<{ env: Env }>;
  OtherAmount: typeof OtherAmount;
  checkAmount: typeof checkAmount;
  /** A Turnstile token for the chooser's checkout; rejects with the message to announce. */
  turnstile: typeof turnstileToken;
  /** The thank-you after a successful checkout, in the article or in the banner. */
  Thanks: typeof Thanks;
  /** Asks the worker whether the return link stands for a payment; remembers the supporter if so. */
  confirmThanks: typeof confirmThanks;
  /** The monthly upsell the chooser offers once after a one-off choice. */
  Upsell: typeof Upsell;
};

/**
 * The widget's one global, `window.__readerSupport`, where the loader, the ask bundle and
 * the lazily loaded extras chunk meet: the ask bundle puts `mount` and the Preact
 * functions the chunk shares (`lib`), the chunk puts `extras`.
 */
export type ReaderSupportGlobal = {
  mount?: (o: MountOptions) => void;
  lib?: Record<string, unknown>;
  extras?: Extras;
};

/** The global, created on first use. */
export const rsGlobal = (): ReaderSupportGlobal =>
  ((self as unknown as { __readerSupport?: ReaderSupportGlobal }).__readerSupport ??= {});
