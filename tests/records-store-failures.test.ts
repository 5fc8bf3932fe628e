// A records store that cannot be written, end to end on the simulated board in virtual time
// (issue 10: "A store that cannot be written (locked, read-only, disk full) raises a technical
// alarm; a running treatment ends safely; a new treatment cannot start until records work again.
// Test each."). The control loop, the sim board, the records link and the compiled records worker
// are the real ones; the store is locked by another connection, filled (a quota the worker fixture
// sets, tests/helpers/records-worker-fixture.ts), or unopenable from the start.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../kernel/clock.js';
import { ManualTimers } from '../kernel/timers.js';
import { SimHal } from '../hil/sim/index.js';
import { DEFAULT_SETTINGS, withProtocol } from '../src/controller/settings.js';
import type { ControllerEvent } from '../src/controller/types.js';
import { RecordsStore, recordsPath } from '../src/records/store.js';
import { SCHEMA_VERSION } from '../src/records/migrations.js';
import { ControlLoop } from '../src/runtime/loop.js';
import { RECORDS_STOP_WAIT_MS, RecordsLink } from '../src/runtime/records-link.js';
import { SIM_PROBE_CALIBRATION } from '../src/sim/runner.js';
import { capturingLogger, until } from './helpers/console-fixture.js';
import { MISBEHAVING_RECORDS_WORKER, REAL_RECORDS_WORKER } from './helpers/records-worker-fixture.js';
import { tempDirMaker } from './helpers/temp.js';

/** Two long cycles: a start after a stop mid-cycle 1 is still allowed at this site. */
const SETTINGS = withProtocol(DEFAULT_SETTINGS, { cycles: 2, freezeS: 120, thawS: 20 });
const PERIOD_MS = 1000 / SETTINGS.loop.rateHz;
const OPEN_WAIT_MS = 10_000;
/** Well past the point a failing store shows: a few batches, or the store filling its last page. */
const FAIL_WITHIN_MS = 30_000;
/** The worker retries a failed write every RETRY_MS (1 s, real time); a few tries at most. */
const RECOVER_WITHIN_REAL_MS = 10_000;

const newDir = tempDirMaker('cryo-records-failures-');
const links: RecordsLink[] = [];
const dbs: Database.Database[] = [];
afterEach(async () => {
  for (const db of dbs.splice(0)) if (db.open) db.close();
  await Promise.all(links.splice(0).map((l) => l.stop()));
});

