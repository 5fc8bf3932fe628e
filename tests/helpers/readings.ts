// Test helpers for the pure control step: nominal Readings with overrides, a 50 Hz driver over a
// scripted reading function (no plant, virtual time only), and a plant-free "normal patient"
// whose tip follows the valves the controller commanded on the previous step.
import { expect } from 'vitest';
import type { AbsPressureSample, OperatorSample, Outputs, TcFault, TipSample } from '../../hal/contract.js';
import { isAdvisory } from '../../src/controller/interlocks.js';
import { CONSOLE_UNWATCHED, RECORDS_UNWATCHED, calibrated } from '../../src/controller/probe-calibration.js';
import type { ConsoleWatch, ControllerReadings as Readings, ProbeCalibration, RecordsWatch } from '../../src/controller/probe-calibration.js';
import { DEFAULT_SETTINGS } from '../../src/controller/settings.js';
import type { Settings } from '../../src/controller/settings.js';
import { initialState } from '../../src/controller/state.js';
import type { ControllerState } from '../../src/controller/state.js';
import { step } from '../../src/controller/step.js';
import type { ControllerEvent, InterlockId, Phase } from '../../src/controller/types.js';

export const PERIOD_MS = 20;
export const BODY_C = 37;
export const SUPPLY_NOMINAL_BAR = 57;
export const RETURN_IDLE_BAR = 1.013;
export const RETURN_FLOWING_BAR = 1.9;

export interface ReadingOverrides {
  readonly tipC?: number;
  readonly coldJunctionC?: number;
  readonly fault?: TcFault | null;
  /** Sample time of the tip channel(s); defaults to `nowMs` (fresh). */
  readonly tipAtMs?: number;
  /** Replaces the whole tip channel list (the other tip overrides are then ignored). */
  readonly tips?: readonly TipSample[];
  readonly supplyBarGauge?: number;
  readonly supplyAtMs?: number;
  /** Return-line pressure, bar absolute; null for a board without the transducer. */
  readonly returnBarAbs?: number | null;
  readonly returnAtMs?: number;
  readonly probePresent?: boolean;
  readonly operator?: Partial<Omit<OperatorSample, 'atMs'>>;
  readonly halFault?: string | null;
  /** The probe's calibration; by default a valid Type T calibration with no correction. */
  readonly calibration?: ProbeCalibration;
  /** The console side's liveness; by default no console page is served (not watched). */
  readonly console?: ConsoleWatch;
  /** The records' health; by default no records are kept (not watched). */
  readonly records?: RecordsWatch;
}

export const EXACT_TYPE_T = calibrated('T', 0, 1);

/** Nominal readings at `nowMs`: tip 37 C fresh, supply 57 bar, return 1 atm, probe in, no buttons. */
export function nominalReadings(nowMs: number, o: ReadingOverrides = {}): Readings {
  const tip: TipSample = { tipC: o.tipC ?? BODY_C, coldJunctionC: o.coldJunctionC ?? 25, fault: o.fault ?? null, atMs: o.tipAtMs ?? nowMs };
  const returnBarAbs = o.returnBarAbs === undefined ? RETURN_IDLE_BAR : o.returnBarAbs;
  const returnLine: AbsPressureSample | null = returnBarAbs === null ? null : { barAbs: returnBarAbs, atMs: o.returnAtMs ?? nowMs };
  return {
    tips: o.tips ?? [tip],
    supply: { barGauge: o.supplyBarGauge ?? SUPPLY_NOMINAL_BAR, atMs: o.supplyAtMs ?? nowMs },
    returnLine,
    probe: { present: o.probePresent ?? true, id: null, atMs: nowMs },
    operator: { start: false, stop: false, acknowledge: false, audioPause: false, newSite: false, footswitch: false, estop: false, ...o.operator, atMs: nowMs },
    halFault: o.halFault ?? null,
    calibration: o.calibration ?? EXACT_TYPE_T,
    console: o.console ?? CONSOLE_UNWATCHED,
    records: o.records ?? RECORDS_UNWATCHED,
  };
}

/** Readings for a tick, given the state the step is about to be called with. */
export type Script = (nowMs: number, state: ControllerState) => Readings;

