import { Component, render } from "@view";
import { Fragment, jsx, jsxs } from "@view/jsx-runtime";
import type { AskConfig, Placement, ProgressResponse } from "../../../worker/core/widget-contract";
import { fill, strings } from "../i18n";
import { articlesRead } from "../rules/articles";
import { whyNotShown } from "../rules/filters";
import { loadState, type ReaderState, saveState } from "../rules/state";
import { newReaderId, pickVariant } from "../rules/variants";
import { recordView } from "../rules/views";
import { Ask } from "./Ask";
import { Chooser } from "./Chooser";
import { cleanUrl, type Env, fillCopy, uuid } from "./env";
import { browserBeacon, createTracker, observeSeen } from "./events";
import { type ChunkName, type Chunks, type Extras, rsGlobal } from "./global";
import { createHost, placeInline } from "./host";
import { formatMoney } from "./money";
import type { MountOptions } from "./mount-options";
import { postJson } from "./post";
import { sheet } from "./styles";
import type { Given } from "./Thanks";

declare const __LANG__: string | undefined;
declare const __CHUNK_VERSION__: string;

/** The lazily loaded chunks, one function each: what loads it (once). */
export type ChunkLoaders = { [K in ChunkName]: () => Promise<Chunks[K]> };

/** Extra hooks for tests: the clock, network, navigation and the chunks. */
export type MountDeps = {
  now?: () => number;
  fetch?: typeof fetch;
  navigate?: (url: string) => void;
  beacon?: ((url: string, body: string) => boolean) | null;
  chunks?: Partial<ChunkLoaders>;
};

/** A campaign the API accepts (its `shortSlug`), or undefined: a bad one must not fail the checkout. */
const slug = (value: string | null | undefined) =>
  value && /^[a-z0-9][a-z0-9_-]{0,39}$/i.test(value) ? value : undefined;

const loading: Partial<Record<ChunkName, Promise<unknown>>> = {};

/**
 * Fetches a chunk once: a classic script from the widget's own origin (so the publisher's CSP
 * `script-src` already allows it), in this bundle's language, pinned to the build like the ask
 * itself. After a failed load the next call tries again.
 */
function loadChunk<K extends ChunkName>(origin: string, name: K): Promise<Chunks[K]> {
  loading[name] ??= new Promise<Chunks[K]>((resolve, reject) => {
    const script = document.createElement("script");
    script.src = `${origin}/widget/${name}${__LANG__ === "en" ? "" : `.${__LANG__}`}.js?v=${__CHUNK_VERSION__}`;
    const fail = () => {
      delete loading[name];
      script.remove();
      reject();
    };
    script.onload = () => {
      const chunk = rsGlobal()[name] as Chunks[K] | undefined;
      chunk ? resolve(chunk) : fail();
    };
    script.onerror = fail;
    document.head.appendChild(script);
  });
  return loading[name] as Promise<Chunks[K]>;
}

/**
 * Renders the ask on the page: handles the return from Stripe, applies the targeting
 * filters with the site's real rules, then places the in-article ask and the banner (a chunk of
 * its own, fetched when a banner is due).
 * Called by the loader once the bundle and the config have both arrived.
 */
