// Fixed-rate loop on a real clock. Node has no real-time guarantee (domain.md section 7), so this
// does the best Node can: absolute targets (no drift), a coarse setTimeout sleep, then a blocking
// wait (Atomics.wait, a futex timed wait on Linux) for most of the remaining gap, then a short
// setImmediate finish for sub-millisecond accuracy, and honest accounting of late and missed
// ticks. Safety never rests on this timing: hardware (normally-closed valve, watchdog) does.
//
// The trade-off of the blocking wait: while the thread is blocked no I/O callback runs on it, so a
// serial sample or a console worker's message that arrives then is handled up to
// `earlyWakeMs + 1 ms` later (2.5 ms by default; at most once per period), on the setImmediate
// turns just before the tick (the finish always takes at least one turn after the block, so what
// arrived meanwhile is read before the tick starts). In exchange the thread sleeps instead of
// spinning through the last 1.5 ms of each period: the spin cost about 7.5 % of a core at 50 Hz,
// and a sleeping thread is also the one the OS scheduler favours when it wakes under contention.

import { MonotonicClock, type Clock } from '../clock.js';
import { keepAliveTimers, type CancelTimer, type Timers } from '../timers.js';
import {
  DEFAULT_RATE_HZ,
  MS_PER_S,
  latestDueIndex,
  tickTargetMs,
  validateRateHz,
  zeroStats,
  type Scheduler,
  type SchedulerStats,
  type TickHandler,
} from './core.js';

/** Wake ~1.5 ms before the target and finish with setImmediate: p99 < 0.1 ms idle (domain.md section 7). */
export const DEFAULT_EARLY_WAKE_MS = 1.5;
/**
 * The last part of each wait that is spun with setImmediate rather than blocked through. A futex
 * timed wait oversleeps by ~0.1 ms at the median on a 2-core VM (Linux's default 50 us timer slack
 * plus the wake-up), so blocking until 0.2 ms before the target and spinning the rest starts most
 * ticks on time at ~1 % of a core (0.2 ms of each 20 ms period) instead of ~7.5 %.
 */
export const DEFAULT_FINISH_SPIN_MS = 0.2;
/** A tick more than 5 ms late is counted: GC-free idle p99 is ~0.1 ms, so 5 ms means real load. */
export const DEFAULT_LATE_THRESHOLD_MS = 5;
/** Node clamps setTimeout delays below 1 ms up to 1 ms, so shorter waits go straight to setImmediate. */
const MIN_TIMEOUT_MS = 1;

/**
 * Runs `callback` on the next turn of the event loop, after pending I/O, with no delay. Not a
 * `Timers.schedule(0, ...)`: Node turns a timeout under 1 ms into 1 ms, which is the sub-millisecond
 * accuracy the finish needs. Never cancelled: a stale callback finds its run stopped and does nothing.
 */
export type Immediate = (callback: () => void) => void;

const nodeImmediate: Immediate = (callback) => {
  setImmediate(callback);
};

/**
 * Blocks the calling thread for `ms` milliseconds (no callback of its event loop runs meanwhile).
 * Injectable so tests on a virtual clock advance that clock instead of blocking.
 */
export type BlockingWait = (ms: number) => void;

/** Never notified: every wait on it ends by its timeout. */
const BLOCK_CELL = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
/** Atomics.wait: a timed futex wait on Linux, allowed on Node's main thread and in workers. */
export const atomicsBlockingWait: BlockingWait = (ms) => {
  Atomics.wait(BLOCK_CELL, 0, 0, ms);
};

export interface RealTimeSchedulerOptions {
  rateHz?: number;
  clock?: Clock;
  lateThresholdMs?: number;
  earlyWakeMs?: number;
  /** The coarse sleep; injectable so tests drive time without sleeping. Default: ref'd Node timers. */
  timers?: Timers;
  /** The fine finish; injectable with `timers`. Default: Node's setImmediate. */
  immediate?: Immediate;
  /**
   * The blocking wait between the coarse sleep and the fine finish; null spins the whole
   * `earlyWakeMs` with setImmediate instead (no blocking, ~7.5 % of a core at 50 Hz). Default:
   * atomicsBlockingWait. Tests on a virtual clock pass one that advances the clock.
   */
  block?: BlockingWait | null;
  /** The last part of each wait spun with setImmediate instead of blocked through. */
  finishSpinMs?: number;
}

