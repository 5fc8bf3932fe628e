// What one tick knows: the readings reduced to the few facts the interlocks and the phase logic
// need, computed once per step. Pure; no I/O.
import type { AbsPressureSample, Readings, TipSample } from '../../hal/contract.js';
import type { ThermocoupleType } from '../../kernel/probe.js';
import type { ControllerReadings } from './probe-calibration.js';
import { TC_TOLERANCE_AT_SUBLIMATION_C } from './probe-calibration.js';
import { SUBLIMATION_MAX_PRESSURE_BAR, SUBLIMATION_MIN_PRESSURE_BAR, sublimationTempC } from '../../kernel/co2.js';
import type { Settings } from './settings.js';
import type { ControllerState } from './state.js';
import type { StepWorkspace } from './workspace.js';
import { assert } from '../../kernel/assert.js';

export interface TickContext {
  readonly nowMs: number;
  readonly settings: Settings;
  readonly readings: ControllerReadings;
  /** State as it stands after this tick's trackers were updated (phase not yet advanced). */
  readonly state: ControllerState;
  /** The control channel's sample when it is usable (its `tipC` is the control tip); null
   * otherwise. The context holds the readings' samples, not copies of their temperatures: a
   * temperature that may be null is a heap number each time it is written (bench/sim-alloc.ts). */
  readonly tip: TipSample | null;
  /** Why the thermocouple readings are unusable, naming the channel and value; null when fine. */
  readonly tcProblem: string | null;
  /** The coldest usable channel's sample, for the low-temperature limits; null when none is usable. */
  readonly coldestTip: TipSample | null;
  /** Which input is stale and by how much; null when every sample is fresh. */
  readonly staleProblem: string | null;
  /** The return-line sample when measured and plausible (its `barAbs`; an implausible reading is
   * PRESSURE_SENSOR_FAULT's business; here it counts as unknown); null otherwise. */
  readonly returnLine: AbsPressureSample | null;
  /** Gas is flowing, judged by return-line pressure (false when not measured). */
  readonly flowDetected: boolean;
}

/** The control period, ms. */
export function periodMs(settings: Settings): number {
  return 1000 / settings.loop.rateHz;
}

export function tipProblem(sample: TipSample, channel: number, settings: Settings): string | null {
  const t = settings.tip;
  if (sample.fault !== null) return `channel ${channel}: fault bit '${sample.fault}'`;
  if (!Number.isFinite(sample.tipC)) return `channel ${channel}: tip reading ${sample.tipC} is not a number`;
  if (sample.tipC < t.minValidC || sample.tipC > t.maxValidC) {
    return `channel ${channel}: tip ${sample.tipC} C outside ${t.minValidC}..${t.maxValidC} C`;
  }
  if (!Number.isFinite(sample.coldJunctionC) || sample.coldJunctionC < t.coldJunctionMinC || sample.coldJunctionC > t.coldJunctionMaxC) {
    return `channel ${channel}: cold junction ${sample.coldJunctionC} C outside ${t.coldJunctionMinC}..${t.coldJunctionMaxC} C`;
  }
  return null;
}

/** A sample may be stamped this far after the tick's own time (a back-end's clock read a moment
 * later); further ahead, or a non-finite stamp, is a broken clock and the sample counts as stale
 * (it would otherwise never age, and would keep feeding the hardware watchdog). */
export const FUTURE_STAMP_TOLERANCE_MS = 5;

/** Why one input sample cannot be taken as current at `nowMs` (older than `staleMs`, stamped in
 * the future, or stamped with no time), named as `name`; null when it is fresh. The rule
 * `staleness` applies to every sample; the console snapshot applies it to each value it shows. */
