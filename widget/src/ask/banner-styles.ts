/**
 * The banner's rules (banner chunk), adopted into its shadow root after the ask's own sheet
 * (styles.ts), whose buttons and colours it shares. Laid over the page, it carries a shadow on
 * the side where the page continues.
 */
const CSS = `
[hidden]{display:none!important}
:host{position:relative!important;z-index:2147483000!important}
.banner{background:var(--rs-bg,#f6f3ec);border-bottom:1px solid #b9b2a3;box-shadow:0 2px 12px #0002}
.bottom .banner{position:fixed;inset:auto 0 0;border:0;border-top:4px solid;box-shadow:0 -2px 12px #0002;max-height:100vh;overflow:auto}
.bi,.bc{max-width:1080px;margin:0 auto;padding:12px 8px 12px 20px}
.bi{display:flex;flex-wrap:wrap;align-items:center;gap:4px 16px}
.bt{flex:1 1 320px;margin:0}
.bi .btn{width:auto}
.x{display:flex;align-items:center;justify-content:center;width:44px;height:44px;cursor:pointer}
.x svg{width:18px}
.bc{padding:0 20px 16px}
@media (max-width:520px){.bi{padding-left:14px}.bt{flex-basis:calc(100% - 60px)}.bi .btn{flex:1}}
`;

let shared: CSSStyleSheet | undefined;

/** One constructable stylesheet for the banner (there is one banner on a page, but it may come back). */
export function bannerSheet(): CSSStyleSheet {
  if (!shared) {
    shared = new CSSStyleSheet();
    shared.replaceSync(CSS);
  }
  return shared;
}
