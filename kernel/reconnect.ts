// One reconnect supervisor for every link that can be lost (the Firmata board, the thermocouple
// front-end): exponential backoff so a missing device is not hammered, a cap so it is found again
// within a bounded time once it is back, and at most one retry pending so two loss reports for the
// same link never start two sessions. It only schedules; what a connect is stays with the caller.

import type { CancelTimer, Timers } from './timers.js';

/** The usual growth: each failed attempt doubles the wait, up to the policy's maxMs. */
export const DOUBLING_BACKOFF_FACTOR = 2;

export interface BackoffPolicy {
  /** The delay before the first retry after a reset (a good session or a fresh start). */
  readonly initialMs: number;
  /** No retry waits longer than this. */
  readonly maxMs: number;
  /** Each attempt multiplies the next delay by this (2: doubling). */
  readonly factor: number;
}

/**
 * While no retry is pending, `nextDelayMs` is `min(maxMs, initialMs * factor ** attempt)`, where
 * `attempt` counts the connection attempts since the last `reset()`: those this supervisor started
 * and those the caller reports with `noteAttempt()`.
 */
export class ReconnectBackoff {
  readonly #policy: BackoffPolicy;
  readonly #timers: Timers;
  #attempt = 0;
  #nextDelayMs: number;
  #cancel: CancelTimer | null = null;

  /** Throws RangeError for a policy that could retry at once forever or never grow. */
  constructor(policy: BackoffPolicy, timers: Timers) {
    const { initialMs, maxMs, factor } = policy;
    if (!(Number.isFinite(initialMs) && initialMs > 0)) {
      throw new RangeError(`reconnect backoff: initialMs ${initialMs} must be finite and > 0`);
    }
    if (!(Number.isFinite(maxMs) && maxMs >= initialMs)) {
      throw new RangeError(`reconnect backoff: maxMs ${maxMs} must be finite and >= initialMs ${initialMs}`);
    }
    if (!(Number.isFinite(factor) && factor >= 1)) {
      throw new RangeError(`reconnect backoff: factor ${factor} must be finite and >= 1`);
    }
    this.#policy = { initialMs, maxMs, factor };
    this.#timers = timers;
    this.#nextDelayMs = initialMs;
  }

  /** Connection attempts since the last reset(), including one whose retry has just fired. */
  get attempt(): number {
    return this.#attempt;
  }

  /** The delay the next retry() will wait. */
  get nextDelayMs(): number {
    return this.#nextDelayMs;
  }

  /** A retry is scheduled and has not fired or been cancelled. */
  get pending(): boolean {
    return this.#cancel !== null;
  }

  /**
   * Schedules `connect` after `nextDelayMs` and grows the delay for the retry after it. Returns
   * false, scheduling nothing, if a retry is already pending: one link, one reconnect at a time.
   */
  retry(connect: () => void): boolean {
    if (this.#cancel !== null) return false;
    const delayMs = this.#nextDelayMs;
    this.#grow();
    this.#cancel = this.#timers.schedule(delayMs, () => {
      this.#cancel = null;
      this.#attempt += 1;
      connect();
    });
    return true;
  }

  /**
   * Counts an attempt this supervisor did not start (a connect at start-up), so the next delay
   * grows as it would after a retry that failed.
   */
  noteAttempt(): void {
    this.#attempt += 1;
    this.#grow();
  }

  /** A session is up: the next loss waits `initialMs` again. A pending retry stays pending. */
  reset(): void {
    this.#attempt = 0;
    this.#nextDelayMs = this.#policy.initialMs;
  }

  /** Drops a pending retry (on close); does nothing if none is pending. */
  cancel(): void {
    this.#cancel?.();
    this.#cancel = null;
  }

  #grow(): void {
    this.#nextDelayMs = Math.min(this.#policy.maxMs, this.#nextDelayMs * this.#policy.factor);
  }
}
