// The loop's side of the telemetry (src/runtime/telemetry-link.ts) against fixture workers: it is
// bounded (a worker that never acknowledges costs dropped telemetry, counted, and never more than
// one frame in flight), keeps every event until acknowledged, and turns the network's commands
// into remote presses at the start of a tick, recording each and refusing start.
import { AlarmLog } from '../src/runtime/alarm-log.js';
import { afterEach, describe, expect, it } from 'vitest';
import { SAFE_OUTPUTS } from '../hal/contract.js';
import { LoopTiming } from '../kernel/loop-timing.js';
import { silentLogger } from '../kernel/log.js';
import { VirtualClock } from '../kernel/clock.js';
import { ManualTimers } from '../kernel/timers.js';
import type { PublishedLoop } from '../src/console/publisher.js';
import { DEFAULT_SETTINGS } from '../src/controller/settings.js';
import { initialState } from '../src/controller/state.js';
import type { StepResult } from '../src/controller/step.js';
import { TELEMETRY_RESTART_MIN_MS, TelemetryLink } from '../src/runtime/telemetry-link.js';
import type { TelemetryWorkerData } from '../src/telemetry/protocol.js';
import { runDefaultsOf } from '../src/runtime/loop.js';

/** A worker that counts what it receives, acknowledges frames and records only when told to
 * (workerData.ack), sends the messages in workerData.send at start, reports its counts at stop, and
 * with workerData.dieOnRecord, exits at its first record (the first worker started only). */
const SOURCE = `
import { parentPort, workerData } from 'node:worker_threads';
const counts = { frames: 0, records: 0, recordIds: [] };
const generation = workerData.shared ? Atomics.add(new Int32Array(workerData.shared), 0, 1) : 0;
for (const m of workerData.send ?? []) parentPort.postMessage(m);
parentPort.on('message', (m) => {
  if (m.kind === 'frame') { counts.frames++; if (workerData.ack) parentPort.postMessage({ kind: 'frame-ack', seq: m.seq }); }
  if (m.kind === 'record' && workerData.dieOnRecord && generation === 0) process.exit(1);
  if (m.kind === 'record') { counts.records++; counts.recordIds.push(m.id); if (workerData.ack) parentPort.postMessage({ kind: 'record-ack', id: m.id }); }
  if (m.kind === 'stop') { parentPort.postMessage({ kind: 'failed', message: JSON.stringify(counts) }); parentPort.postMessage({ kind: 'stopped' }); parentPort.close(); }
});
`;
const FIXTURE = new URL(`data:text/javascript,${encodeURIComponent(SOURCE)}`);

const links: TelemetryLink[] = [];
afterEach(async () => {
  for (const l of links.splice(0)) await l.stop();
});

function harness(fixture: { ack: boolean; send?: unknown[]; dieOnRecord?: boolean; shared?: SharedArrayBuffer }, timers?: ManualTimers) {
  const errors: string[] = [];
  const logger = { ...silentLogger(), error: (a: unknown, b?: unknown) => { errors.push(String(typeof a === 'string' ? a : b)); } } as unknown as ReturnType<typeof silentLogger>;
  const recorded: { kind: string; detail: Readonly<Record<string, unknown>> }[] = [];
  const alarmLog = new AlarmLog();
  let wallMs = 0;
  const link = new TelemetryLink({
    workerUrl: FIXTURE,
    workerData: fixture as unknown as TelemetryWorkerData,
    clock: { nowMs: () => wallMs },
    wallNowMs: () => 1_796_000_000_000 + wallMs,
    rateHz: 10,
    board: 'sim',
    loopRateHz: 50,
    lateThresholdMs: 5,
    logger,
    recordEvent: (_nowMs, kind, detail) => recorded.push({ kind, detail }),
    onStartRefused: (nowMs, from, reason) => {
      alarmLog.recordRemoteStartRefused(nowMs, from, reason);
    },
    ...(timers === undefined ? {} : { timers }),
  });
  links.push(link);
  const presses: string[] = [];
  const loop: PublishedLoop = { state: initialState(0), settings: DEFAULT_SETTINGS, runDefaults: runDefaultsOf(DEFAULT_SETTINGS), lastOutputs: SAFE_OUTPUTS, consolePress: (p) => presses.push(p), setProtocol: () => null, nerveRefusal: () => null, useNerve: () => undefined };
  const timing = new LoopTiming(5);
  const period = (): void => {
    link.beginPeriod(loop, wallMs);
    link.endPeriod(wallMs, wallMs, loop, null, () => timing.summary(wallMs));
    wallMs += 20;
  };
  const reported = (): { frames: number; records: number; recordIds: number[] } => {
    const report = errors.find((e) => e.includes('frames')) ?? '';
    return JSON.parse(report.slice(report.indexOf('{'))) as { frames: number; records: number; recordIds: number[] };
  };
  return { link, loop, presses, recorded, errors, period, reported, alarmLog };
}

