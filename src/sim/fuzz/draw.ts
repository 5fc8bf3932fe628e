// From one seed, one scenario: a protocol and a settings file within the schema, plant
// parameters, an operator timeline and a fault mix in the manner of FoundationDB's BUGGIFY (each
// fault site on with some probability per run; when on, firing at random times for random
// durations, overlapping). The same seed always draws the same scenario.
import type { Random } from '../../../kernel/random.js';
import { seededRandom } from '../../../kernel/random.js';
import { parseSettings } from '../../controller/settings.js';
import { SELF_TEST_VALVE_PAUSE_MS } from '../../controller/phase-logic.js';
import { CO2_MODEL_MAX_CYLINDER_TEMP_C } from '../../../kernel/co2.js';
import type { FaultKind, FaultSpec } from '../../../hil/faults.js';
import { FAULT_KINDS } from '../../../hil/faults.js';
import type { PlantOverrides, PlantParams } from '../../../hil/plant/index.js';
import { DEFAULT_PLANT_PARAMS, resolvePlantParams } from '../../../hil/plant/index.js';
import { DEFAULT_SENSOR_PARAMS } from '../../../hil/sim/index.js';
import { allowances } from './bounds.js';
import { tipUncertaintyC } from '../../controller/probe-calibration.js';
import { SETTINGS_JSON_SCHEMA, drawSettings } from './draw-settings.js';
import { drawProbeOdMm, drawTissue } from './draw-tissue.js';
import type { OperatorAction, Scenario, TimedAction } from './scenario.js';
import { drawCalibration } from './calibration.js';
import { drawProbeIdMisreads, misreadsQuietFromMs } from './probe-id.js';

/** BUGGIFY: each fault site is switched on for a run with this chance. */
export const FAULT_SITE_P = 0.12;
/** A site that is on fires this many times at most (windows may overlap). */
const MAX_WINDOWS_PER_SITE = 3;
/** Shortest fault window: one tick at the fastest loop rate the schema allows is 5 ms; 20 ms
 * is a tick at the default rate. */
const MIN_FAULT_MS = 20;
/** A stall of up to 3 s: well past the 250 ms watchdog and every maxGapMs the schema allows. */
const MAX_STALL_MS = 3_000;
/** This share of fault windows never ends (a sensor that dies for good). Stalls always end. */
const PERMANENT_FAULT_P = 0.1;
/** Most runs start a treatment at 0 s; the shrinker may remove even that press. */
const FOOTSWITCH_DOWN_AT_START_P = 0.85;
const MAX_EXTRA_ACTIONS = 6;
/** Share of extra actions put on the tick of an earlier one (same-tick races). */
const SAME_TICK_P = 0.15;
const ESTOP_RELEASED_LATER_P = 0.7;
/** Short protocols keep runs fast; this share is drawn near the schema's lower bound. */
const SHORT_PROTOCOL_P = 0.95;
/** Each cycle past the first is drawn with this chance (1 cycle in 60 % of runs, 5 in 2.6 %). */
const EXTRA_CYCLE_P = 0.4;
/** "Near the lower bound": within this fraction of the schema's range. */
const SHORT_RANGE_FRACTION = 0.07;
/** The timeline spans the protocol's freezes and thaws and this much more (actions after it ends). */
const TIMELINE_OVERRUN = 1.3;
/** Times are drawn as span x u^this: early in the run more often (the first freeze is where most
 * happens), the whole span still reachable. */
const EARLY_BIAS_POWER = 2;
const PLANT_OVERRIDE_P = 0.3;
/** A valve slower than the self-test pause would let the two single-valve windows overlap, which
 * the controller's pause is sized against (phase-logic.ts): draw within half of it. */
const MAX_VALVE_DELAY_MS = SELF_TEST_VALVE_PAUSE_MS / 2;

/** Action weights: stops and footswitch moves matter most; e-stop less often. */
const ACTION_WEIGHTS: readonly (readonly [OperatorAction, number])[] = [
  ['stop', 5], ['start', 4], ['acknowledge', 4], ['new-site', 2], ['footswitch-up', 2], ['footswitch-down', 3], ['estop-press', 1], ['estop-release', 1],
];

