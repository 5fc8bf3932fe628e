// Console benchmark (issue 9, section 1): the real `cryo run` on the simulated board at speed 1,
// 50 Hz, through a short freeze, five times in one bench run, one after the other:
// - quiet: --no-web, no load: the baseline the ratios are taken against;
// - page: the product with one page client and no load: the fair CPU and RSS figure of the console;
// - isolated (A, the product): 20 WebSocket clients on the page's socket, a CPU-and-allocation
//   churner in the console worker (bench/console-load.ts) and a CPU hog process;
// - onLoop (B): the same load on the loop's own thread: --no-web, and a console server with the
//   same 20 clients, 10 Hz snapshots and the same churner in the cryo process's main thread;
// - hogOnly: --no-web with the hog alone: what the machine (2 cores here, shared) does to the loop
//   with no console at all, to tell the console's cost from the hog's.
// The loop's own tick-start error comes from the `loop-timing` line `cryo run` logs at exit. The
// runs are stopped by SIGTERM, so they go without --exit-when-done, which --json (and its
// loopTiming) needs; the trips come from the same log (event trip), as the --json summary's
// interlocks do. Each run is stopped by SIGTERM RUN_MS after its first
// tick. A tick's error is at most one period (20 ms): a later tick is counted as missed and timed
// against the next target, so the share of late or missed ticks is reported beside p99.9.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { RealTimeScheduler } from '../kernel/scheduler/index.js';
import { lateOrMissedShare, ratio } from './console-figures.js';
import { ChildSet, runVariant } from './console-run.js';
import type { VariantFigures, VariantSpec } from './console-run.js';

/** The goals. */
export const GOALS = { isolatedP999Ms: 5, rssMb: 80, cpuPercentOfCore: 5 } as const;
/** One short treatment: a 2 s self-test, a 20 s freeze, a 10 s thaw; each run is stopped RUN_MS
 * after its first tick, in the wait for safe to withdraw (five runs in about 3 minutes). */
export const PROTOCOL_FLAGS = ['--cycles', '1', '--freeze-s', '20', '--thaw-s', '10'] as const;
export const RUN_MS = 36_000;
export const LOAD_CLIENTS = 20;
const DEFAULT_CLOCK_TICKS_PER_S = 100;
/** The scheduler alone with empty ticks, in this process before any run: 5 s at 50 Hz. */
const SCHEDULER_PROBE_TICKS = 250;
const RATE_HZ = 50;
const US_PER_MS = 1000;
const LISTEN = ['--listen', '127.0.0.1:0'];

export const VARIANTS: readonly VariantSpec[] = [
  { name: 'quiet', flags: ['--no-web'], load: null, clients: 0, hog: false },
  // The same without the treatment records (issue 10: what the records worker costs the loop).
  { name: 'quietNoRecords', flags: ['--no-web', '--no-records'], load: null, clients: 0, hog: false },
  // With records and telemetry to a broker (issue 10 section 3), against quietNoRecords.
  { name: 'quietTelemetry', flags: ['--no-web'], load: null, clients: 0, hog: false, broker: true },
  { name: 'page', flags: LISTEN, load: null, clients: 1, hog: false },
  { name: 'isolated', flags: LISTEN, load: 'worker', clients: LOAD_CLIENTS, hog: true },
  // The same, with the loop's thread left at ordinary priority (what SCHED_RR buys, or costs).
  { name: 'isolatedNoRt', flags: [...LISTEN, '--no-realtime'], load: 'worker', clients: LOAD_CLIENTS, hog: true },
  { name: 'onLoop', flags: ['--no-web'], load: 'main', clients: LOAD_CLIENTS, hog: true },
  { name: 'hogOnly', flags: ['--no-web'], load: null, clients: 0, hog: true },
];

export interface ConsoleBench {
  protocol: string;
  runs: VariantFigures[];
  /** p99.9 of the load on the loop's thread over the load isolated: what the isolation buys. */
  p999OnLoopOverIsolated: number;
  /** p99.9 isolated under load over the quiet baseline: what the load still costs the loop. */
  p999IsolatedOverQuiet: number;
  /** p99.9 isolated over the hog alone with no console: what the console's load adds to the hog's. */
  p999IsolatedOverHogOnly: number;
  /** Late or missed ticks, as a share of the ticks due, onLoop over isolated (p99.9 saturates at a period). */
  lateOrMissedOnLoopOverIsolated: number;
  /** p99.9 isolated with the loop's thread at ordinary priority over real-time (src/runtime/loop-priority.ts). */
  p999NoRtOverIsolated: number;
  /** Issue 10: the loop's p99.9 with the treatment records written over without them (quiet), and
   * what the records worker adds in RSS (MB, peak) and CPU (% of a core). */
  records: { p999WithOverWithout: number; rssAddedMb: number; cpuAddedPercent: number };
  /** The same with telemetry too (records and MQTT to a broker) over neither. */
  recordsAndTelemetry: { p999WithOverWithout: number; rssAddedMb: number; cpuAddedPercent: number };
  /** CPU % of a core of RealTimeScheduler at 50 Hz with empty ticks: its timer, block and setImmediate finish. */
  schedulerAloneCpuPercent: number;
  goals: {
    isolatedP999: { ms: number | null; goalMs: number; met: boolean };
    isolatedNoLoopOverrun: { trips: string[]; met: boolean };
    rss: { pageMb: number; isolatedMb: number; goalMb: number; met: boolean };
    cpu: { pagePercent: number; quietPercent: number; goalPercent: number; met: boolean };
  };
}

