// Waiting for a board runs on the injected clock and timers: virtual time decides the deadline.
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../kernel/clock.js';
import { ManualTimers } from '../kernel/timers.js';
import { waitUntilReady } from '../kernel/wait.js';

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
