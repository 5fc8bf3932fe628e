// The loop thread's console glue (src/console/publisher.ts): one snapshot per SNAPSHOT_PERIOD_MS
// of wall time whatever the tick rate, commands drained at the start of a period, and the tick
// timing recorded from the scheduler's TickInfo.
import { describe, expect, it } from 'vitest';
import { SAFE_OUTPUTS } from '../hal/contract.js';
import type { ConsoleLink } from '../src/console/link.js';
import { SNAPSHOT_PERIOD_MS } from '../src/console/protocol.js';
import type { ConsoleCommand, Snapshot } from '../src/console/protocol.js';
import { ConsolePublisher } from '../src/console/publisher.js';
import type { PublishedLoop } from '../src/console/publisher.js';
import { DEFAULT_SETTINGS } from '../src/controller/settings.js';
import { initialState } from '../src/controller/state.js';
import { silentLogger } from '../kernel/log.js';
import { runDefaultsOf } from '../src/runtime/loop.js';

/** A link stand-in that records what the publisher asks of it. */
class FakeLink {
  readonly published: Snapshot[] = [];
  commands: ConsoleCommand[] = [];
  polls = 0;
  publish(s: Snapshot): void {
    this.published.push(s);
  }
  poll(): void {
    this.polls += 1;
  }
  drainCommands(apply: (c: ConsoleCommand, origin: 'loopback' | 'remote', client: string) => void): number {
    const batch = this.commands;
    this.commands = [];
    for (const c of batch) apply(c, 'loopback', 'kiosk');
    return batch.length;
  }
}

function harness() {
  const link = new FakeLink();
  const presses: string[] = [];
  const loop: PublishedLoop = {
    state: initialState(0),
    settings: DEFAULT_SETTINGS,
    runDefaults: runDefaultsOf(DEFAULT_SETTINGS),
    lastOutputs: SAFE_OUTPUTS,
    consolePress: (p) => presses.push(p),
    setProtocol: () => null,
    nerveRefusal: () => null,
    useNerve: () => undefined,
  };
  const page = new ConsolePublisher({ link: link as unknown as ConsoleLink, board: 'sim', rateHz: 50, lateThresholdMs: 5, logger: silentLogger() });
  return { link, loop, page, presses };
}

describe('ConsolePublisher', () => {
  it('publishes once per SNAPSHOT_PERIOD_MS of wall time at 50 Hz: ten a second, numbered from 1', () => {
    const { link, loop, page } = harness();
    for (let i = 0; i < 50; i++) {
      page.beginPeriod(loop, { index: i, targetMs: i * 20, startedMs: i * 20 + 0.2, lateMs: 0.2, missedBefore: 0 });
      page.endPeriod(i * 20 + 1, i * 20, loop, null);
    }
    expect(link.published.map((s) => s.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(link.published.map((s) => s.atMs)).toEqual(Array.from({ length: 10 }, (_, k) => k * SNAPSHOT_PERIOD_MS));
    expect(link.polls).toBe(50);
    // The tenth went out at the 46th period, with that many ticks measured.
    expect(link.published.at(-1)?.loop.sinceStart.ticks).toBe(46);
  });

  it('keeps ten a second when the end of each 20 ms period jitters by a fraction of a millisecond', () => {
    const { link, loop, page } = harness();
    // A real period's end: its start (every 20 ms) plus the tick's own work, 0.2-0.8 ms.
    let seed = 1;
    const rand = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const seconds = 20;
    for (let k = 0; k < seconds * 50; k++) page.endPeriod(k * 20 + 0.2 + 0.6 * rand(), k * 20, loop, null);
    expect(link.published.length).toBeGreaterThanOrEqual(seconds * (1000 / SNAPSHOT_PERIOD_MS) - 1);
    expect(link.published.length).toBeLessThanOrEqual(seconds * (1000 / SNAPSHOT_PERIOD_MS));
  });

  it('after a stall of the loop, publishes one snapshot and goes on every SNAPSHOT_PERIOD_MS: no burst to catch up', () => {
    const { link, loop, page } = harness();
    page.endPeriod(0, 0, loop, null);
    // The loop stalls for a second; its next periods end every 20 ms from there.
    for (let wallMs = 1_000; wallMs <= 1_300; wallMs += 20) page.endPeriod(wallMs, wallMs, loop, null);
    expect(link.published.map((s) => s.atMs)).toEqual([0, 1_000, 1_100, 1_200, 1_300]);
  });

  it('hands the queued commands to the loop at the start of the period', () => {
    const { link, loop, page, presses } = harness();
    link.commands = [{ type: 'stop' }, { type: 'acknowledge' }];
    page.beginPeriod(loop, { index: 0, targetMs: 0, startedMs: 0, lateMs: 0, missedBefore: 0 });
    expect(presses).toEqual(['stop', 'acknowledge']);
  });

  it('measures the tick timing without a page (--no-web)', () => {
    const page = new ConsolePublisher({ link: null, board: 'sim', rateHz: 50, lateThresholdMs: 5, logger: silentLogger() });
    const loop = harness().loop;
    page.beginPeriod(loop, { index: 0, targetMs: 0, startedMs: 9, lateMs: 9, missedBefore: 2 });
    page.endPeriod(10, 0, loop, null);
    expect(page.summary(10)).toMatchObject({ sinceStart: { ticks: 1, late: 1, maxMs: 9 }, missed: 2 });
  });
});
