// A HIL scenario file (`hil/scenarios/*.json`, docs/hil.md): the fuzzer's saved scenario
// (src/sim/fuzz/scenario.ts, version 1) extended to version 2 with a name, a protocol preset,
// optional noise seed and time cap, and expectations. Validated once, here, by one schema whose
// every error names the file, the field path and the value; version 1 files still load (they
// carry no expectations: only the invariants are judged).
import { z } from 'zod';
import type { FaultSpec } from '../../../hil/faults.js';
import { FAULT_KINDS } from '../../../hil/faults.js';
import type { PlantParams } from '../../../hil/plant/index.js';
import { DEFAULT_PLANT_PARAMS, PlantParamsError, resolvePlantParams } from '../../../hil/plant/index.js';
import { INTERLOCK_IDS, isAdvisory } from '../../controller/interlocks.js';
import type { InterlockId } from '../../controller/interlocks.js';
import { PRESETS, PRESET_NAMES, ProtocolSchema, SettingsSchema } from '../../controller/settings.js';
import type { PresetName, Protocol } from '../../controller/settings.js';
import type { AlarmPriority } from '../../controller/types.js';
import { describeIssues } from '../../../kernel/config-error.js';
import { maxMsFor } from '../fuzz/draw.js';
import type { EnvironmentSpec } from './environment.js';
import { EnvironmentSchema } from './environment.js';
import type { OperatorAction, Scenario } from '../fuzz/scenario.js';
import { OPERATOR_ACTIONS, SCENARIO_FILE_FORMAT, ScenarioSchema, TC_LAG_MAX_MS, TC_LAG_MIN_MS } from '../fuzz/scenario.js';

/** The extended format's version; version 1 is what `cryo hil fuzz` saves. */
export const HIL_SCENARIO_VERSION = 2;
/** A simulated day at most, as the fuzzer's files: a scenario is never an unbounded run. */
const MAX_RUN_MS = 86_400_000;
/** Names become file names in the report and test names in JUnit: plain and short. */
const NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,79}$/;
const ALARM_PRIORITIES = ['high', 'medium', 'low'] as const satisfies readonly AlarmPriority[];
export const OUTCOMES = ['complete', 'stopped', 'fault', 'not-started', 'unfinished'] as const;
export type ScenarioOutcome = (typeof OUTCOMES)[number];

const ms = z.number().min(0).max(MAX_RUN_MS);
const enumOf = <T extends string>(values: readonly T[]) => z.enum(values as [T, ...T[]]);

/** A closed interval; either end may be left open, not both. */
const RangeSchema = z
  .object({ min: z.number().optional(), max: z.number().optional() })
  .strict()
  .refine((r) => r.min !== undefined || r.max !== undefined, 'a range needs min, max or both')
  .refine((r) => r.min === undefined || r.max === undefined || r.min <= r.max, 'min is above max');
export type Range = z.infer<typeof RangeSchema>;

/** The advisory rows (INEFFECTIVE_FREEZE): raised as alarm conditions, acting on nothing. */
export const ADVISORY_IDS: readonly InterlockId[] = INTERLOCK_IDS.filter((id) => isAdvisory(id));

const TripExpectSchema = z
  .object({
    // An advisory never trips anything (the run records it apart, ScenarioRunResult.advisories),
    // so a trip expectation of one could never be met: refused, pointing to where it belongs.
    id: enumOf<InterlockId>(INTERLOCK_IDS).refine((id) => !isAdvisory(id), {
      error: (issue) => `${String(issue.input)} is an advisory, not an interlock trip (it closes no valve): expect it in expect.advisories`,
    }),
    /** The fault (0-based index into scenario.faults) the trip answers: latency counts from its atMs. */
    afterFault: z.number().int().min(0).optional(),
    /** ...or from this time (an operator action, a moment in the run). */
    afterMs: ms.optional(),
    /** The first trip of this id at or after the reference comes within this long of it. */
    withinMs: z.number().positive().max(MAX_RUN_MS).optional(),
  })
  .strict()
  .refine((t) => !(t.afterFault !== undefined && t.afterMs !== undefined), 'give afterFault or afterMs, not both')
  .refine((t) => t.withinMs === undefined || t.afterFault !== undefined || t.afterMs !== undefined, 'withinMs needs afterFault or afterMs to count from');
export type TripExpect = z.infer<typeof TripExpectSchema>;

const AdvisoryExpectSchema = z
  .object({
    id: enumOf<InterlockId>(ADVISORY_IDS),
    /** Raised for this cycle (the freeze it judges, 1-based); any cycle when left out. */
    cycle: z.number().int().min(1).optional(),
  })
  .strict();
export type AdvisoryExpect = z.infer<typeof AdvisoryExpectSchema>;

