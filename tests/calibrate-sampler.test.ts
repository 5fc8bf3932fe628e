import { describe, expect, it } from 'vitest';
import { FrontendTipSampler } from '../calibration/procedure/frontend-sampler.js';
import type { TipSample, TipSource } from '../hal/contract.js';
import { VirtualClock } from '../kernel/clock.js';
import { ManualTimers } from '../kernel/timers.js';

function source(fault: string | null, tips: TipSample[]): TipSource {
  return { tips: () => tips, fault: () => fault, close: () => Promise.resolve() };
}

describe('the hardware tip sampler', () => {
  it('passes the front-end sample through while the link is healthy', async () => {
    const sample: TipSample = { tipC: -78.4, coldJunctionC: 25, fault: null, atMs: 5 };
    const s = new FrontendTipSampler(source(null, [sample]), new VirtualClock(0), 1);
    expect(await s.next()).toEqual(sample);
    expect(s.latest()).toEqual(sample);
  });

  it('presents a faulted front-end as an open thermocouple, never as its last good reading', async () => {
    const stale: TipSample = { tipC: -78.4, coldJunctionC: 25, fault: null, atMs: 5 };
    const s = new FrontendTipSampler(source('front-end: no line for 500 ms', [stale]), new VirtualClock(7), 1);
    const got = await s.next();
    expect(got.fault).toBe('open');
    expect(got.tipC).toBeNaN();
    expect(got.atMs).toBe(7);
  });

  it('presents a front-end with no channel as an open thermocouple', async () => {
    const s = new FrontendTipSampler(source(null, []), new VirtualClock(0), 1);
    expect((await s.next()).fault).toBe('open');
  });

  it('reads one period after it is asked, on the injected timers (no wall-clock sleep)', async () => {
    const clock = new VirtualClock(0);
    const timers = new ManualTimers(clock);
    const sample: TipSample = { tipC: 0.1, coldJunctionC: 25, fault: null, atMs: 0 };
    const s = new FrontendTipSampler(source(null, [sample]), clock, 20, timers);
    let got: TipSample | null = null;
    const reading = s.next().then((t) => (got = t));
    await Promise.resolve();
    timers.advanceMs(19);
    await Promise.resolve();
    expect(got).toBeNull();
    timers.advanceMs(1);
    // Resolved by the virtual timer alone: a few microtask turns, no wall-clock wait.
    for (let i = 0; i < 3; i++) await Promise.resolve();
    expect(got).toEqual(sample);
    await reading;
    expect(clock.nowMs()).toBe(20);
  });
});
