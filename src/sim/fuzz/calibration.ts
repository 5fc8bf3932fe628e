// The probe's calibration record in a fuzz run, and what happens to it during the run: read as
// `cryo run` reads it (PreloadedCalibration between ticks, a press or a new probe id asking for a
// read, an unusable record read again every CALIBRATION_RETRY_MS), from a record that states the
// probe's outer diameter in some runs and that expires, becomes unreadable or is replaced at drawn
// times. Two defects went unseen while every run used one fixed identity calibration: a press in a
// thaw re-reading an expired record, and a probe presence glitch in a thaw, each dropped the tip
// correction and the record's diameter mid-treatment (src/runtime/loop.ts VERDICT_HELD_PHASES).
import { z } from 'zod';
import type { Random } from '../../../kernel/random.js';
import { DEFAULT_FIT_LIMITS, MAX_OFFSET_C } from '../../../calibration/fit.js';
import { PROBE_OD_MM_MAX, PROBE_OD_MM_MIN } from '../../../kernel/probe.js';
import type { FaultSpec } from '../../../hil/faults.js';
import type { SensorParams } from '../../../hil/sim/index.js';
import { DEFAULT_PLANT_PARAMS } from '../../../hil/plant/index.js';
import type { Settings } from '../../controller/settings.js';
import { debounceFor, interlockById } from '../../controller/interlocks.js';
import { CALIBRATED_TIP_UNCERTAINTY_C, calibrated, tipUncertaintyC, uncalibrated } from '../../controller/probe-calibration.js';
import type { ProbeCalibration } from '../../controller/probe-calibration.js';
import type { CalibrationProvider } from '../../runtime/calibration-provider.js';

/** The sim probe is Type T (src/sim/runner.ts SIM_PROBE_CALIBRATION). */
const SIM_PROBE_TYPE = 'T';

/** What a read of the record answers from `atMs` on: the record expired (unusable), could not be
 * read (the read throws), or was replaced by a recalibration of the same probe (same gain and
 * diameter, another offset: the calibrated reading still within its uncertainty of the truth). */
export type CalibrationEvent =
  | { readonly atMs: number; readonly kind: 'expired' }
  | { readonly atMs: number; readonly kind: 'unreadable' }
  | { readonly atMs: number; readonly kind: 'replaced'; readonly offsetC: number };

export const CALIBRATION_EVENT_KINDS = ['expired', 'unreadable', 'replaced'] as const;

/** The attached probe's calibration record: its fit, the diameter it states (the plant's probe's),
 * and its timeline. The sim probe's raw error is what the fit corrects, plus the scenario's
 * probeOffsetErrorC (the record wrong within its uncertainty). */
export interface ScenarioCalibration {
  readonly offsetC: number;
  readonly gain: number;
  readonly probeOdMm?: number;
  readonly events: readonly CalibrationEvent[];
}

/** The most a calibrated reading may be from the truth in a scenario (any thermocouple type). */
export const MAX_PROBE_OFFSET_ERROR_C = Math.max(...Object.values(CALIBRATED_TIP_UNCERTAINTY_C));

const atMs = z.number().min(0);
const offsetC = z.number().min(-MAX_OFFSET_C).max(MAX_OFFSET_C);

export const ScenarioCalibrationSchema = z
  .object({
    offsetC,
    gain: z.number().min(DEFAULT_FIT_LIMITS.gainMin).max(DEFAULT_FIT_LIMITS.gainMax),
    probeOdMm: z.number().min(PROBE_OD_MM_MIN).max(PROBE_OD_MM_MAX).optional(),
    events: z.array(
      z.discriminatedUnion('kind', [
        z.object({ atMs, kind: z.literal('expired') }).strict(),
        z.object({ atMs, kind: z.literal('unreadable') }).strict(),
        z.object({ atMs, kind: z.literal('replaced'), offsetC }).strict(),
      ]),
    ),
  })
  .strict();

