// `cryo simulate`: one whole treatment on the simulated board in virtual time, printed as JSON.
import type { Command } from 'commander';
import { PlantParamsError, resolvePlantParams } from '../../hil/plant/index.js';
import { simulateTreatment } from '../sim/runner.js';
import type { CycleRecord } from '../sim/recorder.js';
import type { SimulationSummary } from '../sim/runner.js';
import { MonotonicClock } from '../../kernel/clock.js';
import { UsageError } from './errors.js';
import { collect, parseFaultFlags, parseInteger, parseNumber, settingsFromFlags } from './options.js';
import type { ProtocolFlags } from './options.js';

interface SimulateFlags extends ProtocolFlags {
  seed: string;
  cylinderTempC?: string;
  fault: string[];
  stopAt?: string;
  json?: boolean;
}

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

export function runSimulate(flags: SimulateFlags, io: CliIo): SimulationSummary {
  const settings = settingsFromFlags(flags);
  const seed = parseInteger('--seed', flags.seed, 0, 0xffffffff);
  const faults = parseFaultFlags(flags.fault);
  const plant = flags.cylinderTempC === undefined ? {} : { cylinderTempC: parseNumber('--cylinder-temp-c', flags.cylinderTempC, true) };
  try {
    resolvePlantParams(plant);
  } catch (err) {
    if (err instanceof PlantParamsError) throw new UsageError(`--cylinder-temp-c: ${err.message.replace(/^plant: /, '')}`);
    throw err;
  }
  const stopAtS = flags.stopAt === undefined ? null : parseNumber('--stop-at', flags.stopAt);
  // Start is pressed at 0 s; a stop pressed with it is held in that tick, and a held stop refuses
  // the start: no treatment would run, and the run would go on to its time cap and report 'fault'.
  if (stopAtS === 0) throw new UsageError(`--stop-at: '${flags.stopAt ?? ''}' must be above 0: start is pressed at 0 s, and a stop pressed with it refuses the start`);

  const summary = simulateTreatment({ settings, seed, plant, faults, stopAtS, wallClock: new MonotonicClock() });
  if (flags.json === true) {
    io.stdout(`${JSON.stringify(summary)}\n`);
  } else {
    io.stdout(formatSummary(summary));
  }
  return summary;
}

/** The freeze's verdict as the text output shows it: r(-20 C) at the supply's closing (the
 * live estimate), the target it was judged against, how long r(-20 C) stood at or beyond it
 * against the hold required, and the verdict: a freeze past its target but held too briefly
 * reads as such, not as a bare NOT effective. */
function verdictText(c: CycleRecord): string {
  if (c.effective === null || c.targetMm === null) return 'no verdict';
  const r20 = c.r20MmAtEnd === null ? 'unknown (tip not trusted)' : `${c.r20MmAtEnd} mm`;
  const hold = c.atTargetS === null || c.requiredHoldS === null ? '' : `, held ${c.atTargetS} s of ${c.requiredHoldS} s required`;
  return `r(-20 C) at end ${r20}, target ${c.targetMm} mm${hold}: ${c.effective ? 'effective' : 'NOT effective'}`;
}

export function formatSummary(s: SimulationSummary): string {
  const lines = [`outcome: ${s.outcome} (final phase ${s.finalPhase}), seed ${s.seed}`];
  for (const c of s.cycles) {
    const to50 = c.secondsToMinus50C === null ? 'never' : `${c.secondsToMinus50C} s`;
    lines.push(`  cycle ${c.index}: freeze ${c.freezeS} s, thaw ${c.thawS} s, min tip ${c.minTipC} C, to -50 C in ${to50}, ${verdictText(c)}`);
  }
  for (const i of s.interlocks) lines.push(`  interlock ${i.id} at ${i.atS} s, valves closed at ${i.valvesClosedAtS ?? 'never'} s`);
  for (const a of s.advisories) lines.push(`  advisory ${a.id} at ${a.atS} s (cycle ${a.cycle}; low priority, the valves untouched)`);
  lines.push(`  safe to withdraw ${s.safeToWithdrawAtS === null ? 'never declared' : `at ${s.safeToWithdrawAtS} s`}; valve open at end: ${s.valveOpenAtEnd}`);
  if (s.tipUnknown !== null) lines.push(`  tip temperature unknown (${s.tipUnknown.reason}): wait until ${s.tipUnknown.waitUntilS} s before withdrawing`);
  lines.push(`  ${s.simulatedS} s simulated in ${s.wallMs} ms`);
  return `${lines.join('\n')}\n`;
}

export function registerSimulate(program: Command, io: CliIo, setResult: (code: number) => void): void {
  program
    .command('simulate')
    .description('run one whole treatment on the simulated board in virtual time (start pressed at 0 s)')
    .option('--preset <name>', 'protocol preset: standard, percutaneous, cervical')
    .option('--cycles <n>', 'freeze/thaw cycles (1-5)')
    .option('--freeze-s <s>', 'freeze time per cycle, seconds (10-300)')
    .option('--thaw-s <s>', 'thaw time per cycle, seconds (10-300)')
    .option('--seed <n>', 'seed for the simulated noise; the same seed replays the same run', '1')
    .option('--cylinder-temp-c <c>', 'CO2 cylinder temperature, C (sets the supply pressure)')
    .option('--fault <kind@s[:dur]>', 'inject a fault at a simulated time, e.g. tc-open@30 or loop-stall@12:0.4 (repeatable)', collect, [])
    .option('--stop-at <s>', 'press stop at this simulated time')
    .option('--settings <file>', 'settings file (JSON) overriding the defaults')
    .option('--json', 'print one JSON object')
    .action((flags: SimulateFlags) => {
      runSimulate(flags, io);
      setResult(0);
    });
}
