import { sheet } from "./styles";

/**
 * Where the ask goes in the host page. Everything is inserted at or below the reader's
 * position, so nothing above what they are reading moves: no layout shift above the reader.
 */

/** A custom element with an open shadow root that adopts the ask's stylesheet. */
export function createHost(doc: Document, placement: "inline" | "banner"): { host: HTMLElement; root: ShadowRoot } {
  const host = doc.createElement("reader-support");
  host.setAttribute("data-placement", placement);
  const root = host.attachShadow({ mode: "open" });
  root.adoptedStyleSheets = [sheet()];
  return { host, root };
}

/** Paragraphs that are part of the story, not captions, asides, bylines or forms. */
function storyParagraphs(doc: Document): HTMLElement[] {
  const pick = (selector: string) =>
    Array.from(doc.querySelectorAll<HTMLElement>(selector)).filter(
      (p) => !p.closest("aside,figure,blockquote,header,footer,nav,form,reader-support"),
    );
  const inArticle = pick("article p");
  return inArticle.length ? inArticle : pick("main p");
}

/**
 * Inserts `host` into the inline slot: `target` (data-target) or `[data-reader-support]`
 * when present, else after the article's Nth paragraph — or, when the reader has already
 * scrolled past it, after the first later paragraph still on screen or below.
 * Returns false when there is no place for it.
 */
export function placeInline(doc: Document, host: HTMLElement, afterParagraph: number, target?: string): boolean {
  let slot: Element | null = null;
  try {
    slot = doc.querySelector(target || "[data-reader-support]");
  } catch {
    // An invalid data-target selector: fall back to the paragraphs.
  }
  if (slot) {
    slot.appendChild(host);
    return true;
  }
  const paragraphs = storyParagraphs(doc);
  if (!paragraphs.length) return false;
  // Paragraph N (1-based) or the first later one the reader has not scrolled past; 0 means before the first.
  for (let i = Math.min(afterParagraph, paragraphs.length) - 1; i < paragraphs.length; i++) {
    const p = paragraphs[Math.max(i, 0)]!;
    if (p.getBoundingClientRect()[i < 0 ? "top" : "bottom"] >= 0) {
      p.parentNode!.insertBefore(host, i < 0 ? p : p.nextSibling);
      return true;
    }
  }
  return false;
}

/**
 * Where the top banner goes: first in <body>, or right after the page's skip link when
 * <body> starts with one (its first focusable element is an in-page link, a child of
 * <body>), so "Skip to content" stays the first stop of the Tab key (WCAG 2.4.1). A skip
 * link nested in the page's header is left alone: the banner stays first rather than land
 * inside the header's layout.
 */
function topSlot(body: HTMLElement): Node | null {
  const first = body.querySelector('a[href],button,input,select,textarea,[tabindex]:not([tabindex="-1"])');
  return first?.parentNode === body && first.matches('a[href^="#"]') ? first.nextSibling : body.firstChild;
}

/**
 * Banner placement. Top: in the page's flow at the start of <body> (after a leading skip
 * link), so it can never cover the page's own header controls (a fixed bar would); if the
 * reader has already scrolled, the scroll position is corrected so the text they read stays put.
 * Bottom: a fixed bar over the bottom of the viewport with an in-flow spacer at the very
 * end of <body>, so the page's footer can still be scrolled clear of it.
 */
export function placeBanner(doc: Document, host: HTMLElement, position: "top" | "bottom"): void {
  const body = doc.body;
  if (position === "bottom") {
    body.appendChild(host);
    return;
  }
  const win = doc.defaultView;
  const scrolled = win && win.scrollY > 0;
  const anchor = scrolled ? doc.elementFromPoint(win.innerWidth / 2, win.innerHeight / 3) : null;
  const before = anchor?.getBoundingClientRect().top;
  body.insertBefore(host, topSlot(body));
  if (anchor && before !== undefined) {
    // Browsers with scroll anchoring have already compensated; this covers the others.
    const moved = anchor.getBoundingClientRect().top - before;
    if (moved) win!.scrollBy(0, moved);
  }
}
