// Timers come in through this interface so that tests drive handshake timeouts, silence
// detection and reconnect backoff from a VirtualClock instead of sleeping on the wall clock.

import type { VirtualClock } from './clock.js';

/** Cancels a scheduled callback; calling it after the callback ran does nothing. */
export type CancelTimer = () => void;

export interface Timers {
  schedule(delayMs: number, callback: () => void): CancelTimer;
}

/** Node's timers, unref'd so a front-end waiting to reconnect never keeps the process alive. */
export const realTimers: Timers = {
  schedule(delayMs, callback) {
    const handle = setTimeout(callback, delayMs);
    handle.unref();
    return () => { clearTimeout(handle); };
  },
};

/**
 * Node's timers, left ref'd: a pending timer keeps the process alive. For the real-time
 * scheduler's sleep between ticks (a running loop is the program) and for anything that relied on
 * plain setTimeout before this interface existed.
 */
export const keepAliveTimers: Timers = {
  schedule(delayMs, callback) {
    const handle = setTimeout(callback, delayMs);
    return () => { clearTimeout(handle); };
  },
};

/** Bounds the queue: a front-end has at most three timers pending (handshake, silence, backoff). */
const MAX_MANUAL_TIMERS = 64;

interface Pending { readonly dueMs: number; readonly order: number; readonly callback: () => void }

/** Timers that fire only from `advanceMs`, in due order, with the clock set to each due time. */
export class ManualTimers implements Timers {
  readonly #clock: VirtualClock;
  #pending: Pending[] = [];
  #order = 0;

  constructor(clock: VirtualClock) {
    this.#clock = clock;
  }

  schedule(delayMs: number, callback: () => void): CancelTimer {
    if (this.#pending.length >= MAX_MANUAL_TIMERS) {
      throw new RangeError(`manual timers: more than ${MAX_MANUAL_TIMERS} pending (a timer is leaking)`);
    }
    const entry: Pending = { dueMs: this.#clock.nowMs() + Math.max(0, delayMs), order: this.#order++, callback };
    this.#pending.push(entry);
    return () => { this.#pending = this.#pending.filter((p) => p !== entry); };
  }

  get pendingCount(): number {
    return this.#pending.length;
  }

  /** How long until each pending timer falls due, soonest first (ties in scheduling order). */
  get dueInMs(): number[] {
    const nowMs = this.#clock.nowMs();
    return [...this.#pending]
      .sort((a, b) => a.dueMs - b.dueMs || a.order - b.order)
      .map((p) => p.dueMs - nowMs);
  }

  /** When the soonest pending timer falls due (clock time), or null if none is pending. */
  get nextDueAtMs(): number | null {
    return this.#pending.reduce<number | null>((soonest, p) => (soonest === null || p.dueMs < soonest ? p.dueMs : soonest), null);
  }

  /** Move the clock forward by `deltaMs`, firing every timer that falls due on the way. */
  advanceMs(deltaMs: number): void {
    this.advanceToMs(this.#clock.nowMs() + deltaMs);
  }

  /** Move the clock forward to `targetMs` (exact: no rounding from a relative step), firing every
   * timer that falls due on the way; a target in the past fires what is due and leaves the clock. */
  advanceToMs(targetMs: number): void {
    for (;;) {
      const next = this.#pending.reduce<Pending | null>(
        (best, p) => (best === null || p.dueMs < best.dueMs || (p.dueMs === best.dueMs && p.order < best.order) ? p : best), null);
      if (next === null || next.dueMs > targetMs) break;
      this.#pending = this.#pending.filter((p) => p !== next);
      if (next.dueMs > this.#clock.nowMs()) this.#clock.setMs(next.dueMs);
      next.callback();
    }
    if (targetMs > this.#clock.nowMs()) this.#clock.setMs(targetMs);
  }
}