function clockTicksPerS(): number {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isInteger(ticks) && ticks > 0 ? ticks : DEFAULT_CLOCK_TICKS_PER_S;
  } catch {
    return DEFAULT_CLOCK_TICKS_PER_S;
  }
}

function byName(runs: readonly VariantFigures[], name: string): VariantFigures {
  const run = runs.find((r) => r.name === name);
  if (run === undefined) throw new Error(`bench console: no ${name} run`);
  return run;
}

/** What the scheduler costs by itself (the part of the quiet run's CPU that is not the step). */
async function schedulerAloneCpuPercent(): Promise<number> {
  const scheduler = new RealTimeScheduler({ rateHz: RATE_HZ });
  const cpu0 = process.cpuUsage();
  const t0Ms = performance.now();
  await scheduler.run((tick) => tick.index < SCHEDULER_PROBE_TICKS);
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / US_PER_MS;
  return Math.round((1000 * cpuMs) / (performance.now() - t0Ms)) / 10; // % of a core, one decimal
}

export function summarise(runs: VariantFigures[], schedulerAlone: number): ConsoleBench {
  const quiet = byName(runs, 'quiet');
  const page = byName(runs, 'page');
  const isolated = byName(runs, 'isolated');
  const onLoop = byName(runs, 'onLoop');
  const p999 = (r: VariantFigures): number => r.timing?.p999Ms ?? Number.NaN;
  const isolatedMs = isolated.timing?.p999Ms ?? null;
  const lateShare = (r: VariantFigures): number => (r.timing === null ? Number.NaN : lateOrMissedShare(r.timing));
  return {
    protocol: PROTOCOL_FLAGS.join(' '),
    runs,
    p999OnLoopOverIsolated: ratio(p999(onLoop), p999(isolated)),
    p999IsolatedOverQuiet: ratio(p999(isolated), p999(quiet)),
    p999IsolatedOverHogOnly: ratio(p999(isolated), p999(byName(runs, 'hogOnly'))),
    lateOrMissedOnLoopOverIsolated: ratio(lateShare(onLoop), lateShare(isolated)),
    p999NoRtOverIsolated: ratio(p999(byName(runs, 'isolatedNoRt')), p999(isolated)),
    records: {
      p999WithOverWithout: ratio(p999(quiet), p999(byName(runs, 'quietNoRecords'))),
      rssAddedMb: Math.round(10 * (quiet.rssPeakMb - byName(runs, 'quietNoRecords').rssPeakMb)) / 10,
      cpuAddedPercent: Math.round(10 * (quiet.cpuPercentOfCore - byName(runs, 'quietNoRecords').cpuPercentOfCore)) / 10,
    },
    recordsAndTelemetry: {
      p999WithOverWithout: ratio(p999(byName(runs, 'quietTelemetry')), p999(byName(runs, 'quietNoRecords'))),
      rssAddedMb: Math.round(10 * (byName(runs, 'quietTelemetry').rssPeakMb - byName(runs, 'quietNoRecords').rssPeakMb)) / 10,
      cpuAddedPercent: Math.round(10 * (byName(runs, 'quietTelemetry').cpuPercentOfCore - byName(runs, 'quietNoRecords').cpuPercentOfCore)) / 10,
    },
    schedulerAloneCpuPercent: schedulerAlone,
    goals: {
      isolatedP999: { ms: isolatedMs, goalMs: GOALS.isolatedP999Ms, met: isolatedMs !== null && isolatedMs <= GOALS.isolatedP999Ms },
      isolatedNoLoopOverrun: { trips: isolated.trips, met: isolated.timing !== null && !isolated.trips.includes('LOOP_OVERRUN') },
      rss: { pageMb: page.rssPeakMb, isolatedMb: isolated.rssPeakMb, goalMb: GOALS.rssMb, met: page.rssPeakMb <= GOALS.rssMb },
      cpu: { pagePercent: page.cpuPercentOfCore, quietPercent: quiet.cpuPercentOfCore, goalPercent: GOALS.cpuPercentOfCore, met: page.cpuPercentOfCore <= GOALS.cpuPercentOfCore },
    },
  };
}