export function mount(o: MountOptions, deps: MountDeps = {}): void {
  const doc = document;
  const placement = o.data.placement || "both";
  // The campaign of this page view (kept for this page view only): the page URL's, else the
  // script tag's data-campaign, each only if the API would take it.
  const campaign = slug(o.urlCampaign) || slug(o.data.campaign);
  const now = deps.now ?? Date.now;
  const { storage } = o;
  const update = (change: (s: ReaderState) => ReaderState) => {
    const next = change(loadState(storage, o.site));
    saveState(storage, o.site, next);
    return next;
  };
  const config = o.config;
  const search = new URLSearchParams(location.search);

  // Back from Stripe: the return link's token, for the worker to confirm (only then a thank-you).
  const token = o.rs === "thanks" && search.get("rs_pledge");
  // Tidy the URL (rs, rs_pledge, rs_freq, rs_campaign) so a reload or a shared link is clean.
  const clean = cleanUrl(location.href) + location.hash;
  if (clean !== location.href) {
    try {
      history.replaceState(history.state, "", clean);
    } catch {
      // Some sandboxes forbid it; the parameters simply stay.
    }
  }
  if (config === 404) console.warn(`[reader-support] Unknown site "${o.site}" (data-site).`);
  if (!config || typeof config === "number") return;

  // The site's colours, as custom properties the stylesheet reads (styles.ts), in every shadow root.
  const theme = config.theme;
  if (theme && /^(#[\da-f]{6}){2}$/i.test(theme.accent + theme.background))
    sheet().insertRule(`:host{--rs-accent:${theme.accent};--rs-bg:${theme.background}}`);

  const chunk = <K extends ChunkName>(name: K): Promise<Chunks[K]> =>
    (deps.chunks?.[name] as (() => Promise<Chunks[K]>) | undefined)?.() ?? loadChunk(o.origin, name);

  // Shows what is due once targeting has said whether this page view gets the ask at all
  // (`wanted`) and which variants it may get. Nothing about the reader is sent anywhere.
  const run = (wanted: boolean, variants: AskConfig["variants"]) => {
    // Outside the site's target there is no ask, and nothing is counted or stored; the way back
    // from Stripe is still thanked.
    if (!wanted && !token) return;
    let state = update((s) => ({
      ...s,
      id: s.id || newReaderId(),
      viewCap: config.rules.viewCap,
      minArticles: config.rules.minArticles,
    }));
    const variant = pickVariant(variants, state.id!, o.site);
    const copy = { ...config.copy, ...variant?.copy } as Env["copy"];
    const tracker = createTracker(
      o.origin,
      o.site,
      { variant: variant?.id, campaign },
      deps.beacon === undefined ? browserBeacon() : deps.beacon,
    );
    const env: Env = {
      site: o.site,
      origin: o.origin,
      lang: config.lang,
      t: strings(config.lang),
      config,
      copy,
      variant: variant?.id,
      campaign,
      articles: state.countOff ? null : articlesRead(state, now()),
      now,
      fetch: deps.fetch ?? ((...a) => fetch(...a)),
      navigate:
        deps.navigate ??
        ((url) => {
          try {
            (window.top ?? window).location.href = url;
          } catch {
            location.href = url;
          }
        }),
      track: tracker.track,
      update,
      pageUrl: cleanUrl(location.href),
      extras: () => chunk("extras"),
    };

    const wants = (p: Placement) => placement === "both" || placement === p;
    const context = {
      state,
      now: now(),
      viewCap: config.rules.viewCap,
      minArticles: config.rules.minArticles,
      returning: o.rs === "cancelled",
    };
    const inlineDue = wanted && wants("inline") && !whyNotShown(context, "inline");
    const bannerDue = wanted && wants("banner") && !whyNotShown(context, "banner");
    // Set once the worker has confirmed the payment behind the return link: what was given.
    let thanks: Given | null = null;

    // One view per page counts toward the cap, however many placements are seen.
    let viewCounted = false;
    const seen = (placement: Placement) => {
      env.track("view", placement);
      if (!viewCounted && !thanks) {
        viewCounted = true;
        state = update((s) => recordView(s, now()));
      }
    };

    let inline: { host: HTMLElement; root: ShadowRoot } | null = null;
    // Closes the banner once it is up; "Remind me later" before it arrives keeps it away.
    let bannerWanted = true;
    let closeBanner = (_dismissed: boolean) => {
      bannerWanted = false;
    };

    // Places the ask, or with `Thanks` (from the extras chunk) the thank-you.
    const show = (Thanks?: Extras["Thanks"]) => {
      if (Thanks || inlineDue) {
        const { host, root } = createHost(doc, "inline");
        if (placeInline(doc, host, config.rules.afterParagraph, o.data.target)) {
          inline = { host, root };
          render(
            Thanks ? <Thanks env={env} given={thanks!} /> : <Ask env={env} onSnooze={() => closeBanner(false)} />,
            root,
          );
          if (!Thanks) {
            env.track("impression", "inline");
            observeSeen(host, () => seen("inline"));
            // The campaign's goal, when it has one: its progress and the goal chunk, fetched side
            // by side; either failing leaves the ask as it is.
            if (campaign && config.goals?.[campaign])
              Promise.all([
                chunk("goal"),
                env
                  .fetch(`${o.origin}/api/progress?site=${encodeURIComponent(o.site)}&campaign=${campaign}`)
                  .then((r) => (r.ok ? (r.json() as Promise<ProgressResponse>) : Promise.reject())),
              ]).then(
                ([{ showGoal }, progress]) => showGoal(env, root, progress),
                () => {},
              );
          }
        }
      }
      // A thank-you needs no banner when it is already shown in the article.
      if (Thanks ? !inline : bannerDue)
        chunk("banner").then(
          ({ showBanner }) => {
            if (bannerWanted)
              closeBanner = showBanner({
                env,
                thanks: Thanks && <Thanks env={env} given={thanks!} banner />,
                inline,
                seen: () => seen("banner"),
              });
          },
          () => {}, // Without its chunk there is no banner; the in-article ask stands alone.
        );
    };
    // The thank-you and its check live in the extras chunk: a first-time reader never downloads
    // them. Only when the worker confirms the payment is the reader thanked (and remembered as a
    // supporter); a forged, unpaid or reused link, or no answer, leaves the page as for anyone.
    if (token)
      env.extras().then(
        (x) =>
          x.confirmThanks(env, token).then((given) => {
            thanks = given;
            show(given ? x.Thanks : undefined);
          }),
        () => show(),
      );
    else show();
  };
  // Targeting (rules/reader.ts) is a chunk of its own, fetched only for a site that targets: other
  // sites' readers never download it. Without it nobody targeted can be told apart: no ask.
  if (config.target || config.variants.some((v) => v.target))
    chunk("target").then(
      ({ decide }) =>
        run(
          ...decide(
            config,
            { data: o.data, referrer: doc.referrer, href: location.href, width: innerWidth },
            loadState(storage, o.site),
            now(),
          ),
        ),
      () => run(false, []),
    );
  else run(true, config.variants);
}

// The loader calls `mount` once both the bundle and the config have loaded. The chunks borrow
// the view layer and these parts of the bundle instead of carrying their own (widget/shared-modules.json, "lib").
const g = rsGlobal();
g.lib = {
  Component,
  Fragment,
  jsx,
  jsxs,
  render,
  Chooser,
  sheet,
  createHost,
  observeSeen,
  fillCopy,
  uuid,
  fill,
  formatMoney,
  postJson,
};
// The admin preview passes `deps` too: no counters, no checkout, no navigation.
g.mount = (o, deps) => {
  try {
    mount(o, deps);
  } catch {
    // Never throw into the host page.
  }
};
