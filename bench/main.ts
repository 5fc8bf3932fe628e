// `npm run bench [-- --json] [-- --only NAME]`: loop timing (scheduler against setInterval, same
// run), simulation throughput, serial decoding, the emulated Uno, and the console (the real
// `cryo run` with its page under load, against the same load on the loop's thread: bench/console.ts,
// about 3 minutes), and the treatment records store (bench/records.ts). `--only console` (or loop,
// sim, serial, uno, records) runs one of them. Figures are
// machine-dependent: compare the ratios, not the raw numbers.
import { benchConsole, consoleText } from './console.js';
import type { ConsoleBench } from './console.js';
import { benchLoop } from './loop.js';
import { benchRecords } from './records.js';
import { benchSerial } from './serial.js';
import { benchIceBallCost, benchInvariantCost, benchSim } from './sim.js';
import { benchQuietTick } from './sim-alloc.js';
import { DEFAULT_SETTINGS, PRESETS, withProtocol } from '../src/controller/settings.js';
import { benchUno } from './uno.js';

const LOOP = { rateHz: 50, durationMs: 10_000, lateThresholdMs: 5 } as const;
const NAMES = ['loop', 'sim', 'serial', 'uno', 'records', 'console'] as const;
type BenchName = (typeof NAMES)[number];

function onlyFromArgs(argv: readonly string[]): BenchName | null {
  const at = argv.indexOf('--only');
  if (at < 0) return null;
  const name = argv[at + 1];
  const known = NAMES.find((n) => n === name);
  if (known === undefined) throw new RangeError(`bench: --only "${name ?? ''}": expected one of ${NAMES.join(', ')}`);
  return known;
}

const json = process.argv.includes('--json');
const only = onlyFromArgs(process.argv);
const wanted = (name: BenchName): boolean => only === null || only === name;
const lines: string[] = [];
const result: Record<string, unknown> = {};

// The loop first, on a fresh heap: the other benchmarks allocate, and their garbage collection
// would land in the loop's measurement.
if (wanted('loop')) {
  const loop = await benchLoop(LOOP);
  const p99Ratio = loop.scheduler.p99Ms > 0 ? loop.setInterval.p99Ms / loop.scheduler.p99Ms : Number.POSITIVE_INFINITY;
  result.loop = { ...loop, rateHz: LOOP.rateHz, durationMs: LOOP.durationMs, setIntervalP99OverSchedulerP99: Number(p99Ratio.toFixed(1)) };
  const f = (x: { p50Ms: number; p99Ms: number; maxMs: number; late: number }): string =>
    `p50 ${x.p50Ms.toFixed(3)} ms, p99 ${x.p99Ms.toFixed(3)} ms, max ${x.maxMs.toFixed(3)} ms, late ${x.late}`;
  lines.push(
    `loop ${LOOP.rateHz} Hz for ${LOOP.durationMs / 1000} s:`,
    `  scheduler   ${f(loop.scheduler)}`,
    `  setInterval ${f(loop.setInterval)}`,
    `  setInterval p99 / scheduler p99 = ${p99Ratio.toFixed(1)}x`,
  );
}
if (wanted('sim')) {
  const sim = benchSim();
  const invariantCheck = benchInvariantCost();
  const quietTick = benchQuietTick(withProtocol(DEFAULT_SETTINGS, PRESETS.standard));
  result.sim = sim;
  result.invariantCheck = invariantCheck;
  result.quietTick = quietTick;
  const iceBall = benchIceBallCost();
  result.iceBallEstimate = iceBall;
  lines.push(
    `sim standard preset, tissue model and estimate on: ${sim.simulatedS} s simulated in ${sim.wallMs} ms (median of ${sim.runs}): ${sim.speedup}x real time (goal ${sim.goalSpeedup}x), ${sim.usPerTick} us a tick; ${sim.cpuSpeedup}x per CPU second`,
    `  without the tissue model and the estimate (derived): ${sim.withoutTissueAndEstimate.speedup}x (goal ${sim.withoutTissueAndEstimate.goalSpeedup}x), ${sim.withoutTissueAndEstimate.usPerTick} us a tick = ${sim.withoutTissueAndEstimate.withoutEstimateUsPerTick} us with the estimate off (${sim.withoutTissueAndEstimate.withoutEstimateSpeedup}x, median of ${sim.runs}) less the plant's tissue solve replayed alone, ${sim.withoutTissueAndEstimate.tissueSolve.usPerTick} us a tick`,
    `    of which the step without the estimate ${sim.withoutTissueAndEstimate.split.stepUsPerTick} us, the rest (sim HAL, plant without its tissue, loop, recorder) ${sim.withoutTissueAndEstimate.split.restUsPerTick} us (seed 1 with the step and with its recorded results replayed, median of ${sim.withoutTissueAndEstimate.split.runs} each)`,
    `  a quiet tick (${quietTick.ticks} ticks of a steady freeze from ${quietTick.fromS} s) allocates ${quietTick.tickBytes} bytes, the step alone ${quietTick.stepBytes} bytes (${quietTick.stepFreshBytes} returning new objects, as cryo run steps; meter's own ${quietTick.meterBytes} bytes subtracted; ${quietTick.collections} collections accounted)`,
    `  end-of-step invariant check: ${invariantCheck.checkedSpeedup}x with, ${invariantCheck.uncheckedSpeedup}x without (wall time ${invariantCheck.wallRatio}x median, ${invariantCheck.wallRatioBest}x fastest, of ${invariantCheck.runs} runs each)`,
    `  the step alone, replaying ${invariantCheck.steps} recorded steps: ${invariantCheck.stepRatio}x the time with the check`,
    `  the live ice-ball estimate: ${iceBall.stepUs} us a step with it, ${iceBall.stepWithoutEstimateUs} us without (${iceBall.ratio}x), ${iceBall.estimateUsPerTick} us a tick = ${(iceBall.budgetShare * 100).toFixed(3)} % of the ${1000 / DEFAULT_SETTINGS.loop.rateHz} ms budget (goal under 10 %)`,
  );
}
if (wanted('serial')) {
  const serial = benchSerial();
  result.serial = serial;
  lines.push(`serial: ${serial.linesPerS} lines/s through framer + decoder; bare newline split ${serial.baselineLinesPerS} lines/s (${serial.costRatio}x the time)`);
}
if (wanted('uno')) {
  const emulatedUno = await benchUno();
  result.emulatedUno = emulatedUno;
  lines.push(`emulated Uno: ${emulatedUno.emulatedSecondsPerWallSecond} emulated s per wall s (${emulatedUno.emulatedS} s in ${emulatedUno.wallMs} ms)`);
}
if (wanted('records')) {
  const records = benchRecords();
  result.records = records;
  lines.push(
    `records (WAL, synchronous=FULL): ${records.batch5SamplesPerS} samples/s in batches of 5 (${records.batch5OverRequired}x the ${records.requiredSamplesPerS} Hz needed), ${records.batch1SamplesPerS} samples/s one per transaction (${records.batch1OverRequired}x)`,
    `  a standard treatment (${records.treatmentSamples} samples, ${records.treatmentEvents} events) adds ${records.treatmentBytes} bytes to the file (${records.bytesPerSample} bytes per sample)`,
  );
}
// Last: it spawns processes of its own and loads the machine (a hog, 20 clients).
if (wanted('console')) {
  const consoleBench: ConsoleBench = await benchConsole();
  result.console = consoleBench;
  lines.push(...consoleText(consoleBench));
}
process.stdout.write(json ? `${JSON.stringify(result)}\n` : `${lines.join('\n')}\n`);
