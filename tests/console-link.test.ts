// The loop's end of the console channel (src/console/link.ts) against stand-in workers: credit
// flow control, the coalesced command slots, invalid messages, and the loss watchdog on a virtual
// clock (a worker that stalls in a busy loop, exits, or stops acknowledging), with its restart.
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../kernel/clock.js';
import { ManualTimers } from '../kernel/timers.js';
import { COMMAND_SLOTS, ConsoleLink, RESTART_BACKOFF_MAX_MS, RESTART_BACKOFF_MIN_MS, RESTART_BACKOFF_RESET_AFTER_MS } from '../src/console/link.js';
import type { PendingCommand } from '../src/console/link.js';
import { FIXTURE_WORKER_URL, MODE, SLOT, capturingLogger, fixtureControl, snapshotOf, until } from './helpers/console-fixture.js';
import type { FixtureControl } from './helpers/console-fixture.js';

const LOST_MS = 2_000;
const links: ConsoleLink[] = [];

function linkFor(fixture: FixtureControl) {
  const clock = new VirtualClock(0);
  const timers = new ManualTimers(clock);
  const log = capturingLogger();
  const ready: string[] = [];
  const link = new ConsoleLink({
    workerUrl: FIXTURE_WORKER_URL,
    workerData: fixture.workerData,
    clock,
    timers,
    lostMs: LOST_MS,
    logger: log.logger,
    onReady: (url) => ready.push(url),
  });
  links.push(link);
  link.start();
  return { link, clock, timers, log, ready };
}

afterEach(async () => {
  await Promise.all(links.splice(0).map((l) => l.stop()));
});

describe('ConsoleLink snapshots', () => {
  it('posts a snapshot, hears its ack, and reports the worker ready with its URL', async () => {
    const f = fixtureControl();
    const { link, ready } = linkFor(f);
    link.publish(snapshotOf(1));
    await until(() => !link.inFlight, 'the ack');
    expect(f.get(SLOT.acked)).toBe(1);
    expect(link.lost).toBe(false);
    expect(link.lastHeardMs).toBe(0);
    await until(() => ready.length === 1, 'ready');
    expect(ready).toEqual(['http://127.0.0.1:0/fixture-0']);
  });

  it('keeps one snapshot in flight: a worker that does not ack receives one, and the newest waits', async () => {
    const f = fixtureControl(MODE.silent);
    const { link } = linkFor(f);
    for (let seq = 1; seq <= 50; seq++) link.publish(snapshotOf(seq));
    await until(() => f.get(SLOT.received) === 1, 'the first snapshot');
    expect(link.queuedSnapshots).toBe(1);
    // The ack for 1 frees the credit: the newest held snapshot (50) goes, the 48 between never do.
    f.setMode(MODE.ack);
    // The worker counts an ack before posting it: wait for the link to have heard it too.
    await until(() => f.get(SLOT.acked) === 2 && !link.inFlight, 'the second ack, heard');
    expect(f.get(SLOT.received)).toBe(2);
    expect(f.get(SLOT.lastSeq)).toBe(50);
    expect(link.queuedSnapshots).toBe(0);
    expect(link.inFlight).toBe(false);
  });
});

describe('ConsoleLink watchdog', () => {
  it('declares a worker stalled in a busy loop lost just after console.lostMs, terminates and restarts it', async () => {
    const f = fixtureControl(MODE.stall);
    const { link, clock, timers, log } = linkFor(f);
    link.publish(snapshotOf(1));
    await until(() => f.get(SLOT.received) === 1, 'the snapshot');
    clock.advanceMs(LOST_MS);
    expect(link.watch(LOST_MS)).toEqual({ watched: true, lastHeardMs: 0 });
    expect(link.lost).toBe(false);
    clock.advanceMs(1);
    expect(link.watch(LOST_MS + 1)).toEqual({ watched: true, lastHeardMs: null });
    expect(link.lost).toBe(true);
    expect(log.text()).toMatch(/console side lost \(no acknowledgement for 2001 ms \(limit 2000 ms\)\): restarting it in 250 ms/);
    // The restart comes after the backoff; the new worker answers and the console is back.
    timers.advanceMs(RESTART_BACKOFF_MIN_MS - 1);
    expect(f.get(SLOT.generations)).toBe(1);
    timers.advanceMs(1);
    link.publish(snapshotOf(2));
    await until(() => !link.lost, 'the restarted worker');
    expect(f.get(SLOT.generations)).toBe(2);
    expect(link.restarts).toBe(1);
    expect(link.watch(clock.nowMs())).toEqual({ watched: true, lastHeardMs: clock.nowMs() });
  });

  it('declares a worker that exits lost at once, without waiting for console.lostMs', async () => {
    const f = fixtureControl(MODE.exit);
    const { link, clock, timers, log } = linkFor(f);
    link.publish(snapshotOf(1));
    await until(() => link.lost, 'the loss');
    expect(clock.nowMs()).toBe(0);
    expect(link.watch(0)).toEqual({ watched: true, lastHeardMs: null });
    expect(log.text()).toMatch(/worker exited with code 7/);
    timers.advanceMs(RESTART_BACKOFF_MIN_MS);
    link.publish(snapshotOf(2));
    await until(() => !link.lost, 'the restarted worker');
  });

  it('holds a worker that answers silence for less than console.lostMs as alive', async () => {
    const f = fixtureControl(MODE.silent);
    const { link, clock } = linkFor(f);
    link.publish(snapshotOf(1));
    await until(() => f.get(SLOT.received) === 1, 'the snapshot');
    clock.advanceMs(LOST_MS - 20);
    expect(link.watch(LOST_MS - 20)).toEqual({ watched: true, lastHeardMs: 0 });
    f.setMode(MODE.ack);
    await until(() => !link.inFlight, 'the late ack');
    expect(link.lost).toBe(false);
    expect(link.restarts).toBe(0);
  });

  it('backs off between restarts, doubling from 250 ms to at most 5 s, and starts again at 250 ms once one has run for RESTART_BACKOFF_RESET_AFTER_MS', async () => {
    const f = fixtureControl(MODE.exit);
    f.everyGeneration(true);
    const { link, clock, timers, log } = linkFor(f);
    const delays: number[] = [];
    for (let loss = 1; loss <= 7; loss++) {
      link.publish(snapshotOf(loss));
      await until(() => link.lost && link.restarts === loss, `loss ${loss}`);
      const due = timers.dueInMs;
      expect(due).toHaveLength(1);
      delays.push(due[0]!);
      timers.advanceMs(due[0]!);
      await until(() => f.get(SLOT.generations) === loss + 1, `restart ${loss}`);
    }
    expect(delays).toEqual([250, 500, 1_000, 2_000, 4_000, RESTART_BACKOFF_MAX_MS, RESTART_BACKOFF_MAX_MS]);
    expect(log.text()).toMatch(/restarting it in 5000 ms/);
    // This worker answers and runs for RESTART_BACKOFF_RESET_AFTER_MS: the next loss restarts
    // after 250 ms again.
    f.setMode(MODE.ack);
    link.publish(snapshotOf(100));
    await until(() => !link.lost, 'the answering worker');
    clock.advanceMs(RESTART_BACKOFF_RESET_AFTER_MS);
    f.setMode(MODE.exit);
    link.publish(snapshotOf(101));
    await until(() => link.restarts === 8, 'the next loss');
    expect(timers.dueInMs).toEqual([RESTART_BACKOFF_MIN_MS]);
  });

  it('stops the worker on console exit and starts no other', async () => {
    const f = fixtureControl();
    const { link, timers } = linkFor(f);
    link.publish(snapshotOf(1));
    await until(() => !link.inFlight, 'the ack');
    await link.stop();
    expect(link.lost).toBe(false);
    expect(timers.pendingCount).toBe(0);
    expect(f.get(SLOT.generations)).toBe(1);
  });
});

