// A stand-in console worker for the ConsoleLink tests: plain JavaScript in a data: URL (a worker
// needs no TypeScript loader then), driven through a SharedArrayBuffer the test holds. It acks
// every snapshot, until the test tells one generation of it to stall in a busy loop, exit, or stop
// answering; every worker started after that one behaves again (the restart must bring the console
// back). It counts the snapshots it receives, so a test sees how many crossed.
import { Writable } from 'node:stream';
import { createLogger } from '../../kernel/log.js';
import type { Logger } from '../../kernel/log.js';
import type { Snapshot } from '../../src/console/protocol.js';
import { buildSnapshot } from '../../src/console/snapshot.js';
import { DEFAULT_SETTINGS } from '../../src/controller/settings.js';
import type { Settings } from '../../src/controller/settings.js';
import type { ControllerState } from '../../src/controller/state.js';
import { initialState } from '../../src/controller/state.js';
import { runDefaultsOf } from '../../src/runtime/loop.js';
import { SAFE_OUTPUTS } from '../../hal/contract.js';

/** Slots of the shared control array. */
export const SLOT = { generations: 0, mode: 1, received: 2, acked: 3, lastSeq: 4, everyGeneration: 5 } as const;
/** What the misbehaving generation (generation 0, or every one after `everyGeneration`) does on its
 * next snapshot. `silent` holds the ack until the test sets the mode back to `ack` (then it acks
 * the last snapshot it holds). */
export const MODE = { ack: 0, stall: 1, exit: 2, silent: 3 } as const;

const SOURCE = `
import { parentPort, workerData } from 'node:worker_threads';
const control = new Int32Array(workerData.control);
const generation = Atomics.add(control, ${SLOT.generations}, 1);
for (const message of generation === 0 ? workerData.commands ?? [] : []) parentPort.postMessage(message);
parentPort.postMessage({ kind: 'ready', url: 'http://127.0.0.1:0/fixture-' + generation });
parentPort.on('message', (m) => {
  if (m.kind === 'stop') { parentPort.close(); return; }
  if (m.kind !== 'snapshot') return;
  Atomics.add(control, ${SLOT.received}, 1);
  Atomics.store(control, ${SLOT.lastSeq}, m.snapshot.seq);
  const misbehaves = generation === 0 || Atomics.load(control, ${SLOT.everyGeneration}) === 1;
  const mode = misbehaves ? Atomics.load(control, ${SLOT.mode}) : ${MODE.ack};
  const ack = () => {
    Atomics.add(control, ${SLOT.acked}, 1);
    parentPort.postMessage({ kind: 'ack', seq: m.snapshot.seq });
  };
  if (mode === ${MODE.stall}) for (;;) {}
  if (mode === ${MODE.exit}) process.exit(7);
  if (mode === ${MODE.silent}) {
    const wait = Atomics.waitAsync(control, ${SLOT.mode}, ${MODE.silent});
    if (wait.async) void wait.value.then(ack); else ack();
    return;
  }
  ack();
});
`;

export const FIXTURE_WORKER_URL = new URL(`data:text/javascript,${encodeURIComponent(SOURCE)}`);

export interface FixtureControl {
  readonly control: Int32Array;
  readonly workerData: { readonly control: SharedArrayBuffer; readonly commands: readonly unknown[] };
  setMode(mode: number): void;
  /** From now on every generation, not only the first, follows the mode. */
  everyGeneration(on: boolean): void;
  get(slot: number): number;
}

/** A control block for one test: generation 0 starts in `mode`, sending `commands` first. */
export function fixtureControl(mode: number = MODE.ack, commands: readonly unknown[] = []): FixtureControl {
  const buffer = new SharedArrayBuffer(4 * 6);
  const control = new Int32Array(buffer);
  Atomics.store(control, SLOT.mode, mode);
  return {
    control,
    workerData: { control: buffer, commands },
    setMode: (m) => {
      Atomics.store(control, SLOT.mode, m);
      Atomics.notify(control, SLOT.mode);
    },
    everyGeneration: (on) => { Atomics.store(control, SLOT.everyGeneration, on ? 1 : 0); },
    get: (slot) => Atomics.load(control, slot),
  };
}

/** A real snapshot of `state` numbered `seq` (what the loop would publish). */
export function snapshotOf(seq: number, nowMs = 0, state: ControllerState = initialState(0), settings: Settings = DEFAULT_SETTINGS): Snapshot {
  const timing = { p50Ms: 0, p99Ms: 0, p999Ms: 0, maxMs: 0, late: 0, ticks: 0 };
  return buildSnapshot({
    seq,
    nowMs,
    board: 'fixture',
    state,
    settings,
    run: runDefaultsOf(settings),
    readings: null,
    outputs: SAFE_OUTPUTS,
    loop: { rateHz: 50, lateThresholdMs: 5, sinceStart: timing, lastMinute: timing, missed: 0 },
    events: [],
  });
}

/** Waits in real time (polling every millisecond) until `condition` holds; throws after `timeoutMs`. */
export async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** A logger whose lines (JSON) the test reads. */
export function capturingLogger(): { logger: Logger; text: () => string } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger({ destination, pretty: false, level: 'debug' }), text: () => lines.join('') };
}