const FreezeExpectSchema = z
  .object({
    /** Seconds the supply was open in the freeze. */
    freezeS: RangeSchema.optional(),
    /** Coldest trusted tip reading of the freeze and its thaw (the treatment records' figure). */
    minTipC: RangeSchema.optional(),
    /** Seconds from the freeze's start to a trusted reading below -50 C; null: it never gets there. */
    secondsToMinus50C: RangeSchema.nullable().optional(),
    /** r(-20 C), the lethal isotherm's radius from the probe axis, at the freeze's end (mm), as
     * the controller estimates it (the treatment record's per-cycle figure). */
    r20MmAtEnd: RangeSchema.optional(),
    /** The same radius in the plant's tissue model (the truth the estimate is judged against). */
    r20TrueMmAtEnd: RangeSchema.optional(),
    /** The controller's efficacy verdict on the freeze; a freeze with no verdict (still running at
     * the run's end) meets neither. */
    effective: z.boolean().optional(),
  })
  .strict();
export type FreezeExpect = z.infer<typeof FreezeExpectSchema>;

const ExpectSchema = z
  .object({
    outcome: enumOf<ScenarioOutcome>(OUTCOMES).optional(),
    /** Interlocks that must trip (each at least once; latency from a fault or a time). */
    trips: z.array(TripExpectSchema).max(64).default([]),
    /** Whether interlocks not listed in trips may trip too. */
    otherTrips: z.enum(['forbidden', 'allowed']).default('forbidden'),
    /** Advisories that must be raised (each at least once, in its cycle if given). */
    advisories: z.array(AdvisoryExpectSchema).max(64).default([]),
    /** Whether advisories not listed in advisories may be raised too. */
    otherAdvisories: z.enum(['forbidden', 'allowed']).default('forbidden'),
    /** The exact set of alarm priorities raised during the run ([] for none). */
    alarmPriorities: z.array(z.enum(ALARM_PRIORITIES)).max(3).optional(),
    /** Coldest true tip temperature of the run (the plant's truth, not a reading). */
    minTipTrueC: RangeSchema.optional(),
    freezes: z
      .object({
        /** How many freezes began: an exact number or a range. */
        count: z.union([z.number().int().min(0), RangeSchema]).optional(),
        /** Judged on every freeze. */
        each: FreezeExpectSchema.optional(),
        /** Judged on freeze i+1 (its entry i); the run must have that many. */
        byIndex: z.array(FreezeExpectSchema).max(5).optional(),
      })
      .strict()
      .optional(),
    /** SAFE TO WITHDRAW shown after the treatment by this time of the run, or never shown. */
    safeToWithdraw: z.union([z.object({ byS: z.number().positive().max(MAX_RUN_MS / 1000) }).strict(), z.literal('never')]).optional(),
  })
  .strict();
export type Expectations = z.infer<typeof ExpectSchema>;

const BodySchema = z
  .object({
    seed: z.number().int().min(0).max(0xffffffff),
    /** Seeds the sensor noise; the seed's value when left out. */
    noiseSeed: z.number().int().min(0).max(0xffffffff).optional(),
    /** A preset's name or a protocol; it becomes settings.protocol (give one or the other). */
    // An unknown name (or a value of neither shape) is refused naming the presets; a protocol
    // object with a bad field is refused naming that field (the union reports the object's issue).
    protocol: z.union([enumOf<PresetName>(PRESET_NAMES), ProtocolSchema], { error: `not a preset name (${PRESET_NAMES.join(', ')}) nor a protocol {"cycles", "freezeS", "thawS"}` }).optional(),
    settings: z.record(z.string(), z.unknown()).default({}),
    /** Overrides of the plant parameters (hil/plant/params.ts), each within its bounds. */
    plant: z.record(z.string(), z.unknown()).default({}),
    operator: z.array(z.object({ atMs: ms, action: enumOf<OperatorAction>(OPERATOR_ACTIONS) }).strict()).max(1000).default([]),
    faults: z.array(z.object({ kind: enumOf(FAULT_KINDS), atMs: ms, durationMs: z.number().positive().max(MAX_RUN_MS).nullable() }).strict()).max(1000).default([]),
    /** Simulated time cap; by default the quiet point plus a whole treatment and the rewarm. */
    maxMs: z.number().positive().max(MAX_RUN_MS).optional(),
    /** The thermocouple's lag behind the true tip, ms (a junction come loose from the tip wall, a
     * thick sheath); the sim's sound 250 ms junction when left out. */
    tcLagMs: z.number().min(TC_LAG_MIN_MS).max(TC_LAG_MAX_MS).optional(),
    /** Inputs the sim back-end's faults do not model (calibration, console, records, board). */
    environment: EnvironmentSchema.optional(),
  })
  .strict();

const V2Schema = z
  .object({
    format: z.literal(SCENARIO_FILE_FORMAT),
    version: z.literal(HIL_SCENARIO_VERSION),
    name: z.string().regex(NAME_PATTERN, 'lower-case letters, digits and dashes, at most 80'),
    description: z.string().min(1).max(2000),
    scenario: BodySchema,
    expect: ExpectSchema,
  })
  .strict();

