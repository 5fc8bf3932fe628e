// Loop timing bench: RealTimeScheduler against a plain setInterval, measured the same way, one
// after the other in one process (running them together would make each disturb the other).
// Error = |actual start - ideal start|, ideal = t0 + k * period on process.hrtime.bigint(), the
// figure domain.md section 7 reports. Run alone: `npx tsx bench/loop.ts [durationMs]`.

import { pathToFileURL } from 'node:url';
import { RealTimeScheduler } from '../kernel/scheduler/index.js';

export interface LoopFigures {
  ticks: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Ticks whose error exceeded lateThresholdMs. */
  late: number;
}

export interface BenchLoopOptions {
  rateHz: number;
  durationMs: number;
  lateThresholdMs: number;
}

const MS_PER_S = 1000;
const NS_PER_MS = 1e6;
/** Headroom over the ideal tick count, for a tick landing exactly on the end of the run. */
const SPARE_TICKS = 2;
const DEFAULT_BENCH = { rateHz: 50, durationMs: 10_000, lateThresholdMs: 5 } as const;

/** Tick-start errors collected without allocating: a preallocated buffer and a fill count. */
interface ErrorLog {
  readonly errorsMs: Float64Array;
  count: number;
}

function newErrorLog(opts: BenchLoopOptions): ErrorLog {
  const capacity = Math.ceil((opts.durationMs * opts.rateHz) / MS_PER_S) + SPARE_TICKS;
  return { errorsMs: new Float64Array(capacity), count: 0 };
}

function elapsedMs(t0Ns: bigint): number {
  return Number(process.hrtime.bigint() - t0Ns) / NS_PER_MS;
}

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil(fraction * sorted.length) - 1;
  return sorted[Math.min(Math.max(rank, 0), sorted.length - 1)] ?? 0;
}

function figures(log: ErrorLog, lateThresholdMs: number): LoopFigures {
  const sorted = log.errorsMs.slice(0, log.count).sort();
  let late = 0;
  for (const errorMs of sorted) if (errorMs > lateThresholdMs) late += 1;
  return {
    ticks: log.count,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    maxMs: percentile(sorted, 1),
    late,
  };
}

async function benchScheduler(opts: BenchLoopOptions): Promise<LoopFigures> {
  const log = newErrorLog(opts);
  const periodMs = MS_PER_S / opts.rateHz;
  const scheduler = new RealTimeScheduler({ rateHz: opts.rateHz, lateThresholdMs: opts.lateThresholdMs });
  const t0Ns = process.hrtime.bigint();
  // The scheduler's tick 0 targets the moment run() is called, so its ideal time k is t0 + k * period.
  await scheduler.run((tick) => {
    const nowMs = elapsedMs(t0Ns);
    if (nowMs >= opts.durationMs || log.count >= log.errorsMs.length) return false;
    log.errorsMs[log.count] = Math.abs(nowMs - tick.index * periodMs);
    log.count += 1;
    return true;
  });
  return figures(log, opts.lateThresholdMs);
}

function benchSetInterval(opts: BenchLoopOptions): Promise<LoopFigures> {
  const log = newErrorLog(opts);
  const periodMs = MS_PER_S / opts.rateHz;
  return new Promise((resolve) => {
    const t0Ns = process.hrtime.bigint();
    let callbacks = 0;
    const interval = setInterval(() => {
      // setInterval's first call is one period after it is set up, so call k (from 0) is due at t0 + (k + 1) * period.
      callbacks += 1;
      const nowMs = elapsedMs(t0Ns);
      if (nowMs >= opts.durationMs || log.count >= log.errorsMs.length) {
        clearInterval(interval);
        resolve(figures(log, opts.lateThresholdMs));
        return;
      }
      log.errorsMs[log.count] = Math.abs(nowMs - callbacks * periodMs);
      log.count += 1;
    }, periodMs);
  });
}

/** Runs the scheduler, then setInterval, each for `durationMs`, and reports their start-time errors. */
export async function benchLoop(opts: BenchLoopOptions): Promise<{ scheduler: LoopFigures; setInterval: LoopFigures }> {
  const scheduler = await benchScheduler(opts);
  const interval = await benchSetInterval(opts);
  return { scheduler, setInterval: interval };
}

function durationFromArgs(argv: readonly string[]): number {
  const arg = argv[2];
  if (arg === undefined) return DEFAULT_BENCH.durationMs;
  const durationMs = Number(arg);
  if (!Number.isFinite(durationMs) || durationMs <= 0) {
    throw new RangeError(`bench/loop.ts: durationMs argument "${arg}" must be a positive number of ms`);
  }
  return durationMs;
}

const entryPath = process.argv[1];
if (entryPath !== undefined && import.meta.url === pathToFileURL(entryPath).href) {
  const result = await benchLoop({ ...DEFAULT_BENCH, durationMs: durationFromArgs(process.argv) });
  console.log(JSON.stringify(result, null, 2));
}
