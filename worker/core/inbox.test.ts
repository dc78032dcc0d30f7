import { describe, expect, it } from "vitest";
import { INBOX_RETRY_MINUTES, inboxRetryDelayMs } from "./inbox";

describe("the Stripe inbox's rules", () => {
  it("waits 1, 5, 15 and 60 minutes after the first failures, then every hour", () => {
    expect(INBOX_RETRY_MINUTES).toEqual([1, 5, 15, 60]);
    expect([1, 2, 3, 4, 5, 50].map((n) => inboxRetryDelayMs(n) / 60_000)).toEqual([1, 5, 15, 60, 60, 60]);
  });
});
