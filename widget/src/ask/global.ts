import type { ComponentType } from "@view";
import type { ProgressResponse } from "../../../worker/core/widget-contract";
import type { articlesRead } from "../rules/articles";
import type { whyNotShown } from "../rules/filters";
import type { fnv1a } from "../rules/hash";
import type { decide } from "../rules/reader";
import type { loadState, saveState } from "../rules/state";
import type { BannerOptions } from "./banner-place";
import type { checkAmount } from "./check-amount";
import type { Env } from "./env";
import type { MountDeps } from "./mount";
import type { MountOptions } from "./mount-options";
import type { OtherAmount } from "./OtherAmount";
import type { confirmThanks, Thanks } from "./Thanks";
import type { turnstileToken } from "./turnstile";

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
};

/** What the banner chunk provides (widget/src/ask/banner-chunk.ts). */
export type BannerChunk = {
  /** Places the banner (or the one-line thank-you) over the page; returns what closes it. */
  showBanner: (o: BannerOptions) => (dismissed: boolean) => void;
};

/** What the goal chunk provides (widget/src/ask/goal-chunk.ts). */
export type GoalChunk = {
  /** Puts the campaign's progress toward its goal at the top of the in-article ask. */
  showGoal: (env: Env, root: ShadowRoot, progress: ProgressResponse) => void;
};

/** What the target chunk provides (widget/src/ask/target-chunk.ts). */
export type TargetChunk = {
  /** Whether the site's target includes this page view's reader, and the variants they may get. */
  decide: typeof decide;
};

/** The lazily loaded chunks, by name: `widget/<name>[.<lang>].js`, fetched once when first needed. */
export type Chunks = { extras: Extras; banner: BannerChunk; goal: GoalChunk; target: TargetChunk };
export type ChunkName = keyof Chunks;

/**
 * The widget's one global, `window.__readerSupport`, where the loader, the ask bundle and the
 * lazily loaded chunks meet: the loader puts the rules it shares with the ask bundle (`rules`),
 * the ask bundle puts `mount` and what the chunks share with it (`lib`: the view layer and a few of its
 * own parts; see widget/shared-modules.json), each chunk puts itself under its name.
 */
export type ReaderSupportGlobal = {
  mount?: (o: MountOptions, deps?: MountDeps) => void;
  lib?: Record<string, unknown>;
  /** The loader's state and targeting rules, which the ask bundle uses instead of its own copies. */
  rules?: {
    loadState: typeof loadState;
    saveState: typeof saveState;
    whyNotShown: typeof whyNotShown;
    articlesRead: typeof articlesRead;
    fnv1a: typeof fnv1a;
  };
} & Partial<Chunks>;

/** The global, created on first use. */
export const rsGlobal = (): ReaderSupportGlobal =>
  ((self as unknown as { __readerSupport?: ReaderSupportGlobal }).__readerSupport ??= {});
