/** Injected API faults: the next N `/v1/*` calls answer 500 `api_error` or hang. */

/** What the next API calls do. */
export type FaultMode = "none" | "error" | "hang";

/** Fault state of one emulator. */
export class Faults {
  mode: FaultMode = "none";
  /** Calls left to affect; null = until reset. */
  remaining: number | null = null;

  /** Sets the mode for the next `count` calls (unlimited when omitted). */
  set(mode: FaultMode, count?: number): void {
    this.mode = mode;
    this.remaining = mode === "none" ? null : (count ?? null);
  }

  /** The fault to apply to this API call (consuming one from the count). */
  take(): FaultMode {
    if (this.mode === "none") return "none";
    const mode = this.mode;
    if (this.remaining !== null) {
      this.remaining -= 1;
      if (this.remaining <= 0) this.set("none");
    }
    return mode;
  }
}
