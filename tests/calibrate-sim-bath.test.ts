import { describe, expect, it } from 'vitest';
import { SimHal, type SimHalOptions, SensorParamsError } from '../hil/sim/index.js';
import { BATH_TIME_CONSTANT_MS } from '../hil/sim/bath.js';
import { VirtualClock } from '../kernel/clock.js';

const TICK_MS = 20;

function makeHal(options: Partial<SimHalOptions> = {}): { hal: SimHal; clock: VirtualClock } {
  const clock = new VirtualClock();
  return { hal: new SimHal({ clock, seed: 1, ...options }), clock };
}

/** Read the tip at 50 Hz for `durationMs`; returns the raw readings. */
function readTips(hal: SimHal, clock: VirtualClock, durationMs: number): number[] {
  const tips: number[] = [];
  for (let t = 0; t < durationMs; t += TICK_MS) {
    clock.advanceMs(TICK_MS);
    tips.push(hal.read().tips[0]!.tipC);
  }
  return tips;
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('sim reference baths', () => {
  it('settles the true tip on the bath within ten time constants of immersion', () => {
    const { hal, clock } = makeHal();
    clock.advanceMs(1_000);
    hal.immerseInBath(0);
    expect(hal.bathC).toBe(0);
    clock.advanceMs(BATH_TIME_CONSTANT_MS);
    // One time constant: about 37 % of the 37 C step is left.
    expect(hal.tipTrueC).toBeGreaterThan(10);
    expect(hal.tipTrueC).toBeLessThan(17);
    clock.advanceMs(9 * BATH_TIME_CONSTANT_MS);
    expect(Math.abs(hal.tipTrueC)).toBeLessThan(0.1);
  });

  it('reads the bath through the sensor model: its noise around the bath temperature', () => {
    const { hal, clock } = makeHal();
    hal.immerseInBath(-78.47);
    readTips(hal, clock, 40_000);
    const tips = readTips(hal, clock, 30_000);
    expect(mean(tips)).toBeCloseTo(-78.47, 1);
    expect(Math.max(...tips) - Math.min(...tips)).toBeLessThan(1);
  });

  it('applies the configured probe error before noise: raw = gain x true + offset', () => {
    const { hal, clock } = makeHal({ sensor: { probeOffsetErrorC: 1.5, probeGainError: 1.02 } });
    hal.immerseInBath(-78.47);
    readTips(hal, clock, 40_000);
    expect(mean(readTips(hal, clock, 30_000))).toBeCloseTo(1.02 * -78.47 + 1.5, 1);
  });

  it('reads exactly as before with the default probe error (gain 1, offset 0)', () => {
    const a = makeHal();
    const b = makeHal({ sensor: { probeOffsetErrorC: 0, probeGainError: 1 } });
    expect(readTips(b.hal, b.clock, 2_000)).toEqual(readTips(a.hal, a.clock, 2_000));
  });

  it('hands the tip back to the plant model when taken out of the bath', () => {
    const { hal, clock } = makeHal();
    hal.immerseInBath(0);
    clock.advanceMs(60_000);
    hal.immerseInBath(null);
    expect(hal.bathC).toBeNull();
    expect(hal.tipTrueC).toBeCloseTo(hal.plantState.tipTrueC, 9);
    expect(hal.tipTrueC).toBeCloseTo(37, 0);
  });

  it('moves the probe straight from one bath to another', () => {
    const { hal, clock } = makeHal();
    hal.immerseInBath(0);
    clock.advanceMs(60_000);
    hal.immerseInBath(37);
    clock.advanceMs(60_000);
    expect(hal.tipTrueC).toBeCloseTo(37, 1);
  });

  it('refuses a bath temperature no bath can have, and a nonsensical probe error', () => {
    const { hal } = makeHal();
    expect(() => {
      hal.immerseInBath(-200);
    }).toThrow(RangeError);
    expect(() => {
      hal.immerseInBath(Number.NaN);
    }).toThrow(/outside -100 to 100 C/);
    expect(() => makeHal({ sensor: { probeGainError: 0 } })).toThrow(SensorParamsError);
    expect(() => makeHal({ sensor: { probeOffsetErrorC: Number.POSITIVE_INFINITY } })).toThrow(/probeOffsetErrorC/);
  });
});