const uniform = (random: Random, min: number, max: number): number => min + random.next() * (max - min);
const early = (random: Random, spanMs: number): number => Math.round(spanMs * random.next() ** EARLY_BIAS_POWER);
const logUniform = (random: Random, min: number, max: number): number => Math.exp(uniform(random, Math.log(min), Math.log(max)));

function weighted<T>(random: Random, table: readonly (readonly [T, number])[]): T {
  const total = table.reduce((sum, [, w]) => sum + w, 0);
  let u = random.next() * total;
  for (const [value, w] of table) {
    u -= w;
    if (u < 0) return value;
  }
  const last = table.at(-1);
  if (last === undefined) throw new Error('weighted: empty table');
  return last[0];
}

interface Range {
  readonly min: number;
  readonly max: number;
}

function protocolRange(field: string): Range {
  const node = SETTINGS_JSON_SCHEMA.properties?.protocol?.properties?.[field];
  if (node?.minimum === undefined || node.maximum === undefined) throw new Error(`settings schema: protocol.${field} has no bounds`);
  return { min: node.minimum, max: node.maximum };
}

function drawSeconds(random: Random, range: Range): number {
  const max = random.next() < SHORT_PROTOCOL_P ? range.min + (range.max - range.min) * SHORT_RANGE_FRACTION : range.max;
  return Math.round(uniform(random, range.min, max));
}

function drawProtocol(random: Random): Record<string, unknown> {
  const cycles = protocolRange('cycles');
  // Fewer cycles more often (each extra one half as likely): each costs run time, and the
  // first two (a freeze, a thaw, a refreeze) find most faults.
  let nCycles = cycles.min;
  while (nCycles < cycles.max && random.next() < EXTRA_CYCLE_P) nCycles += 1;
  return { cycles: nCycles, freezeS: drawSeconds(random, protocolRange('freezeS')), thawS: drawSeconds(random, protocolRange('thawS')) };
}

function drawPlant(random: Random): Partial<PlantParams> {
  const d = DEFAULT_PLANT_PARAMS;
  const candidates: readonly (readonly [string, () => number])[] = [
    // Below about 5 C the cylinder cannot reach 40 bar; 31 C is the critical point.
    ['cylinderTempC', () => uniform(random, 0, CO2_MODEL_MAX_CYLINDER_TEMP_C)],
    // From a nearly empty cylinder (runs dry mid-freeze) to the default full one.
    ['liquidChargeG', () => logUniform(random, 2, d.liquidChargeG)],
    ['valveDelayMs', () => uniform(random, 0, MAX_VALVE_DELAY_MS)],
    ['coolTimeConstantMs', () => uniform(random, d.coolTimeConstantMs / 2, d.coolTimeConstantMs * 2)],
    ['thawTimeConstantMs', () => uniform(random, d.thawTimeConstantMs / 2, d.thawTimeConstantMs * 2)],
    // The tissue's load on the tip now comes from the tissue model; how well the gas draws it varies.
    ['gasSideHWPerM2K', () => uniform(random, d.gasSideHWPerM2K / 4, d.gasSideHWPerM2K * 2)],
  ];
  const plant: Record<string, number> = {};
  for (const [key, draw] of candidates) if (random.next() < PLANT_OVERRIDE_P) plant[key] = draw();
  return plant;
}

function drawOperator(random: Random, spanMs: number): TimedAction[] {
  const actions: TimedAction[] = [{ atMs: 0, action: 'start' }];
  if (random.next() < FOOTSWITCH_DOWN_AT_START_P) actions.push({ atMs: 0, action: 'footswitch-down' });
  const extra = Math.floor(random.next() * (MAX_EXTRA_ACTIONS + 1));
  for (let i = 0; i < extra; i += 1) {
    const earlier = actions[Math.floor(random.next() * actions.length)];
    const atMs = earlier !== undefined && random.next() < SAME_TICK_P ? earlier.atMs : early(random, spanMs);
    const action = weighted(random, ACTION_WEIGHTS);
    actions.push({ atMs, action });
    if (action === 'estop-press' && random.next() < ESTOP_RELEASED_LATER_P) {
      actions.push({ atMs: Math.round(uniform(random, atMs, spanMs)), action: 'estop-release' });
    }
  }
  return actions.sort((a, b) => a.atMs - b.atMs);
}

