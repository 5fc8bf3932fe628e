// What one tick knows: the readings reduced to the few facts the interlocks and the phase logic
// need, computed once per step. Pure; no I/O.
import type { TipSample } from '../../hal/contract.js';
import type { ThermocoupleType } from '../../calibration/types.js';
import type { ControllerReadings } from './probe-calibration.js';
import { TC_TOLERANCE_AT_SUBLIMATION_C } from './probe-calibration.js';
import { ATMOSPHERIC_PRESSURE_BAR, SUBLIMATION_MAX_PRESSURE_BAR, SUBLIMATION_MIN_PRESSURE_BAR, sublimationTempC } from '../physics/co2.js';
import type { Settings } from './settings.js';
import type { ControllerState } from './state.js';

export interface TickContext {
  readonly nowMs: number;
  readonly settings: Settings;
  readonly readings: ControllerReadings;
  /** State as it stands after this tick's trackers were updated (phase not yet advanced). */
  readonly state: ControllerState;
  /** The control channel's temperature when it is usable; null otherwise. */
  readonly tipC: number | null;
  /** Why the thermocouple readings are unusable, naming the channel and value; null when fine. */
  readonly tcProblem: string | null;
  /** The coldest usable channel, for the low-temperature limits. */
  readonly coldestTipC: number | null;
  /** Which input is stale and by how much; null when every sample is fresh. */
  readonly staleProblem: string | null;
  /** Return-line pressure when measured and plausible, bar absolute (an implausible reading is
   * PRESSURE_SENSOR_FAULT's business; here it counts as unknown). */
  readonly returnBar: number | null;
  /** Coldest physically possible tip reading: Tsub(return) - (tolerance + margin). */
  readonly floorC: number;
  /** Gas is flowing, judged by return-line pressure (false when not measured). */
  readonly flowDetected: boolean;
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

function staleness(nowMs: number, readings: ControllerReadings, staleMs: number): string | null {
  const ages: [string, number][] = readings.tips.map((s, i) => [`tip channel ${i}`, nowMs - s.atMs]);
  ages.push(['supply pressure', nowMs - readings.supply.atMs]);
  if (readings.returnLine !== null) ages.push(['return pressure', nowMs - readings.returnLine.atMs]);
  for (const [name, ageMs] of ages) {
    if (!(ageMs <= staleMs)) return `${name} sample is ${ageMs.toFixed(0)} ms old (limit ${staleMs} ms)`;
  }
  return null;
}

/** Physical floor for a return-line pressure (1 atm when unknown), clamped to the fit's range,
 * less the thermocouple type's tolerance and the configured margin. */
export function physicalFloorC(returnBar: number | null, settings: Settings, thermocoupleType: ThermocoupleType): number {
  const p = Math.min(Math.max(returnBar ?? ATMOSPHERIC_PRESSURE_BAR, SUBLIMATION_MIN_PRESSURE_BAR), SUBLIMATION_MAX_PRESSURE_BAR);
  return sublimationTempC(p) - (TC_TOLERANCE_AT_SUBLIMATION_C[thermocoupleType] + settings.tip.floorMarginC);
}

export function makeContext(nowMs: number, settings: Settings, readings: ControllerReadings, state: ControllerState): TickContext {
  let tcProblem: string | null = readings.tips.length === 0 ? 'no thermocouple channel' : null;
  let coldestTipC: number | null = null;
  readings.tips.forEach((sample, channel) => {
    const problem = tipProblem(sample, channel, settings);
    if (problem !== null) {
      tcProblem ??= problem;
    } else if (coldestTipC === null || sample.tipC < coldestTipC) {
      coldestTipC = sample.tipC;
    }
  });
  const control = readings.tips[0];
  const tipC = control !== undefined && tipProblem(control, 0, settings) === null ? control.tipC : null;
  const rl = readings.returnLine;
  const returnBar = rl !== null && Number.isFinite(rl.bar) && rl.bar > 0 ? rl.bar : null;
  return {
    nowMs,
    settings,
    readings,
    state,
    tipC,
    tcProblem,
    coldestTipC,
    staleProblem: staleness(nowMs, readings, settings.tip.staleMs),
    returnBar,
    floorC: physicalFloorC(returnBar, settings, readings.calibration.thermocoupleType),
    flowDetected: returnBar !== null && returnBar > settings.pressure.returnFlowBar,
  };
}
