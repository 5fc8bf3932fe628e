// The allowances the invariants grant, each derived from a plant or settings value and named for
// what it covers: the valves' own response delay, the control period, the plant's integration
// step, and the controller's documented detection bounds. No figure here is tuned to make a run pass.
import { DEFAULT_SENSOR_PARAMS } from '../../../hil/sim/index.js';
import type { Settings } from '../../controller/settings.js';
import { debounceFor, interlockById } from '../../controller/interlocks.js';
import { SELF_TEST_VALVE_PAUSE_MS } from '../../controller/phase-logic.js';
import { thawEndReadingC, tipUncertaintyC, withdrawReadingC } from '../../controller/probe-calibration.js';
import { ATMOSPHERIC_PRESSURE_BAR } from '../../../kernel/units.js';
import type { PlantParams } from '../../../hil/plant/index.js';
import { BODY_TEMP_C, PLANT_SUBSTEP_MS, WATCHDOG_TIMEOUT_MS, sublimationFloorC, tissueRewarmBoundMs } from '../../../hil/plant/index.js';
import { LATENT_SLOWDOWN_FACTOR } from '../../../hil/plant/probe-thermal.js';

/** Gaussian noise on the tip reading exceeds this many standard deviations about once in 3.5
 * million samples: a reading past a threshold by less is within the sensor's noise. */
const NOISE_SIGMAS = 5;
/** How far past a threshold a healthy reading may be while the truth is not (its noise). */
export const TIP_NOISE_ALLOWANCE_C = NOISE_SIGMAS * DEFAULT_SENSOR_PARAMS.tcNoiseSdC;

/** The thermocouple's first-order lag settles to within 1 % in about 5 time constants (e^-5). */
const LAG_SETTLE_TIME_CONSTANTS = 5;

export interface Allowances {
  readonly periodMs: number;
  /** Command to seat moved: the valve delay, plus a plant substep either side (the plant applies a
   * command at its next substep and reports the seat at the end of one). */
  readonly valveMoveMs: number;
  /** The controller's post-freeze verify window (phase-logic.ts): closeVerifyMs plus VALVE_FAILURE's
   * debounce plus two periods, so the check sees flow and debounces it before Thawing. */
  readonly verifyWindowMs: number;
  /**
   * Longest gas may flow through a stuck-open supply valve while the controller commands it closed
   * and the safety valve open: the longer of the single-valve self-test window and the verify
   * window (VALVE_FAILURE's documented detection bounds), then a period for the tick that acts and
   * the safety valve's move.
   */
  readonly singleValveFlowMs: number;
  /** A freeze's true flow may exceed its commanded time by the closing valve's delay, the tick on
   * which the freeze timer is judged, and a period of flow sampling at each end. */
  readonly freezeEndMs: number;
  /** The external watchdog cuts valve power this long after the last heartbeat change (plus the
   * plant substep it is judged on, each side). */
  readonly watchdogCutMs: number;
  /** Longest a whole treatment can take from its start to Complete with nothing going wrong. */
  readonly treatmentMs: number;
  /** Longest the probe needs after a freeze to rewarm past the withdraw threshold. */
  readonly rewarmMs: number;
}

/**
 * Time for the tip to rewarm to `targetC` after `freezeMs` of gas, plus the thermocouple settling:
 * the longer of a probe in room air (the thaw time constant, slowed by the latent band over the
 * whole way from the coldest CO2 can make it) and a probe in tissue (the tissue model's bound,
 * hil/plant/rewarm.ts: the ice ball of that much gas at the coldest wall, thawing). A target at
 * body temperature is reached by the reading's noise, so the gap left is at least one noise
 * standard deviation.
 */
export function rewarmMs(plant: PlantParams, targetC: number, freezeMs: number, tcLagMs: number = DEFAULT_SENSOR_PARAMS.tcLagMs): number {
  const coldestC = sublimationFloorC(ATMOSPHERIC_PRESSURE_BAR);
  const gapC = Math.max(BODY_TEMP_C - targetC, DEFAULT_SENSOR_PARAMS.tcNoiseSdC);
  const tauMs = plant.thawTimeConstantMs * LATENT_SLOWDOWN_FACTOR;
  const inAirMs = tauMs * Math.log((BODY_TEMP_C - coldestC) / gapC);
  const inTissueMs = tissueRewarmBoundMs(plant, freezeMs, BODY_TEMP_C - gapC);
  return Math.max(inAirMs, inTissueMs) + LAG_SETTLE_TIME_CONSTANTS * tcLagMs;
}

/** The fuzzer's probe is the sim's Type T; its drawn error is within this (draw.ts drawProbeError). */
const SIM_PROBE = { thermocoupleType: 'T' } as const;

/**
 * The true tip at which a reading passes `readingC` in the worst case the fuzzer draws: a probe
 * that reads cold by the whole calibration uncertainty (draw.ts drawProbeError).
 */
function trueTipForReadingC(readingC: number): number {
  return readingC + tipUncertaintyC(SIM_PROBE);
}

export function allowances(settings: Settings, plant: PlantParams, tcLagMs: number = DEFAULT_SENSOR_PARAMS.tcLagMs): Allowances {
  const periodMs = 1000 / settings.loop.rateHz;
  const valveMoveMs = plant.valveDelayMs + 2 * PLANT_SUBSTEP_MS;
  const v = settings.valves;
  const verifyWindowMs = v.closeVerifyMs + debounceFor(interlockById('VALVE_FAILURE'), settings.debounceMs) + 2 * periodMs;
  const singleValveFlowMs = Math.max(v.selfTestValveMs, verifyWindowMs) + periodMs + valveMoveMs;
  const p = settings.protocol;
  // Self-test: settle, each single-valve window and the pause between (at most a period each to
  // notice), then per cycle the freeze, its grace, the verify window, the thaw and the rewarm.
  const selfTestMs = v.selfTestSettleMs + 2 * v.selfTestValveMs + SELF_TEST_VALVE_PAUSE_MS + 4 * periodMs;
  // The gas one site can get: the protocol's freezes (each with its grace), under the site cap.
  const siteGasMs = Math.min(p.cycles * p.freezeS, settings.freezeLimit.cumulativeMaxS) * 1000 + p.cycles * settings.freezeLimit.perCycleGraceMs;
  const cycleMs = p.freezeS * 1000 + settings.freezeLimit.perCycleGraceMs + verifyWindowMs + p.thawS * 1000 + rewarmMs(plant, trueTipForReadingC(thawEndReadingC(settings.thaw.endTipC, SIM_PROBE)), siteGasMs, tcLagMs) + 4 * periodMs;
  return {
    periodMs,
    valveMoveMs,
    verifyWindowMs,
    singleValveFlowMs,
    freezeEndMs: plant.valveDelayMs + 3 * periodMs + PLANT_SUBSTEP_MS,
    watchdogCutMs: WATCHDOG_TIMEOUT_MS + 2 * PLANT_SUBSTEP_MS,
    treatmentMs: selfTestMs + p.cycles * cycleMs,
    rewarmMs: rewarmMs(plant, trueTipForReadingC(withdrawReadingC(settings.thaw.withdrawMarginC, SIM_PROBE)), siteGasMs, tcLagMs),
  };
}
