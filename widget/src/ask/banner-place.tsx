import { type ComponentChildren, render } from "@view";
import { dismissBanner } from "../rules/memory";
import { Banner } from "./Banner";
import { bannerSheet } from "./banner-styles";
import type { Env } from "./env";
import { observeSeen } from "./events";
import { createHost } from "./host";

/** What mount hands the banner chunk. */
export type BannerOptions = {
  env: Env;
  /** The one-line thank-you (extras chunk) to show instead of the ask. */
  thanks?: ComponentChildren;
  /** The in-article ask, when the page has one: "Support us" leads there, and a fixed bar steps aside while it is on screen. */
  inline: { host: HTMLElement; root: ShadowRoot } | null;
  /** Counts a view (once the banner is at least half visible). */
  seen: () => void;
};

/**
 * Where the top banner goes in the DOM: first in <body>, or right after the page's skip link
 * when <body> starts with one (its first focusable element is an in-page link, a child of
 * <body>), so "Skip to content" stays the first stop of the Tab key (WCAG 2.4.1) and the
 * banner the next.
 */
function topSlot(body: HTMLElement): Node | null {
  const first = body.querySelector('a[href],button,input,select,textarea,[tabindex]:not([tabindex="-1"])');
  return first?.parentNode === body && first.matches('a[href^="#"]') ? first.nextSibling : body.firstChild;
}

/** The page's own header: its banner landmark, or its first <header> outside the content. */
export function pageHeader(doc: Document): Element | null {
  return (
    doc.querySelector("[role=banner]") ??
    Array.from(doc.querySelectorAll("header")).find((h) => !h.closest("article,aside,main,nav,section")) ??
    null
  );
}

/** Whether two boxes overlap. */
const overlap = (a: DOMRect, b: DOMRect) =>
  a.bottom > b.top && a.top < b.bottom && a.right > b.left && a.left < b.right;

/**
 * Shows the banner without moving anything on the page: it is laid over the page, never put in
 * its flow, so the page's layout does not shift when it appears, resizes or goes.
 * - Top: over the page's content just below the page's own header (`pageHeader`), so the
 *   header's controls stay clear, scrolling away with the page; below a header that stays on
 *   screen (fixed or sticky) it stays on screen too. Without a header, at the top of the page.
 * - Bottom: fixed over the bottom of the viewport, with a spacer of its height at the very end
 *   of <body> so the page's footer can be scrolled clear of it.
 * In the DOM it is first in <body> (after a leading skip link), so it comes first in the Tab
 * order and in a screen reader's reading. It steps aside (hides) while the page's keyboard
 * focus is on something it covers, and a bar that stays on screen also while the in-article ask
 * is on screen. Returns what closes it (`dismissed`: the reader closed it, remembered for
 * `bannerDismissDays`).
 */
export function showBanner({ env, thanks, inline, seen }: BannerOptions): (dismissed: boolean) => void {
  const doc = document;
  const body = doc.body;
  const { host, root } = createHost(doc, "banner");
  const bottom = env.config.rules.bannerPosition === "bottom";
  const place = new CSSStyleSheet();
  root.adoptedStyleSheets = [...root.adoptedStyleSheets, bannerSheet(), place];
  const wrap = doc.createElement("div");
  if (bottom) wrap.className = "bottom";
  root.appendChild(wrap);

  const cleanups: (() => void)[] = [];
  let open = true;
  const close = (dismissed: boolean) => {
    if (!open) return;
    open = false;
    for (const c of cleanups) c();
    render(null, wrap);
    host.remove();
    if (dismissed && !thanks) {
      env.update((s) => dismissBanner(s, env.now(), env.config.rules.bannerDismissDays));
      env.track("dismiss", "banner");
    }
  };
  const supportUs = () => {
    if (!inline) return false;
    const reduce = matchMedia("(prefers-reduced-motion: reduce)").matches;
    inline.host.scrollIntoView({ behavior: reduce ? "auto" : "smooth", block: "start" });
    inline.root.querySelector<HTMLElement>("h2,[tabindex]")?.focus({ preventScroll: true });
    return true;
  };
  render(<Banner env={env} thanks={thanks} onSupport={supportUs} onClose={() => close(true)} />, wrap);
  const bar = wrap.firstElementChild as HTMLElement;

  // The host's own rules: taken out of the flow and laid over the page (top), or kept in the flow
  // at the end of <body> as a spacer as tall as the fixed bar (bottom).
  const hostRule = (rule: string) => place.replaceSync(`:host{${rule.replace(/;/g, "!important;")}}`);
  const header = bottom ? null : pageHeader(doc);
  const fixed = bottom || (!!header && /^(fixed|sticky)$/.test(getComputedStyle(header).position));
  const over = `position:${fixed ? "fixed" : "absolute"};left:0;right:0;`;
  const position = () => {
    if (bottom) return bar.offsetHeight && hostRule(`height:${bar.offsetHeight}px;`);
    const below = header ? header.getBoundingClientRect().bottom : 0;
    if (fixed) return hostRule(`${over}top:${below}px;`);
    // In the page's coordinates, found by measuring where `top: 0` lands (whatever the page's
    // containing block), so it scrolls with the content it covers.
    hostRule(`${over}top:0;`);
    hostRule(`${over}top:${Math.round(below - host.getBoundingClientRect().top)}px;`);
  };
  if (bottom) body.appendChild(host);
  else {
    hostRule(`${over}top:0;`);
    body.insertBefore(host, topSlot(body));
  }
  position();
  if (typeof ResizeObserver === "function") {
    const resized = new ResizeObserver(() => open && position());
    resized.observe(bottom ? bar : (header ?? body));
    cleanups.push(() => resized.disconnect());
  }

  // Stepping aside: while focus is on a part of the page the banner covers, and (for a bar that
  // stays on screen) while the in-article ask is on screen, so it never hides either.
  let askOnScreen = false;
  let focusCovered = false;
  const update = () => {
    bar.hidden = focusCovered || (fixed && askOnScreen);
  };
  const onFocus = (e: FocusEvent) => {
    const target = e.target as Element | null;
    focusCovered = false;
    if (target && target !== host && target !== body && target.getBoundingClientRect) {
      bar.hidden = false;
      focusCovered = overlap(target.getBoundingClientRect(), bar.getBoundingClientRect());
    }
    update();
  };
  doc.addEventListener("focusin", onFocus);
  cleanups.push(() => doc.removeEventListener("focusin", onFocus));
  if (fixed && inline) {
    const io = new IntersectionObserver(([e]) => {
      askOnScreen = !!e?.isIntersecting;
      update();
    });
    io.observe(inline.host);
    cleanups.push(() => io.disconnect());
  }
  if (!thanks) {
    env.track("impression", "banner");
    cleanups.push(observeSeen(bar, seen));
  }
  return close;
}