export function sampleAgeProblem(name: string, nowMs: number, atMs: number, staleMs: number): string | null {
  if (sampleFresh(nowMs, atMs, staleMs)) return null;
  const ageMs = nowMs - atMs;
  if (!Number.isFinite(atMs)) return `${name} sample time ${atMs} is not a number`;
  if (ageMs < -FUTURE_STAMP_TOLERANCE_MS) return `${name} sample is stamped ${(-ageMs).toFixed(0)} ms in the future`;
  return `${name} sample is ${ageMs.toFixed(0)} ms old (limit ${staleMs} ms)`;
}

/** The sample is current at `nowMs`: sampleAgeProblem finds nothing to say. Asked first, so that a
 * fresh sample's name is never built (this runs for every sample of every tick). */
function sampleFresh(nowMs: number, atMs: number, staleMs: number): boolean {
  const ageMs = nowMs - atMs;
  return Number.isFinite(atMs) && ageMs >= -FUTURE_STAMP_TOLERANCE_MS && ageMs <= staleMs;
}

/** The first input sample (tip channels, supply, return) older than `staleMs` at `nowMs`, named with
 * its age; null when every one is fresh. SENSOR_STALE's condition; the runtime also waits for it
 * to clear before the first tick. */
export function staleness(nowMs: number, readings: Pick<ControllerReadings, 'tips' | 'supply' | 'returnLine'>, staleMs: number): string | null {
  for (let i = 0; i < readings.tips.length; i++) {
    const tip = readings.tips[i];
    if (tip !== undefined && !sampleFresh(nowMs, tip.atMs, staleMs)) return sampleAgeProblem(`tip channel ${i}`, nowMs, tip.atMs, staleMs);
  }
  const supply = sampleAgeProblem('supply pressure', nowMs, readings.supply.atMs, staleMs);
  if (supply !== null || readings.returnLine === null) return supply;
  return sampleAgeProblem('return pressure', nowMs, readings.returnLine.atMs, staleMs);
}

/** Physical floor for a return-line pressure, clamped to the fit's range, less the thermocouple
 * type's tolerance and the configured margin. The return line vents to the room, so its pressure
 * is never taken below the site's atmospheric pressure (a transducer reading 0.5 bar would
 * otherwise lower the floor to -90 C and let nitrous oxide pass as CO2). */
export function physicalFloorC(returnBar: number | null, settings: Settings, thermocoupleType: ThermocoupleType): number {
  return floorAtReturnC(returnBar ?? settings.pressure.ambientBarAbs, settings, thermocoupleType);
}

/** physicalFloorC at a measured return pressure, bar absolute (not null: a number that may be null
 * is a heap number at each call, and floorAbove calls this on every tick of a cold tip). */
function floorAtReturnC(returnBar: number, settings: Settings, thermocoupleType: ThermocoupleType): number {
  const ventedBar = Math.max(returnBar, settings.pressure.ambientBarAbs);
  const p = Math.min(Math.max(ventedBar, SUBLIMATION_MIN_PRESSURE_BAR), SUBLIMATION_MAX_PRESSURE_BAR);
  return sublimationTempC(p) - (TC_TOLERANCE_AT_SUBLIMATION_C[thermocoupleType] + settings.tip.floorMarginC);
}

/** The warmest sublimation point within the fit's range, C: at its highest pressure (the point
 * rises with the pressure), so no physical floor (physicalFloorC) is warmer than this less the
 * floor's allowance. tests/controller-context-edges.test.ts walks the range to hold it so. */
export const SUBLIMATION_CEILING_C = sublimationTempC(SUBLIMATION_MAX_PRESSURE_BAR);

/**
 * The physical floor (physicalFloorC) when `tipC` reads below it; null when it does not.
 * TIP_BELOW_PHYSICAL_FLOOR's condition. A reading at or above the ceiling less the allowance is
 * above every floor, and is answered without solving the sublimation point (a logarithm, a square
 * root and divisions, a few per cent of the step on every tick, where the tip is warm on most): the
 * allowance is the same expression physicalFloorC takes off, and rounding keeps the order, so the
 * answer is the one a solve would give.
 */
