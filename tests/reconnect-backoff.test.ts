// The reconnect supervisor shared by the Firmata board and the serial front-end, on virtual time.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../kernel/clock.js';
import { ReconnectBackoff, type BackoffPolicy } from '../kernel/reconnect.js';
import { ManualTimers } from '../kernel/timers.js';

const SERIAL_LIKE: BackoffPolicy = { initialMs: 250, maxMs: 8_000, factor: 2 };

function rig(policy: BackoffPolicy = SERIAL_LIKE) {
  const clock = new VirtualClock(1_000);
  const timers = new ManualTimers(clock);
  const backoff = new ReconnectBackoff(policy, timers);
  let connects = 0;
  const connect = (): void => { connects += 1; };
  /** Fires the pending retry at exactly its due time and returns the delay it waited. */
  const fire = (): number => {
    const dueAtMs = timers.nextDueAtMs;
    if (dueAtMs === null) throw new Error('no retry pending');
    const waitedMs = dueAtMs - clock.nowMs();
    timers.advanceToMs(dueAtMs);
    return waitedMs;
  };
  /** Every attempt fails at once: `count` retries, returning the delay each one waited. */
  const failRepeatedly = (count: number): number[] => {
    const delays: number[] = [];
    for (let i = 0; i < count; i++) {
      expect(backoff.retry(connect)).toBe(true);
      delays.push(fire());
    }
    return delays;
  };
  return { clock, timers, backoff, connects: () => connects, connect, fire, failRepeatedly };
}

describe('ReconnectBackoff delays', () => {
  it('waits initialMs, then multiplies by the factor per failed attempt, capped at maxMs', () => {
    const r = rig();
    expect(r.failRepeatedly(9)).toEqual([250, 500, 1_000, 2_000, 4_000, 8_000, 8_000, 8_000, 8_000]);
    expect(r.connects()).toBe(9);
  });

  it('uses the factor it is given and stops exactly at a cap that is not a power of it', () => {
    const r = rig({ initialMs: 100, maxMs: 1_000, factor: 3 });
    expect(r.failRepeatedly(5)).toEqual([100, 300, 900, 1_000, 1_000]);
  });

  it('never grows with factor 1 or when initialMs is already the cap', () => {
    expect(rig({ initialMs: 40, maxMs: 500, factor: 1 }).failRepeatedly(3)).toEqual([40, 40, 40]);
    expect(rig({ initialMs: 500, maxMs: 500, factor: 2 }).failRepeatedly(3)).toEqual([500, 500, 500]);
  });

  it('does not connect a millisecond before the delay is over', () => {
    const r = rig();
    r.backoff.retry(r.connect);
    r.timers.advanceMs(249);
    expect(r.connects()).toBe(0);
    r.timers.advanceMs(1);
    expect(r.connects()).toBe(1);
  });

  it('reports the delay the next retry will wait, grown as soon as a retry is scheduled', () => {
    const r = rig();
    expect(r.backoff.nextDelayMs).toBe(250);
    r.backoff.retry(r.connect);
    expect(r.backoff.nextDelayMs).toBe(500);
    expect(r.timers.dueInMs).toEqual([250]);
  });
});

