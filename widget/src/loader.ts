/**
 * The loader publishers embed (served as /widget.js):
 *   <script async src="https://support.example.org/widget.js" data-site="example"></script>
 *
 * It stays tiny (about 1.5 KB gzip, limited by scripts/size.mjs) because every reader on every
 * page downloads it. It counts the article (in the reader's browser only), checks the
 * reader's local state, and only when an ask is due fetches the ask bundle and the
 * site's config in parallel. A snoozed reader or a supporter downloads this file alone.
 * Whatever only a shown ask needs (checking the campaign, placing it) is the ask bundle's.
 * Nothing here may throw into the host page.
 */

import type { ReaderSupportGlobal } from "./ask/global";
import type { MountOptions } from "./ask/mount-options";
import { pickLang } from "./lang";
import { articlesRead, recordArticle } from "./rules/articles";
import { whyNotShown } from "./rules/filters";
import { fnv1a } from "./rules/hash";
import { browserStorage, loadState, saveState } from "./rules/state";

declare const __ASK_VERSION__: string;

try {
  const script = (document.currentScript ||
    document.querySelector('script[src*="widget.js"][data-site]')) as HTMLScriptElement | null;
  const data = script ? script.dataset : {};
  const site = data.site;
  // Short: every reader downloads this text; the embed snippet (README) shows what goes there.
  if (!site) console.warn("[reader-support] data-site missing");
  // Shadow DOM with constructable stylesheets is what keeps the ask CSP-safe; without it, show nothing.
  // Every browser that has them also has IntersectionObserver (the ask's view counting) and runs
  // the ask's ES2022 (widget/build.mjs), so this one check covers them all.
  else if ("adoptedStyleSheets" in document) {
    // `src` reads as an absolute URL.
    const origin = new URL(script!.src).origin;
    // Once the page is parsed (to find the article): count it, and load the ask if one is due.
    const run = () => {
      try {
        const storage = browserStorage();
        const now = Date.now();
        let state = loadState(storage, site);
        // Count this page as an article read (kept only in this browser; opt-out aware).
        if (document.querySelector('article,[data-reader-support],meta[property="og:type"][content=article]')) {
          state = recordArticle(state, now, location.pathname);
          saveState(storage, site, state);
        }
        const url = new URL(location.href);
        const params = url.searchParams;
        const rs = params.get("rs");
        // A campaign link (a reminder email's `?rs_campaign=reminder`) counts for this page view only:
        // take it, then drop it from the address bar so a reload or a shared link does not repeat it.
        const urlCampaign = params.get("rs_campaign");
        if (urlCampaign !== null) {
          params.delete("rs_campaign");
          try {
            history.replaceState(history.state, "", url);
          } catch {
            // Some sandboxes forbid it; the parameter simply stays.
          }
        }
        const placement = data.placement || "both";
        const context = {
          state,
          now,
          // Cached from the site's rules (at least 1), else the default; no minimum when none is
          // cached, which the article-count filter reads as 0 (`undefined > 0` is false).
          viewCap: state.viewCap || 4,
          minArticles: state.minArticles as number,
          returning: rs === "cancelled",
        };
        const due = (p: "inline" | "banner") => (placement === "both" || placement === p) && !whyNotShown(context, p);
        // Back from Stripe, the thank-you shows even when no ask is due.
        const thanks = rs === "thanks";
        if (!thanks && !due("inline") && !due("banner")) return;

        const lang = pickLang(data.lang, document.documentElement.lang);
        const query = new URLSearchParams({ site, lang });
        if (data.currency) query.set("currency", data.currency);
        // On the way back from Stripe the config also carries what the thank-you needs.
        if (thanks) query.set("thanks", "1");
        // Both requests start now, in parallel; the ask renders when both have arrived.
        // A refusal (404 for an unknown site) goes to the ask bundle as its status, which it explains.
        const config = fetch(`${origin}/api/config?${query}`)
          .then((r) => (r.ok ? r.json() : r.status))
          .catch(() => null);
        // The ask bundle takes the state and targeting rules from here instead of carrying its own
        // (widget/shared-modules.json, "rules"); both are built together and the loader pins its version.
        // `self`, as the ask bundle reads it (global.ts).
        const w = self as unknown as { __readerSupport?: ReaderSupportGlobal };
        const g = w.__readerSupport || {};
        w.__readerSupport = g;
        g.rules = { loadState, saveState, whyNotShown, articlesRead, fnv1a };
        const bundle = document.createElement("script");
        // One bundle per language (see widget/build.mjs); a script added this way runs async.
        bundle.src = `${origin}/widget/ask${lang === "en" ? "" : `.${lang}`}.js?v=${__ASK_VERSION__}`;
        // `mount` catches whatever it throws (mount.tsx).
        bundle.onload = () =>
          config.then(
            (c) =>
              // biome-ignore lint/complexity/useOptionalChain: the loader is ES2019, where `?.` costs bytes.
              g.mount &&
              g.mount({ site, lang, origin, data, urlCampaign, config: c as MountOptions["config"], rs, storage }),
          );
        document.head.appendChild(bundle);
      } catch {
        // Never break the host page.
      }
    };
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", run);
    else run();
  }
} catch {
  // Never break the host page.
}