describe('ConsoleLink commands', () => {
  const stop = { kind: 'command', command: { type: 'stop' }, origin: 'loopback', client: 'kiosk' };

  it('coalesces repeated presses into one per type and origin, keeps the latest start, counts and logs the merges', async () => {
    const ack = { kind: 'command', command: { type: 'acknowledge' }, origin: 'remote', client: '10.0.0.7' };
    const start = (cycles: number) => ({ kind: 'command', command: { type: 'start', protocol: { cycles, freezeS: 60, thawS: 30 } }, origin: 'loopback', client: 'kiosk' });
    const flood = [stop, ...Array.from({ length: 40 }, () => ack), start(1), stop, start(2)];
    const f = fixtureControl(MODE.ack, flood);
    const { link, log } = linkFor(f);
    await until(() => link.pendingCommands + link.coalescedCommands === flood.length, 'the flood');
    const seen: PendingCommand[] = [];
    expect(link.drainCommands((command, origin, client) => seen.push({ command, origin, client }))).toBe(3);
    expect(seen).toEqual([
      { command: { type: 'stop' }, origin: 'loopback', client: 'kiosk' },
      { command: { type: 'acknowledge' }, origin: 'remote', client: '10.0.0.7' },
      { command: { type: 'start', protocol: { cycles: 2, freezeS: 60, thawS: 30 } }, origin: 'loopback', client: 'kiosk' },
    ]);
    expect(link.coalescedCommands).toBe(flood.length - 3);
    expect(log.text()).toMatch(/console acknowledge from 10\.0\.0\.7 merged with one already waiting for the next tick/);
    expect(link.drainCommands(() => undefined)).toBe(0);
    expect(link.pendingCommands).toBe(0);
  });

  it('never holds more than COMMAND_SLOTS commands, one per type and origin', async () => {
    const types = [{ type: 'start', protocol: { preset: 'standard' } }, { type: 'stop' }, { type: 'acknowledge' }, { type: 'audio-pause' }];
    const every = ['loopback', 'remote'].flatMap((origin) => types.map((command) => ({ kind: 'command', command, origin, client: origin })));
    const f = fixtureControl(MODE.ack, [...every, ...every, ...every]);
    const { link } = linkFor(f);
    await until(() => link.pendingCommands + link.coalescedCommands === 3 * every.length, 'the commands');
    expect(link.pendingCommands).toBe(COMMAND_SLOTS);
    expect(COMMAND_SLOTS).toBe(every.length);
  });

  it('drops an invalid message with a log line, and keeps the valid ones in order', async () => {
    const ack = { kind: 'command', command: { type: 'acknowledge' }, origin: 'remote', client: '10.0.0.7' };
    const f = fixtureControl(MODE.ack, [stop, { kind: 'command', command: { type: 'open-valve' }, origin: 'loopback', client: 'x' }, ack]);
    const { link, log } = linkFor(f);
    await until(() => link.pendingCommands === 2, 'the valid commands');
    expect(log.text()).toMatch(/console worker sent an invalid message: dropped/);
    const seen: string[] = [];
    link.drainCommands((command, origin) => seen.push(`${command.type}/${origin}`));
    expect(seen).toEqual(['stop/loopback', 'acknowledge/remote']);
    expect(link.coalescedCommands).toBe(0);
  });
});
