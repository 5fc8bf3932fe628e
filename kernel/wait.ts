// Waiting for a device to come up, on the injected clock and timers: a test drives it in virtual
// time, and the deadline is the clock's, not the wall's.
import type { Clock } from './clock.js';
import type { Timers } from './timers.js';

export interface WaitOptions {
  readonly clock: Clock;
  readonly timers: Timers;
  readonly timeoutMs: number;
  readonly pollMs: number;
  /** Names what is awaited, for the timeout message ("the board"). */
  readonly what: string;
  /** Asked at every poll: true ends the wait at once, resolved, whatever the device does (a
   * console asked to stop while it waits; the caller checks its own reason afterwards). */
  readonly abandon?: () => boolean;
}

/**
 * Resolves once `problem()` returns null, or once `abandon()` returns true; polls every `pollMs`.
 * Rejects after `timeoutMs` with the last problem named: `${what} did not connect within N s:
 * <problem>`.
 */
export async function waitUntilReady(problem: () => string | null, options: WaitOptions): Promise<void> {
  const deadlineMs = options.clock.nowMs() + options.timeoutMs;
  for (;;) {
    if (options.abandon?.() === true) return;
    const last = problem();
    if (last === null) return;
    if (options.clock.nowMs() >= deadlineMs) {
      throw new Error(`${options.what} did not connect within ${options.timeoutMs / 1000} s: ${last}`);
    }
    await new Promise<void>((resolve) => {
      options.timers.schedule(options.pollMs, resolve);
    });
  }
}
