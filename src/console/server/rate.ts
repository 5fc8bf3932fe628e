// Per-client rate limit: a token bucket. A page sends a command when the operator presses a
// button (a few a second at most); a client that floods the socket is refused, not queued.

/** Burst a client may send at once: a hurried operator pressing acknowledge and stop together. */
export const RATE_BURST_MESSAGES = 10;
/** Sustained rate, messages per second: far above a hand on a touchscreen (about 5 a second). */
export const RATE_MESSAGES_PER_S = 5;

export class TokenBucket {
  private tokens: number;
  private lastMs: number;

  constructor(
    nowMs: number,
    private readonly burst: number = RATE_BURST_MESSAGES,
    private readonly perS: number = RATE_MESSAGES_PER_S,
  ) {
    this.tokens = burst;
    this.lastMs = nowMs;
  }

  /** Takes one token; false when the client is over its rate. */
  take(nowMs: number): boolean {
    const elapsedMs = Math.max(0, nowMs - this.lastMs);
    this.lastMs = nowMs;
    this.tokens = Math.min(this.burst, this.tokens + (elapsedMs * this.perS) / 1000);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