function drawFaults(random: Random, spanMs: number): FaultSpec[] {
  const faults: FaultSpec[] = [];
  for (const kind of FAULT_KINDS) {
    if (random.next() >= FAULT_SITE_P) continue;
    const windows = 1 + Math.floor(random.next() * MAX_WINDOWS_PER_SITE);
    for (let i = 0; i < windows; i += 1) faults.push(drawWindow(random, kind, spanMs));
  }
  return faults.sort((a, b) => a.atMs - b.atMs);
}

function drawWindow(random: Random, kind: FaultKind, spanMs: number): FaultSpec {
  const atMs = early(random, spanMs);
  if (kind === 'loop-stall') return { kind, atMs, durationMs: Math.round(logUniform(random, MIN_FAULT_MS, MAX_STALL_MS)) };
  // Windows end within the timeline's span, so the run goes quiet when the timeline does.
  const durationMs = random.next() < PERMANENT_FAULT_P ? null : Math.round(logUniform(random, MIN_FAULT_MS, Math.max(MIN_FAULT_MS, spanMs - atMs)));
  return { kind, atMs, durationMs };
}

/**
 * When the operator and the faults have done their last thing: from here a treatment must end
 * within its nominal length (the hang check).
 */
export function quietFromMs(scenario: Pick<Scenario, 'operator' | 'faults' | 'calibration' | 'probeIdMisreads'>): number {
  let lastMs = misreadsQuietFromMs(scenario.probeIdMisreads);
  for (const e of scenario.calibration?.events ?? []) lastMs = Math.max(lastMs, e.atMs);
  for (const a of scenario.operator) lastMs = Math.max(lastMs, a.atMs);
  for (const f of scenario.faults) lastMs = Math.max(lastMs, f.durationMs === null ? f.atMs : f.atMs + f.durationMs);
  return lastMs;
}

/** The simulated time cap: quiet, then a whole treatment, then the probe's rewarming. */
export function maxMsFor(scenario: Omit<Scenario, 'maxMs'>): number {
  const a = allowances(parseSettings(scenario.settings, 'scenario.settings'), resolvePlantParams(scenario.plant), scenario.tcLagMs);
  return Math.ceil(quietFromMs(scenario) + a.treatmentMs + a.rewarmMs);
}

/** This share of runs has a probe whose calibration is wrong (drawProbeError). */
const PROBE_ERROR_P = 0.5;

/**
 * The sim probe's offset error, uniform within its calibrated reading's uncertainty (Type T,
 * CALIBRATED_TIP_UNCERTAINTY_C): a calibration reading warm or cold by as much as the thaw-end
 * and withdrawal margins allow for. A controller that judged the thaw on the reading alone would
 * break refreeze-before-thaw or withdraw-while-frozen. Undefined: the probe reads true.
 */
function drawProbeError(random: Random): number | undefined {
  if (random.next() >= PROBE_ERROR_P) return undefined;
  const uncertaintyC = tipUncertaintyC({ thermocoupleType: 'T' });
  return uniform(random, -uncertaintyC, uncertaintyC);
}

/** A run draws a thermocouple lagging the tip with this chance. */
const TC_LAG_P = 0.25;
/**
 * The longest lag drawn, ms. A reading lagging by seconds hid withdraw-while-frozen and
 * refreeze-before-thaw defects the fuzzer never drew (fixed in stop 30: docs/safety.md, "SAFE TO
 * WITHDRAW"); 30 s covers the lags those were found at (6-8 s, 30 s). Longer lags are left to the
 * deterministic sweeps: at 60 s in the slowest tissue the resume rule is known to start a freeze
 * on a tip just below 0 C (docs/safety.md), which a campaign would find again and again.
 */
