import { render } from "@view";
import type { ProgressResponse } from "../../../worker/core/widget-contract";
import { fill } from "../i18n";
import { goalStrings } from "../i18n/goal";
import { formatMoney } from "./money";

/** The goal line's rules, adopted into the in-article ask's shadow root after the ask's own sheet. */
const CSS = `
.goal{background:var(--rs-bg,#f6f3ec);border-top:4px solid;padding:16px 20px 0;font-size:15px;line-height:1.4}
.goal+.box{border-top:0;padding-top:12px}
.goal:has(+.snz){display:none}
.goal p{margin:0 0 8px}
.bar{height:8px;border-radius:4px;background:#d7d1c4;overflow:hidden}
.bar i{display:block;height:100%;background:var(--rs-accent,#0f4c5c)}
@media (max-width:520px){.goal{padding:14px 14px 0}}
`;

let shared: CSSStyleSheet | undefined;
const goalSheet = () => {
  if (!shared) {
    shared = new CSSStyleSheet();
    shared.replaceSync(CSS);
  }
  return shared;
};

/** `2026-12-31` → "Dec 31" / "31 дек." (the goal's last day, as the worker counts it: UTC). */
const day = (date: string, lang: string) =>
  new Intl.DateTimeFormat(lang, { day: "numeric", month: "short", timeZone: "UTC" }).format(new Date(`${date}T00:00Z`));

/**
 * "$3,240 of $5,000 raised · 41 supporters · until Dec 31" and a bar: how far the campaign has
 * come. The bar is a progressbar named by the line, so a screen reader hears both; it is full
 * once the goal is met. The date is left out once the goal's last day has passed.
 */
export function GoalLine({ progress: p, lang, now }: { progress: ProgressResponse; lang: string; now: number }) {
  const t = goalStrings(lang);
  // The goal's own currency's minor-unit digits (the ask's currency may be another one).
  const decimals = new Intl.NumberFormat("en", { style: "currency", currency: p.currency }).resolvedOptions()
    .maximumFractionDigits!;
  const money = (amount: number) => formatMoney(amount, p.currency, lang, decimals);
  const share = p.amount > 0 ? Math.min(100, Math.floor((p.raised / p.amount) * 100)) : 0;
  const parts = [
    fill(t.raised, { raised: money(p.raised), goal: money(p.amount) }),
    fill(t.supporters[new Intl.PluralRules(lang).select(p.supporters)] ?? t.supporters.other!, {
      n: new Intl.NumberFormat(lang).format(p.supporters),
    }),
  ];
  if (Date.parse(`${p.endsOn}T00:00Z`) + 86_400_000 > now) parts.push(fill(t.until, { date: day(p.endsOn, lang) }));
  return (
    <>
      <p id="rs-g">{parts.join(" · ")}</p>
      <div
        class="bar"
        role="progressbar"
        aria-labelledby="rs-g"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={share}
      >
        {/* A first gift shows as a sliver, not an empty bar. */}
        <i style={{ width: p.raised > 0 ? `max(4px,${share}%)` : "0" }} />
      </div>
    </>
  );
}

/** Puts the goal line at the top of the in-article ask (its shadow root), drawn as part of its box. */
export function showGoal(env: { lang: string; now: () => number }, root: ShadowRoot, progress: ProgressResponse) {
  if (!progress || typeof progress.raised !== "number" || typeof progress.amount !== "number") return;
  root.adoptedStyleSheets = [...root.adoptedStyleSheets, goalSheet()];
  const slot = document.createElement("div");
  slot.className = "goal";
  root.insertBefore(slot, root.firstChild);
  render(<GoalLine progress={progress} lang={env.lang} now={env.now()} />, slot);
}