async function simConsole(workerUrl: URL, prepare: (dataDir: string) => void = () => undefined) {
  const dataDir = newDir();
  prepare(dataDir);
  const clock = new VirtualClock(0);
  const timers = new ManualTimers(clock);
  const hal = new SimHal({ clock, seed: 11 });
  const { logger, text } = capturingLogger();
  const link = new RecordsLink(
    {
      workerUrl,
      dataDir,
      clock,
      timers,
      wallNowMs: () => 1_780_000_000_000 + Math.round(clock.nowMs()),
      logger,
      context: { softwareVersion: '0.0.0-test', boardName: 'sim', boardSha256: 'b'.repeat(64), target: null, patientRef: null, operatorId: null, probe: (probeId) => ({ probeId, calibrationId: null, calibrationChecksum: null }) },
    },
    SETTINGS,
  );
  links.push(link);
  const store = { opened: false };
  const ready = link.start(OPEN_WAIT_MS).then((r) => {
    store.opened = true;
    return r;
  });
  await until(() => store.opened || link.watch(clock.nowMs()).failure !== null, 'the store to open or fail');
  // A store that did not open: start-up waits OPEN_WAIT_MS, then the console comes up without it.
  if (!store.opened) timers.advanceMs(OPEN_WAIT_MS);
  await ready;
  const events: ControllerEvent[] = [];
  const outputs: { supplyValveOpen: boolean; safetyValveOpen: boolean }[] = [];
  const loop = new ControlLoop({
    hal,
    settings: SETTINGS,
    logger,
    startMs: clock.nowMs(),
    calibration: SIM_PROBE_CALIBRATION,
    onStep: (nowMs, readings, result) => {
      link.onStep(nowMs, readings, result);
    },
    recordsWatch: (nowMs) => link.watch(nowMs),
  });
  const tick = (): void => {
    timers.advanceMs(PERIOD_MS);
    const result = loop.tick(clock.nowMs());
    events.push(...result.events);
    outputs.push(hal.lastOutputs);
  };
  /** Ticks until `done`; real time waits after each tick for the worker to acknowledge what was
   * posted, or to report a failure. */
  const run = async (done: () => boolean, what: string, maxMs: number): Promise<void> => {
    const endMs = clock.nowMs() + maxMs;
    while (!done()) {
      if (clock.nowMs() > endMs) throw new Error(`${what}: not reached within ${maxMs} ms (phase ${loop.state.phase}); log:\n${text()}`);
      tick();
      await until(() => link.unacknowledged === 0 || link.watch(clock.nowMs()).failure !== null, `the worker (${what})`);
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  const freezingFor = (ms: number) => () => loop.state.phase === 'Freezing' && clock.nowMs() - loop.state.phaseSinceMs >= ms;
  const failure = (): string | null => link.watch(clock.nowMs()).failure;
  const gasOpen = (): boolean => hal.lastOutputs.supplyValveOpen || hal.lastOutputs.safetyValveOpen;
  return { dataDir, clock, timers, link, loop, events, outputs, run, freezingFor, failure, gasOpen, log: text };
}
type SimConsole = Awaited<ReturnType<typeof simConsole>>;

const tripsOf = (events: readonly ControllerEvent[]) => events.flatMap((e) => (e.kind === 'trip' ? [e] : []));

/** Mid-freeze, `fail` makes the store unwritable: RECORDS_UNAVAILABLE names it and the freeze
 * stops; `cure` lets it be written again: the failure clears and a new start freezes. */
async function failAndRecover(c: SimConsole, fail: () => void, cure: () => void, named: RegExp): Promise<void> {
  c.loop.consolePress('start');
  await c.run(c.freezingFor(3_000), 'freezing 3 s', 60_000);
  expect(c.gasOpen()).toBe(true);
  fail();
  await c.run(() => c.loop.state.phase !== 'Freezing', 'the freeze to stop', FAIL_WITHIN_MS);
  const trip = tripsOf(c.events).at(-1);
  expect(trip).toMatchObject({ id: 'RECORDS_UNAVAILABLE' });
  expect(trip?.detail).toMatch(named);
  expect(c.loop.state.phase).toBe('Stopped');
  expect(c.gasOpen()).toBe(false);
  expect(c.log()).toContain('interlock RECORDS_UNAVAILABLE: records store');
  // While it fails, a start is refused and no valve opens.
  c.loop.consolePress('start');
  const before = c.outputs.length;
  await c.run(() => c.outputs.length >= before + 50, 'a second after a refused start', 2_000);
  expect(c.outputs.slice(before).some((o) => o.supplyValveOpen || o.safetyValveOpen)).toBe(false);
  expect(c.failure()).toMatch(named);
  cure();
  await until(() => c.failure() === null, 'the failure to clear', RECOVER_WITHIN_REAL_MS);
  expect(c.log()).toContain('records: writing again');
  c.loop.consolePress('start');
  await c.run(c.freezingFor(2_000), 'a new freeze', 30_000);
  expect(c.gasOpen()).toBe(true);
  await c.link.stop();
  const store = RecordsStore.open(recordsPath(c.dataDir), { readonly: true });
  try {
    expect(store.verify()).toMatchObject({ ok: true });
    const list = store.list();
    // The treatment that failed ended (stopped), the new one is recorded too.
    expect(list.length).toBeGreaterThanOrEqual(2);
    expect(list.at(-1)?.outcome).toBe('stopped');
    expect(list[0]?.outcome).toBe('interrupted');
  } finally {
    store.close();
  }
}

describe('a records store that cannot be written', () => {
  it('locked by another connection mid-freeze: RECORDS_UNAVAILABLE, the freeze stops; unlocked, it clears and a new start freezes', async () => {
    const c = await simConsole(REAL_RECORDS_WORKER);
    let other: Database.Database | null = null;
    await failAndRecover(
      c,
      () => {
        other = new Database(recordsPath(c.dataDir));
        dbs.push(other);
        other.exec('BEGIN EXCLUSIVE');
      },
      () => {
        other?.exec('COMMIT');
        other?.close();
      },
      /^records store locked: .*records\.sqlite: append: .*\(SQLITE_BUSY/,
    );
  });

  it('full mid-freeze: RECORDS_UNAVAILABLE, the freeze stops; given room, it clears and a new start freezes', async () => {
    const c = await simConsole(MISBEHAVING_RECORDS_WORKER);
    const full = join(c.dataDir, 'full');
    await failAndRecover(
      c,
      () => { writeFileSync(full, ''); },
      () => { rmSync(full); },
      /^records store full: .*records\.sqlite: append: .*\(SQLITE_FULL\)/,
    );
  });

  it.each([
    ['is a directory', (dataDir: string) => { mkdirSync(recordsPath(dataDir)); }, /^records store \S+: .*records\.sqlite: open: /],
    [
      'was written by newer software',
      (dataDir: string) => {
        const db = new Database(recordsPath(dataDir));
        db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
        db.close();
      },
      /^records store newer-schema: .*records\.sqlite: the records database is at schema version \d+, newer than/,
    ],
  ])('that %s at start: RECORDS_UNAVAILABLE names why, and a start opens no valve', async (_what, prepare, named) => {
    const c = await simConsole(REAL_RECORDS_WORKER, prepare);
    expect(c.failure()).toMatch(named);
    c.loop.consolePress('start');
    await c.run(() => c.clock.nowMs() >= OPEN_WAIT_MS + 3_000, '3 s after a start', 5_000);
    expect(c.outputs.some((o) => o.supplyValveOpen || o.safetyValveOpen)).toBe(false);
    expect(c.loop.state.phase).not.toBe('Freezing');
    const trip = tripsOf(c.events)[0];
    expect(trip).toMatchObject({ id: 'RECORDS_UNAVAILABLE' });
    expect(trip?.detail).toMatch(named);
    expect(c.log()).toMatch(/interlock RECORDS_UNAVAILABLE: records store \S+: .*records\.sqlite/);
    // Stopping waits RECORDS_STOP_WAIT_MS for the worker, then says what could not be written.
    const stopped = c.link.stop();
    c.timers.advanceMs(RECORDS_STOP_WAIT_MS);
    await stopped;
    expect(c.log()).toMatch(/the worker did not finish within \d+ ms; [1-9]\d* batches may be lost/);
  });
});
