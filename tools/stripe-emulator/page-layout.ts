/** Shared HTML shell of the emulator's hosted pages (checkout, billing portal). */
import { escapeHtml } from "./http.ts";

const STYLE = `
  :root { color-scheme: light dark; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; line-height: 1.5; }
  body { margin: 0; background: Canvas; color: CanvasText; }
  main { max-width: 34rem; margin: 2rem auto; padding: 0 1rem; }
  .banner { border: 2px dashed #b45309; background: #fef3c7; color: #451a03; padding: .75rem 1rem; border-radius: .5rem; }
  h1 { font-size: 1.5rem; margin: 1.5rem 0 1rem; }
  table { width: 100%; border-collapse: collapse; margin: 1rem 0; }
  th, td { text-align: left; padding: .5rem 0; border-bottom: 1px solid color-mix(in srgb, CanvasText 20%, transparent); }
  td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
  tfoot th, tfoot td { font-weight: 700; border-bottom: none; }
  label { display: block; font-weight: 600; margin-top: 1rem; }
  input[type=email] { width: 100%; box-sizing: border-box; font: inherit; padding: .5rem; margin-top: .25rem; border: 1px solid GrayText; border-radius: .375rem; }
  fieldset { margin-top: 1rem; border: 1px solid color-mix(in srgb, CanvasText 25%, transparent); border-radius: .375rem; }
  fieldset label { display: inline; font-weight: 400; margin: 0; }
  .actions { display: flex; gap: .75rem; margin-top: 1.5rem; align-items: center; flex-wrap: wrap; }
  button { font: inherit; font-weight: 600; padding: .6rem 1.4rem; border-radius: .375rem; border: 1px solid #4338ca; cursor: pointer; }
  button.primary { background: #4338ca; color: #fff; }
  button.secondary { background: transparent; color: inherit; border-color: GrayText; }
  button:focus-visible, a:focus-visible, input:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
  .alert { border: 1px solid #b91c1c; background: #fee2e2; color: #7f1d1d; padding: .75rem 1rem; border-radius: .375rem; }
  .note { color: GrayText; font-size: .9rem; }
  ul.subs { list-style: none; padding: 0; }
  ul.subs li { border: 1px solid color-mix(in srgb, CanvasText 20%, transparent); border-radius: .5rem; padding: 1rem; margin-bottom: 1rem; }
  @media (prefers-reduced-motion: reduce) { * { transition: none !important; } }
`;

/** A full HTML document with the LOCAL TEST banner. */
export function page(title: string, banner: string, body: string, lang = "en"): string {
  return `<!doctype html>
<html lang="${escapeHtml(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<p class="banner" role="note"><strong>${escapeHtml(banner)}</strong> This page is served by the local Stripe emulator.</p>
${body}
</main>
</body>
</html>`;
}
