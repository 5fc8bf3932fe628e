// RealTimeScheduler driven by a virtual clock and fake timers: every timing below is exact and
// nothing sleeps on the wall clock.

import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../kernel/clock.js';
import { DEFAULT_FINISH_SPIN_MS, RealTimeScheduler, type BlockingWait, type Immediate, type TickInfo } from '../kernel/scheduler/index.js';
import { ManualTimers, type Timers } from '../kernel/timers.js';

/** Each setImmediate turn costs this much virtual time, like one pass of the event loop. */
const IMMEDIATE_COST_MS = 0.05;
/** A fake event loop that cannot spin forever: a test that hangs fails instead. */
const MAX_CALLBACKS = 100_000;

/**
 * A fake event loop on a virtual clock: ManualTimers for the sleeps, a queue for the immediates;
 * `drain()` plays it until nothing is pending.
 */
class FakeEventLoop {
  readonly timeoutDelaysMs: number[] = [];
  /** Each blocking wait asked for, and the virtual time at which it began. */
  readonly blocks: { ms: number; atMs: number }[] = [];
  /** Virtual time a blocking wait sleeps beyond what it was asked for (a futex's oversleep). */
  blockOversleepMs = 0;
  immediatesRun = 0;
  readonly #manual: ManualTimers;
  #immediates: (() => void)[] = [];
  readonly timers: Timers = {
    schedule: (delayMs, callback) => {
      this.timeoutDelaysMs.push(delayMs);
      // Like Node: delays under 1 ms become 1 ms.
      return this.#manual.schedule(Math.max(1, delayMs), callback);
    },
  };
  readonly immediate: Immediate = (callback) => {
    this.#immediates.push(callback);
  };
  /** Blocks on the virtual clock: nothing else runs meanwhile, the clock jumps. */
  readonly block: BlockingWait = (ms) => {
    this.blocks.push({ ms, atMs: this.clock.nowMs() });
    this.clock.advanceMs(ms + this.blockOversleepMs);
  };

  constructor(readonly clock: VirtualClock) {
    this.#manual = new ManualTimers(clock);
  }

  get pending(): number {
    return this.#manual.pendingCount + this.#immediates.length;
  }

  /** Runs callbacks in event-loop order until none are pending or the clock reaches `untilMs`. */
  drain(untilMs = Number.POSITIVE_INFINITY): void {
    for (let n = 0; n < MAX_CALLBACKS; n += 1) {
      if (this.clock.nowMs() >= untilMs) return;
      const immediate = this.#immediates.shift();
      if (immediate !== undefined) {
        this.clock.advanceMs(IMMEDIATE_COST_MS);
        this.immediatesRun += 1;
        immediate();
        continue;
      }
      const dueAtMs = this.#manual.nextDueAtMs;
      if (dueAtMs === null || dueAtMs > untilMs) return;
      this.#manual.advanceToMs(dueAtMs);
    }
    throw new Error(`fake event loop: still busy after ${MAX_CALLBACKS} callbacks`);
  }
}

interface SetupOptions { lateThresholdMs?: number; block?: null; finishSpinMs?: number }

function setup(options: SetupOptions = {}): { clock: VirtualClock; timers: FakeEventLoop; scheduler: RealTimeScheduler } {
  const clock = new VirtualClock(1000);
  const timers = new FakeEventLoop(clock);
  const scheduler = new RealTimeScheduler({ rateHz: 50, clock, timers: timers.timers, immediate: timers.immediate, block: timers.block, earlyWakeMs: 1.5, ...options });
  return { clock, timers, scheduler };
}

/** Runs the scheduler for `count` ticks; `work(tick)` may advance the clock to model a slow tick. */
async function runTicks(count: number, work: (tick: TickInfo, clock: VirtualClock) => void = () => undefined, options: SetupOptions = {}, before: (timers: FakeEventLoop) => void = () => undefined): Promise<{ ticks: TickInfo[]; scheduler: RealTimeScheduler; timers: FakeEventLoop }> {
  const { clock, timers, scheduler } = setup(options);
  before(timers);
  const ticks: TickInfo[] = [];
  const done = scheduler.run((tick) => {
    ticks.push(tick);
    work(tick, clock);
    return ticks.length < count;
  });
  timers.drain();
  await done;
  return { ticks, scheduler, timers };
}