export interface StepRecord {
  readonly nowMs: number;
  readonly readings: Readings;
  readonly outputs: Outputs;
  /** State after the step. */
  readonly state: ControllerState;
  readonly events: readonly ControllerEvent[];
}

export interface DriveOptions {
  readonly settings?: Settings;
  /** State to continue from; defaults to initialState(startMs). */
  readonly state?: ControllerState;
  /** Time of the first step; defaults to the state's last step + one period, or 0. */
  readonly startMs?: number;
  /** Run at most this long (virtual ms, first step included); default 30 minutes. */
  readonly durationMs?: number;
  /** Gap before step `i` (i >= 1); defaults to one 50 Hz period. */
  readonly gapMs?: (i: number) => number;
  /** Stop after the first step for which this is true (that step is included). */
  readonly until?: (rec: StepRecord) => boolean;
}

export interface Drive {
  readonly steps: readonly StepRecord[];
  readonly events: readonly ControllerEvent[];
  readonly state: ControllerState;
  /** Time of the last step run. */
  readonly lastMs: number;
}

/** Run the pure step over `script` in virtual time. Never touches the wall clock. */
export function drive(script: Script, options: DriveOptions = {}): Drive {
  const settings = options.settings ?? DEFAULT_SETTINGS;
  const lastStepMs = options.state?.lastStepMs ?? null;
  const startMs = options.startMs ?? (lastStepMs === null ? 0 : lastStepMs + PERIOD_MS);
  let state = options.state ?? initialState(startMs);
  const endMs = startMs + (options.durationMs ?? 1_800_000);
  const steps: StepRecord[] = [];
  const events: ControllerEvent[] = [];
  let nowMs = startMs;
  for (let i = 0; nowMs <= endMs; i++) {
    if (i > 0) nowMs += options.gapMs?.(i) ?? PERIOD_MS;
    if (nowMs > endMs) break;
    const readings = script(nowMs, state);
    const result = step(nowMs, settings, readings, state);
    state = result.state;
    const rec: StepRecord = { nowMs, readings, outputs: result.outputs, state, events: result.events };
    steps.push(rec);
    events.push(...result.events);
    if (options.until?.(rec) === true) break;
  }
  const last = steps.at(-1);
  return { steps, events, state, lastMs: last?.nowMs ?? startMs };
}

/** Run `script` for exactly `count` steps from `state`. */
export function driveSteps(script: Script, count: number, options: DriveOptions = {}): Drive {
  let n = 0;
  return drive(script, { ...options, until: () => ++n >= count });
}

export type TripEvent = Extract<ControllerEvent, { kind: 'trip' }>;

/** The trips that act (close the valves, end the treatment): an advisory row's trip
 * (INEFFECTIVE_FREEZE, which only raises its alarm) is not one; advisories() lists those. */
export function trips(events: readonly ControllerEvent[]): TripEvent[] {
  return events.filter((e): e is TripEvent => e.kind === 'trip' && !isAdvisory(e.id));
}

/** The advisory rows' trips (INEFFECTIVE_FREEZE): an alarm condition raised, nothing else. */
export function advisories(events: readonly ControllerEvent[]): TripEvent[] {
  return events.filter((e): e is TripEvent => e.kind === 'trip' && isAdvisory(e.id));
}

export function phaseEvents(events: readonly ControllerEvent[]): Extract<ControllerEvent, { kind: 'phase' }>[] {
  return events.filter((e): e is Extract<ControllerEvent, { kind: 'phase' }> => e.kind === 'phase');
}

/** The step whose events include the trip of `id`, or undefined. */
export function tripStep(d: Drive, id: InterlockId): StepRecord | undefined {
  return d.steps.find((r) => r.events.some((e) => e.kind === 'trip' && e.id === id));
}

export const gasPathOpen = (o: Outputs): boolean => o.supplyValveOpen && o.safetyValveOpen;
export const anyValveOpen = (o: Outputs): boolean => o.supplyValveOpen || o.safetyValveOpen;

export interface PatientOptions {
  /** Tip the gas drives toward with both valves open. */
  readonly coldTipC?: number;
  /** Time constants toward the cold target and back toward body temperature. */
  readonly coolTauMs?: number;
  readonly warmTauMs?: number;
  /** A small deterministic ripple so the reading is never constant (SENSOR_STUCK). */
  readonly rippleC?: number;
  /** Press start at this time (a one-step momentary press); null never. */
  readonly startAtMs?: number | null;
  readonly footswitch?: boolean;
}

