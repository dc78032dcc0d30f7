/**
 * The loader publishers embed (served as /widget.js):
 *   <script async src="https://support.example.org/widget.js" data-site="example"></script>
 *
 * It stays tiny (≤ 2 KB gzip, checked by scripts/size.mjs) because every reader on every
 * page downloads it. It counts the article (in the reader's browser only), checks the
 * reader's local state, and only when an ask is due fetches the ask bundle and the
 * site's config in parallel. A snoozed reader or a supporter downloads this file alone.
 * Nothing here may throw into the host page.
 */

import type { ReaderSupportGlobal } from "./ask/global";
import type { MountOptions } from "./ask/mount-options";
import { pickLang } from "./lang";
import { articlesRead, recordArticle } from "./rules/articles";
import { whyNotShown } from "./rules/filters";
import { browserStorage, loadState, saveState } from "./rules/state";

declare const __ASK_VERSION__: string;

const PREFIX = "[reader-support]";

/** A campaign the API accepts (its `shortSlug`), or undefined: a bad one must not fail the checkout. */
const slug = (value: string | null | undefined) =>
  value && /^[a-z0-9][a-z0-9_-]{0,39}$/i.test(value) ? value : undefined;

(() => {
  try {
    const script = (document.currentScript ||
      document.querySelector('script[src*="widget.js"][data-site]')) as HTMLScriptElement | null;
    if (!script) return;
    const data = script.dataset;
    const site = data.site;
    if (!site) {
      console.warn(`${PREFIX} Add data-site="your-site-id" to the widget.js script tag; no ask is shown without it.`);
      return;
    }
    // Shadow DOM with constructable stylesheets is what keeps the ask CSP-safe; without it, show nothing.
    if (!("adoptedStyleSheets" in document) || !window.IntersectionObserver) return;
    const origin = new URL(script.src, location.href).origin;
    const run = () => {
      try {
        start(site, origin, data);
      } catch {
        // Never break the host page.
      }
    };
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", run);
    else run();
  } catch {
    // Never break the host page.
  }
})();

function start(site: string, origin: string, data: DOMStringMap) {
  const storage = browserStorage();
  const now = Date.now();
  let state = loadState(storage, site);
  // Count this page as an article read (kept only in this browser; opt-out aware).
  if (document.querySelector('article,[data-reader-support],meta[property="og:type"][content="article"]')) {
    state = recordArticle(state, now, location.pathname);
    saveState(storage, site, state);
  }
  const url = new URL(location.href);
  const params = url.searchParams;
  const rs = params.get("rs");
  // A campaign link (a reminder email's `?rs_campaign=reminder`) counts for this page view only:
  // take it, then drop it from the address bar so a reload or a shared link does not repeat it.
  const fromUrl = params.get("rs_campaign");
  if (fromUrl !== null) {
    params.delete("rs_campaign");
    try {
      history.replaceState(history.state, "", url);
    } catch {
      // Some sandboxes forbid it; the parameter simply stays.
    }
  }
  const campaign = slug(fromUrl) || slug(data.campaign);
  const placement = (data.placement || "both") as MountOptions["placement"];
  const context = {
    state,
    now,
    viewCap: state.viewCap ?? 4,
    minArticles: state.minArticles || 0,
    returning: rs === "cancelled",
  };
  const due = (p: "inline" | "banner") => (placement === "both" || placement === p) && !whyNotShown(context, p);
  if (rs !== "thanks" && !due("inline") && !due("banner")) return;

  const lang = pickLang(data.lang, document.documentElement.lang);
  const query = new URLSearchParams({ site, lang });
  if (data.currency) query.set("currency", data.currency);
  // Both requests start now, in parallel; the ask renders when both have arrived.
  const config = fetch(`${origin}/api/config?${query}`)
    .then((r) => {
      if (r.status === 404)
        console.warn(`${PREFIX} Unknown site "${site}"; check data-site on the widget.js script tag.`);
      return r.ok ? r.json() : null;
    })
    .catch(() => null);
  const bundle = document.createElement("script");
  // One bundle per language (see widget/build.mjs).
  bundle.src = `${origin}/widget/ask${lang === "en" ? "" : `.${lang}`}.js?v=${__ASK_VERSION__}`;
  bundle.async = true;
  bundle.onload = () =>
    config.then((c) => {
      try {
        const g = (window as unknown as { __readerSupport?: ReaderSupportGlobal }).__readerSupport;
        // biome-ignore lint/complexity/useOptionalChain: the loader is ES2019, where `?.` costs bytes.
        if (g && g.mount)
          g.mount({
            site,
            origin,
            lang,
            placement,
            target: data.target,
            campaign,
            config: c as MountOptions["config"],
            rs,
            storage,
            shared: { loadState, saveState, whyNotShown, articlesRead },
          });
      } catch {
        // Never break the host page.
      }
    });
  document.head.appendChild(bundle);
}