describe('RealTimeScheduler timing', () => {
  it('sleeps with setTimeout until earlyWakeMs before the target, blocks, then finishes with setImmediate', async () => {
    const { ticks, timers } = await runTicks(5);
    // Each wait after a tick is one period minus the early wake (minus the tick's own small lateness).
    // One sleep before each tick after the first (the first tick is due at once).
    expect(timers.timeoutDelaysMs).toHaveLength(ticks.length - 1);
    for (const delayMs of timers.timeoutDelaysMs) expect(delayMs).toBeCloseTo(20 - 1.5, 0);
    expect(timers.immediatesRun).toBeGreaterThan(ticks.length);
  });

  it('never starts a tick before its target, and starts it within one event-loop turn', async () => {
    const { ticks } = await runTicks(50);
    expect(ticks).toHaveLength(50);
    for (const tick of ticks) {
      expect(tick.startedMs).toBeGreaterThanOrEqual(tick.targetMs);
      expect(tick.lateMs).toBeLessThanOrEqual(IMMEDIATE_COST_MS + 1e-9);
    }
  });

  it('aims at absolute targets: a long tick does not shift later targets', async () => {
    const { ticks } = await runTicks(8, (tick, clock) => {
      if (tick.index === 2) clock.advanceMs(15);
    });
    expect(ticks.map((t) => t.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    ticks.forEach((tick, k) => {
      expect(tick.targetMs).toBe(1000 + k * 20);
      expect(tick.lateMs).toBeLessThanOrEqual(IMMEDIATE_COST_MS + 1e-9);
    });
  });

  it('keeps 1000 ticks on the absolute timeline with no accumulated drift', async () => {
    const { ticks } = await runTicks(1000);
    expect(ticks[999]!.targetMs).toBe(1000 + 999 * 20);
    expect(ticks[999]!.startedMs - ticks[999]!.targetMs).toBeLessThanOrEqual(IMMEDIATE_COST_MS + 1e-9);
  });
});

describe('RealTimeScheduler blocking wait', () => {
  it('blocks once per wait, from the coarse wake-up to finishSpinMs before the target', async () => {
    const { ticks, timers } = await runTicks(20);
    // No block before tick 0 (due at once); one before each later tick.
    expect(timers.blocks).toHaveLength(ticks.length - 1);
    timers.blocks.forEach((block, k) => {
      const targetMs = ticks[k + 1]!.targetMs;
      expect(block.atMs + block.ms).toBeCloseTo(targetMs - 0.2, 9);
      expect(block.ms).toBeCloseTo(1.5 - 0.2, 1);
    });
  });

  it('spins only the last finishSpinMs: a few setImmediate turns per tick instead of earlyWakeMs worth', async () => {
    const blocking = await runTicks(50);
    const spinning = await runTicks(50, undefined, { block: null });
    expect(spinning.timers.blocks).toHaveLength(0);
    // 0.2 ms of 0.05 ms turns (+1 for rounding) against 1.5 ms of them.
    expect(blocking.timers.immediatesRun).toBeLessThanOrEqual(50 * (0.2 / IMMEDIATE_COST_MS + 1));
    expect(spinning.timers.immediatesRun).toBeGreaterThanOrEqual(49 * (1.5 / IMMEDIATE_COST_MS - 1));
    for (const { ticks } of [blocking, spinning]) {
      for (const tick of ticks) expect(tick.lateMs).toBeLessThanOrEqual(IMMEDIATE_COST_MS + 1e-9);
    }
  });

  it('yields to the event loop at least once after a block, even when the block overslept the target', async () => {
    // Every block oversleeps 0.5 ms: past the target (only 0.2 ms were left).
    const { ticks, timers } = await runTicks(10, undefined, {}, (t) => { t.blockOversleepMs = 0.5; });
    expect(timers.blocks).toHaveLength(9);
    for (const tick of ticks.slice(1)) {
      // The honest lateness: the oversleep past the target, plus the one turn taken after it.
      expect(tick.lateMs).toBeCloseTo(0.5 - 0.2 + IMMEDIATE_COST_MS, 9);
    }
    // One turn per wait: tick 0's (due at once, no block) and one after each block.
    expect(timers.immediatesRun).toBe(10);
  });

  it('never blocks longer than earlyWakeMs + 1 ms, even after a coarse sleep that woke far too early', async () => {
    const clock = new VirtualClock(1000);
    const loop = new FakeEventLoop(clock);
    // Every coarse sleep ends after 1 ms whatever it was asked for: ~17.5 ms too early.
    const earlyTimers: Timers = { schedule: (_delayMs, callback) => loop.timers.schedule(1, callback) };
    const scheduler = new RealTimeScheduler({ rateHz: 50, clock, timers: earlyTimers, immediate: loop.immediate, block: loop.block });
    const ticks: TickInfo[] = [];
    const done = scheduler.run((tick) => {
      ticks.push(tick);
      return tick.index < 3;
    });
    loop.drain();
    await done;
    expect(scheduler.maxBlockMs).toBe(1.5 + 1);
    expect(loop.blocks).toHaveLength(3);
    for (const block of loop.blocks) expect(block.ms).toBe(scheduler.maxBlockMs);
    // The rest of the gap is spun, and the ticks still start on time.
    for (const tick of ticks) expect(tick.lateMs).toBeLessThanOrEqual(IMMEDIATE_COST_MS + 1e-9);
  });

  it('blocks at most once per wait when the clock does not move during the block (no endless blocking)', async () => {
    const clock = new VirtualClock(1000);
    const loop = new FakeEventLoop(clock);
    const calls: number[] = [];
    const scheduler = new RealTimeScheduler({ rateHz: 50, clock, timers: loop.timers, immediate: loop.immediate, block: (ms) => calls.push(ms) });
    const done = scheduler.run((tick) => tick.index < 4);
    loop.drain();
    await done;
    expect(calls).toHaveLength(4);
    expect(scheduler.stats().ticks).toBe(5);
  });

  it('refuses a finishSpinMs outside 0..earlyWakeMs, naming the value', () => {
    expect(() => new RealTimeScheduler({ rateHz: 50, finishSpinMs: -0.1 })).toThrow('finishSpinMs -0.1');
    expect(() => new RealTimeScheduler({ rateHz: 50, earlyWakeMs: 1, finishSpinMs: 1.5 })).toThrow('finishSpinMs 1.5');
    expect(() => new RealTimeScheduler({ rateHz: 50, finishSpinMs: Number.NaN })).toThrow('finishSpinMs NaN');
  });
});

describe('RealTimeScheduler late and missed ticks', () => {
  it('skips the targets a stall of more than two periods made unreachable, without a burst', async () => {
    // Tick 1 (target 1020) stalls 65 ms to 1085: targets 1040 and 1060 are gone, 1080 is due.
    const { ticks, scheduler } = await runTicks(5, (tick, clock) => {
      if (tick.index === 1) clock.advanceMs(65);
    });
    expect(ticks.map((t) => t.index)).toEqual([0, 1, 4, 5, 6]);
    expect(ticks[2]!.missedBefore).toBe(2);
    expect(ticks[2]!.targetMs).toBe(1080);
    expect(ticks[3]!.missedBefore).toBe(0);
    // No catch-up burst: the tick after the skip waits for its own target.
    expect(ticks[3]!.startedMs).toBeGreaterThanOrEqual(1100);
    expect(scheduler.stats().missed).toBe(2);
    expect(scheduler.stats().ticks).toBe(5);
  });

  it('counts a tick that starts more than lateThresholdMs after its target as late', async () => {
    // Tick 2 (target 1040) runs 26 ms, so tick 3 (target 1060) starts ~6 ms late.
    const { ticks, scheduler } = await runTicks(5, (tick, clock) => {
      if (tick.index === 2) clock.advanceMs(26);
    });
    expect(ticks[3]!.lateMs).toBeGreaterThan(5);
    expect(ticks[3]!.missedBefore).toBe(0);
    expect(scheduler.stats().late).toBe(1);
    expect(scheduler.stats().missed).toBe(0);
    expect(scheduler.stats().maxLateMs).toBeCloseTo(ticks[3]!.lateMs, 9);
  });

  it('does not count lateness within the threshold as late', async () => {
    const { ticks, scheduler } = await runTicks(5, (tick, clock) => {
      if (tick.index === 2) clock.advanceMs(24);
    });
    expect(ticks[3]!.lateMs).toBeGreaterThan(3.9);
    expect(scheduler.stats().late).toBe(0);
  });

  it('uses the lateThresholdMs it is given', async () => {
    const { scheduler } = await runTicks(5, (tick, clock) => {
      if (tick.index === 2) clock.advanceMs(24);
    }, { lateThresholdMs: 2 });
    expect(scheduler.stats().late).toBe(1);
  });
});

describe('RealTimeScheduler stopping and faults', () => {
  it('stops after the tick in which onTick calls stop()', async () => {
    const { timers, scheduler } = setup();
    const indices: number[] = [];
    const done = scheduler.run((tick) => {
      indices.push(tick.index);
      if (tick.index === 3) scheduler.stop();
    });
    timers.drain();
    await done;
    expect(indices).toEqual([0, 1, 2, 3]);
    expect(timers.pending).toBe(0);
  });

  it('resolves run() at once when stopped from outside while asleep, cancelling the timer', async () => {
    const { clock, timers, scheduler } = setup();
    let ticks = 0;
    const done = scheduler.run(() => void (ticks += 1));
    timers.drain(1050); // ticks at 1000, 1020, 1040; now asleep until ~1058.5
    scheduler.stop();
    await done;
    expect(ticks).toBe(3);
    expect(timers.pending).toBe(0);
    expect(clock.nowMs()).toBeLessThan(1050);
  });

  it('runs no further tick when stopped from outside during the setImmediate finish', async () => {
    const { timers, scheduler } = setup();
    let ticks = 0;
    const done = scheduler.run(() => void (ticks += 1));
    timers.drain(1019); // the timer for 1020 fired at 1018.5; a setImmediate is queued
    scheduler.stop();
    await done;
    timers.drain();
    expect(ticks).toBe(1);
  });

  it('rejects run() with the exception thrown by onTick and stops', async () => {
    const { timers, scheduler } = setup();
    const fault = new Error('step bug');
    let ticks = 0;
    const done = scheduler.run((tick) => {
      ticks += 1;
      if (tick.index === 2) throw fault;
    });
    timers.drain();
    await expect(done).rejects.toBe(fault);
    expect(ticks).toBe(3);
    expect(timers.pending).toBe(0);
  });

  it('rejects a second run() while running and never runs two ticks at once', async () => {
    const { timers, scheduler } = setup();
    let depth = 0;
    let maxDepth = 0;
    let second: Promise<void> | undefined;
    const done = scheduler.run((tick) => {
      depth += 1;
      maxDepth = Math.max(maxDepth, depth);
      second ??= scheduler.run(() => undefined);
      depth -= 1;
      return tick.index < 5;
    });
    timers.drain();
    await done;
    await expect(second).rejects.toThrow('already running');
    expect(maxDepth).toBe(1);
  });

  it('can run again after stopping, on a new timeline from the current time', async () => {
    const { clock, timers, scheduler } = setup();
    const first = scheduler.run((tick) => tick.index < 1);
    timers.drain();
    await first;
    clock.advanceMs(500);
    const startMs = clock.nowMs();
    const targets: number[] = [];
    const second = scheduler.run((tick) => {
      targets.push(tick.targetMs - startMs);
      return tick.index < 2;
    });
    timers.drain();
    await second;
    expect(targets).toHaveLength(3);
    targets.forEach((offsetMs, k) => {
      expect(offsetMs).toBeCloseTo(k * 20, 9);
    });
    expect(scheduler.stats().ticks).toBe(5);
  });

  it('takes an earlyWakeMs shorter than the default finish spin, spinning all of it', () => {
    expect(new RealTimeScheduler({ rateHz: 50, earlyWakeMs: 0 }).finishSpinMs).toBe(0);
    expect(new RealTimeScheduler({ rateHz: 50, earlyWakeMs: 0.1 }).finishSpinMs).toBe(0.1);
    expect(new RealTimeScheduler({ rateHz: 50 }).finishSpinMs).toBe(DEFAULT_FINISH_SPIN_MS);
  });

  it('rejects an earlyWakeMs that is not below the period', () => {
    expect(() => new RealTimeScheduler({ rateHz: 50, earlyWakeMs: 20 })).toThrow('earlyWakeMs 20');
    expect(() => new RealTimeScheduler({ rateHz: 50, lateThresholdMs: -1 })).toThrow('lateThresholdMs -1');
  });
});
