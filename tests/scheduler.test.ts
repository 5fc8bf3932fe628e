import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../kernel/clock.js';
import {
  DEFAULT_RATE_HZ,
  MAX_RATE_HZ,
  MIN_RATE_HZ,
  RealTimeScheduler,
  VIRTUAL_TICKS_PER_YIELD,
  VirtualScheduler,
  type TickInfo,
} from '../kernel/scheduler/index.js';

const HOUR_MS = 3_600_000;

describe('rate validation', () => {
  it.each([0, 9.99, 201, -50, Number.NaN, Number.POSITIVE_INFINITY])('rejects rateHz %s naming the value and the range', (rateHz) => {
    const expected = `rateHz ${rateHz} is out of range (must be ${MIN_RATE_HZ}-${MAX_RATE_HZ} Hz)`;
    expect(() => new VirtualScheduler({ rateHz, clock: new VirtualClock() })).toThrow(RangeError);
    expect(() => new VirtualScheduler({ rateHz, clock: new VirtualClock() })).toThrow(expected);
    expect(() => new RealTimeScheduler({ rateHz })).toThrow(expected);
  });

  it('accepts both ends of the range', () => {
    expect(new VirtualScheduler({ rateHz: MIN_RATE_HZ, clock: new VirtualClock() }).periodMs).toBe(100);
    expect(new VirtualScheduler({ rateHz: MAX_RATE_HZ, clock: new VirtualClock() }).periodMs).toBe(5);
  });

  it('defaults to 50 Hz', () => {
    expect(DEFAULT_RATE_HZ).toBe(50);
    expect(new VirtualScheduler({ clock: new VirtualClock() }).periodMs).toBe(20);
    expect(new RealTimeScheduler().periodMs).toBe(20);
  });
});

describe('VirtualScheduler timeline', () => {
  it('does not drift over an hour of 50 Hz ticks: tick k targets exactly k * 20 ms', () => {
    const clock = new VirtualClock();
    const scheduler = new VirtualScheduler({ rateHz: 50, clock });
    const tickCount = HOUR_MS / 20;
    let mismatches = 0;
    const ran = scheduler.runTicks(tickCount, (tick) => {
      if (tick.targetMs !== tick.index * 20 || clock.nowMs() !== tick.targetMs) mismatches += 1;
    });
    expect(ran).toBe(180_000);
    expect(mismatches).toBe(0);
    // Tick 0 is at t0 = 0, so the last of 180 000 ticks is at 3 600 000 - 20.
    expect(clock.nowMs()).toBe(HOUR_MS - 20);
    expect(scheduler.stats()).toEqual({ ticks: 180_000, late: 0, missed: 0, maxLateMs: 0 });
  });

  it.each([200, 30])('keeps tick k within 1e-6 ms of t0 + k * 1000 / rate over an hour at %s Hz', (rateHz) => {
    const originMs = 12_345.5;
    const clock = new VirtualClock(originMs);
    const scheduler = new VirtualScheduler({ rateHz, clock });
    const tickCount = (HOUR_MS * rateHz) / 1000;
    let worstErrorMs = 0;
    scheduler.runTicks(tickCount, (tick) => {
      const idealMs = originMs + (tick.index * 1000) / rateHz;
      worstErrorMs = Math.max(worstErrorMs, Math.abs(tick.targetMs - idealMs), Math.abs(clock.nowMs() - idealMs));
    });
    expect(worstErrorMs).toBeLessThan(1e-6);
    expect(Math.abs(clock.nowMs() - (originMs + HOUR_MS - 1000 / rateHz))).toBeLessThan(1e-6);
  });

  it('continues the same timeline across successive runTicks calls', () => {
    const clock = new VirtualClock();
    const scheduler = new VirtualScheduler({ rateHz: 50, clock });
    const indices: number[] = [];
    scheduler.runTicks(2, (tick) => void indices.push(tick.index));
    scheduler.runTicks(2, (tick) => void indices.push(tick.index));
    expect(indices).toEqual([0, 1, 2, 3]);
    expect(clock.nowMs()).toBe(60);
  });

  it('reports every tick as on time with nothing missed', () => {
    const scheduler = new VirtualScheduler({ rateHz: 50, clock: new VirtualClock() });
    const ticks: TickInfo[] = [];
    scheduler.runTicks(3, (tick) => void ticks.push(tick));
    expect(ticks.map((t) => [t.startedMs, t.lateMs, t.missedBefore])).toEqual([[0, 0, 0], [20, 0, 0], [40, 0, 0]]);
  });
});

