// `npm run bench [-- --json]`: loop timing (scheduler against setInterval, same run) and
// simulation throughput. Figures are machine-dependent: compare the ratios, not the raw numbers.
import { benchLoop } from './loop.js';
import { benchSerial } from './serial.js';
import { benchInvariantCost, benchSim } from './sim.js';
import { benchUno } from './uno.js';

const LOOP = { rateHz: 50, durationMs: 10_000, lateThresholdMs: 5 } as const;

const json = process.argv.includes('--json');
// The loop first, on a fresh heap: the other benchmarks allocate, and their garbage collection
// would land in the loop's measurement.
const loop = await benchLoop(LOOP);
const sim = benchSim();
const invariantCheck = benchInvariantCost();
const serial = benchSerial();
const emulatedUno = await benchUno();
const p99Ratio = loop.scheduler.p99Ms > 0 ? loop.setInterval.p99Ms / loop.scheduler.p99Ms : Number.POSITIVE_INFINITY;
const result = { loop: { ...loop, rateHz: LOOP.rateHz, durationMs: LOOP.durationMs, setIntervalP99OverSchedulerP99: Number(p99Ratio.toFixed(1)) }, sim, invariantCheck, serial, emulatedUno };
if (json) {
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else {
  const f = (x: { p50Ms: number; p99Ms: number; maxMs: number; late: number }): string =>
    `p50 ${x.p50Ms.toFixed(3)} ms, p99 ${x.p99Ms.toFixed(3)} ms, max ${x.maxMs.toFixed(3)} ms, late ${x.late}`;
  process.stdout.write(
    [
      `loop ${LOOP.rateHz} Hz for ${LOOP.durationMs / 1000} s:`,
      `  scheduler   ${f(loop.scheduler)}`,
      `  setInterval ${f(loop.setInterval)}`,
      `  setInterval p99 / scheduler p99 = ${p99Ratio.toFixed(1)}x`,
      `sim standard preset: ${sim.simulatedS} s simulated in ${sim.wallMs} ms (median of ${sim.runs}): ${sim.speedup}x real time`,
      `  end-of-step invariant check: ${invariantCheck.checkedSpeedup}x with, ${invariantCheck.uncheckedSpeedup}x without (wall time ${invariantCheck.wallRatio}x median, ${invariantCheck.wallRatioBest}x fastest, of ${invariantCheck.runs} runs each)`,
      `  the step alone, replaying ${invariantCheck.steps} recorded steps: ${invariantCheck.stepRatio}x the time with the check`,
      `serial: ${serial.linesPerS} lines/s through framer + decoder; bare newline split ${serial.baselineLinesPerS} lines/s (${serial.costRatio}x the time)`,
      `emulated Uno: ${emulatedUno.emulatedSecondsPerWallSecond} emulated s per wall s (${emulatedUno.emulatedS} s in ${emulatedUno.wallMs} ms)`,
      '',
    ].join('\n'),
  );
}