/**
 * What a scenario's calibration breaks, as [path, message] pairs: the record is the attached
 * probe's, so the diameter it states is the plant's, and a replacement keeps the calibrated reading
 * within MAX_PROBE_OFFSET_ERROR_C of the truth (the invariants' allowances assume no worse).
 */
export function calibrationProblems(s: { readonly calibration?: ScenarioCalibration; readonly plant: Readonly<Record<string, unknown>>; readonly probeOffsetErrorC?: number }): [readonly (string | number)[], string][] {
  const cal = s.calibration;
  if (cal === undefined) return [];
  const out: [readonly (string | number)[], string][] = [];
  const plantOdMm: unknown = s.plant.probeOdMm ?? DEFAULT_PLANT_PARAMS.probeOdMm;
  if (cal.probeOdMm !== undefined && cal.probeOdMm !== plantOdMm) {
    out.push([['calibration', 'probeOdMm'], `${cal.probeOdMm} mm is not the plant's probe (plant.probeOdMm ${JSON.stringify(plantOdMm)} mm): the record is the attached probe's`]);
  }
  cal.events.forEach((e, i) => {
    if (e.kind !== 'replaced') return;
    const residualC = (s.probeOffsetErrorC ?? 0) + e.offsetC - cal.offsetC;
    if (Math.abs(residualC) > MAX_PROBE_OFFSET_ERROR_C) {
      out.push([['calibration', 'events', i, 'offsetC'], `${e.offsetC} C leaves the calibrated reading ${residualC.toFixed(3)} C from the truth, beyond +-${MAX_PROBE_OFFSET_ERROR_C} C`]);
    }
  });
  return out;
}

/** The sim probe's raw error: what the record's fit corrects exactly, plus `residualC` left in the
 * calibrated reading (calibrated = gain * raw + offsetC = true + residualC). */
export function sensorFor(cal: ScenarioCalibration, residualC: number): Pick<SensorParams, 'probeOffsetErrorC' | 'probeGainError'> {
  return { probeOffsetErrorC: (residualC - cal.offsetC) / cal.gain, probeGainError: 1 / cal.gain };
}

/** The calibration a read of `probeId`'s record answers at `nowMs`; throws while it is unreadable.
 * Another probe id (or none) has no record, as in the store. */
export class TimedRecordProvider implements CalibrationProvider {
  constructor(
    private readonly cal: ScenarioCalibration,
    private readonly probeId: string | null,
    private readonly nowMs: () => number,
  ) {}

  lookup(probeId: string | null): ProbeCalibration {
    if (probeId === null || probeId !== this.probeId) return uncalibrated(SIM_PROBE_TYPE, `probe ${String(probeId)}: no calibration record`);
    let answer: ProbeCalibration = calibrated(SIM_PROBE_TYPE, this.cal.offsetC, this.cal.gain, this.cal.probeOdMm ?? null);
    let unreadable = false;
    for (const e of this.cal.events) {
      if (e.atMs > this.nowMs()) continue;
      unreadable = e.kind === 'unreadable';
      if (e.kind === 'expired') answer = uncalibrated(SIM_PROBE_TYPE, `probe '${probeId}': calibration expired`);
      if (e.kind === 'replaced') answer = calibrated(SIM_PROBE_TYPE, e.offsetC, this.cal.gain, this.cal.probeOdMm ?? null);
    }
    if (unreadable) throw new Error(`probe '${probeId}': calibration record could not be read`);
    return answer;
  }
}

/** A run draws a calibration record (read as `cryo run` reads it) with this chance; the rest keep
 * the fixed identity calibration (SIM_PROBE_CALIBRATION). */
