// One whole treatment on the simulated board in virtual time, as fast as the machine runs it:
// the same ControlLoop and controller as the console, the plant advancing lazily under the sim
// HAL, faults injected at simulated times. Start is pressed at 0 s.
import { SimHal } from '../../hil/sim/index.js';
import type { Settings } from '../controller/settings.js';
import type { ControllerState } from '../controller/state.js';
import type { Logger } from '../../kernel/log.js';
import { silentLogger } from '../../kernel/log.js';
import type { Clock } from '../../kernel/clock.js';
import { VirtualClock } from '../../kernel/clock.js';
import { ControlLoop } from '../runtime/loop.js';
import type { TickCalibration } from '../runtime/calibration-provider.js';
import type { StepFunction } from '../runtime/loop.js';
import { FixedCalibrationProvider } from '../runtime/calibration-provider.js';
import { calibrated } from '../controller/probe-calibration.js';
import { VirtualScheduler } from '../../kernel/scheduler/index.js';
import type { FaultSpec } from '../../hil/faults.js';
import type { PlantParams } from '../../hil/plant/index.js';
import { PLANT_SUBSTEP_MS, resolvePlantParams } from '../../hil/plant/index.js';
import type { TreatmentSummary } from './recorder.js';
import { POST_TREATMENT_MAX_S, TreatmentRecorder } from './recorder.js';
import { unknownTipWaitMs, withdrawalStatus } from '../controller/withdrawal.js';

/** The simulated probe is Type T and, with no configured probe error, reads true. */
export const SIM_PROBE_CALIBRATION = new FixedCalibrationProvider(calibrated('T', 0, 1));


/** Slack over the protocol's nominal length before the run is declared hung (self-test, thaw waits). */
const PROTOCOL_SLACK_S = 600;
const MS_PER_S = 1000;

export interface SimulationOptions {
  readonly settings: Settings;
  readonly seed: number;
  readonly plant?: Partial<PlantParams>;
  readonly faults?: readonly FaultSpec[];
  /** Press stop at this simulated time; null for none. */
  readonly stopAtS?: number | null;
  readonly logger?: Logger;
  /** The probe's calibration; by default the simulated Type T probe's, which reads true
   * (the sim probe has no error unless one is configured), so no correction. */
  readonly calibration?: TickCalibration;
  /** Wall clock for the `wallMs` figure (the simulation itself never reads it). */
  readonly wallClock?: Clock;
  /** The ControlLoop's test seam (the real `step` by default). Only the benchmark sets it, to
   * measure the end-of-step invariant check against a run without it (bench/sim.ts). */
  readonly step?: StepFunction;
  /** The loop's recycleStates (src/runtime/loop.ts). By default on, unless `step` is given: a
   * caller's own step sees every state, and may keep them (the benchmark's and tests' recordings),
   * so it gets new ones unless it asks. */
  readonly recycleStates?: boolean;
}

export type SimulationSummary = TreatmentSummary;

function waitingOnUnknownTip(state: ControllerState, settings: Settings, nowMs: number): boolean {
  const w = withdrawalStatus(state, settings, nowMs);
  return w.kind === 'tip-unknown' && !w.waitOver;
}

export function simulateTreatment(options: SimulationOptions): SimulationSummary {
  const { settings, seed } = options;
  const wallStartMs = options.wallClock?.nowMs() ?? 0;
  const clock = new VirtualClock(0);
  const hal = new SimHal({ clock, seed, plant: options.plant ?? {}, faults: options.faults ?? [] });
  const recorder = new TreatmentRecorder(settings);
  const loop = new ControlLoop({
    hal,
    settings,
    logger: options.logger ?? silentLogger(),
    startMs: 0,
    calibration: options.calibration ?? SIM_PROBE_CALIBRATION,
    step: options.step,
    // The recorder keeps the last state only until the next tick (it copies numbers out of each).
    recycleStates: options.recycleStates ?? options.step === undefined,
    onStep: (nowMs, readings, result) => {
      recorder.record(nowMs, readings, result);
    },
  });
  const scheduler = new VirtualScheduler({ rateHz: settings.loop.rateHz, clock });
  const p = settings.protocol;
  // After the treatment: the probe's rewarming, or the unknown-tip wait, which can be far longer
  // (the passive thaw bound, up to the bound for the site cap: src/controller/withdrawal.ts).
  const unknownTipWaitMaxS = unknownTipWaitMs(settings, settings.freezeLimit.cumulativeMaxS * MS_PER_S) / MS_PER_S;
  const maxS = p.cycles * (p.freezeS + p.thawS) + PROTOCOL_SLACK_S + Math.max(POST_TREATMENT_MAX_S, unknownTipWaitMaxS);
  const stopAtS = options.stopAtS ?? null;
  const stopAtMs = stopAtS === null ? null : stopAtS * 1000;
  let stopPressed = false;
  let finished = false;

  if (settings.footswitch.deadman) hal.setFootswitch(true);
  hal.press('start');
  scheduler.runTicks(Math.ceil(maxS * settings.loop.rateHz), (tick) => {
    const nowMs = tick.targetMs;
    if (stopAtMs !== null && !stopPressed && nowMs >= stopAtMs) {
      hal.press('stop');
      stopPressed = true;
    }
    // loop-stall: the control loop does not run; the plant and the watchdog go on regardless.
    if (hal.faults.isActive('loop-stall', nowMs)) return true;
    loop.tick(nowMs);
    // A tip that cannot be read: the run goes on until its wait is over (the summary's end).
    if (recorder.done(nowMs) && !waitingOnUnknownTip(loop.state, settings, nowMs)) {
      finished = true;
      return false;
    }
    return true;
  });
  // A run that ends in a trip tick has only just commanded the valves closed: sample the plant once
  // they have had their response delay to move, plus two plant substeps (the seat moves at the
  // first substep starting after the delay, and is seen when that substep ends), so the summary
  // reports the seats, not the command in flight.
  const endedMs = clock.nowMs();
  clock.setMs(endedMs + resolvePlantParams(options.plant ?? {}).valveDelayMs + 2 * PLANT_SUBSTEP_MS);
  const gasFlowing = hal.plantState.flowing;
  hal.toSafeState();
  return recorder.summary({
    gasFlowing,
    simulatedMs: endedMs,
    wallMs: (options.wallClock?.nowMs() ?? 0) - wallStartMs,
    seed,
    timedOut: !finished,
  });
}
