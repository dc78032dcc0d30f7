/**
 * The ask's styles, adopted into each shadow root as a constructable stylesheet:
 * no <style> element and no style attribute, so it works under a CSP without
 * 'unsafe-inline'. `:host` resets everything the page could pass down
 * (inner !important beats the page's !important across the shadow boundary) and
 * keeps only the host's font family. Sizes are in px because a hostile page may
 * change the root font size.
 */
export const CSS = `
:host{all:initial!important;display:block!important;font-family:inherit!important;font-size:16px!important;line-height:1.5!important;color:#1c1b19!important}
:host([data-placement=inline]){margin:32px 0!important}
*{box-sizing:border-box;margin:0;padding:0;font:inherit;color:inherit;border:0;background:none}
.box{background:var(--rs-bg,#f6f3ec);border-top:4px solid;padding:24px 20px 20px;font-size:17px;line-height:1.55}
h2{font-size:24px;line-height:1.25;margin-bottom:12px;outline:0}
p{margin-bottom:12px}
h2,strong,.count,.link,.opt span,legend,.btn,.err{font-weight:700}
.link{display:inline-flex;align-items:center;min-height:44px;text-decoration:underline;cursor:pointer;color:var(--rs-accent,#0f4c5c)}
.small,.total{font-size:14px;color:#55524b}
legend{display:block;font-size:14px;margin-bottom:6px}
form{margin-top:16px}
fieldset{margin-bottom:16px;min-width:0}
.seg{display:grid;grid-template-columns:repeat(auto-fit,minmax(72px,1fr));gap:8px}
.opt{position:relative}
.opt input{position:absolute;opacity:0}
.opt span,.btn{display:flex;align-items:center;justify-content:center;min-height:48px;border:1px solid #8c877c;background:#fff;border-radius:4px;cursor:pointer}
.opt input:checked+span,.btn{background:var(--rs-accent,#0f4c5c);border-color:var(--rs-accent,#0f4c5c);color:#fff}
.opt input:focus-visible+span,:focus-visible{outline:3px solid #1a5fb4;outline-offset:2px}
.opt span:hover,.btn:hover{filter:brightness(.9)}
.err{color:#a1221b;font-size:15px;margin:0}
.err:not(:empty){margin-top:8px}
.chk{display:flex;align-items:center;gap:10px;min-height:44px;margin-bottom:8px;font-size:15px}
.chk input{width:22px;height:22px;accent-color:var(--rs-accent,#0f4c5c)}
.btn{gap:10px;padding:10px 28px;width:100%;max-width:360px;font-size:17px}
.btn[aria-disabled=true]{cursor:progress;opacity:.8}
.marks{display:flex;gap:6px;margin:16px 0 4px;list-style:none}
.marks svg{display:block;width:38px;height:24px;fill:#3c4043;font:700 9.5px Arial,sans-serif;text-anchor:middle}
.marks rect{stroke:#c9c3b7}
.dk svg{fill:#fff}
.later{border-top:1px solid #d7d1c4;padding-top:8px;margin:12px 0 0}
@media (max-width:520px){.box{padding:20px 14px 16px}h2{font-size:21px}}
`;

let shared: CSSStyleSheet | undefined;

/** One constructable stylesheet shared by every shadow root of the ask. */
export function sheet(): CSSStyleSheet {
  if (!shared) {
    shared = new CSSStyleSheet();
    shared.replaceSync(CSS);
  }
  return shared;
}