/**
 * A plant-free normal treatment: the tip cools toward -65 C while the previous step's outputs
 * had both valves open and warms toward 37 C otherwise; the return line reads 1.9 bar abs while
 * both valves were open and 1 atm otherwise. Stateful: call once per step, in time order.
 */
export class NormalPatient {
  tipTrueC = BODY_C;
  #lastMs: number | null = null;
  readonly #o: Required<PatientOptions>;

  constructor(options: PatientOptions = {}) {
    this.#o = { coldTipC: -65, coolTauMs: 3_000, warmTauMs: 8_000, rippleC: 0.1, startAtMs: 0, footswitch: false, ...options };
  }

  /** Advance the tip to `nowMs` under the outputs in `state` and return the nominal readings. */
  readings(nowMs: number, state: ControllerState, o: ReadingOverrides = {}): Readings {
    const flowing = gasPathOpen(state.outputs);
    const dtMs = this.#lastMs === null ? 0 : nowMs - this.#lastMs;
    this.#lastMs = nowMs;
    const targetC = flowing ? this.#o.coldTipC : BODY_C;
    const tauMs = flowing ? this.#o.coolTauMs : this.#o.warmTauMs;
    this.tipTrueC = targetC + (this.tipTrueC - targetC) * Math.exp(-dtMs / tauMs);
    const ripple = this.#o.rippleC * Math.sin((2 * Math.PI * nowMs) / 1_700);
    return nominalReadings(nowMs, {
      tipC: this.tipTrueC + ripple,
      returnBarAbs: flowing ? RETURN_FLOWING_BAR : RETURN_IDLE_BAR,
      ...o,
      operator: { start: nowMs === this.#o.startAtMs, footswitch: this.#o.footswitch, ...o.operator },
    });
  }

  /** As a Script, with optional per-tick overrides. */
  script(overrides?: (nowMs: number, state: ControllerState) => ReadingOverrides): Script {
    return (nowMs, state) => this.readings(nowMs, state, overrides?.(nowMs, state) ?? {});
  }
}

/** A short protocol for unit tests: 1 x 30 s freeze, 20 s thaw. */
export const SHORT_PROTOCOL = { cycles: 1, freezeS: 30, thawS: 20 } as const;

export const inPhase =
  (phase: Phase, forMs = 0) =>
  (rec: StepRecord): boolean =>
    rec.state.phase === phase && rec.nowMs - rec.state.phaseSinceMs >= forMs;

/**
 * Assert that `d` contains exactly one trip of `id`, that the outputs of that same step have both
 * valves closed, and that the step left the controller in `phase`. Returns the trip step.
 */
export function expectTrip(d: Drive, id: InterlockId, phase: 'Fault' | 'Stopped'): StepRecord {
  const rec = tripStep(d, id);
  expect(rec, `${id} should trip; trips seen: ${trips(d.events).map((t) => t.id).join(', ') || 'none'}`).toBeDefined();
  if (rec === undefined) throw new Error('unreachable');
  expect(trips(d.events).filter((t) => t.id === id)).toHaveLength(1);
  expect(rec.outputs.supplyValveOpen).toBe(false);
  expect(rec.outputs.safetyValveOpen).toBe(false);
  expect(rec.state.phase).toBe(phase);
  expect(rec.state.interlocks[id].tripped).toBe(true);
  return rec;
}

/** The detail of the trip of `id` in `d` (throws when it did not trip). */
export function tripDetail(d: Drive, id: InterlockId): string {
  const event = trips(d.events).find((t) => t.id === id);
  if (event === undefined) throw new Error(`${id} did not trip`);
  return event.detail;
}

/** Run the normal patient under `settings` until `until` holds; the patient carries on from there. */
export function normalUntil(settings: Settings, until: (rec: StepRecord) => boolean, patient = new NormalPatient()): { patient: NormalPatient; at: Drive } {
  const at = drive(patient.script(), { settings, until });
  const last = at.steps.at(-1);
  if (last === undefined || !until(last)) throw new Error('normal run never reached the requested point');
  return { patient, at };
}