/** State of one run() call; a fresh one per run, so a stopped run cannot leak into the next. */
interface RunState {
  readonly onTick: TickHandler;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
  /** Timer callbacks bound to this run, made once per run (not per tick); stale ones do nothing. */
  readonly onTimeout: () => void;
  readonly onImmediate: () => void;
  originMs: number;
  nextIndex: number;
  targetMs: number;
  /** Cancels the pending sleep; null when none is pending. */
  cancelSleep: CancelTimer | null;
  /** The current wait has blocked once already: the rest is spun (a clock that did not move
   * during the block, as a virtual one in a test, can never make it block again and again). */
  blocked: boolean;
  stopRequested: boolean;
  inTick: boolean;
}

export class RealTimeScheduler implements Scheduler {
  readonly rateHz: number;
  readonly periodMs: number;
  readonly clock: Clock;
  readonly lateThresholdMs: number;
  readonly earlyWakeMs: number;
  readonly finishSpinMs: number;
  /** The longest single block: the longest gap a coarse sleep can leave (it may fire up to a
   * millisecond early, Node's timers being in whole milliseconds of a cached loop time). */
  readonly maxBlockMs: number;
  readonly #timers: Timers;
  readonly #immediate: Immediate;
  readonly #block: BlockingWait | null;
  #stats: SchedulerStats = zeroStats();
  #run: RunState | null = null;

  constructor(options: RealTimeSchedulerOptions = {}) {
    this.rateHz = validateRateHz(options.rateHz ?? DEFAULT_RATE_HZ);
    this.periodMs = MS_PER_S / this.rateHz;
    this.clock = options.clock ?? new MonotonicClock();
    this.lateThresholdMs = options.lateThresholdMs ?? DEFAULT_LATE_THRESHOLD_MS;
    this.earlyWakeMs = options.earlyWakeMs ?? DEFAULT_EARLY_WAKE_MS;
    this.#timers = options.timers ?? keepAliveTimers;
    this.#immediate = options.immediate ?? nodeImmediate;
    this.#block = options.block === undefined ? atomicsBlockingWait : options.block;
    // A shorter early wake than the default spin spins all of it (earlyWakeMs 0: no early wake).
    this.finishSpinMs = options.finishSpinMs ?? Math.min(DEFAULT_FINISH_SPIN_MS, this.earlyWakeMs);
    this.maxBlockMs = this.earlyWakeMs + MIN_TIMEOUT_MS;
    if (!Number.isFinite(this.lateThresholdMs) || this.lateThresholdMs < 0) {
      throw new RangeError(`scheduler: lateThresholdMs ${this.lateThresholdMs} must be finite and >= 0`);
    }
    if (!Number.isFinite(this.earlyWakeMs) || this.earlyWakeMs < 0 || this.earlyWakeMs >= this.periodMs) {
      throw new RangeError(
        `scheduler: earlyWakeMs ${this.earlyWakeMs} must be >= 0 and below the ${this.periodMs} ms period`,
      );
    }
    if (!Number.isFinite(this.finishSpinMs) || this.finishSpinMs < 0 || this.finishSpinMs > this.earlyWakeMs) {
      throw new RangeError(`scheduler: finishSpinMs ${this.finishSpinMs} must be >= 0 and at most earlyWakeMs ${this.earlyWakeMs}`);
    }
  }

