// The loop's side of the treatment records (src/runtime/records-link.ts) with the real, compiled
// records worker, or that worker made to misbehave (tests/helpers/records-worker-fixture.ts): the pure
// step drives a normal patient in virtual time and each step's result is handed to the link, as
// the control loop does; what lands in the store is read back.
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../kernel/clock.js';
import { ManualTimers } from '../kernel/timers.js';
import { DEFAULT_SETTINGS, withProtocol } from '../src/controller/settings.js';
import { initialState } from '../src/controller/state.js';
import type { ControllerState } from '../src/controller/state.js';
import { step } from '../src/controller/step.js';
import type { StepResult } from '../src/controller/step.js';
import type { ControllerEvent } from '../src/controller/types.js';
import { RecordsStore, recordsPath } from '../src/records/store.js';
import type { TreatmentRecord } from '../src/records/types.js';
import { RECORDS_FLUSH_MS, RECORDS_RESTART_MIN_MS, RecordsLink, SAMPLE_BACKLOG_MAX, SAMPLE_PERIOD_MS } from '../src/runtime/records-link.js';
import { capturingLogger, until } from './helpers/console-fixture.js';
import { FIXTURE_EXIT_CODE, MISBEHAVING_RECORDS_WORKER, REAL_RECORDS_WORKER } from './helpers/records-worker-fixture.js';
import { NormalPatient, PERIOD_MS, SHORT_PROTOCOL, gasPathOpen } from './helpers/readings.js';
import { tempDirMaker } from './helpers/temp.js';

const REAL_WORKER = REAL_RECORDS_WORKER;
const MISBEHAVING_WORKER = MISBEHAVING_RECORDS_WORKER;
const SETTINGS = withProtocol(DEFAULT_SETTINGS, SHORT_PROTOCOL);
const LOST_MS = SETTINGS.records.lostMs;
/** The patient presses start here (virtual ms). */
const START_MS = 1_000;
/** The wall clock's epoch ms at virtual 0. */
const WALL_AT_ZERO_MS = 1_780_000_000_000;
const OPEN_WAIT_MS = 10_000;
/** Far longer than a short-protocol treatment (30 s freeze, 20 s thaw, then warming to withdraw). */
const TREATMENT_MAX_MS = 300_000;

const newDir = tempDirMaker('cryo-records-link-');
const links: RecordsLink[] = [];
afterEach(async () => {
  await Promise.all(links.splice(0).map((l) => l.stop()));
});

