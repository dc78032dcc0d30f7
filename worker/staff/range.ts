/**
 * The dashboard's date ranges: presets resolved against an injected `now`, in UTC
 * days, so "today" and "this year" are the same for every member of staff and every test.
 */

export const PRESETS = ["today", "7d", "30d", "year", "all", "custom"] as const;
export type Preset = (typeof PRESETS)[number];

export const PRESET_LABELS: Record<Preset, string> = {
  today: "Today",
  "7d": "Last 7 days",
  "30d": "Last 30 days",
  year: "This year",
  all: "All time",
  custom: "Custom",
};

/** A resolved range: inclusive UTC days (null = unbounded), plus what the picker shows. */
export type DayRange = { preset: Preset; from: string | null; to: string | null };

const DAY_MS = 86_400_000;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** YYYY-MM-DD of a unix-ms instant, in UTC. */
export const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** True for a real calendar day written YYYY-MM-DD. */
export function isDay(value: string | undefined | null): value is string {
  if (!value || !DAY.test(value)) return false;
  const ms = Date.parse(`${value}T00:00:00Z`);
  return !Number.isNaN(ms) && isoDay(ms) === value;
}

/**
 * The range the query string asks for. Unknown presets fall back to the last 30 days;
 * a custom range with bad or reversed days is null (the caller answers 400).
 */
export function resolveRange(query: { range?: string; from?: string; to?: string }, now: number): DayRange | null {
  const today = isoDay(now);
  const preset = (PRESETS as readonly string[]).includes(query.range ?? "")
    ? (query.range as Preset)
    : query.from || query.to
      ? "custom"
      : "30d";
  switch (preset) {
    case "today":
      return { preset, from: today, to: today };
    case "7d":
      return { preset, from: isoDay(now - 6 * DAY_MS), to: today };
    case "30d":
      return { preset, from: isoDay(now - 29 * DAY_MS), to: today };
    case "year":
      return { preset, from: `${today.slice(0, 4)}-01-01`, to: today };
    case "all":
      return { preset, from: null, to: null };
    case "custom": {
      const from = query.from || null;
      const to = query.to || null;
      if ((from && !isDay(from)) || (to && !isDay(to))) return null;
      if (from && to && from > to) return null;
      return { preset, from, to };
    }
  }
}

/** Day bounds for SQL over `day` columns: from inclusive, to exclusive ('' and '9999-12-31' when open). */
export function dayBounds(range: { from: string | null; to: string | null }): { fromDay: string; toDay: string } {
  return {
    fromDay: range.from ?? "",
    toDay: range.to ? isoDay(Date.parse(`${range.to}T00:00:00Z`) + DAY_MS) : "9999-12-31",
  };
}

/** Millisecond bounds [from, to) for SQL over unix-ms columns. */
export function msBounds(range: { from: string | null; to: string | null }): { from: number; to: number } {
  return {
    from: range.from ? Date.parse(`${range.from}T00:00:00Z`) : 0,
    to: range.to ? Date.parse(`${range.to}T00:00:00Z`) + DAY_MS : 8_640_000_000_000_000,
  };
}

/** Every day from `from` to `to` inclusive (for the chart's x axis). */
export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`), end = Date.parse(`${to}T00:00:00Z`); t <= end; t += DAY_MS)
    out.push(isoDay(t));
  return out;
}