describe('ReconnectBackoff attempts and reset', () => {
  it('counts an attempt when a retry fires, not when it is scheduled', () => {
    const r = rig();
    expect(r.backoff.attempt).toBe(0);
    r.backoff.retry(() => { expect(r.backoff.attempt).toBe(1); r.connect(); });
    expect(r.backoff.attempt).toBe(0);
    r.fire();
    expect(r.backoff.attempt).toBe(1);
    expect(r.connects()).toBe(1);
  });

  it('starts over from initialMs and attempt 0 after reset()', () => {
    const r = rig();
    r.failRepeatedly(4);
    r.backoff.reset();
    expect(r.backoff.attempt).toBe(0);
    expect(r.backoff.nextDelayMs).toBe(250);
    expect(r.failRepeatedly(2)).toEqual([250, 500]);
  });

  it('counts a noted attempt like a failed retry: the first retry after it waits initialMs x factor', () => {
    const r = rig({ initialMs: 500, maxMs: 10_000, factor: 2 });
    r.backoff.noteAttempt();
    expect(r.backoff.attempt).toBe(1);
    expect(r.failRepeatedly(3)).toEqual([1_000, 2_000, 4_000]);
    expect(r.backoff.attempt).toBe(4);
  });

  it('keeps nextDelayMs = min(maxMs, initialMs x factor^attempt) between retries, whatever the history', () => {
    const op = fc.constantFrom('retry-and-fire', 'note', 'reset');
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000 }), fc.integer({ min: 0, max: 5_000 }), fc.integer({ min: 1, max: 4 }), fc.array(op, { maxLength: 40 }), (initialMs, extraMs, factor, ops) => {
        const policy = { initialMs, maxMs: initialMs + extraMs, factor };
        const r = rig(policy);
        for (const o of ops) {
          if (o === 'retry-and-fire') { r.backoff.retry(r.connect); r.fire(); } else if (o === 'note') r.backoff.noteAttempt(); else r.backoff.reset();
          expect(r.backoff.nextDelayMs).toBe(Math.min(policy.maxMs, initialMs * factor ** r.backoff.attempt));
        }
      }),
      { seed: 20_260_512, numRuns: 200 },
    );
  });
});

describe('ReconnectBackoff scheduling', () => {
  it('schedules one retry at a time: a second retry() while one is pending does nothing', () => {
    const r = rig();
    let second = 0;
    expect(r.backoff.retry(r.connect)).toBe(true);
    expect(r.backoff.retry(() => { second += 1; })).toBe(false);
    expect(r.timers.pendingCount).toBe(1);
    expect(r.backoff.pending).toBe(true);
    expect(r.backoff.nextDelayMs).toBe(500);
    r.timers.advanceMs(10_000);
    expect([r.connects(), second]).toEqual([1, 0]);
    expect(r.backoff.pending).toBe(false);
  });

  it('lets the connect it calls schedule the next retry (a loss reported while connecting)', () => {
    const r = rig();
    const failingConnect = (): void => { r.connect(); r.backoff.retry(failingConnect); };
    r.backoff.retry(failingConnect);
    expect([r.fire(), r.fire(), r.fire()]).toEqual([250, 500, 1_000]);
    expect(r.connects()).toBe(3);
    expect(r.timers.pendingCount).toBe(1);
  });

  it('cancel() drops the pending retry, and is harmless with none pending', () => {
    const r = rig();
    r.backoff.cancel();
    r.backoff.retry(r.connect);
    r.backoff.cancel();
    expect(r.backoff.pending).toBe(false);
    expect(r.timers.pendingCount).toBe(0);
    r.timers.advanceMs(60_000);
    expect(r.connects()).toBe(0);
    r.backoff.cancel();
    expect(r.backoff.retry(r.connect)).toBe(true);
  });

  it('refuses a policy that would retry at once forever, shrink, or never end', () => {
    const timers = new ManualTimers(new VirtualClock(0));
    expect(() => new ReconnectBackoff({ initialMs: 0, maxMs: 10, factor: 2 }, timers)).toThrow(/initialMs 0/);
    expect(() => new ReconnectBackoff({ initialMs: 10, maxMs: 5, factor: 2 }, timers)).toThrow(/maxMs 5/);
    expect(() => new ReconnectBackoff({ initialMs: 10, maxMs: Number.POSITIVE_INFINITY, factor: 2 }, timers)).toThrow(/maxMs Infinity/);
    expect(() => new ReconnectBackoff({ initialMs: 10, maxMs: 100, factor: 0.5 }, timers)).toThrow(/factor 0.5/);
    expect(() => new ReconnectBackoff({ initialMs: 10, maxMs: 100, factor: Number.NaN }, timers)).toThrow(/factor NaN/);
  });
});