export function floorAbove(tipC: number, returnLine: AbsPressureSample | null, settings: Settings, thermocoupleType: ThermocoupleType): number | null {
  if (tipC >= SUBLIMATION_CEILING_C - (TC_TOLERANCE_AT_SUBLIMATION_C[thermocoupleType] + settings.tip.floorMarginC)) return null;
  const floorC = floorAtReturnC(returnLine === null ? settings.pressure.ambientBarAbs : returnLine.barAbs, settings, thermocoupleType);
  return tipC < floorC ? floorC : null;
}

/** Return-line pressure when measured and plausible, bar absolute; null otherwise. */
export function measuredReturnBar(readings: Readings): number | null {
  return measuredReturnLine(readings)?.barAbs ?? null;
}

/** The return-line sample when measured and plausible (measuredReturnBar); null otherwise. */
export function measuredReturnLine(readings: Readings): AbsPressureSample | null {
  const rl = readings.returnLine;
  return rl !== null && Number.isFinite(rl.barAbs) && rl.barAbs > 0 ? rl : null;
}

/**
 * The tick's context, written into the workspace's scratch context (built on its first tick, then
 * rewritten in place): valid until the workspace's next step, which is all the step needs of it
 * (nothing it returns refers to the context). Everything in it but `state` comes from the readings
 * and the settings: the step makes it over the previous state, gives the trackers its tip and flow
 * (worked out once a tick), then puts the tracked state in (contextOver).
 */
export function makeContext(nowMs: number, settings: Settings, readings: ControllerReadings, state: ControllerState, work: StepWorkspace): TickContext {
  const tips = readings.tips;
  let tcProblem: string | null = tips.length === 0 ? 'no thermocouple channel' : null;
  let coldestTip: TipSample | null = null;
  let tip: TipSample | null = null;
  // A plain loop: this runs every tick, and a closure per tick is garbage (bench/sim.ts).
  for (let channel = 0; channel < tips.length; channel++) {
    const sample = tips[channel];
    if (sample === undefined) continue;
    const problem = tipProblem(sample, channel, settings);
    if (problem !== null) {
      tcProblem ??= problem;
      continue;
    }
    if (channel === 0) tip = sample;
    if (coldestTip === null || sample.tipC < coldestTip.tipC) coldestTip = sample;
  }
  const returnLine = measuredReturnLine(readings);
  const staleProblem = staleness(nowMs, readings, settings.tip.staleMs);
  const flowDetected = returnLine !== null && returnLine.barAbs > settings.pressure.returnFlowBar;
  const c = work.context;
  if (c === null) {
    return (work.context = { nowMs, settings, readings, state, tip, tcProblem, coldestTip, staleProblem, returnLine, flowDetected });
  }
  c.nowMs = nowMs;
  c.settings = settings;
  c.readings = readings;
  c.state = state;
  c.tip = tip;
  c.tcProblem = tcProblem;
  c.coldestTip = coldestTip;
  c.staleProblem = staleProblem;
  c.returnLine = returnLine;
  c.flowDetected = flowDetected;
  return c;
}

/** The workspace's context of this tick (makeContext) over `state`, written in place: the step's
 * context once the trackers have run. */
export function contextOver(work: StepWorkspace, state: ControllerState): TickContext {
  const c = work.context;
  assert(c !== null, 'control step: the tick context is put over a state before it is made');
  c.state = state;
  return c;
}

/** The same tick's context over another state (the phase logic runs on the state after the
 * interlocks): every field named, as a spread of them cost far more (bench/sim.ts). */
export function withState(ctx: TickContext, state: ControllerState): TickContext {
  return {
    nowMs: ctx.nowMs,
    settings: ctx.settings,
    readings: ctx.readings,
    state,
    tip: ctx.tip,
    tcProblem: ctx.tcProblem,
    coldestTip: ctx.coldestTip,
    staleProblem: ctx.staleProblem,
    returnLine: ctx.returnLine,
    flowDetected: ctx.flowDetected,
  };
}
