// The loop's own timing (kernel/loop-timing.ts): percentiles of tick-start error on known inputs,
// late and missed ticks, and the last-minute window of 10-s slots.
import { describe, expect, it } from 'vitest';
import { BUCKET_RATIO, LoopTiming, TimingHistogram, WINDOW_SLOT_MS } from '../kernel/loop-timing.js';

const LATE_MS = 5;

/** `value` is within one bucket above `truth` (a percentile is its bucket's upper edge, never lower). */
function withinOneBucket(value: number, truth: number): void {
  expect(value).toBeGreaterThanOrEqual(truth);
  expect(value).toBeLessThanOrEqual(truth * BUCKET_RATIO);
}

describe('TimingHistogram', () => {
  it('reads p50, p99, p99.9 and max from 10 000 known errors', () => {
    const h = new TimingHistogram();
    // 9 880 ticks at 0.3 ms, 100 at 2 ms, 20 at 12 ms: p50 0.3, p99 2 (rank 9 900 falls in the
    // 2 ms ticks, 9 881-9 980), p99.9 12 (rank 9 990 falls in the 12 ms ticks).
    for (let i = 0; i < 9_880; i++) h.record(0.3, LATE_MS);
    for (let i = 0; i < 100; i++) h.record(2, LATE_MS);
    for (let i = 0; i < 20; i++) h.record(12, LATE_MS);
    const p = h.percentiles();
    withinOneBucket(p.p50Ms, 0.3);
    withinOneBucket(p.p99Ms, 2);
    expect(p.p999Ms).toBe(12);
    expect(p.maxMs).toBe(12);
    expect(p.ticks).toBe(10_000);
    expect(p.late).toBe(20);
  });

  it('moves p99 to the slow ticks once they are more than 1 % of them', () => {
    const h = new TimingHistogram();
    for (let i = 0; i < 980; i++) h.record(0.1, LATE_MS);
    for (let i = 0; i < 20; i++) h.record(7, LATE_MS);
    withinOneBucket(h.quantileMs(0.5), 0.1);
    expect(h.quantileMs(0.99)).toBe(7);
  });

  it('never reports a percentile above the largest error seen', () => {
    const h = new TimingHistogram();
    h.record(3.01, LATE_MS);
    expect(h.percentiles()).toMatchObject({ p50Ms: 3.01, p99Ms: 3.01, p999Ms: 3.01, maxMs: 3.01 });
  });

  it('counts an on-time tick (0 ms) and reports zeros when empty', () => {
    const h = new TimingHistogram();
    expect(h.percentiles()).toEqual({ p50Ms: 0, p99Ms: 0, p999Ms: 0, maxMs: 0, late: 0, ticks: 0 });
    h.record(0, LATE_MS);
    expect(h.percentiles()).toMatchObject({ p50Ms: 0, ticks: 1, late: 0 });
  });

  it('counts a tick late only above the threshold', () => {
    const h = new TimingHistogram();
    h.record(LATE_MS, LATE_MS);
    h.record(LATE_MS + 0.001, LATE_MS);
    expect(h.late).toBe(1);
  });

  it('keeps errors beyond its range in the last bucket, with the true maximum', () => {
    const h = new TimingHistogram();
    h.record(50_000, LATE_MS);
    expect(h.percentiles()).toMatchObject({ p50Ms: 50_000, maxMs: 50_000 });
  });
});

describe('LoopTiming', () => {
  it('forgets in the last-minute window what is older than a minute, not since start', () => {
    const t = new LoopTiming(LATE_MS);
    t.record(1_000, 40, 0);
    for (let ms = 1_020; ms < 20_000; ms += 20) t.record(ms, 0.2, 0);
    expect(t.summary(20_000).lastMinute.maxMs).toBe(40);
    // Six slots later the 40 ms tick has left the window.
    const later = t.summary(1_000 + 6 * WINDOW_SLOT_MS);
    expect(later.lastMinute.maxMs).toBe(0.2);
    expect(later.lastMinute.late).toBe(0);
    expect(later.sinceStart.maxMs).toBe(40);
    expect(later.sinceStart.late).toBe(1);
  });

  it('empties the window after a silence longer than a minute', () => {
    const t = new LoopTiming(LATE_MS);
    t.record(0, 9, 0);
    t.record(200_000, 0.5, 0);
    expect(t.summary(200_000).lastMinute).toMatchObject({ ticks: 1, maxMs: 0.5 });
  });

  it('adds up the missed ticks', () => {
    const t = new LoopTiming(LATE_MS);
    t.record(0, 0, 0);
    t.record(100, 30, 2);
    t.record(120, 0, 1);
    expect(t.summary(120).missed).toBe(3);
  });

  it('refuses a threshold that is not a finite non-negative number', () => {
    expect(() => new LoopTiming(Number.NaN)).toThrow(/lateThresholdMs NaN/);
  });
});
