/**
 * The staff view's one stylesheet, served from /admin-static/admin.css (the CSP allows no inline
 * style). Same calm editorial language as the ask: warm paper, ink, one teal, serif headings.
 */
export const ADMIN_CSS = `
:root{--ink:#1c1b19;--muted:#55524b;--paper:#fbfaf7;--card:#f6f3ec;--line:#d7d1c4;--teal:#0f4c5c;--focus:#1a5fb4;--once:#c2873a;--monthly:#0f4c5c;--annual:#6f8f3d;--bad:#a1221b}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--paper);color:var(--ink);font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
h1,h2,h3{font-family:Georgia,"Times New Roman",serif;font-weight:700;line-height:1.2;margin:0 0 .5em}
h1{font-size:1.9rem}h2{font-size:1.45rem;margin-top:2.2em;padding-top:.6em;border-top:1px solid var(--line)}h3{font-size:1.15rem}
a{color:var(--teal)}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:12px;top:12px;background:#fff;padding:8px 12px;z-index:10}
.top{border-bottom:4px solid var(--teal);background:var(--card)}
.top .in{display:flex;flex-wrap:wrap;align-items:center;gap:8px 20px;padding-top:14px;padding-bottom:14px}
.brand{font:700 1.2rem Georgia,"Times New Roman",serif;color:var(--ink);text-decoration:none;margin-right:auto}
.who{font-size:.92rem;color:var(--muted)}
.in{max-width:1120px;margin:0 auto;padding:0 20px}
main.in{padding-top:28px;padding-bottom:64px}
.lede{color:var(--muted);margin:0 0 1.2em}
.btn,button{display:inline-flex;align-items:center;justify-content:center;min-height:44px;padding:8px 18px;border:1px solid var(--teal);border-radius:4px;background:var(--teal);color:#fff;font:inherit;font-weight:700;cursor:pointer;text-decoration:none}
.btn.quiet,button.quiet{background:#fff;color:var(--teal)}
.btn:hover,button:hover{filter:brightness(.92)}
form.inline{display:inline}
label{font-weight:700;font-size:.92rem;display:block;margin-bottom:4px}
input,select{font:inherit;min-height:44px;padding:6px 10px;border:1px solid #8c877c;border-radius:4px;background:#fff;color:var(--ink);max-width:100%}
.filters{display:flex;flex-wrap:wrap;gap:16px 28px;align-items:flex-end;padding:16px 18px;background:var(--card);border-radius:6px}
.filters .field{display:flex;flex-direction:column}
.presets{display:flex;flex-wrap:wrap;gap:6px;margin:0;padding:0;list-style:none}
.presets a{display:inline-flex;align-items:center;min-height:44px;padding:6px 14px;border:1px solid var(--line);border-radius:22px;background:#fff;color:var(--ink);text-decoration:none}
.presets a[aria-current=page]{background:var(--teal);border-color:var(--teal);color:#fff;font-weight:700}
.custom{display:flex;flex-wrap:wrap;gap:10px;align-items:flex-end}
.range-note{margin:12px 0 0;color:var(--muted)}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:20px}
.card{background:#fff;border:1px solid var(--line);border-top:4px solid var(--teal);border-radius:4px;padding:18px 20px}
.net{font:700 2rem/1.1 Georgia,"Times New Roman",serif;margin:.1em 0 .2em}
.net small{display:block;font:400 .9rem system-ui,sans-serif;color:var(--muted);margin-bottom:4px}
dl.figs{display:grid;grid-template-columns:1fr auto;gap:2px 16px;margin:12px 0}
dl.figs dt{color:var(--muted)}dl.figs dd{margin:0;text-align:right;font-variant-numeric:tabular-nums}
dl.figs dd.why{grid-column:1/-1;text-align:left;font-size:.84rem;color:var(--muted);margin:0 0 6px}
.note{font-size:.9rem;background:var(--card);border-left:3px solid var(--once);padding:6px 10px;margin:8px 0}
.legend{margin:10px 0 0;font-size:.92rem}.legend summary{cursor:pointer;color:var(--teal);min-height:44px;display:flex;align-items:center}
.legend dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:6px 0}.legend dd{margin:0;color:var(--muted)}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
caption{text-align:left;font-weight:700;padding:0 0 6px}
th,td{padding:8px 10px;border-bottom:1px solid var(--line);text-align:right;vertical-align:top}
th:first-child,td:first-child{text-align:left}
thead th{font-size:.85rem;color:var(--muted);font-weight:700;border-bottom:2px solid var(--ink)}
td.l,th.l{text-align:left}
td[data-figure]{white-space:nowrap}
.rate{display:block;font-size:.82rem;color:var(--muted)}
.scroll{overflow-x:auto;margin:8px 0 20px}
.funnels{display:grid;grid-template-columns:repeat(auto-fit,minmax(340px,1fr));gap:4px 32px}
.scroll:focus-visible{outline:3px solid var(--focus)}
.muted{color:var(--muted)}
.empty{padding:18px;background:var(--card);border-radius:4px;color:var(--muted)}
.status{display:inline-block;padding:1px 8px;border-radius:10px;font-size:.85rem;background:var(--card)}
.status.paid,.status.active{background:#e2efe4;color:#1d5227}
.status.canceled,.status.failed,.status.past_due{background:#f8e3e1;color:var(--bad)}
figure{margin:0 0 28px}
figcaption{display:flex;flex-wrap:wrap;gap:4px 18px;font-size:.9rem;color:var(--muted);margin-top:6px}
.key{display:inline-flex;align-items:center;gap:6px}
.key i{display:inline-block;width:12px;height:12px;border-radius:2px}
.key .once{background:var(--once)}.key .monthly{background:var(--monthly)}.key .annual{background:var(--annual)}
svg.chart{display:block;width:100%;height:auto;background:#fff;border:1px solid var(--line);border-radius:4px}
svg.chart .f-once{fill:var(--once)}svg.chart .f-monthly{fill:var(--monthly)}svg.chart .f-annual{fill:var(--annual)}
svg.chart .grid{stroke:#e6e1d6;stroke-width:1}svg.chart .axis{stroke:#8c877c;stroke-width:1}
svg.chart text{font:12px system-ui,sans-serif;fill:var(--muted)}
svg.chart .yl{text-anchor:end}svg.chart .xl{text-anchor:middle}svg.chart .xl.first{text-anchor:start}svg.chart .xl.last{text-anchor:end}
.signin{max-width:440px;margin:8vh auto;padding:28px 26px;background:#fff;border:1px solid var(--line);border-top:4px solid var(--teal);border-radius:4px}
.signin input{width:100%}
.signin .err{color:var(--bad);font-weight:700}
.warn{margin:0 0 24px;padding:14px 18px;background:#f8e3e1;border:1px solid var(--bad);border-left-width:6px;border-radius:4px}
.warn h2{margin:0 0 6px;padding:0;border:0;font-size:1.15rem;color:var(--bad)}.warn ul{margin:0;padding-left:20px}
.signin form{display:flex;flex-direction:column;gap:14px;margin-top:10px}
footer.in{color:var(--muted);font-size:.85rem;padding-bottom:32px}
iframe.mail{display:block;width:100%;max-width:680px;height:1000px;margin:0 0 1.5em;border:1px solid var(--line);border-radius:4px;background:#f6f5f1}
pre.mail{max-width:680px;white-space:pre-wrap;overflow-wrap:anywhere;background:#fff;border:1px solid var(--line);border-radius:4px;padding:14px 16px;font-size:.9rem}
nav.pages{display:flex;flex-wrap:wrap;gap:4px 14px;font-size:.95rem}nav.pages a[aria-current=page]{font-weight:700;color:var(--ink);text-decoration:none}
.notice{padding:10px 14px;background:#e2efe4;border-left:4px solid #1d5227;border-radius:4px}
.status{margin:0 0 20px}.status p{margin:.3em 0}
.actions{display:flex;flex-wrap:wrap;gap:10px;align-items:center;margin:12px 0}
.actions.sticky{position:sticky;bottom:0;background:var(--paper);padding:12px 0;border-top:1px solid var(--line)}
.toc{display:flex;flex-wrap:wrap;gap:6px 16px;margin:16px 0;padding:10px 14px;background:var(--card);border-radius:6px}
fieldset.plain{border:0;padding:0;margin:0;min-width:0}
.sett .group{margin:0 0 18px;padding:14px 16px;background:#fff;border:1px solid var(--line);border-radius:4px}
.sett .group h3{margin:0 0 8px}
.sett details.group>summary{cursor:pointer;font:700 1.05rem Georgia,"Times New Roman",serif;min-height:32px;color:var(--teal)}
.sett details.group[open]>summary{margin-bottom:8px}
.fields{display:grid;grid-template-columns:repeat(auto-fill,minmax(230px,1fr));gap:14px 20px}
.field{display:flex;flex-direction:column;min-width:0}.field.wide{grid-column:1/-1}
.field input[type=text],.field select,.field textarea{width:100%}
.field input[type=color]{width:72px;padding:2px}
textarea{font:inherit;padding:8px 10px;border:1px solid #8c877c;border-radius:4px;background:#fff;color:var(--ink);max-width:100%}
.field.check{flex-direction:row;flex-wrap:wrap;align-items:center;gap:4px 10px}.field.check label{margin:0;font-weight:400}
.field.check input{width:22px;height:22px;min-height:0}
fieldset.field{border:0;padding:0;margin:0}fieldset.field legend{font-weight:700;font-size:.92rem;margin-bottom:4px;padding:0}
.chip{display:inline-flex;align-items:center;gap:6px;min-height:36px;margin:0 14px 0 0;font-weight:400}.chip input{min-height:0;width:18px;height:18px}
.hint{font-size:.84rem;color:var(--muted);margin-top:3px;flex-basis:100%}
.field-error{color:var(--bad);font-weight:700;font-size:.9rem;margin-top:3px;flex-basis:100%}
.invalid input,.invalid select,.invalid textarea{border:2px solid var(--bad)}
ul.changes{margin:0;padding-left:18px;font-size:.9rem}
code{font-size:.9em;background:var(--card);padding:0 4px;border-radius:3px}
.pv-lang .frames{display:flex;flex-wrap:wrap;gap:20px;align-items:flex-start}
iframe.pv-desktop{display:block;width:1024px;height:860px;border:1px solid var(--line);background:#fff}
iframe.pv-phone{display:block;width:390px;height:860px;border:1px solid var(--line);background:#fff}
.pv-desktop,.pv-phone{max-width:none}
body.pv{background:#fff;margin:0}
.pv-article{max-width:680px;margin:0 auto;padding:24px 18px;font:18px/1.6 Georgia,"Times New Roman",serif}
.pv-article h1{font-size:1.8rem}.pv-kicker{font:700 .85rem system-ui,sans-serif;text-transform:uppercase;letter-spacing:.06em;color:var(--teal)}
.pv-error{margin:12px;padding:10px 14px;background:#f8e3e1;color:var(--bad);font:700 1rem system-ui,sans-serif}
table.variants th[scope=row]{white-space:nowrap}
.bar{display:inline-block;height:10px;background:var(--teal);border-radius:2px;vertical-align:middle}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
@media (max-width:560px){h1{font-size:1.5rem}.net{font-size:1.7rem}.in{padding:0 14px}th,td{padding:6px 6px}.filters{padding:12px}}
@media print{.filters,.top form{display:none}}
`;

/** A short content hash for cache-busting the stylesheet URL. */
export function cssVersion(): string {
  let h = 5381;
  for (let i = 0; i < ADMIN_CSS.length; i++) h = (h * 33) ^ ADMIN_CSS.charCodeAt(i);
  return (h >>> 0).toString(36);
}

export const CSS_PATH = "/admin/static/admin.css";