  stats(): SchedulerStats {
    return { ...this.#stats };
  }

  /** Starts a new timeline: tick 0 targets the clock's time when run() is called. */
  run(onTick: TickHandler): Promise<void> {
    if (this.#run !== null) {
      return Promise.reject(new Error('scheduler: run() called while already running; stop() it first'));
    }
    return new Promise<void>((resolve, reject) => {
      const originMs = this.clock.nowMs();
      const run: RunState = {
        onTick,
        resolve,
        reject,
        onTimeout: () => {
          run.cancelSleep = null;
          if (this.#run === run) this.#finishWait(run);
        },
        onImmediate: () => {
          if (this.#run === run) this.#finishWait(run);
        },
        originMs,
        nextIndex: 0,
        targetMs: originMs,
        cancelSleep: null,
        blocked: false,
        stopRequested: false,
        inTick: false,
      };
      this.#run = run;
      this.#sleepUntilTarget(run);
    });
  }

  /**
   * Safe from inside onTick (run() resolves once that tick returns) and from outside (run()
   * resolves at once; a queued setImmediate of the stopped run finds it stale and does nothing).
   * A no-op when not running.
   */
  stop(): void {
    const run = this.#run;
    if (run === null) return;
    run.stopRequested = true;
    if (run.inTick) return;
    if (run.cancelSleep !== null) {
      run.cancelSleep();
      run.cancelSleep = null;
    }
    this.#resolveRun(run);
  }

  #sleepUntilTarget(run: RunState): void {
    run.blocked = false;
    const sleepMs = run.targetMs - this.clock.nowMs() - this.earlyWakeMs;
    if (sleepMs >= MIN_TIMEOUT_MS) {
      run.cancelSleep = this.#timers.schedule(sleepMs, run.onTimeout);
    } else {
      this.#immediate(run.onImmediate);
    }
  }

  /**
   * Blocks (once per wait) until `finishSpinMs` before the target, then yields with setImmediate
   * (letting I/O run) until the clock reaches it. After a block it always yields at least once, so
   * the I/O that arrived while blocked is handled before the tick, never after it.
   */
  #finishWait(run: RunState): void {
    const nowMs = this.clock.nowMs();
    const leftMs = run.targetMs - nowMs;
    if (this.#block !== null && !run.blocked && leftMs > this.finishSpinMs) {
      run.blocked = true;
      this.#block(Math.min(leftMs - this.finishSpinMs, this.maxBlockMs));
      this.#immediate(run.onImmediate);
      return;
    }
    if (leftMs > 0) {
      this.#immediate(run.onImmediate);
      return;
    }
    this.#tick(run, nowMs);
  }

  #tick(run: RunState, nowMs: number): void {
    if (run.inTick) throw new Error('scheduler: invariant broken: tick started while another tick runs');
    // Behind by a whole period or more: run only the latest due target, skip those before it.
    const index = latestDueIndex(run.originMs, nowMs, this.rateHz, run.nextIndex);
    const missedBefore = index - run.nextIndex;
    const targetMs = tickTargetMs(run.originMs, index, this.rateHz);
    const lateMs = nowMs - targetMs;
    const stats = this.#stats;
    stats.ticks += 1;
    stats.missed += missedBefore;
    if (lateMs > this.lateThresholdMs) stats.late += 1;
    if (lateMs > stats.maxLateMs) stats.maxLateMs = lateMs;

    let keepGoing: ReturnType<TickHandler>;
    run.inTick = true;
    try {
      keepGoing = run.onTick({ index, targetMs, startedMs: nowMs, lateMs, missedBefore });
    } catch (error: unknown) {
      run.inTick = false;
      // Never swallowed: run() rejects and the runtime takes the system to its safe state.
      this.#rejectRun(run, error);
      return;
    }
    run.inTick = false;
    if (keepGoing === false || run.stopRequested) {
      this.#resolveRun(run);
      return;
    }
    run.nextIndex = index + 1;
    run.targetMs = tickTargetMs(run.originMs, run.nextIndex, this.rateHz);
    this.#sleepUntilTarget(run);
  }

  #resolveRun(run: RunState): void {
    if (this.#run !== run) return;
    this.#run = null;
    run.resolve();
  }

  #rejectRun(run: RunState, error: unknown): void {
    if (this.#run !== run) return;
    this.#run = null;
    run.reject(error);
  }
}