/** A link on a fresh data dir, fed by the pure step over a normal patient in virtual time. */
async function harness(workerUrl: URL, decorate: (previous: ControllerState, result: StepResult) => StepResult = (_, r) => r) {
  if (!existsSync(REAL_WORKER)) throw new Error(`${REAL_WORKER.pathname} is missing: npm run build first`);
  const dataDir = newDir();
  const clock = new VirtualClock(0);
  const timers = new ManualTimers(clock);
  const { logger, text } = capturingLogger();
  const link = new RecordsLink(
    {
      workerUrl,
      dataDir,
      clock,
      wallNowMs: () => WALL_AT_ZERO_MS + Math.round(clock.nowMs()),
      logger,
      timers,
      context: {
        softwareVersion: '0.0.0-test',
        boardName: 'sim',
        boardSha256: 'a'.repeat(64),
        target: { nerveId: 'sural', side: 'left' },
        patientRef: 'P-0001',
        operatorId: null,
        probe: (probeId) => ({ probeId, calibrationId: null, calibrationChecksum: null }),
      },
    },
    SETTINGS,
  );
  links.push(link);
  const ready = await link.start(OPEN_WAIT_MS);
  const patient = new NormalPatient({ startAtMs: START_MS });
  let state: ControllerState = initialState(0);
  /** Every controller event from the tick that opened the treatment on. */
  const events: ControllerEvent[] = [];
  let opened = false;
  /** A button held for the next step only. */
  let pressed: 'start' | 'newSite' | null = null;
  /** One 50 Hz step, its result handed to the link. */
  const tick = (): void => {
    const nowMs = clock.nowMs() + PERIOD_MS;
    timers.advanceToMs(nowMs);
    const readings = patient.readings(nowMs, state, { records: link.watch(nowMs), ...(pressed === null ? {} : { operator: { [pressed]: true } }) });
    pressed = null;
    const result = decorate(state, step(nowMs, SETTINGS, readings, state));
    state = result.state;
    link.onStep(nowMs, readings, result);
    opened ||= link.treatmentOpen;
    if (opened) events.push(...result.events);
  };
  /** Steps until `done`; with `settle`, real time waits after each step for the worker to
   * acknowledge what was posted (or to fail), so virtual time never outruns the disk. */
  const run = async (done: () => boolean, what: string, settle = true, maxMs = TREATMENT_MAX_MS): Promise<void> => {
    const endMs = clock.nowMs() + maxMs;
    while (!done()) {
      if (clock.nowMs() > endMs) throw new Error(`${what}: not reached within ${maxMs} ms (phase ${state.phase}); log:\n${text()}`);
      tick();
      if (settle) await until(() => link.unacknowledged === 0 || link.watch(clock.nowMs()).failure !== null, `the worker to acknowledge (${what})`);
      // The worker's messages are handled between steps.
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  const freezingFor = (ms: number) => () => state.phase === 'Freezing' && clock.nowMs() - state.phaseSinceMs >= ms;
  const read = (): TreatmentRecord => {
    const store = RecordsStore.open(recordsPath(dataDir), { readonly: true });
    try {
      expect(store.verify()).toMatchObject({ ok: true });
      const record = store.get(1);
      if (record === null) throw new Error(`no treatment 1; log:\n${text()}`);
      return record;
    } finally {
      store.close();
    }
  };
  const read2 = (id: number): TreatmentRecord | null => {
    const store = RecordsStore.open(recordsPath(dataDir), { readonly: true });
    try {
      return store.get(id);
    } finally {
      store.close();
    }
  };
  const press = async (button: 'start' | 'newSite'): Promise<void> => {
    pressed = button;
    await run(() => pressed === null, `${button} pressed`);
  };
  return { dataDir, clock, link, ready, events, run, freezingFor, read, readId: read2, press, log: text, state: () => state };
}

/** The controller events as the record keeps them after its first ('site') event. */
const asRows = (events: readonly ControllerEvent[], startMs: number) => events.map((e) => ({ tMs: e.atMs - startMs, kind: e.kind }));
const rowsOf = (record: TreatmentRecord) => record.events.map((e) => ({ tMs: e.tMs, kind: e.kind }));

/** Sample times step by exactly one period from the first: no gap, no duplicate. */
function expectEvenSamples(record: TreatmentRecord): void {
  const times = record.samples.map((s) => s.tMs);
  expect(times[0]).toBe(0);
  expect(times.slice(1).map((t, i) => t - (times[i] ?? 0)).filter((d) => d !== SAMPLE_PERIOD_MS)).toEqual([]);
}

describe('RecordsLink with the records worker', () => {
  it('records a whole treatment: its cycle, every event, and 10 Hz samples', async () => {
    const h = await harness(REAL_WORKER);
    expect(h.ready).toEqual({ interrupted: [], priorSiteFreezeMs: null });
    let ended = false;
    await h.run(() => (ended ||= h.events.length > 0 && !h.link.treatmentOpen), 'the treatment to end');
    await h.link.stop();
    const record = h.read();
    expect(record.end).toMatchObject({ outcome: 'complete', samplesDropped: 0, endedAtEpochMs: expect.any(Number) as number });
    expect(record.start).toMatchObject({ startedAtEpochMs: WALL_AT_ZERO_MS + START_MS, target: { nerveId: 'sural', side: 'left' }, patientRef: 'P-0001' });
    expect(record.cycles).toEqual([expect.objectContaining({ index: 1, freezeS: SHORT_PROTOCOL.freezeS })]);
    expect(record.cycles[0]!.minTipC).toBeLessThan(-50);
    expect(record.events[0]).toMatchObject({ tMs: 0, kind: 'site', detail: { cumulativeFreezeMsAtStart: 0 } });
    expect(rowsOf(record).slice(1)).toEqual(asRows(h.events, START_MS));
    expectEvenSamples(record);
    const lastTMs = record.samples.at(-1)!.tMs;
    expect(record.samples).toHaveLength(lastTMs / SAMPLE_PERIOD_MS + 1);
    expect(record.end!.endedAtEpochMs - record.start.startedAtEpochMs - lastTMs).toBeLessThan(SAMPLE_PERIOD_MS);
    expect(h.link.samplesDropped).toBe(0);
  });

  it("records each freeze's verdict, from the controller's freeze-verdict event, in its cycle row", async () => {
    // The controller judges each freeze as its supply closes (src/controller/ice-ball-estimate.ts).
    const h = await harness(REAL_WORKER);
    let ended = false;
    await h.run(() => (ended ||= h.events.length > 0 && !h.link.treatmentOpen), 'the treatment to end');
    await h.link.stop();
    const record = h.read();
    const events = h.events.filter((e) => e.kind === 'freeze-verdict');
    expect(events).toHaveLength(1);
    const { cycle, r20MmAtEnd, targetMm, effective } = events[0]!.verdict;
    expect(record.cycles.map((c) => [c.index, c.verdict])).toEqual([[cycle, { r20MmAtEnd, targetMm, effective }]]);
    expect(record.events.filter((e) => e.kind === 'freeze-verdict')).toHaveLength(1);
  });

  it('a worker that exits mid-treatment: named in watch(), restarted, and what it had not acknowledged arrives once, with no gap', async () => {
    const h = await harness(MISBEHAVING_WORKER);
    await h.run(h.freezingFor(5_000), 'freezing 5 s');
    // It commits the next batch and dies before acknowledging it.
    writeFileSync(join(h.dataDir, 'die-at-ack'), '1');
    await h.run(() => h.link.watch(h.clock.nowMs()).failure !== null, 'the worker to exit');
    expect(h.link.watch(h.clock.nowMs()).failure).toBe(`records worker exited with code ${FIXTURE_EXIT_CODE}`);
    expect(gasPathOpen(h.state().outputs)).toBe(true);
    const failedAtMs = h.clock.nowMs();
    await h.run(() => h.link.restarts === 1, 'the restart', true, RECORDS_RESTART_MIN_MS + PERIOD_MS);
    expect(h.clock.nowMs() - failedAtMs).toBeGreaterThanOrEqual(RECORDS_RESTART_MIN_MS);
    // Real time for the new thread to open the store and commit what it was sent again.
    await until(() => h.link.unacknowledged === 0, 'the restarted worker to catch up');
    expect(h.link.watch(h.clock.nowMs()).failure).toBeNull();
    let ended = false;
    await h.run(() => (ended ||= !h.link.treatmentOpen), 'the treatment to end');
    await h.link.stop();
    const record = h.read();
    expectEvenSamples(record);
    expect(rowsOf(record).slice(1)).toEqual(asRows(h.events, START_MS));
    // The freeze was stopped while the worker was down (RECORDS_UNAVAILABLE).
    expect(h.events).toContainEqual(expect.objectContaining({ kind: 'trip', id: 'RECORDS_UNAVAILABLE', detail: `records worker exited with code ${FIXTURE_EXIT_CODE}` }));
    expect(record.end).toMatchObject({ outcome: 'stopped', samplesDropped: 0 });
    expect(h.log()).toContain('restarting the records worker');
  });

  it('a worker that exits after committing an end it did not acknowledge: the end sent again is not written twice, and the next treatment begins', async () => {
    const h = await harness(MISBEHAVING_WORKER);
    writeFileSync(join(h.dataDir, 'die-after-end'), '');
    let ended = false;
    await h.run(() => (ended ||= h.events.length > 0 && !h.link.treatmentOpen), 'the treatment to end');
    await h.run(() => h.link.restarts === 1, 'the worker to exit and be restarted', true, RECORDS_RESTART_MIN_MS + LOST_MS);
    expect(h.log()).toContain(`records worker exited with code ${FIXTURE_EXIT_CODE}`);
    await until(() => h.link.unacknowledged === 0, 'the restarted worker to catch up');
    await h.run(() => h.link.watch(h.clock.nowMs()).failure === null, 'the failure to clear', true, LOST_MS);
    // One cycle was given at this site: a new site, then start.
    await h.press('newSite');
    await h.press('start');
    await h.run(h.freezingFor(2_000), 'a second treatment freezing');
    await h.link.stop();
    expect(h.read().end).toMatchObject({ outcome: 'complete' });
    expect(h.readId(2)?.end).toMatchObject({ outcome: 'interrupted' });
    expect(h.readId(3)).toBeNull();
  });

  it('a worker that stops acknowledging: its silence shows in watch().lastHeardMs, RECORDS_UNAVAILABLE trips; past the backlog samples are dropped and counted, never events', async () => {
    const h = await harness(MISBEHAVING_WORKER);
    await h.run(h.freezingFor(5_000), 'freezing 5 s');
    writeFileSync(join(h.dataDir, 'mute'), '');
    const mutedAtMs = h.clock.nowMs();
    await h.run(() => h.state().phase !== 'Freezing', 'the freeze to stop', false, LOST_MS + 1_000);
    const heard = h.link.watch(h.clock.nowMs()).lastHeardMs!;
    // Silent since the first batch after the mute was posted.
    expect(heard).toBeLessThanOrEqual(mutedAtMs + RECORDS_FLUSH_MS);
    expect(h.clock.nowMs() - heard).toBeGreaterThan(LOST_MS);
    expect(h.link.watch(h.clock.nowMs()).failure).toBeNull();
    expect(h.events.find((e) => e.kind === 'trip')).toMatchObject({ id: 'RECORDS_UNAVAILABLE', detail: expect.stringMatching(/^records side silent for \d+ ms/) as string });
    expect(gasPathOpen(h.state().outputs)).toBe(false);
    // Silent on: the samples held reach SAMPLE_BACKLOG_MAX (15 s) and the next are dropped.
    await h.run(() => h.link.samplesDropped >= 10, 'samples dropped', false, (SAMPLE_BACKLOG_MAX + 20) * SAMPLE_PERIOD_MS);
    expect(h.clock.nowMs() - mutedAtMs).toBeGreaterThanOrEqual(SAMPLE_BACKLOG_MAX * SAMPLE_PERIOD_MS - 2 * RECORDS_FLUSH_MS);
    rmSync(join(h.dataDir, 'mute'));
    await h.run(() => h.link.unacknowledged === 0 && h.link.watch(h.clock.nowMs()).lastHeardMs === h.clock.nowMs(), 'the worker heard again', true, LOST_MS);
    const dropped = h.link.samplesDropped;
    let ended = false;
    await h.run(() => (ended ||= !h.link.treatmentOpen), 'the treatment to end');
    const firstEvents = [...h.events];
    // The next treatment counts its own drops (none).
    await h.press('newSite');
    await h.press('start');
    await h.run(h.freezingFor(2_000), 'a second treatment freezing');
    await h.link.stop();
    expect(h.readId(2)?.end).toMatchObject({ outcome: 'interrupted', samplesDropped: 0 });
    const record = h.read();
    expect(rowsOf(record).slice(1)).toEqual(asRows(firstEvents, START_MS));
    expect(record.end).toMatchObject({ samplesDropped: dropped });
    // The dropped samples leave one gap (from the backlog full to the ack), and kept and dropped
    // make every period: nothing else is missing, nothing doubled.
    const steps = record.samples.slice(1).map((s, i) => s.tMs - record.samples[i]!.tMs);
    expect(steps.filter((d) => d !== SAMPLE_PERIOD_MS)).toEqual([(dropped + 1) * SAMPLE_PERIOD_MS]);
    expect(record.samples.length + dropped).toBe(record.samples.at(-1)!.tMs / SAMPLE_PERIOD_MS + 1);
  });

  it('stop() ends an open treatment as interrupted and returns once it is committed', async () => {
    const h = await harness(REAL_WORKER);
    await h.run(h.freezingFor(3_000), 'freezing 3 s');
    const lastTMs = Math.floor((h.clock.nowMs() - START_MS) / SAMPLE_PERIOD_MS) * SAMPLE_PERIOD_MS;
    await h.link.stop();
    const record = h.read();
    expect(record.end).toMatchObject({ outcome: 'interrupted', endedAtEpochMs: WALL_AT_ZERO_MS + h.clock.nowMs() });
    expect(record.samples.at(-1)!.tMs).toBe(lastTMs);
    expectEvenSamples(record);
    expect(rowsOf(record).slice(1)).toEqual(asRows(h.events, START_MS));
  });
});
