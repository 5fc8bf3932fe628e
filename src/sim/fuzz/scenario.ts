// One fuzz run, as data: the settings file, plant parameters, operator timeline and fault mix a
// seed draws (draw.ts), small enough to shrink and to save as JSON that `cryo hil replay` runs
// again. Everything a run does follows from this object: the same scenario, the same run.
import { z } from 'zod';
import type { FaultSpec } from '../../../hil/faults.js';
import { FAULT_KINDS } from '../../../hil/faults.js';
import type { PlantOverrides } from '../../../hil/plant/index.js';
import type { ScenarioCalibration } from './calibration.js';
import { MAX_PROBE_OFFSET_ERROR_C, ScenarioCalibrationSchema, calibrationProblems } from './calibration.js';
import type { ProbeIdMisread } from './probe-id.js';
import { ProbeIdMisreadSchema, probeIdMisreadProblems } from './probe-id.js';

/** What the simulated operator does at a time: press a button, or move a switch. */
export type OperatorAction =
  | 'start'
  | 'stop'
  | 'acknowledge'
  | 'new-site'
  | 'estop-press'
  | 'estop-release'
  | 'footswitch-down'
  | 'footswitch-up';

export const OPERATOR_ACTIONS: readonly OperatorAction[] = [
  'start', 'stop', 'acknowledge', 'new-site', 'estop-press', 'estop-release', 'footswitch-down', 'footswitch-up',
];

export interface TimedAction {
  /** Applied at the first control tick at or after this time (several may share a tick). */
  readonly atMs: number;
  readonly action: OperatorAction;
}

export interface Scenario {
  /** The run seed the scenario was drawn from (`cryo hil fuzz --runs 1 --seed SEED` draws it again). */
  readonly seed: number;
  /** Seeds the sim back-end's sensor noise; kept when the scenario is shrunk. */
  readonly noiseSeed: number;
  /** A settings file's contents, as `parseSettings` accepts it. */
  readonly settings: Record<string, unknown>;
  /** Plant overrides: flat values, and `tissue` as an object of tissue overrides. */
  readonly plant: PlantOverrides;
  readonly operator: readonly TimedAction[];
  readonly faults: readonly FaultSpec[];
  /** Simulated time cap; the run usually ends well before, once the probe is safe. */
  readonly maxMs: number;
  /** The sim probe's own offset error, C (raw = true + this), which its identity calibration does
   * not correct: a calibration wrong by up to its uncertainty (draw.ts drawProbeError). Absent:
   * the probe reads true. */
  readonly probeOffsetErrorC?: number;
  /** The probe's calibration record and its timeline (calibration.ts), read as `cryo run` reads
   * it; the residual error in the calibrated reading is probeOffsetErrorC. Absent: the fixed
   * identity calibration (files saved before the field existed load unchanged). */
  readonly calibration?: ScenarioCalibration;
  /** Runs of samples in which the probe's id reads wrong while the probe reads present
   * (probe-id.ts); another probe's record may be in the store under the id read. Absent: none. */
  readonly probeIdMisreads?: readonly ProbeIdMisread[];
  /** The thermocouple's first-order lag behind the true tip, ms (hil/sim/sensor-params.ts
   * tcLagMs): a junction come loose from the tip wall, or a thick sheath (draw.ts drawTcLag).
   * Absent: the sim's sound junction, DEFAULT_SENSOR_PARAMS.tcLagMs. */
  readonly tcLagMs?: number;
}

/** The thermocouple lags a scenario may give (tcLagMs), ms: from a sound junction's 250 ms (the
 * sim's default) down to a tenth of it, up to a minute (docs/safety.md's lag sweeps reach 60-90 s;
 * the fuzzer draws up to TC_LAG_DRAW_MAX_MS). */
export const TC_LAG_MIN_MS = 25;
export const TC_LAG_MAX_MS = 60_000;

/** JSON file format of a saved scenario (`fuzz-failures/*.json`). */
export const SCENARIO_FILE_FORMAT = 'cryo-fuzz-scenario';
export const SCENARIO_FILE_VERSION = 1;

const finiteMs = z.number().min(0);

export const ScenarioSchema = z
  .object({
    seed: z.number().int().min(0).max(0xffffffff),
    noiseSeed: z.number().int().min(0).max(0xffffffff),
    settings: z.record(z.string(), z.unknown()),
    // Checked in full by resolvePlantParams when the run builds its plant.
    plant: z.record(z.string(), z.union([z.number(), z.boolean(), z.string(), z.null(), z.record(z.string(), z.number())])),
    operator: z.array(z.object({ atMs: finiteMs, action: z.enum(OPERATOR_ACTIONS as [OperatorAction, ...OperatorAction[]]) }).strict()),
    faults: z.array(
      z.object({ kind: z.enum(FAULT_KINDS as [string, ...string[]]), atMs: finiteMs, durationMs: z.number().positive().nullable() }).strict(),
    ),
    // At most a simulated day: a scenario file is never an unbounded run.
    maxMs: z.number().positive().max(86_400_000),
    // Within the largest calibrated-reading uncertainty of any thermocouple type the console takes.
    probeOffsetErrorC: z.number().min(-MAX_PROBE_OFFSET_ERROR_C).max(MAX_PROBE_OFFSET_ERROR_C).optional(),
    calibration: ScenarioCalibrationSchema.optional(),
    probeIdMisreads: z.array(ProbeIdMisreadSchema).optional(),
    tcLagMs: z.number().min(TC_LAG_MIN_MS).max(TC_LAG_MAX_MS).optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    for (const [path, message] of [...calibrationProblems(s), ...probeIdMisreadProblems(s)]) ctx.addIssue({ code: 'custom', message, path: [...path] });
  });

export const ScenarioFileSchema = z
  .object({
    format: z.literal(SCENARIO_FILE_FORMAT),
    version: z.literal(SCENARIO_FILE_VERSION),
    scenario: ScenarioSchema,
  })
  .loose();

/** The fault mix in `cryo simulate --fault` syntax, e.g. `tc-stuck@4.2:10 loop-stall@12:0.3`. */
export function describeFaults(faults: readonly FaultSpec[]): string {
  if (faults.length === 0) return 'none';
  const s = (ms: number): string => String(Number((ms / 1000).toFixed(3)));
  return faults.map((f) => `${f.kind}@${s(f.atMs)}${f.durationMs === null ? '' : `:${s(f.durationMs)}`}`).join(' ');
}

export function describeOperator(actions: readonly TimedAction[]): string {
  if (actions.length === 0) return 'none';
  return actions.map((a) => `${a.action}@${Number((a.atMs / 1000).toFixed(3))}`).join(' ');
}
