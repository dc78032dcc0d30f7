import { sheet } from "./styles";

/**
 * Where the in-article ask goes in the host page: below what the reader can see when there is
 * room there, so nothing they see moves (the banner is laid over the page: banner-place.tsx).
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
 * when present, else after the article's Nth paragraph — or, when the reader can already see
 * where that paragraph ends, after the first later paragraph that ends below the screen, so the
 * text on screen does not move; when the rest of the story is all on screen, after the first
 * later paragraph the reader has not scrolled past. Returns false when there is no place for it.
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
  // Paragraph N (1-based) or a later one; 0 means before the first. First below the screen, then
  // anywhere the reader has not scrolled past.
  const screen = doc.defaultView?.innerHeight ?? 0;
  for (const below of [screen, 0])
    for (let i = Math.min(afterParagraph, paragraphs.length) - 1; i < paragraphs.length; i++) {
      const p = paragraphs[Math.max(i, 0)]!;
      if (p.getBoundingClientRect()[i < 0 ? "top" : "bottom"] >= below) {
        p.parentNode!.insertBefore(host, i < 0 ? p : p.nextSibling);
        return true;
      }
    }
  return false;
}