const V1Schema = z
  .object({ format: z.literal(SCENARIO_FILE_FORMAT), version: z.literal(1), scenario: ScenarioSchema })
  .loose();

export const HilScenarioFileSchema = z
  .discriminatedUnion('version', [V1Schema, V2Schema])
  .superRefine((file, ctx) => {
    const body = file.scenario;
    checkPlant(body.plant, ctx);
    const settings = file.version === 2 ? settingsWithProtocol(body.settings, file.scenario.protocol, ctx) : body.settings;
    const parsed = SettingsSchema.safeParse(settings);
    if (!parsed.success) for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: ['scenario', 'settings', ...issue.path] });
    if (file.version === 2) checkTripRefs(file.expect, body.faults.length, ctx);
  });

function settingsWithProtocol(settings: Record<string, unknown>, protocol: PresetName | Protocol | undefined, ctx: z.RefinementCtx): Record<string, unknown> {
  if (protocol === undefined) return settings;
  if (settings.protocol !== undefined) ctx.addIssue({ code: 'custom', message: 'give the protocol here or in scenario.settings.protocol, not both', path: ['scenario', 'protocol'] });
  return { ...settings, protocol: typeof protocol === 'string' ? PRESETS[protocol] : protocol };
}

function checkPlant(plant: Record<string, unknown>, ctx: z.RefinementCtx): void {
  const known = Object.keys(DEFAULT_PLANT_PARAMS);
  for (const [key, value] of Object.entries(plant)) {
    if (!known.includes(key)) {
      ctx.addIssue({ code: 'custom', message: `unknown plant parameter; known: ${known.join(', ')}`, path: ['scenario', 'plant', key] });
      continue;
    }
    const problem = plantProblem({ [key]: value });
    if (problem !== null) ctx.addIssue({ code: 'custom', message: problem, path: ['scenario', 'plant', key] });
  }
  const whole = plantProblem(plant);
  if (whole !== null) ctx.addIssue({ code: 'custom', message: whole, path: ['scenario', 'plant'] });
}

function plantProblem(overrides: Record<string, unknown>): string | null {
  try {
    resolvePlantParams(overrides);
    return null;
  } catch (err) {
    if (err instanceof PlantParamsError) return err.message;
    throw err;
  }
}

function checkTripRefs(expect: Expectations, faultCount: number, ctx: z.RefinementCtx): void {
  expect.trips.forEach((trip, i) => {
    if (trip.afterFault !== undefined && trip.afterFault >= faultCount) {
      ctx.addIssue({ code: 'custom', message: `no such fault: scenario.faults has ${faultCount}`, path: ['expect', 'trips', i, 'afterFault'] });
    }
  });
}

/** A scenario ready to run: the fuzzer's run input plus its name and expectations. */
export interface HilScenario {
  readonly name: string;
  readonly description: string;
  /** The file it came from, as given. */
  readonly file: string;
  readonly scenario: Scenario;
  /** Null for a version-1 file (the fuzzer's): only the invariants are judged. */
  readonly expect: Expectations | null;
  /** Absent: the fuzzer's defaults (calibrated sim probe, no console page, no records, board kept). */
  readonly environment?: EnvironmentSpec;
}

export class ScenarioFileError extends Error {
  override name = 'ScenarioFileError';
}

/** Validate a parsed JSON value as a scenario file; throws ScenarioFileError naming file, field and value. */
export function parseHilScenario(raw: unknown, file: string): HilScenario {
  const parsed = HilScenarioFileSchema.safeParse(raw);
  if (!parsed.success) throw new ScenarioFileError(describeIssues(file, parsed.error, raw));
  const data = parsed.data;
  const stem = file.replace(/^.*[\\/]/, '').replace(/\.json$/i, '');
  if (data.version === 1) {
    const scenario = data.scenario as Scenario;
    return { name: stem, description: 'a scenario saved by cryo hil fuzz (invariants only)', file, scenario, expect: null };
  }
  const b = data.scenario;
  const settings = b.protocol === undefined ? b.settings : { ...b.settings, protocol: typeof b.protocol === 'string' ? PRESETS[b.protocol] : b.protocol };
  const faults: FaultSpec[] = b.faults.map((f) => ({ kind: f.kind, atMs: f.atMs, durationMs: f.durationMs }));
  const base = { seed: b.seed, noiseSeed: b.noiseSeed ?? b.seed, settings, plant: b.plant as Partial<PlantParams>, operator: b.operator, faults, ...(b.tcLagMs === undefined ? {} : { tcLagMs: b.tcLagMs }) };
  return { name: data.name, description: data.description, file, scenario: { ...base, maxMs: b.maxMs ?? maxMsFor(base) }, expect: data.expect, environment: b.environment };
}
