import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_DRIFT_C_PER_MIN,
  DEFAULT_MAX_NOISE_SD_C,
  DEFAULT_STABILITY_WINDOW_MS,
  StabilityJudge,
  resolveStabilitySettings,
} from '../calibration/stability.js';
import { seededRandom } from '../kernel/random.js';

const PERIOD_MS = 20;

/** Feed `durationMs` of 50 Hz samples of `valueAt(tMs)`; returns the last report. */
function feed(judge: StabilityJudge, durationMs: number, valueAt: (tMs: number) => number, fromMs = 0) {
  for (let t = fromMs + PERIOD_MS; t <= fromMs + durationMs; t += PERIOD_MS) judge.add(t, valueAt(t));
  return judge.report();
}

function noisy(meanC: number, sdC: number, seed = 3): (tMs: number) => number {
  const random = seededRandom(seed);
  return () => meanC + sdC * random.gaussian();
}

describe('stability judge', () => {
  it('documents defaults that fit the 0.5 C residual budget', () => {
    expect(DEFAULT_STABILITY_WINDOW_MS).toBe(30_000);
    // The worst drift moves the window mean by half a window's change: a small part of 0.5 C.
    expect((DEFAULT_MAX_DRIFT_C_PER_MIN * DEFAULT_STABILITY_WINDOW_MS) / 60_000 / 2).toBeLessThan(0.025);
    // Standard error of the mean over >= 30 samples.
    expect(DEFAULT_MAX_NOISE_SD_C / Math.sqrt(30)).toBeLessThan(0.05);
  });

  it('does not call a 1 C/min ramp stable, even with a full window and no noise', () => {
    const judge = new StabilityJudge();
    const r = feed(judge, 120_000, (t) => 20 + t / 60_000);
    expect(r.windowFilled).toBe(1);
    expect(r.driftCPerMin).toBeCloseTo(1, 6);
    expect(r.noiseSdC).toBeLessThan(1e-9);
    expect(r.stable).toBe(false);
  });

  it('does not call a slow ramp just above the drift limit stable', () => {
    const judge = new StabilityJudge();
    const r = feed(judge, 60_000, (t) => 0.07 * (t / 60_000));
    expect(r.driftCPerMin).toBeCloseTo(0.07, 6);
    expect(r.stable).toBe(false);
  });

  it('does not call noise above the limit stable', () => {
    const judge = new StabilityJudge();
    const r = feed(judge, 60_000, noisy(0, 0.3));
    expect(r.windowFilled).toBe(1);
    expect(r.noiseSdC).toBeGreaterThan(0.25);
    expect(r.noiseSdC).toBeLessThan(0.35);
    expect(r.stable).toBe(false);
  });

  it('calls a steady signal with noise inside the limit stable once the window is full, not before', () => {
    const judge = new StabilityJudge();
    const value = noisy(-78.4, 0.08);
    const early = feed(judge, DEFAULT_STABILITY_WINDOW_MS - 1_000, value);
    expect(early.windowFilled).toBeLessThan(1);
    expect(early.stable).toBe(false);
    const full = feed(judge, 2_000, value, DEFAULT_STABILITY_WINDOW_MS - 1_000);
    expect(full.windowFilled).toBe(1);
    expect(full.stable).toBe(true);
    expect(full.meanC).toBeCloseTo(-78.4, 1);
    expect(full.noiseSdC).toBeCloseTo(0.08, 1);
    expect(Math.abs(full.driftCPerMin)).toBeLessThan(DEFAULT_MAX_DRIFT_C_PER_MIN);
  });

  it('reports window progress filling from 0 to 1 in proportion to time', () => {
    const judge = new StabilityJudge({ windowMs: 10_000 });
    expect(judge.report().windowFilled).toBe(0);
    judge.add(0, 1);
    expect(judge.report().windowFilled).toBe(0);
    const seen: number[] = [];
    for (let t = 1_000; t <= 15_000; t += 1_000) {
      judge.add(t, 1 + (t % 2_000 === 0 ? 0.01 : -0.01));
      seen.push(judge.report().windowFilled);
    }
    expect(seen.slice(0, 10)).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1].map((x) => expect.closeTo(x, 9) as unknown));
    expect(seen.slice(10).every((f) => f === 1)).toBe(true);
  });

  it('averages only the window: the mean follows a step once the old level has left', () => {
    const judge = new StabilityJudge({ windowMs: 10_000 });
    feed(judge, 30_000, () => 5);
    const r = feed(judge, 20_000, () => 7, 30_000);
    expect(r.meanC).toBe(7);
  });

  it('does not call a reading that never changes stable: a stuck sensor is not a steady bath', () => {
    const judge = new StabilityJudge();
    const r = feed(judge, 60_000, () => 0.5);
    expect(r.flat).toBe(true);
    expect(r.stable).toBe(false);
  });

  it('calls a window stuck when almost every sample repeats one value, even with a stray one', () => {
    const judge = new StabilityJudge();
    const r = feed(judge, 60_000, (t) => (t === 30_000 ? 0.6 : 0.5));
    expect(r.flat).toBe(true);
    expect(r.stable).toBe(false);
  });

  it('does not call a live signal on a coarse register stuck', () => {
    const judge = new StabilityJudge();
    const value = noisy(0, 0.08);
    const r = feed(judge, 60_000, (t) => Math.round(value(t) / 0.0078125) * 0.0078125);
    expect(r.flat).toBe(false);
    expect(r.stable).toBe(true);
  });

  it('keeps memory bounded: the ring never holds more than its capacity', () => {
    const judge = new StabilityJudge({ capacity: 100, windowMs: 1_000_000 });
    feed(judge, 200_000, noisy(0, 0.05));
    expect(judge.samples).toBe(100);
    // Too small for the window at this rate: it can never fill, so never says stable (safe failure).
    expect(judge.report().windowFilled).toBeLessThan(1);
    expect(judge.report().stable).toBe(false);
  });

  it('starts again after reset', () => {
    const judge = new StabilityJudge();
    feed(judge, 60_000, noisy(0, 0.05));
    expect(judge.report().stable).toBe(true);
    judge.reset();
    expect(judge.report()).toMatchObject({ stable: false, samples: 0, windowFilled: 0 });
  });

  it('refuses samples that do not move forward in time or are not finite', () => {
    const judge = new StabilityJudge();
    judge.add(100, 1);
    expect(() => {
      judge.add(100, 1);
    }).toThrow(/not after the previous one/);
    expect(() => {
      judge.add(200, Number.NaN);
    }).toThrow(/must be finite/);
  });

  it('takes overrides from settings and names a nonsensical one', () => {
    expect(resolveStabilitySettings({ maxDriftCPerMin: 0.1 }).maxDriftCPerMin).toBe(0.1);
    expect(resolveStabilitySettings({ maxNoiseSdC: undefined }).maxNoiseSdC).toBe(DEFAULT_MAX_NOISE_SD_C);
    expect(() => resolveStabilitySettings({ windowMs: 0 })).toThrow(/windowMs/);
    expect(() => resolveStabilitySettings({ capacity: 2.5 })).toThrow(/capacity/);
  });
});
