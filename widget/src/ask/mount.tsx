import { Component, render } from "preact";
import { Fragment, jsx, jsxs } from "preact/jsx-runtime";
import type { Copy, Placement } from "../../../worker/core/widget-contract";
import { strings } from "../i18n";
import { dismissBanner } from "../rules/memory";
import type { ReaderState } from "../rules/state";
import { newReaderId, pickVariant } from "../rules/variants";
import { recordView } from "../rules/views";
import { Ask } from "./Ask";
import { Banner } from "./Banner";
import { cleanUrl, type Env } from "./env";
import { browserBeacon, createTracker, observeSeen } from "./events";
import { type Extras, rsGlobal } from "./global";
import { createHost, placeBanner, placeInline } from "./host";
import type { MountOptions } from "./mount-options";
import { sheet } from "./styles";
import type { Given } from "./Thanks";

declare const __LANG__: string | undefined;
declare const __CHUNK_VERSION__: string;

/** Extra hooks for tests: the clock, network, navigation and the extras chunk. */
export type MountDeps = {
  now?: () => number;
  fetch?: typeof fetch;
  navigate?: (url: string) => void;
  beacon?: ((url: string, body: string) => boolean) | null;
  extras?: Env["extras"];
};

let extrasChunk: Promise<Extras> | undefined;

/**
 * Fetches the extras chunk once: a classic script from the widget's own origin (so the
 * publisher's CSP `script-src` already allows it), in this bundle's language, pinned to
 * the build like the ask itself. After a failed load the next call tries again.
 */
function loadExtras(origin: string): Promise<Extras> {
  extrasChunk ??= new Promise<Extras>((resolve, reject) => {
    const script = document.createElement("script");
    script.src = `${origin}/widget/extras${__LANG__ === "en" ? "" : `.${__LANG__}`}.js?v=${__CHUNK_VERSION__}`;
    const fail = () => {
      extrasChunk = undefined;
      script.remove();
      reject();
    };
    script.onload = () => {
      const extras = rsGlobal().extras;
      extras ? resolve(extras) : fail();
    };
    script.onerror = fail;
    document.head.appendChild(script);
  });
  return extrasChunk;
}

/**
 * Renders the ask on the page: handles the return from Stripe, applies the targeting
 * filters with the site's real rules, then places the in-article ask and the banner.
 * Called by the loader once the bundle and the config have both arrived.
 */
export function mount(o: MountOptions, deps: MountDeps = {}): void {
  const doc = document;
  const now = deps.now ?? Date.now;
  const { storage, shared } = o;
  const { loadState, saveState, whyNotShown, articlesRead } = shared;
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
  if (!config) return;

  let state = update((s) => ({
    ...s,
    id: s.id || newReaderId(),
    viewCap: config.rules.viewCap,
    minArticles: config.rules.minArticles,
  }));
  const variant = pickVariant(config.variants, state.id!, o.site);
  const copy: Copy = { ...config.copy, ...variant?.copy };
  const tracker = createTracker(
    o.origin,
    o.site,
    { variant: variant?.id, campaign: o.campaign },
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
    campaign: o.campaign,
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
    extras: deps.extras ?? (() => loadExtras(o.origin)),
  };

  const wants = (p: Placement) => o.placement === "both" || o.placement === p;
  const context = {
    state,
    now: now(),
    viewCap: config.rules.viewCap,
    minArticles: config.rules.minArticles,
    returning: o.rs === "cancelled",
  };
  const inlineDue = wants("inline") && !whyNotShown(context, "inline");
  const bannerDue = wants("banner") && !whyNotShown(context, "banner");
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

  let inlineHost: HTMLElement | null = null;
  let inlineRoot: ShadowRoot | null = null;
  let bannerHost: HTMLElement | null = null;
  const closeBanner = (dismissed: boolean) => {
    if (!bannerHost) return;
    render(null, bannerHost.shadowRoot!);
    bannerHost.remove();
    bannerHost = null;
    if (dismissed && !thanks) {
      update((s) => dismissBanner(s, now(), config.rules.bannerDismissDays));
      env.track("dismiss", "banner");
    }
  };

  // Places the ask, or with `Thanks` (from the extras chunk) the thank-you.
  const show = (Thanks?: Extras["Thanks"]) => {
    if (Thanks || inlineDue) {
      const { host, root } = createHost(doc, "inline");
      if (placeInline(doc, host, config.rules.afterParagraph, o.target)) {
        inlineHost = host;
        inlineRoot = root;
        render(
          Thanks ? <Thanks env={env} given={thanks!} /> : <Ask env={env} onSnooze={() => closeBanner(false)} />,
          root,
        );
        if (!Thanks) {
          env.track("impression", "inline");
          observeSeen(host, () => seen("inline"));
        }
      }
    }

    // A thank-you needs no banner when it is already shown in the article.
    if (Thanks ? !inlineHost : bannerDue) {
      const { host, root } = createHost(doc, "banner");
      const position = config.rules.bannerPosition;
      const wrap = doc.createElement("div");
      if (position === "bottom") wrap.className = "bottom";
      root.appendChild(wrap);
      const supportUs = () => {
        if (!inlineHost || !inlineRoot) return false;
        const reduce = matchMedia("(prefers-reduced-motion: reduce)").matches;
        inlineHost.scrollIntoView({ behavior: reduce ? "auto" : "smooth", block: "start" });
        inlineRoot.querySelector<HTMLElement>("h2,[tabindex]")?.focus({ preventScroll: true });
        return true;
      };
      render(
        <Banner
          env={env}
          thanks={Thanks && <Thanks env={env} given={thanks!} banner />}
          onSupport={supportUs}
          onClose={() => closeBanner(true)}
        />,
        wrap,
      );
      placeBanner(doc, host, position);
      bannerHost = host;
      if (position === "bottom") keepBottomBarClear(root, wrap, inlineHost);
      if (!Thanks) {
        env.track("impression", "banner");
        observeSeen(wrap.firstElementChild ?? host, () => seen("banner"));
      }
    }
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
}

/**
 * A bottom bar is fixed; an in-flow spacer of the same height at the end of the page
 * keeps the footer reachable, and the bar steps aside while the in-article ask is on
 * screen so it never covers it.
 */
function keepBottomBarClear(root: ShadowRoot, wrap: HTMLElement, inline: HTMLElement | null) {
  const bar = wrap.firstElementChild as HTMLElement | null;
  if (!bar) return;
  const spacer = new CSSStyleSheet();
  root.adoptedStyleSheets = [sheet(), spacer];
  // While the bar steps aside (hidden, 0 px) the spacer keeps its height: collapsing it would
  // shorten the page under a reader at its end, and the bar would then cover the footer.
  const size = () => bar.offsetHeight && spacer.replaceSync(`:host{height:${bar.offsetHeight}px!important}`);
  size();
  if (typeof ResizeObserver === "function") new ResizeObserver(size).observe(bar);
  if (inline) {
    new IntersectionObserver(([e]) => {
      bar.hidden = !!e?.isIntersecting;
    }).observe(inline);
  }
}

// The loader calls `mount` once both the bundle and the config have loaded; the extras
// chunk borrows this bundle's Preact (see widget/build.mjs).
const g = rsGlobal();
g.lib = { Component, Fragment, jsx, jsxs };
g.mount = (o) => {
  try {
    mount(o);
  } catch {
    // Never throw into the host page.
  }
};
