// The clocks of kernel/clock.ts: the latched clock a simulated board in real time reads inside a
// tick (src/runtime/board-session.ts).
import { describe, expect, it } from 'vitest';
import { LatchedClock, VirtualClock } from '../kernel/clock.js';
import { SimHal } from '../hil/sim/sim-hal.js';
import { FUTURE_STAMP_TOLERANCE_MS, staleness } from '../src/controller/context.js';

describe('LatchedClock', () => {
  it('returns the latched instant until the next latch, whatever the source does meanwhile', () => {
    const source = new VirtualClock(100);
    const clock = new LatchedClock(source);
    expect(clock.nowMs()).toBe(100);
    source.advanceMs(30);
    expect(clock.nowMs()).toBe(100);
    expect(clock.latch()).toBe(130);
    source.advanceMs(7);
    expect(clock.nowMs()).toBe(130);
  });

  it('never goes backwards, even over a source that does', () => {
    let sourceMs = 50;
    const clock = new LatchedClock({ nowMs: () => sourceMs });
    sourceMs = 40;
    expect(clock.latch()).toBe(50);
    sourceMs = 60;
    expect(clock.latch()).toBe(60);
  });

  it('keeps a simulated board from stamping a sample after the tick time when the thread stalls mid-tick', () => {
    const source = new VirtualClock(0);
    const clock = new LatchedClock(source);
    const hal = new SimHal({ clock, seed: 1 });
    const tickMs = clock.latch();
    // The thread is descheduled between the tick's clock read and the board's read.
    source.advanceMs(FUTURE_STAMP_TOLERANCE_MS * 4);
    const readings = hal.read();
    expect(readings.tips[0]?.atMs).toBeLessThanOrEqual(tickMs);
    expect(staleness(tickMs, readings, 1_000)).toBeNull();
    // The same stall on the source clock itself: the sample is stamped in the tick's future.
    const unlatched = new SimHal({ clock: source, seed: 1 });
    const early = source.nowMs();
    source.advanceMs(FUTURE_STAMP_TOLERANCE_MS * 4);
    expect(staleness(early, unlatched.read(), 1_000)).toMatch(/in the future/);
  });
});