describe('VirtualScheduler stopping', () => {
  it('stops after the tick in which onTick calls stop()', async () => {
    const scheduler = new VirtualScheduler({ rateHz: 50, clock: new VirtualClock() });
    const indices: number[] = [];
    await scheduler.run((tick) => {
      indices.push(tick.index);
      if (tick.index === 4) scheduler.stop();
    });
    expect(indices).toEqual([0, 1, 2, 3, 4]);
  });

  it('stops after the tick in which onTick returns false', async () => {
    const clock = new VirtualClock();
    const scheduler = new VirtualScheduler({ rateHz: 50, clock });
    await scheduler.run((tick) => tick.index < 2);
    expect(scheduler.stats().ticks).toBe(3);
    expect(clock.nowMs()).toBe(40);
  });

  it('stops runTicks early when onTick returns false', () => {
    const scheduler = new VirtualScheduler({ rateHz: 50, clock: new VirtualClock() });
    expect(scheduler.runTicks(10, (tick) => tick.index !== 3)).toBe(4);
  });

  it('stops at the next yield when stop() is called from outside', async () => {
    const scheduler = new VirtualScheduler({ rateHz: 50, clock: new VirtualClock() });
    const done = scheduler.run(() => undefined);
    // setImmediate runs once run() yields to the event loop after its first batch.
    await new Promise<void>((resolve) => setImmediate(resolve));
    scheduler.stop();
    await done;
    expect(scheduler.stats().ticks % VIRTUAL_TICKS_PER_YIELD).toBe(0);
    expect(scheduler.stats().ticks).toBeGreaterThan(0);
  });

  it('yields to the event loop while running so I/O is not starved', async () => {
    const scheduler = new VirtualScheduler({ rateHz: 50, clock: new VirtualClock() });
    let ioRanAtTick = -1;
    setImmediate(() => {
      ioRanAtTick = scheduler.stats().ticks;
    });
    await scheduler.run((tick) => tick.index < 5 * VIRTUAL_TICKS_PER_YIELD);
    expect(ioRanAtTick).toBe(VIRTUAL_TICKS_PER_YIELD);
  });

  it('runUntil returns the ticks run once the predicate holds', () => {
    const clock = new VirtualClock();
    const scheduler = new VirtualScheduler({ rateHz: 50, clock });
    expect(scheduler.runUntil((tick) => tick.targetMs >= 1000, 1000)).toBe(51);
    expect(clock.nowMs()).toBe(1000);
  });

  it('runUntil throws when the predicate does not hold within maxTicks', () => {
    const scheduler = new VirtualScheduler({ rateHz: 50, clock: new VirtualClock() });
    expect(() => scheduler.runUntil(() => false, 10)).toThrow('not reached within 10 ticks');
  });
});

describe('VirtualScheduler faults', () => {
  it('rejects run() with the exception thrown by onTick and runs no further tick', async () => {
    const scheduler = new VirtualScheduler({ rateHz: 50, clock: new VirtualClock() });
    const fault = new Error('step bug');
    let ticks = 0;
    const done = scheduler.run((tick) => {
      ticks += 1;
      if (tick.index === 2) throw fault;
    });
    await expect(done).rejects.toBe(fault);
    expect(ticks).toBe(3);
  });

  it('can run again after a tick threw', async () => {
    const scheduler = new VirtualScheduler({ rateHz: 50, clock: new VirtualClock() });
    await expect(scheduler.run(() => { throw new Error('boom'); })).rejects.toThrow('boom');
    expect(scheduler.runTicks(1, () => undefined)).toBe(1);
  });

  it('is never re-entrant: a tick that starts the scheduler again fails the run', async () => {
    const scheduler = new VirtualScheduler({ rateHz: 50, clock: new VirtualClock() });
    let depth = 0;
    let maxDepth = 0;
    const done = scheduler.run(() => {
      depth += 1;
      maxDepth = Math.max(maxDepth, depth);
      try {
        scheduler.runTicks(1, () => undefined);
      } finally {
        depth -= 1;
      }
    });
    await expect(done).rejects.toThrow('already running');
    expect(maxDepth).toBe(1);
  });

  it('rejects a second run() while one is running', async () => {
    const scheduler = new VirtualScheduler({ rateHz: 50, clock: new VirtualClock() });
    let second: Promise<void> | undefined;
    await scheduler.run((tick) => {
      second ??= scheduler.run(() => undefined);
      return tick.index < 1;
    });
    await expect(second).rejects.toThrow('already running');
  });
});
