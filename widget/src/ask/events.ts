import type { AskEventType, Placement } from "../../../worker/core/widget-contract";

/** Sends one batch; `navigator.sendBeacon` with a string body (text/plain: no preflight). */
export type Beacon = (url: string, body: string) => boolean;

/** The ask's counters, batched: flushed after a short delay, when 20 are queued, and on pagehide. */
export type Tracker = {
  track: (type: AskEventType, placement: Placement) => void;
  flush: () => void;
};

/** The batch size the API accepts. */
const MAX_BATCH = 20;

/** What travels with every event: the copy variant and the campaign (`rs_campaign`), when there are. */
export type EventTags = { variant?: string; campaign?: string };

/** Creates the tracker for a site; the `tags` that are set travel with every event. */
export function createTracker(
  origin: string,
  site: string,
  tags: EventTags,
  beacon: Beacon | null,
  delayMs = 2000,
): Tracker {
  let queue: ({ type: AskEventType; placement: Placement } & EventTags)[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    while (queue.length) {
      const events = queue.slice(0, MAX_BATCH);
      queue = queue.slice(MAX_BATCH);
      try {
        beacon?.(`${origin}/api/events`, JSON.stringify({ site, events }));
      } catch {
        // Counters are best-effort; never disturb the reader.
      }
    }
  };
  addEventListener("pagehide", flush);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") flush();
  });
  return {
    flush,
    track(type, placement) {
      queue.push({ type, placement, ...tags });
      if (queue.length >= MAX_BATCH) flush();
      else timer ??= setTimeout(flush, delayMs);
    },
  };
}

/** The browser's beacon, or null where it is missing. */
export const browserBeacon = (): Beacon | null =>
  typeof navigator.sendBeacon === "function" ? (url, body) => navigator.sendBeacon(url, body) : null;

/**
 * Calls `onSeen` once, the first time `el` is at least half visible — or fills at least
 * half the viewport, so a tall ask on a small phone still counts as seen.
 */
export function observeSeen(el: Element, onSeen: () => void): () => void {
  const io = new IntersectionObserver(
    (entries) => {
      for (const e of entries) {
        if (e.isIntersecting && (e.intersectionRatio >= 0.5 || e.intersectionRect.height >= innerHeight / 2)) {
          io.disconnect();
          onSeen();
          return;
        }
      }
    },
    { threshold: [0, 0.1, 0.25, 0.5, 0.75, 1] },
  );
  io.observe(el);
  return () => io.disconnect();
}
