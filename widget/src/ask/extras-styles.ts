/**
 * Rules only the extras chunk's parts need (the "Other" amount and the reminder's email with their labels, and the
 * thank-you's offer),
 * added to a shadow root when one of them first renders there. Same colours and sizes as
 * the ask's buttons in styles.ts.
 */
const CSS = `
.lbl{display:block;font-size:14px;font-weight:700;margin-bottom:6px}
.field,input[type=email]{display:flex;align-items:center;min-height:48px;max-width:360px;width:100%;padding:0 12px;border:1px solid #8c877c;border-radius:4px;background:#fff}
.field:focus-within{outline:3px solid #1a5fb4;outline-offset:2px}
.field input{flex:1;min-width:0;height:46px;padding-left:6px;outline:0}
[aria-invalid=true]{border-color:#b3261e}
.offer .btn{margin-top:8px}
.offer{margin-top:4px}
`;

let shared: CSSStyleSheet | undefined;

/** A ref callback: adopts the extras' stylesheet into the shadow root that holds `el` (once). */
export function adoptExtras(el: Element | null): void {
  const root = el?.getRootNode() as ShadowRoot | undefined;
  if (!root?.adoptedStyleSheets) return;
  if (!shared) {
    shared = new CSSStyleSheet();
    shared.replaceSync(CSS);
  }
  if (!root.adoptedStyleSheets.includes(shared)) root.adoptedStyleSheets = [...root.adoptedStyleSheets, shared];
}
