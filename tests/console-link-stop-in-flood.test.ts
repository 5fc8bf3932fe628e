// A flood of harmless commands cannot push out a stop (issue 9 review): an authenticated remote
// client (or any local process) floods acknowledge; the kiosk presses STOP in the same tick, after
// the worker has already told it 'accepted'. The link coalesces the flood into one waiting
// acknowledge, so the stop reaches the loop at the next tick (src/console/link.ts).
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../kernel/clock.js';
import { ManualTimers } from '../kernel/timers.js';
import { COMMAND_SLOTS, ConsoleLink } from '../src/console/link.js';
import { FIXTURE_WORKER_URL, MODE, capturingLogger, fixtureControl, until } from './helpers/console-fixture.js';

/** Far more acknowledges than the link holds slots: the old bounded queue (32) dropped the rest. */
const FLOOD = 10 * COMMAND_SLOTS + 100;

const links: ConsoleLink[] = [];
afterEach(async () => {
  await Promise.all(links.splice(0).map((l) => l.stop()));
});

describe('a flood of console commands', () => {
  it("does not drop the kiosk's stop sent behind hundreds of acknowledges from another client", async () => {
    const ack = { kind: 'command', command: { type: 'acknowledge' }, origin: 'remote', client: '10.0.0.9:5000#1' };
    const stop = { kind: 'command', command: { type: 'stop' }, origin: 'loopback', client: '127.0.0.1:4000#2' };
    const f = fixtureControl(MODE.ack, [...Array.from({ length: FLOOD }, () => ack), stop]);
    const clock = new VirtualClock(0);
    const { logger } = capturingLogger();
    const link = new ConsoleLink({ workerUrl: FIXTURE_WORKER_URL, workerData: f.workerData, clock, timers: new ManualTimers(clock), lostMs: 2_000, logger });
    links.push(link);
    link.start();
    await until(() => link.pendingCommands + link.coalescedCommands === FLOOD + 1, 'the flood');
    const seen: string[] = [];
    link.drainCommands((command, origin) => seen.push(`${command.type}/${origin}`));
    expect(seen).toEqual(['acknowledge/remote', 'stop/loopback']);
    expect(link.coalescedCommands).toBe(FLOOD - 1);
  });
});