export const CALIBRATION_DRAW_P = 0.4;
/** Of those, the record states the probe's diameter this often (the plant's probe gets it). */
const RECORD_STATES_OD_P = 0.7;
/** Up to this many events on the record's timeline (none in some runs). */
const MAX_CALIBRATION_EVENTS = 3;
const EVENT_WEIGHTS: readonly (readonly [CalibrationEvent['kind'], number])[] = [['expired', 2], ['unreadable', 1], ['replaced', 2]];
/** Of those runs, this share has probe presence glitches shorter than PROBE_DISCONNECTED's debounce
 * (the sim probe's id reads null while it is off). */
const PRESENCE_GLITCH_P = 0.5;
const MAX_PRESENCE_GLITCHES = 3;
/** A glitch lasts this share of the debounce at least, and less than the whole of it. */
const GLITCH_MIN_FRACTION = 0.2;

export interface DrawnCalibration {
  readonly calibration: ScenarioCalibration;
  /** Short probe-disconnect windows, for the scenario's fault timeline. */
  readonly glitches: readonly FaultSpec[];
}

/**
 * A record for the run's probe within what a fit accepts, its events and presence glitches at
 * times drawn by `at` (the fuzzer's early-biased times over the timeline), or null. A replacement's
 * offset leaves the calibrated reading within the Type T uncertainty of the truth given the run's
 * `residualC`.
 */
export function drawCalibration(random: Random, settings: Settings, residualC: number, at: () => number): DrawnCalibration | null {
  if (random.next() >= CALIBRATION_DRAW_P) return null;
  const uniform = (min: number, max: number): number => min + random.next() * (max - min);
  const offset = uniform(-MAX_OFFSET_C, MAX_OFFSET_C);
  const gain = uniform(DEFAULT_FIT_LIMITS.gainMin, DEFAULT_FIT_LIMITS.gainMax);
  const probeOdMm = random.next() < RECORD_STATES_OD_P ? uniform(PROBE_OD_MM_MIN, PROBE_OD_MM_MAX) : undefined;
  const u = tipUncertaintyC({ thermocoupleType: SIM_PROBE_TYPE });
  const events: CalibrationEvent[] = [];
  const count = Math.floor(random.next() * (MAX_CALIBRATION_EVENTS + 1));
  for (let i = 0; i < count; i += 1) {
    const atMs = at();
    const kind = weightedKind(random.next());
    if (kind === 'replaced') {
      // The new residual within the uncertainty and the new offset within what a fit accepts
      // (never empty: |offset| <= MAX_OFFSET_C and |residualC| <= u).
      const newResidualC = uniform(Math.max(-u, residualC - offset - MAX_OFFSET_C), Math.min(u, residualC - offset + MAX_OFFSET_C));
      events.push({ atMs, kind, offsetC: Math.max(-MAX_OFFSET_C, Math.min(MAX_OFFSET_C, offset + newResidualC - residualC)) });
    } else events.push({ atMs, kind });
  }
  events.sort((a, b) => a.atMs - b.atMs);
  const glitches: FaultSpec[] = [];
  if (random.next() < PRESENCE_GLITCH_P) {
    const debounceMs = debounceFor(interlockById('PROBE_DISCONNECTED'), settings.debounceMs);
    const n = 1 + Math.floor(random.next() * MAX_PRESENCE_GLITCHES);
    for (let i = 0; i < n; i += 1) {
      const atMs = at();
      glitches.push({ kind: 'probe-disconnect', atMs, durationMs: Math.max(1, Math.floor(uniform(GLITCH_MIN_FRACTION, 1) * debounceMs)) });
    }
  }
  return { calibration: { offsetC: offset, gain, ...(probeOdMm === undefined ? {} : { probeOdMm }), events }, glitches };
}

function weightedKind(u: number): CalibrationEvent['kind'] {
  const total = EVENT_WEIGHTS.reduce((sum, [, w]) => sum + w, 0);
  let left = u * total;
  for (const [kind, w] of EVENT_WEIGHTS) {
    left -= w;
    if (left < 0) return kind;
  }
  return 'replaced';
}
