import { describe, expect, it } from "vitest";
import { INBOX_RETRY_MINUTES, inboxRetryDelayMs, inboxWarning } from "./inbox";

describe("the Stripe inbox's rules", () => {
  it("waits 1, 5, 15 and 60 minutes after the first failures, then every hour", () => {
    expect(INBOX_RETRY_MINUTES).toEqual([1, 5, 15, 60]);
    expect([1, 2, 3, 4, 5, 50].map((n) => inboxRetryDelayMs(n) / 60_000)).toEqual([1, 5, 15, 60, 60, 60]);
  });

  it("warns staff only about events that waited too long, with the oldest and its last error", () => {
    const oldest = {
      eventId: "evt_1",
      type: "invoice.paid",
      receivedAt: Date.UTC(2026, 10, 30, 8, 5),
      attempts: 3,
      lastError: "Request aborted due to timeout being reached (3000ms)",
    };
    expect(inboxWarning({ waiting: 0, late: 0, oldest: null })).toBeNull();
    expect(inboxWarning({ waiting: 4, late: 0, oldest })).toBeNull();
    expect(inboxWarning({ waiting: 4, late: 2, oldest })).toBe(
      "2 Stripe events have waited more than 30 minutes to reach the ledger: the oldest, evt_1 (invoice.paid), " +
        "since 2026-11-30 08:05 UTC, 3 failed attempts; last error: Request aborted due to timeout being reached (3000ms). " +
        "The 15-minute Cron keeps retrying them and the daily check against Stripe replays what is still missing; " +
        "figures leave them out until then.",
    );
    expect(inboxWarning({ waiting: 1, late: 1, oldest: { ...oldest, attempts: 0, lastError: null } })).toContain(
      "1 Stripe event has waited more than 30 minutes to reach the ledger: the oldest, evt_1 (invoice.paid), since 2026-11-30 08:05 UTC, not tried yet. ",
    );
  });
});