/** Runs the variants one after the other; `distDir` is the build (dist/). */
export async function benchConsole(distDir = fileURLToPath(new URL('..', import.meta.url))): Promise<ConsoleBench> {
  const children = new ChildSet();
  children.install();
  try {
    const ctx = { children, runMs: RUN_MS, protocol: PROTOCOL_FLAGS, clockTicksPerS: clockTicksPerS(), distDir };
    const schedulerAlone = await schedulerAloneCpuPercent();
    const runs: VariantFigures[] = [];
    for (const spec of VARIANTS) runs.push(await runVariant(spec, ctx));
    return summarise(runs, schedulerAlone);
  } finally {
    children.dispose();
  }
}

const yes = (met: boolean): string => (met ? 'met' : 'NOT met');

/** The text report's lines. */
export function consoleText(b: ConsoleBench): string[] {
  const row = (r: VariantFigures): string => {
    const t = r.timing;
    const timing = t === null ? 'no loop-timing line' : `p50 ${t.p50Ms.toFixed(2)} p99 ${t.p99Ms.toFixed(2)} p99.9 ${t.p999Ms.toFixed(2)} max ${t.maxMs.toFixed(2)} ms, late ${t.late}, missed ${t.missed} of ${t.ticks}`;
    const trips = r.trips.length === 0 ? 'no trip' : `TRIPPED ${r.trips.join(', ')}`;
    const clients = r.clients === null ? '' : `; ${r.clients.connected} clients, ${r.clients.messagesPerClientPerS} msg/s and ${r.clients.kBPerClientPerS} kB/s each`;
    const share = t === null ? '' : ` (${(100 * lateOrMissedShare(t)).toFixed(1)} % late or missed)`;
    return `  ${r.name.padEnd(8)} ${timing}${share}; ${trips}; CPU ${r.cpuPercentOfCore} % of a core, RSS mean ${r.rssMeanMb} MB, peak ${r.rssPeakMb} MB${clients}`;
  };
  const g = b.goals;
  return [
    `console (cryo run, sim board, speed 1, 50 Hz, ${b.protocol}, ${RUN_MS / 1000} s each; quiet = --no-web; page = 1 client; isolated = 20 clients + churner in the worker + hog; onLoop = the same on the loop's thread; hogOnly = --no-web + hog):`,
    ...b.runs.map(row),
    `  p99.9 onLoop / isolated = ${b.p999OnLoopOverIsolated}x; isolated / quiet = ${b.p999IsolatedOverQuiet}x; isolated / hogOnly = ${b.p999IsolatedOverHogOnly}x; late-or-missed share onLoop / isolated = ${b.lateOrMissedOnLoopOverIsolated}x; isolatedNoRt / isolated = ${b.p999NoRtOverIsolated}x`,
    `  treatment records (quiet / quietNoRecords): p99.9 ${b.records.p999WithOverWithout}x, RSS +${b.records.rssAddedMb} MB, CPU +${b.records.cpuAddedPercent} % of a core`,
    `  records and telemetry (quietTelemetry / quietNoRecords): p99.9 ${b.recordsAndTelemetry.p999WithOverWithout}x, RSS +${b.recordsAndTelemetry.rssAddedMb} MB, CPU +${b.recordsAndTelemetry.cpuAddedPercent} % of a core`,
    `  goals: isolated p99.9 ${g.isolatedP999.ms?.toFixed(2) ?? '?'} <= ${g.isolatedP999.goalMs} ms ${yes(g.isolatedP999.met)}; no LOOP_OVERRUN isolated ${yes(g.isolatedNoLoopOverrun.met)}; ` +
      `RSS ${g.rss.pageMb} MB (page) <= ${g.rss.goalMb} MB ${yes(g.rss.met)}; CPU ${g.cpu.pagePercent} % (page; ${g.cpu.quietPercent} % with --no-web) <= ${g.cpu.goalPercent} % ${yes(g.cpu.met)}`,
    // No subtraction: on a loaded machine the probe and the runs see different contention.
    `  CPU: the scheduler alone (empty ticks at 50 Hz: its timer, block and setImmediate finish) ${b.schedulerAloneCpuPercent} % of a core; the quiet run ${g.cpu.quietPercent} %; the page adds ${(g.cpu.pagePercent - g.cpu.quietPercent).toFixed(1)} %`,
  ];
}
