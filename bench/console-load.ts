// Load for the console benchmark (bench/console.ts), injected into the real `cryo run` as a
// preload: `node --import dist/bench/console-load.js dist/src/cli/main.js run ...`. A preload
// runs in the main thread and, as workers inherit execArgv, again in every worker thread, so
// the production code carries no bench hook. CRYO_BENCH_LOAD chooses what it does:
// - `worker` (variant A, the product): a CPU-and-allocation churner in the console worker only;
// - `main` (variant B): the same churner plus a console server of its own, fed snapshots at the
//   publish rate, both in the main thread, the loop's own thread (run with --no-web);
// - unset: nothing (the preload is not even given then).
// Only node:worker_threads is imported up front: variant B's modules (server, snapshot, settings)
// are imported where they are used, so that in variant A they take no memory in the process the
// bench measures.
import { isMainThread, workerData } from 'node:worker_threads';
import type { Readings } from '../hal/contract.js';
import { runDefaultsOf } from '../src/runtime/loop.js';

export const LOAD_ENV = 'CRYO_BENCH_LOAD';
export type LoadPlace = 'worker' | 'main';

/** The churner: every CHURN_PERIOD_MS, CHURN_BUSY_MS of allocation and serialisation (30 % of a
 * core), replacing entries of a retained ring so that garbage reaches the old generation and
 * major collections happen too, as in a server holding client state. */
export const CHURN_PERIOD_MS = 10;
export const CHURN_BUSY_MS = 3;
const CHURN_RETAINED = 20_000;
const CHURN_BATCH = 64;
/** The server line the bench waits for, shaped as the console worker's own (`console: serving`). */
export const SERVING_MSG = 'console: serving';
/** Variant B's fake tip: a freeze-like sweep, so every publish carries changed fields as a real one does. */
const TIP_START_C = 20;
const TIP_SWEEP_C = 80;
const TIP_SWEEP_PERIODS = 600;
const SUPPLY_BAR_GAUGE = 56;
const CHANNEL_TEMP_C = 25;
const RETURN_BAR_ABS = 1.8;
const RATE_HZ = 50;
const LATE_THRESHOLD_MS = 5;

/** Starts the churner; returns its stop. Its timer is unref'd: it never keeps a thread alive. */
export function startChurner(): () => void {
  const retained: unknown[] = new Array<unknown>(CHURN_RETAINED).fill(null);
  let next = 0;
  let sink = 0;
  const timer = setInterval(() => {
    const endMs = performance.now() + CHURN_BUSY_MS;
    while (performance.now() < endMs) {
      for (let i = 0; i < CHURN_BATCH; i++) {
        const entry = { id: next, name: `client-${next}`, values: [next, next * 2, next * 3], at: performance.now() };
        sink += JSON.stringify(entry).length;
        retained[next % CHURN_RETAINED] = entry;
        next += 1;
      }
    }
  }, CHURN_PERIOD_MS);
  timer.unref();
  return () => {
    clearInterval(timer);
    if (sink < 0) throw new Error('unreachable: keeps the serialisation from being optimised away');
  };
}

function fakeReadings(nowMs: number, tipC: number): Readings {
  return {
    tips: [{ tipC, coldJunctionC: CHANNEL_TEMP_C, fault: null, atMs: nowMs }],
    supply: { barGauge: SUPPLY_BAR_GAUGE, atMs: nowMs },
    returnLine: { barAbs: RETURN_BAR_ABS, atMs: nowMs },
    probe: { present: true, id: 'SIM-PROBE-001', atMs: nowMs },
    operator: { start: false, stop: false, acknowledge: false, audioPause: false, newSite: false, footswitch: false, estop: false, atMs: nowMs },
    halFault: null,
  };
}

/** Variant B: a console server in this (the loop's) thread, fed a snapshot every SNAPSHOT_PERIOD_MS,
 * built by the same buildSnapshot the loop uses. Closed on SIGTERM, which the bench sends once
 * the run has logged its timing (the console's own handler puts the outputs safe first). */
async function serveOnThisThread(dataDir: string): Promise<void> {
  const [{ SAFE_OUTPUTS }, { LoopTiming }, { DEFAULT_SETTINGS }, { initialState }, { SNAPSHOT_PERIOD_MS }, { startConsoleServer }, { buildSnapshot, loopHealth }] =
    await Promise.all([
      import('../hal/contract.js'),
      import('../kernel/loop-timing.js'),
      import('../src/controller/settings.js'),
      import('../src/controller/state.js'),
      import('../src/console/protocol.js'),
      import('../src/console/server/index.js'),
      import('../src/console/snapshot.js'),
    ]);
  const log = (level: string, msg: string, fields: Record<string, unknown> = {}): void => {
    if (level !== 'info' || msg === SERVING_MSG) process.stderr.write(`${JSON.stringify({ ...fields, thread: 'bench-main', level, msg })}\n`);
  };
  const server = await startConsoleServer({ host: '127.0.0.1', port: 0, dataDir, log, onCommand: () => undefined });
  const timing = new LoopTiming(LATE_THRESHOLD_MS);
  const state = initialState(0);
  const t0Ms = performance.now();
  let seq = 0;
  const feed = setInterval(() => {
    seq += 1;
    const nowMs = performance.now() - t0Ms;
    timing.record(nowMs, (seq % 7) / 10, 0);
    const tipC = TIP_START_C - TIP_SWEEP_C * ((seq % TIP_SWEEP_PERIODS) / TIP_SWEEP_PERIODS);
    server.publish(
      buildSnapshot({
        seq,
        nowMs,
        board: 'sim',
        state,
        settings: DEFAULT_SETTINGS,
        run: runDefaultsOf(DEFAULT_SETTINGS),
        readings: fakeReadings(nowMs, tipC),
        outputs: SAFE_OUTPUTS,
        loop: loopHealth(timing.summary(nowMs), RATE_HZ, LATE_THRESHOLD_MS),
        events: [],
      }),
    );
  }, SNAPSHOT_PERIOD_MS);
  feed.unref();
  const stopChurner = startChurner();
  process.once('SIGTERM', () => {
    clearInterval(feed);
    stopChurner();
    void server.close();
  });
}

/** The console worker's data (src/console/worker.ts ConsoleWorkerDataSchema; that module is not
 * imported here: importing it starts a worker's main). */
function isConsoleWorker(data: unknown): boolean {
  return typeof data === 'object' && data !== null && 'host' in data && 'port' in data && 'dataDir' in data;
}

const place = process.env[LOAD_ENV];
if (place === 'worker' && !isMainThread && isConsoleWorker(workerData)) {
  startChurner();
} else if (place === 'main' && isMainThread) {
  const dataDir = process.env.CRYO_DATA_DIR;
  if (dataDir === undefined) throw new Error(`${LOAD_ENV}=main: CRYO_DATA_DIR must name the run's private data directory (the server keeps its token there)`);
  serveOnThisThread(dataDir).catch((err: unknown) => {
    process.stderr.write(`${JSON.stringify({ level: 'error', msg: `bench load: ${(err as Error).message}` })}\n`);
    process.exitCode = 1;
  });
}
