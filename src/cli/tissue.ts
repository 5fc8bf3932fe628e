// `cryo tissue`: the ice ball the tissue model (kernel/bioheat) predicts around a probe, for
// engineers checking a figure against domain section 3 or a bench measurement.
import type { Command } from 'commander';
import { BioheatSolver, GridParamsSchema, gridForProbe, resolveTissueParams, type WallCondition } from '../../kernel/bioheat/index.js';
import { UsageError } from './errors.js';
import { parseRanged } from './options.js';
import type { CliIo } from './simulate.js';

interface TissueFlags {
  probeOdMm?: string;
  wallC?: string;
  gasC?: string;
  hWM2k?: string;
  timesS?: string;
  json?: boolean;
}

/** Radii from the probe axis, mm; null when no tissue is that cold (the isotherm not reached: the
 * wall itself is warmer). A wall exactly at the isotherm gives the probe's radius, not null. */
export interface TissueRow {
  readonly timeS: number;
  readonly r0Mm: number | null;
  readonly r20Mm: number | null;
  readonly r40Mm: number | null;
  /** Tissue temperature at the probe wall, C (the wall temperature itself for --wall-c). */
  readonly wallC: number;
}

/** Wall and gas temperatures accepted, C: from below liquid nitrogen to body temperature (a
 * warmer wall does not freeze). */
const MIN_COLD_C = -200;
const MAX_COLD_C = 37;
/** Gas-side coefficients accepted, W/m2/K (the plant's own bounds, hil/plant/params.ts). */
const MIN_H_W_PER_M2K = 100;
const MAX_H_W_PER_M2K = 200_000;
/** Longest time asked for, s: an hour, far past the 300 s a cycle may last (domain section 4). */
const MAX_TIME_S = 3_600;
/** At most this many times: one line each. */
const MAX_TIMES = 100;
/** Radii to 0.01 mm, temperatures to 0.01 C: finer than any probe or imaging can check. */
const round2 = (x: number): number => Number(x.toFixed(2));
/** The solver's radius, or null for its 0, "no tissue that cold": a radius reached is never 0, it
 * is at least the probe's (the wall node, kernel/bioheat/solver.ts radiusAtMm). */
const reachedMm = (rMm: number): number | null => (rMm === 0 ? null : round2(rMm));
/** A radius in the text table: "not reached" rather than a 0.00 that reads as a size. */
const radiusText = (rMm: number | null): string => (rMm === null ? 'not reached' : rMm.toFixed(2));

function parseTimes(text: string | undefined): number[] {
  if (text === undefined) throw new UsageError('tissue: give --times-s, e.g. --times-s 30,60,120');
  const parts = text.split(',');
  if (parts.length > MAX_TIMES) throw new UsageError(`--times-s: at most ${MAX_TIMES} times (got ${parts.length})`);
  const times = parts.map((part) => parseRanged('--times-s', part.trim(), 0, MAX_TIME_S));
  times.forEach((t, i) => {
    if (t <= (i === 0 ? 0 : (times[i - 1] ?? 0))) throw new UsageError(`--times-s: '${text}' must be positive and strictly increasing`);
  });
  return times;
}

function parseWall(flags: TissueFlags): WallCondition {
  const fixed = flags.wallC !== undefined;
  const flux = flags.gasC !== undefined || flags.hWM2k !== undefined;
  if (fixed === flux) throw new UsageError('tissue: give either --wall-c C (a fixed wall) or both --gas-c C and --h-w-m2k H (a heat-flux-limited wall)');
  if (flags.wallC !== undefined) return { kind: 'temperature', wallC: parseRanged('--wall-c', flags.wallC, MIN_COLD_C, MAX_COLD_C) };
  if (flags.gasC === undefined) throw new UsageError('tissue: --h-w-m2k needs --gas-c');
  if (flags.hWM2k === undefined) throw new UsageError('tissue: --gas-c needs --h-w-m2k');
  return {
    kind: 'flux',
    gasC: parseRanged('--gas-c', flags.gasC, MIN_COLD_C, MAX_COLD_C),
    hWPerM2K: parseRanged('--h-w-m2k', flags.hWM2k, MIN_H_W_PER_M2K, MAX_H_W_PER_M2K),
  };
}

function parseProbeOd(text: string | undefined): number {
  if (text === undefined) throw new UsageError('tissue: give --probe-od-mm, e.g. --probe-od-mm 1.27');
  const radius = GridParamsSchema.shape.probeRadiusMm;
  return parseRanged('--probe-od-mm', text, 2 * (radius.minValue ?? 0), 2 * (radius.maxValue ?? 0));
}

/** The radii at each time of a freeze from body temperature under `wall`, nominal tissue. */
export function tissueRows(probeOdMm: number, wall: WallCondition, timesS: readonly number[]): TissueRow[] {
  const solver = new BioheatSolver(resolveTissueParams(), gridForProbe(probeOdMm));
  let nowS = 0;
  return timesS.map((timeS) => {
    solver.step(timeS - nowS, wall);
    nowS = timeS;
    return { timeS, r0Mm: reachedMm(solver.r0Mm()), r20Mm: reachedMm(solver.r20Mm()), r40Mm: reachedMm(solver.r40Mm()), wallC: round2(solver.wallC) };
  });
}

export function runTissue(flags: TissueFlags, io: CliIo): void {
  const probeOdMm = parseProbeOd(flags.probeOdMm);
  const wall = parseWall(flags);
  const rows = tissueRows(probeOdMm, wall, parseTimes(flags.timesS));
  if (flags.json === true) {
    io.stdout(`${JSON.stringify({ probeOdMm, wall, rows })}\n`);
    return;
  }
  const wallText = wall.kind === 'temperature' ? `wall held at ${wall.wallC} C` : `gas at ${wall.gasC} C, h ${wall.hWPerM2K} W/m2/K`;
  const lines = [
    `Freeze from 37 C around a ${probeOdMm} mm probe, ${wallText} (nominal tissue, radii from the probe axis):`,
    `${'t s'.padStart(8)}${'r(0 C) mm'.padStart(12)}${'r(-20 C) mm'.padStart(13)}${'r(-40 C) mm'.padStart(13)}${'wall C'.padStart(9)}`,
    ...rows.map((r) => `${String(r.timeS).padStart(8)}${radiusText(r.r0Mm).padStart(12)}${radiusText(r.r20Mm).padStart(13)}${radiusText(r.r40Mm).padStart(13)}${r.wallC.toFixed(1).padStart(9)}`),
  ];
  io.stdout(`${lines.join('\n')}\n`);
}

export function registerTissue(program: Command, io: CliIo, setResult: (code: number) => void): void {
  program
    .command('tissue')
    .description('ice-ball radii r(0 C), r(-20 C), r(-40 C) around a probe over a freeze from body temperature (the tissue model); an isotherm the tissue does not reach (the wall warmer than it) is "not reached" (null in --json)')
    .option('--probe-od-mm <d>', 'probe outer diameter, mm')
    .option('--wall-c <c>', 'fixed wall: the probe wall held at this temperature, C')
    .option('--gas-c <c>', 'heat-flux-limited wall: gas temperature inside the probe, C (with --h-w-m2k)')
    .option('--h-w-m2k <h>', 'heat-flux-limited wall: gas-side heat transfer coefficient, W/m2/K (with --gas-c)')
    .option('--times-s <list>', 'comma-separated times from the start of the freeze, s, increasing (e.g. 30,60,120)')
    .option('--json', 'print one JSON object')
    .action((flags: TissueFlags) => {
      runTissue(flags, io);
      setResult(0);
    });
}
