// Waiting for a board runs on the injected clock and timers: virtual time decides the deadline. Before
// the first tick the console also waits for fresh samples.
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../kernel/clock.js';
import { ManualTimers } from '../kernel/timers.js';
import { waitUntilReady } from '../kernel/wait.js';
import type { Hal } from '../hal/contract.js';
import { waitForFreshReadings } from '../src/runtime/board-session.js';
import { nominalReadings, type ReadingOverrides } from './helpers/readings.js';

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function drive(timers: ManualTimers, done: () => boolean, stepMs: number, maxSteps: number): Promise<void> {
  for (let i = 0; i < maxSteps && !done(); i++) {
    await flush();
    timers.advanceMs(stepMs);
  }
  await flush();
}

describe('waitUntilReady', () => {
  it('resolves at the first poll after the device reports in, in virtual time', async () => {
    const clock = new VirtualClock(0);
    const timers = new ManualTimers(clock);
    let settled: 'ok' | Error | null = null;
    void waitUntilReady(() => (clock.nowMs() >= 300 ? null : 'no reply yet'), { clock, timers, timeoutMs: 1_000, pollMs: 50, what: 'the board' })
      .then(() => (settled = 'ok'), (err: unknown) => (settled = err as Error));
    await drive(timers, () => settled !== null, 10, 200);
    expect(settled).toBe('ok');
    expect(clock.nowMs()).toBeGreaterThanOrEqual(300);
    expect(clock.nowMs()).toBeLessThan(400);
  });

  it('rejects at the deadline of the injected clock, naming what and the last problem', async () => {
    const clock = new VirtualClock(5_000);
    const timers = new ManualTimers(clock);
    let settled: 'ok' | Error | null = null;
    void waitUntilReady(() => 'firmata: no report from the board', { clock, timers, timeoutMs: 2_000, pollMs: 50, what: 'the board' })
      .then(() => (settled = 'ok'), (err: unknown) => (settled = err as Error));
    await drive(timers, () => settled !== null, 50, 100);
    expect(settled).toBeInstanceOf(Error);
    expect((settled as unknown as Error).message).toBe('the board did not connect within 2 s: firmata: no report from the board');
    expect(clock.nowMs()).toBeGreaterThanOrEqual(7_000);
    expect(clock.nowMs()).toBeLessThan(7_200);
  });

  it('does not wait at all when the device is already up', async () => {
    const clock = new VirtualClock(0);
    const timers = new ManualTimers(clock);
    await waitUntilReady(() => null, { clock, timers, timeoutMs: 1_000, pollMs: 50, what: 'the board' });
    expect(timers.pendingCount).toBe(0);
  });
});

describe('waitForFreshReadings (before the first tick)', () => {
  const STALE_MS = 100;
  /** A board whose samples carry the stamps `stamps()` gives at each read. */
  const boardWith = (clock: VirtualClock, stamps: () => ReadingOverrides): Hal => ({ read: () => nominalReadings(clock.nowMs(), stamps()) }) as unknown as Hal;

  it('holds the first tick until the samples from before a long start-up step are replaced', async () => {
    const clock = new VirtualClock(10_000);
    const timers = new ManualTimers(clock);
    // The last supply sample was read before a 400 ms start-up step; the port delivers the next
    // one 30 ms after the step.
    const newSampleAtMs = 10_030;
    const hal = boardWith(clock, () => ({ supplyAtMs: clock.nowMs() >= newSampleAtMs ? newSampleAtMs : 9_600 }));
    let settled: 'ok' | Error | null = null;
    void waitForFreshReadings(hal, clock, STALE_MS, 1_000, timers).then(() => (settled = 'ok'), (err: unknown) => (settled = err as Error));
    await flush();
    expect(settled).toBeNull();
    await drive(timers, () => settled !== null, 5, 100);
    expect(settled).toBe('ok');
    expect(clock.nowMs()).toBeGreaterThanOrEqual(newSampleAtMs);
    expect(clock.nowMs()).toBeLessThan(newSampleAtMs + 10);
  });

  it('rejects a board whose tip stopped, naming the channel and its age', async () => {
    const clock = new VirtualClock(1_000);
    const timers = new ManualTimers(clock);
    const hal = boardWith(clock, () => ({ tipAtMs: 0 }));
    let settled: 'ok' | Error | null = null;
    void waitForFreshReadings(hal, clock, STALE_MS, 500, timers).then(() => (settled = 'ok'), (err: unknown) => (settled = err as Error));
    await drive(timers, () => settled !== null, 5, 200);
    expect(settled).toBeInstanceOf(Error);
    expect((settled as unknown as Error).message).toMatch(/^the board did not connect within 0\.5 s: tip channel 0 sample is 150\d ms old \(limit 100 ms\)$/);
  });

  it('names a back-end fault before any sample age', async () => {
    const clock = new VirtualClock(0);
    const timers = new ManualTimers(clock);
    const hal = boardWith(clock, () => ({ halFault: 'firmata: port closed', tipAtMs: -1_000 }));
    await expect(waitForFreshReadings(hal, clock, STALE_MS, 0, timers)).rejects.toThrow('the board did not connect within 0 s: firmata: port closed');
  });

  it('does not wait when every sample is fresh', async () => {
    const clock = new VirtualClock(0);
    const timers = new ManualTimers(clock);
    await waitForFreshReadings(boardWith(clock, () => ({})), clock, STALE_MS, 1_000, timers);
    expect(timers.pendingCount).toBe(0);
  });
});

describe('waitUntilReady, abandoned', () => {
  it('resolves at the first poll after abandon() says so, before its deadline, whatever the device does', async () => {
    const clock = new VirtualClock(0);
    const timers = new ManualTimers(clock);
    let stop = false;
    let settled: 'ok' | Error | null = null;
    void waitUntilReady(() => 'firmata: no report from the board', { clock, timers, timeoutMs: 20_000, pollMs: 50, what: 'the board', abandon: () => stop })
      .then(() => (settled = 'ok'))
      .catch((err: unknown) => (settled = err as Error));
    await drive(timers, () => settled !== null, 50, 10);
    expect(settled).toBeNull();
    stop = true;
    await drive(timers, () => settled !== null, 50, 2);
    expect(settled).toBe('ok');
    expect(clock.nowMs()).toBeLessThan(1_000);
  });
});
