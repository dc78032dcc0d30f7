import { html } from "hono/html";
import type { Frequency } from "../../core/frequencies";
import type { Html } from "../../platform/html";
import { FREQUENCY_LABELS, longDay, money, moneyShort } from "./html";

/**
 * Money raised per day, stacked by frequency, as an SVG drawn here: no library, no script,
 * styled by the stylesheet's classes. Long ranges are drawn per week so bars stay legible.
 * Built with `html` like the pages, so the currency and every label are escaped too.
 */

export type DayValues = Record<Frequency, number>;
export type Bucket = { from: string; to: string; values: DayValues };

const ORDER: Frequency[] = ["once", "monthly", "annual"];
const W = 720;
const H = 260;
const M = { top: 14, right: 12, bottom: 30, left: 64 };

/** Groups consecutive days into buckets of `size` days (the last may be shorter). */
export function bucketDays(days: string[], byDay: Map<string, DayValues>, size: number): Bucket[] {
  const out: Bucket[] = [];
  for (let i = 0; i < days.length; i += size) {
    const slice = days.slice(i, i + size);
    const values: DayValues = { once: 0, monthly: 0, annual: 0 };
    for (const day of slice) {
      const v = byDay.get(day);
      if (v) for (const f of ORDER) values[f] += v[f];
    }
    out.push({ from: slice[0] as string, to: slice[slice.length - 1] as string, values });
  }
  return out;
}

/** A round axis maximum at or above `max` (1, 2 or 5 × a power of ten). */
export function niceMax(max: number): number {
  if (max <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) if (step * power >= max) return step * power;
  return 10 * power;
}

/** The chart for one currency. Negative net (refunds above payments on a day) is drawn as zero. */
export function moneyChart(opts: {
  id: string;
  currency: string;
  days: string[];
  byDay: Map<string, DayValues>;
}): Html {
  const size = opts.days.length > 120 ? 7 : 1;
  const buckets = bucketDays(opts.days, opts.byDay, size);
  const unit = size === 1 ? "day" : "week";
  const totals = buckets.map((b) => ORDER.reduce((s, f) => s + Math.max(0, b.values[f]), 0));
  const top = niceMax(Math.max(0, ...totals));
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const step = plotW / Math.max(1, buckets.length);
  const barW = Math.max(1, step * (buckets.length > 60 ? 0.9 : 0.75));
  const y = (v: number) => M.top + plotH - (v / top) * plotH;

  const grid = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const v = top * f;
    const yy = y(v).toFixed(1);
    return html`<line class="${f === 0 ? "axis" : "grid"}" x1="${M.left}" x2="${W - M.right}" y1="${yy}" y2="${yy}"/><text class="yl" x="${M.left - 8}" y="${(y(v) + 4).toFixed(1)}">${moneyShort(v, opts.currency)}</text>`;
  });

  const bars = buckets.map((b, i) => {
    const x = M.left + i * step + (step - barW) / 2;
    let base = 0;
    const label = `${b.from === b.to ? longDay(b.from) : `${longDay(b.from)} – ${longDay(b.to)}`}: ${ORDER.map((f) => `${FREQUENCY_LABELS[f]} ${money(b.values[f], opts.currency)}`).join(", ")}`;
    const rects = ORDER.filter((f) => b.values[f] > 0).map((f) => {
      const v = b.values[f];
      const y1 = y(base + v);
      const h = y(base) - y1;
      base += v;
      return html`<rect class="f-${f}" x="${x.toFixed(1)}" y="${y1.toFixed(1)}" width="${barW.toFixed(1)}" height="${Math.max(0.5, h).toFixed(1)}"/>`;
    });
    return rects.length ? html`<g><title>${label}</title>${rects}</g>` : "";
  });

  const first = opts.days[0];
  const last = opts.days[opts.days.length - 1];
  const mid = opts.days[Math.floor(opts.days.length / 2)];
  const xLabels =
    first && last
      ? html`<text class="xl first" x="${M.left}" y="${H - 8}">${longDay(first)}</text>${
          opts.days.length > 2 && mid
            ? html`<text class="xl" x="${M.left + plotW / 2}" y="${H - 8}">${longDay(mid)}</text>`
            : ""
        }${last !== first ? html`<text class="xl last" x="${W - M.right}" y="${H - 8}">${longDay(last)}</text>` : ""}`
      : "";

  const sum = ORDER.reduce((s, f) => s + buckets.reduce((t, b) => t + b.values[f], 0), 0);
  const best = buckets.reduce<{ i: number; v: number }>(
    (acc, _b, i) => ((totals[i] ?? 0) > acc.v ? { i, v: totals[i] ?? 0 } : acc),
    { i: -1, v: 0 },
  );
  const bestBucket = buckets[best.i];
  const desc = `Net ${money(sum, opts.currency)} over ${opts.days.length} days, one bar per ${unit}${
    bestBucket ? `; the highest ${unit} was ${longDay(bestBucket.from)} with ${money(best.v, opts.currency)}` : ""
  }.`;
  return html`<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="${opts.id}-t ${opts.id}-d" data-currency="${opts.currency}">
<title id="${opts.id}-t">${opts.currency} raised per ${unit}, stacked by frequency</title>
<desc id="${opts.id}-d">${desc}</desc>
${grid}${bars}${xLabels}
</svg>`;
}
