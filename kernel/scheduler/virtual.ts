// Fixed-rate loop on a virtual clock: each tick jumps the clock to its exact target and runs at
// once, so a one-hour treatment simulates in well under a second, deterministically (CI, HIL
// replays). Every tick is on time by construction: late and missed stay 0.

import type { VirtualClock } from '../clock.js';
import {
  DEFAULT_RATE_HZ,
  MS_PER_S,
  tickTargetMs,
  validateRateHz,
  zeroStats,
  type Scheduler,
  type SchedulerStats,
  type TickHandler,
  type TickInfo,
} from './core.js';

/** run() hands the event loop a turn this often so a long simulation does not starve I/O. */
export const VIRTUAL_TICKS_PER_YIELD = 1000;

export interface VirtualSchedulerOptions {
  rateHz?: number;
  clock: VirtualClock;
}

function yieldToEventLoop(): Promise<void> {
  // setImmediate, not a microtask: only a macrotask lets pending I/O callbacks run.
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * The timeline is continuous across run(), runTicks() and runUntil() calls: it starts at the
 * clock's time on the first tick ever, and each call carries on from the next index, because the
 * virtual clock only moves when this scheduler (or the test) moves it.
 */
export class VirtualScheduler implements Scheduler {
  readonly rateHz: number;
  readonly periodMs: number;
  readonly clock: VirtualClock;
  #originMs: number | null = null;
  #nextIndex = 0;
  #ticks = 0;
  #running = false;
  #inTick = false;
  #stopRequested = false;

  constructor(options: VirtualSchedulerOptions) {
    this.rateHz = validateRateHz(options.rateHz ?? DEFAULT_RATE_HZ);
    this.periodMs = MS_PER_S / this.rateHz;
    this.clock = options.clock;
  }

  stats(): SchedulerStats {
    return { ...zeroStats(), ticks: this.#ticks };
  }

  /** Index the next tick will have. */
  get nextIndex(): number {
    return this.#nextIndex;
  }

  async run(onTick: TickHandler): Promise<void> {
    this.#begin();
    try {
      for (;;) {
        for (let i = 0; i < VIRTUAL_TICKS_PER_YIELD; i += 1) {
          if (!this.#tickOnce(onTick)) return;
        }
        await yieldToEventLoop();
        // stop() from outside can only land during the yield above.
        if (this.#stopRequested) return;
      }
    } finally {
      this.#running = false;
    }
  }

  /** Runs up to `count` ticks synchronously (no yielding); returns how many ran. */
  runTicks(count: number, onTick: TickHandler): number {
    if (!Number.isInteger(count) || count < 0) {
      throw new RangeError(`scheduler: runTicks count ${count} must be a whole number >= 0`);
    }
    this.#begin();
    let ran = 0;
    try {
      while (ran < count) {
        ran += 1;
        if (!this.#tickOnce(onTick)) break;
      }
    } finally {
      this.#running = false;
    }
    return ran;
  }

  /**
   * Runs ticks synchronously, calling `predicate` as the tick body, until it returns true;
   * returns the number of ticks run. Throws if `maxTicks` pass first, so a simulation waiting
   * for a condition that never comes fails instead of hanging.
   */
  runUntil(predicate: (tick: TickInfo) => boolean, maxTicks: number): number {
    // An object, not a local: control-flow analysis does not see writes made inside the callback.
    const outcome = { reached: false };
    const ran = this.runTicks(maxTicks, (tick) => {
      outcome.reached = predicate(tick);
      return !outcome.reached;
    });
    if (!outcome.reached) {
      throw new Error(`scheduler: runUntil condition not reached within ${maxTicks} ticks`);
    }
    return ran;
  }

  /** Safe from inside onTick (stops after it returns) and from outside (stops at the next yield). */
  stop(): void {
    if (this.#running) this.#stopRequested = true;
  }

  #begin(): void {
    if (this.#running) {
      throw new Error('scheduler: already running (a tick body may not start the scheduler again)');
    }
    this.#running = true;
    this.#stopRequested = false;
  }

  /** Runs one tick; false when the scheduler should stop. Exceptions propagate to the caller. */
  #tickOnce(onTick: TickHandler): boolean {
    if (this.#inTick) throw new Error('scheduler: invariant broken: tick started while another tick runs');
    this.#originMs ??= this.clock.nowMs();
    const index = this.#nextIndex;
    const targetMs = tickTargetMs(this.#originMs, index, this.rateHz);
    this.clock.setMs(targetMs);
    this.#nextIndex = index + 1;
    this.#ticks += 1;
    this.#inTick = true;
    let keepGoing: ReturnType<TickHandler>;
    try {
      keepGoing = onTick({ index, targetMs, startedMs: targetMs, lateMs: 0, missedBefore: 0 });
    } finally {
      this.#inTick = false;
    }
    return keepGoing !== false && !this.#stopRequested;
  }
}
