// The restart backoff against a console side that answers once and dies (issue 9 review): a
// request that crashes its server, sent again after every restart, or a fault a few ms after
// start. An ack is no proof of health: only a worker that has run RESTART_BACKOFF_RESET_AFTER_MS
// brings the backoff back to its minimum, so this one is not respawned every 250 ms for ever
// (src/console/link.ts).
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../kernel/clock.js';
import { ManualTimers } from '../kernel/timers.js';
import { ConsoleLink, RESTART_BACKOFF_MAX_MS, RESTART_BACKOFF_MIN_MS, RESTART_BACKOFF_RESET_AFTER_MS } from '../src/console/link.js';
import { capturingLogger, snapshotOf, until } from './helpers/console-fixture.js';

/** Acks its first snapshot and exits on the next (every generation): the test picks how long it
 * was up, in virtual time, between the two. */
const ACK_THEN_DIE = new URL(
  `data:text/javascript,${encodeURIComponent(`
import { parentPort } from 'node:worker_threads';
let acked = false;
parentPort.on('message', (m) => {
  if (m.kind === 'stop') { parentPort.close(); return; }
  if (m.kind !== 'snapshot') return;
  if (acked) process.exit(9);
  acked = true;
  parentPort.postMessage({ kind: 'ack', seq: m.snapshot.seq });
});`)}`,
);

const links: ConsoleLink[] = [];
afterEach(async () => {
  await Promise.all(links.splice(0).map((l) => l.stop()));
});

describe('the console restart backoff', () => {
  it('keeps growing for a worker that acknowledges once and dies, and falls back to the minimum after one that ran long enough', async () => {
    const clock = new VirtualClock(0);
    const timers = new ManualTimers(clock);
    const log = capturingLogger();
    const link = new ConsoleLink({ workerUrl: ACK_THEN_DIE, workerData: {}, clock, timers, lostMs: 2_000, logger: log.logger });
    links.push(link);
    link.start();
    let seq = 0;
    const loseOnce = async (restart: number, upMs: number): Promise<void> => {
      link.publish(snapshotOf(++seq));
      await until(() => link.lastHeardMs !== null && !link.inFlight, `ack ${restart}`);
      clock.advanceMs(upMs);
      link.publish(snapshotOf(++seq));
      await until(() => link.restarts === restart, `loss ${restart}`);
      // The restart: virtual time past the longest backoff, then the new worker's thread.
      timers.advanceMs(RESTART_BACKOFF_MAX_MS);
    };
    for (let restart = 1; restart <= 5; restart++) await loseOnce(restart, 0);
    await loseOnce(6, RESTART_BACKOFF_RESET_AFTER_MS);
    const delays = [...log.text().matchAll(/restarting it in (\d+) ms/g)].map((m) => Number(m[1]));
    expect(delays).toEqual([250, 500, 1_000, 2_000, 4_000, RESTART_BACKOFF_MIN_MS]);
  });
});
