// One HIL scenario: the fuzzer's run (src/sim/fuzz/run.ts: the real ControlLoop on the simulated
// plant, the operator timeline, the faults, every invariant judged on the plant's truth each tick)
// with the treatment recorded as `cryo simulate` records it and a trace for the report. The run
// goes on past the fuzzer's own end until the probe may come out, so SAFE TO WITHDRAW is seen.
import { parseSettings, targetRadiusMm } from '../../controller/settings.js';
import { treatmentOver } from '../../controller/withdrawal.js';
import { TREATING_PHASES } from '../../controller/types.js';
import type { Phase } from '../../controller/types.js';
import type { Violation } from '../fuzz/invariants.js';
import { runScenario } from '../fuzz/run.js';
import type { RunOptions } from '../fuzz/run.js';
import type { AdvisoryRecord, CycleRecord, InterlockRecord } from '../recorder.js';
import { TreatmentRecorder } from '../recorder.js';
import type { ScenarioOutcome } from './schema.js';
import type { HilScenario } from './schema.js';
import type { AlarmSpan } from './trace.js';
import type { TraceRow } from './trace.js';
import { TraceRecorder } from './trace.js';
import { iceBallOf } from '../fuzz/invariants.js';
import { runEnvironment } from './environment.js';

/** A freeze as the run saw it: the recorder's figures, and r(-20 C) at its end where the run
 * carries radii: `r20MmAtEnd` the controller's estimate, as the recorder reports it per cycle
 * (CycleRecord, from the verdicts), `r20TrueMmAtEnd` the plant's truth (PlantState's radii) on the
 * tick the supply closed. `undefined` means the run carries no such radius at all (yet); null, none then. */
export interface FreezeResult extends CycleRecord {
  readonly r20TrueMmAtEnd?: number | null;
}

export interface ScenarioRunResult {
  readonly name: string;
  readonly outcome: ScenarioOutcome;
  readonly finalPhase: Phase;
  readonly violation: Violation | null;
  readonly freezes: readonly FreezeResult[];
  readonly trips: readonly InterlockRecord[];
  /** Advisories raised (INEFFECTIVE_FREEZE), apart from the trips: they close no valve. */
  readonly advisories: readonly AdvisoryRecord[];
  readonly alarms: readonly AlarmSpan[];
  readonly minTipTrueC: number;
  readonly safeToWithdrawAtS: number | null;
  readonly simulatedMs: number;
  readonly ticks: number;
  readonly trace: readonly TraceRow[];
  /** The target r(-20 C) the run's freezes were judged against, mm (the settings' nerve or default). */
  readonly targetRadiusMm: number;
}

function outcomeOf(phase: Phase, started: boolean): ScenarioOutcome {
  if (phase === 'Complete') return 'complete';
  if (phase === 'Stopped') return 'stopped';
  if (phase === 'Fault') return 'fault';
  if (TREATING_PHASES.includes(phase)) return 'unfinished';
  return started ? 'stopped' : 'not-started';
}

/** r(-20 C) to 0.001 mm, as the recorder rounds the estimate's (CycleRecord.r20MmAtEnd): both radii
 * are printed and judged as rounded, so a failure's "got" is the figure the report shows. */
function roundMm(mm: number | null): number | null {
  return mm === null ? null : Number(mm.toFixed(3));
}

/** A freeze still under way when the run ended: the last r(-20 C) traced. */
function radiiNow(trace: TraceRecorder): number | null {
  const last: TraceRow | undefined = trace.rows.at(-1);
  return last?.iceBall?.r20Mm ?? null;
}

export function runHilScenario(hil: HilScenario, options: Pick<RunOptions, 'step'> = {}): ScenarioRunResult {
  const settings = parseSettings(hil.scenario.settings, `${hil.file}: scenario.settings`);
  const recorder = new TreatmentRecorder(settings);
  const trace = new TraceRecorder();
  // Written by the tick callback (a closure: an object, so the compiler sees the writes).
  const seen: { minTipTrueC: number; phase: Phase; safeAtMs: number | null } = { minTipTrueC: Number.POSITIVE_INFINITY, phase: 'Idle', safeAtMs: null };
  /** The plant's true r(-20 C) as each freeze ended, in freeze order (the plant carries radii). */
  const trueR20AtEnd: (number | null)[] = [];
  let plantHasRadii = false;
  const result = runScenario(hil.scenario, {
    step: options.step,
    environment: runEnvironment(hil.environment),
    onStep: (nowMs, readings, stepped) => { recorder.record(nowMs, readings, stepped); },
    onTick: (o, readings) => {
      trace.observe(o, readings);
      seen.minTipTrueC = Math.min(seen.minTipTrueC, o.plant.tipTrueC);
      seen.phase = o.after.phase;
      const radii = iceBallOf(o.plant);
      plantHasRadii ||= radii !== null;
      // At the supply's closing, the tick the controller judges the freeze (its verdict's
      // r20MmAtEnd): the -20 C isotherm collapses within seconds of it, so a later sample (the
      // end of the verify-closed window) would compare different moments.
      if (o.before.freezeOpenedMs !== null && o.after.freezeOpenedMs === null) trueR20AtEnd.push(radii?.r20Mm ?? null);
      // Shown once a treatment has ended (not the idle console before any start).
      if (o.after.safeToWithdraw && recorder.ended) seen.safeAtMs ??= o.nowMs;
    },
    done: (o, fuzzerDone) => fuzzerDone && treatmentOver(o.after, settings, o.nowMs),
  });
  return {
    name: hil.name,
    outcome: outcomeOf(seen.phase, recorder.started),
    finalPhase: seen.phase,
    violation: result.violation,
    freezes: recorder.cycleSummaries().map((c, i): FreezeResult => (plantHasRadii ? { ...c, r20TrueMmAtEnd: roundMm(trueR20AtEnd[i] ?? radiiNow(trace)) } : c)),
    trips: recorder.interlocks.map((t) => ({ ...t })),
    advisories: recorder.advisories.map((a) => ({ ...a })),
    alarms: trace.alarms,
    minTipTrueC: seen.minTipTrueC,
    safeToWithdrawAtS: seen.safeAtMs === null ? null : seen.safeAtMs / 1000,
    simulatedMs: result.simulatedMs,
    ticks: result.ticks,
    trace: trace.rows,
    targetRadiusMm: targetRadiusMm(settings, settings.iceBall.nerveId),
  };
}
