// The log of one client's refused messages, bounded: a client that keeps sending refused messages
// (a flood, a broken tool) must not turn each of them into a log line. The first
// REFUSALS_LOGGED_PER_WINDOW refusals of a window are logged one by one; the rest are counted and
// summed up in one line ("N more refused in the last 10 s") when the next window starts or the
// client goes. Every refusal is still answered to the client with its reason.

/** Refusals of one client logged one by one in a window: enough to see what a client gets wrong. */
export const REFUSALS_LOGGED_PER_WINDOW = 5;
/** The window of REFUSALS_LOGGED_PER_WINDOW, and of each summary line. */
export const REFUSAL_LOG_WINDOW_MS = 10_000;

export class RefusalLog {
  private windowStartMs: number | null = null;
  private loggedInWindow = 0;
  private suppressed = 0;

  /** A refusal at `nowMs`: whether to log it, and how many went unlogged in the window it ends
   * (0: no summary line owed). */
  refused(nowMs: number): { log: boolean; summary: number } {
    let summary = 0;
    if (this.windowStartMs === null || nowMs - this.windowStartMs >= REFUSAL_LOG_WINDOW_MS) {
      summary = this.suppressed;
      this.windowStartMs = nowMs;
      this.loggedInWindow = 0;
      this.suppressed = 0;
    }
    if (this.loggedInWindow < REFUSALS_LOGGED_PER_WINDOW) {
      this.loggedInWindow++;
      return { log: true, summary };
    }
    this.suppressed++;
    return { log: false, summary };
  }

  /** The refusals not logged yet (when the client goes: its last summary line); resets them. */
  takeSuppressed(): number {
    const n = this.suppressed;
    this.suppressed = 0;
    return n;
  }
}
