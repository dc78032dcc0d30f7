import { secureHeaders } from "hono/secure-headers";
import { askConfig } from "../core/ask-config";
import type { AskConfig } from "../core/contract";
import type { SiteConfig } from "../core/site-config";
import { staffFramingHeaders } from "../staff/headers";

/**
 * The preview of the ask: a frame of its own (`/admin/settings/preview/frame`) whose CSP allows
 * only scripts and requests to our own origin, where our preview script loads the real ask bundle
 * and mounts it with the settings to preview (`/admin/api/settings/preview-config`, staff only).
 * The ask is given no storage, no counters and no checkout, so a preview is never counted,
 * remembered or charged. The staff page around it runs no script at all.
 */

export const PREVIEW_SCRIPT_PATH = "/admin/static/preview.js";

/** Our one script for the preview frame: no data in it, so it is served like the stylesheet. */
export const PREVIEW_SCRIPT = `(() => {
  const s = document.currentScript;
  const d = s.dataset;
  const lang = d.lang;
  const say = (text) => {
    const p = document.createElement("p");
    p.className = "pv-error";
    p.textContent = text;
    document.body.prepend(p);
  };
  const q = new URLSearchParams({ site: d.site, lang, source: d.source, variant: d.variant || "" });
  const config = fetch("/admin/api/settings/preview-config?" + q, { credentials: "same-origin" })
    .then((r) => (r.ok ? r.json() : null))
    .catch(() => null);
  // The ask bundle takes the reader's state and its rules from the loader, which the preview does
  // not run: nothing stored, always due, and the loader's hash for the variant buckets.
  const fnv1a = (text) => {
    let h = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
    return h >>> 0;
  };
  (window.__readerSupport ??= {}).rules = {
    loadState: () => ({}),
    saveState: () => {},
    whyNotShown: () => null,
    articlesRead: () => 0,
    fnv1a,
  };
  const bundle = document.createElement("script");
  bundle.src = "/widget/ask" + (lang === "en" ? "" : "." + lang) + ".js?v=preview-" + Date.now();
  bundle.onerror = () => say("The ask's script could not be loaded (is the widget built?).");
  bundle.onload = () =>
    config.then((c) => {
      const g = window.__readerSupport;
      if (!c || !g || !g.mount) return say("The preview could not be loaded. Reload the page.");
      const refused = () =>
        Promise.resolve(
          new Response(JSON.stringify({ error: { code: "preview", message: "This is a preview: no checkout starts." } }), {
            status: 409,
            headers: { "content-type": "application/json" },
          }),
        );
      g.mount(
        {
          site: d.site,
          origin: location.origin,
          lang,
          data: { placement: "both" },
          config: c,
          urlCampaign: null,
          rs: null,
          storage: null,
        },
        { beacon: null, fetch: refused, navigate: () => {} },
      );
    });
  document.head.appendChild(bundle);
})();
`;

/** The frame's headers: our own scripts and requests only, framed only by our own staff page. */
export const previewFrameHeaders = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'none'"],
    scriptSrc: ["'self'"],
    connectSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", "data:"],
    formAction: ["'none'"],
    frameAncestors: ["'self'"],
    baseUri: ["'none'"],
  },
  xFrameOptions: "SAMEORIGIN",
  referrerPolicy: "same-origin",
});

/** The preview page's headers: the staff CSP, plus frames from our own origin. */
export const previewPageHeaders = staffFramingHeaders;

/** The preview's own security headers in place of the staff app's (null for other paths). */
export function settingsPageHeaders(path: string) {
  if (path === "/admin/settings/preview/frame") return previewFrameHeaders;
  if (path === "/admin/settings/preview") return previewPageHeaders;
  return null;
}

/**
 * The config the preview mounts: the ask as a reader in this language would get it, without
 * targeting (staff see the ask wherever they are) and, when one is named, with that variant only.
 */
export function previewConfig(site: SiteConfig, lang: string, variant: string, currency?: string): AskConfig {
  const config = askConfig(site, { lang, ...(currency ? { currency } : {}) }, null);
  const { target: _target, country: _country, ...rest } = config;
  const variants = config.variants
    .filter((v) => !variant || v.id === variant)
    .map(({ target: _t, ...v }) => ({ ...v, weight: variant ? 1 : v.weight }));
  return { ...rest, variants };
}