const tripEvent = (atMs: number): StepResult => ({ events: [{ kind: 'input', atMs, input: 'stop' }] }) as unknown as StepResult;

describe('TelemetryLink', () => {
  it('drops telemetry (counted), never queues it, when the worker does not acknowledge; events are all kept', async () => {
    const h = harness({ ack: false });
    h.link.start();
    // 10 s of 50 Hz periods: 100 telemetry frames due at 10 Hz.
    for (let i = 0; i < 500; i++) {
      if (i % 50 === 0) h.link.onStep(tripEvent(i * 20));
      h.period();
    }
    // One in flight (never acknowledged), one held back; the other 98 dropped.
    expect(h.link.droppedFrames).toBe(98);
    expect(h.link.pendingRecords).toBe(10);
    await h.link.stop();
    const counts = h.reported();
    expect(counts.frames).toBe(1);
    expect(counts.records).toBe(10);
  });

  it('drops nothing when the worker keeps up', async () => {
    const h = harness({ ack: true });
    h.link.start();
    // Each frame acknowledged before the next is due: 100 frames, none dropped.
    for (let i = 0; i < 500; i++) {
      h.period();
      await expect.poll(() => h.link.framesInFlight, { interval: 1 }).toBe(0);
    }
    expect(h.link.droppedFrames).toBe(0);
    // 10 s of wall time at 10 Hz.
    await h.link.stop();
    expect(h.reported().frames).toBe(100);
  });

  it('sends the events a lost worker had not acknowledged to the next one, in order', async () => {
    const clock = new VirtualClock();
    const timers = new ManualTimers(clock);
    const h = harness({ ack: true, dieOnRecord: true, shared: new SharedArrayBuffer(4) }, timers);
    h.link.start();
    for (let i = 0; i < 3; i++) h.link.onStep(tripEvent(i));
    await expect.poll(() => h.link.restarts).toBe(1);
    expect(h.link.pendingRecords).toBe(3);
    h.link.onStep(tripEvent(3));
    timers.advanceMs(TELEMETRY_RESTART_MIN_MS);
    await expect.poll(() => h.link.pendingRecords).toBe(0);
    await h.link.stop();
    expect(h.reported().recordIds).toEqual([1, 2, 3, 4]);
  });

  it('presses stop and acknowledge from the network as remote presses, records them, and refuses start', async () => {
    const h = harness({
      ack: true,
      send: [
        { kind: 'command', command: 'stop', from: 'NCMD t' },
        { kind: 'refused', command: 'start', from: 'NCMD t', reason: 'start is never accepted over the network' },
        { kind: 'command', command: 'acknowledge', from: 'NCMD t' },
      ],
    });
    h.link.start();
    await expect.poll(() => {
      h.period();
      return h.recorded.length;
    }).toBe(3);
    expect(h.presses.sort()).toEqual(['acknowledge', 'stop']);
    expect(h.recorded.map((r) => r.kind).sort()).toEqual(['refused', 'remote-command', 'remote-command']);
    expect(h.recorded.find((r) => r.kind === 'refused')?.detail).toMatchObject({ input: 'start', via: 'mqtt' });
    // The refused start is in the run's alarm log too (issue 10: refused, logged, in the alarm log).
    expect(h.alarmLog.entries()).toEqual([expect.objectContaining({ kind: 'remote-start-refused', from: 'mqtt NCMD t', reason: 'start is never accepted over the network' })]);
    // Each outcome is also published as an event.
    expect(h.link.pendingRecords).toBe(3);
  });
});