export const TC_LAG_DRAW_MAX_MS = 30_000;

/** The thermocouple's lag behind the tip, log-uniform from a sound junction's up to
 * TC_LAG_DRAW_MAX_MS, in TC_LAG_P of runs; undefined: the sim's default. */
function drawTcLag(random: Random): number | undefined {
  if (random.next() >= TC_LAG_P) return undefined;
  return Math.round(logUniform(random, DEFAULT_SENSOR_PARAMS.tcLagMs, TC_LAG_DRAW_MAX_MS));
}

/** Mix a run seed so that consecutive seeds draw unrelated scenarios. */
function mixSeed(seed: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

export function drawScenario(seed: number): Scenario {
  const random = seededRandom(mixSeed(seed));
  const protocol = drawProtocol(random);
  const settingsInput = drawSettings(random, protocol);
  const settings = parseSettings(settingsInput, 'drawn settings');
  const plant = drawPlant(random);
  const p = settings.protocol;
  const spanMs = TIMELINE_OVERRUN * p.cycles * (p.freezeS + p.thawS) * 1000;
  const operator = drawOperator(random, spanMs);
  const faults = drawFaults(random, spanMs);
  const noiseSeed = Math.floor(random.next() * 0x1_0000_0000);
  // Drawn after everything else, so the draws above stay what they were for every seed.
  const probe = drawProbe(random, settingsInput, settings.iceBall.probeOdMm);
  const tissue = drawTissue(random);
  const probeOffsetErrorC = drawProbeError(random);
  const drawn = drawCalibration(random, settings, probeOffsetErrorC ?? 0, () => early(random, spanMs));
  // A record that states the diameter is the attached probe's: the plant's probe is that one, and
  // the settings' iceBall.probeOdMm (which the record's overrides) may name another.
  const recordOd = drawn?.calibration.probeOdMm === undefined ? {} : { probeOdMm: drawn.calibration.probeOdMm };
  const plantAll: PlantOverrides = { ...plant, ...probe.plant, ...recordOd, ...(Object.keys(tissue).length > 0 ? { tissue } : {}) };
  // The id misreads matter where the record is read by the probe's id: drawn last, in those runs.
  const misreads = drawn === null ? [] : drawProbeIdMisreads(random, settings, () => early(random, spanMs));
  const allFaults = drawn === null || drawn.glitches.length === 0 ? faults : [...faults, ...drawn.glitches].sort((a, b) => a.atMs - b.atMs);
  // Drawn last, so every draw above stays what it was for every seed.
  const tcLagMs = drawTcLag(random);
  const base = {
    seed, noiseSeed, settings: probe.settings, plant: plantAll, operator, faults: allFaults,
    ...(probeOffsetErrorC === undefined ? {} : { probeOffsetErrorC }),
    ...(drawn === null ? {} : { calibration: drawn.calibration }),
    ...(misreads.length === 0 ? {} : { probeIdMisreads: misreads }),
    ...(tcLagMs === undefined ? {} : { tcLagMs }),
  };
  return { ...base, maxMs: maxMsFor(base) };
}

/**
 * The probe in the plant and in the settings is one probe: a drawn outer diameter goes into both
 * (the console is set up for the probe attached); otherwise the plant's probe is the one the
 * settings name (drawn or the default, the same 1.27 mm as the plant's default).
 */
function drawProbe(random: Random, settingsInput: Record<string, unknown>, configuredOdMm: number): { settings: Record<string, unknown>; plant: Partial<PlantParams> } {
  const drawnOdMm = drawProbeOdMm(random);
  const probeOdMm = drawnOdMm ?? configuredOdMm;
  const plant = probeOdMm === DEFAULT_PLANT_PARAMS.probeOdMm ? {} : { probeOdMm };
  if (drawnOdMm === null) return { settings: settingsInput, plant };
  const iceBall = (settingsInput.iceBall ?? {}) as Record<string, unknown>;
  return { settings: { ...settingsInput, iceBall: { ...iceBall, probeOdMm: drawnOdMm } }, plant };
}
