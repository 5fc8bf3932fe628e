// What must hold on every tick of a fuzz run, judged against the plant's physical truth (true tip
// temperature, gas actually flowing, valve seats, valve power) as well as the controller's public
// state (phase, safeToWithdraw, tripped interlocks, cycle, outputs, trip events). Each allowance
// comes from bounds.ts, derived from the plant and the settings.
import type { Outputs } from '../../../hal/contract.js';
import type { Settings } from '../../controller/settings.js';
import type { ControllerState } from '../../controller/state.js';
import type { StepResult } from '../../controller/step.js';
import type { Phase } from '../../controller/types.js';
import type { ProbeCalibration } from '../../controller/probe-calibration.js';
import { INTERLOCK_IDS, isAdvisory } from '../../controller/interlocks.js';
import { TREATING_PHASES } from '../../controller/types.js';
import { withdrawalStatus } from '../../controller/withdrawal.js';
import type { PlantParams, PlantState } from '../../../hil/plant/index.js';
import { CYCLES_MAX, FREEZE_S_MAX } from '../../controller/settings.js';
import type { Allowances } from './bounds.js';
import { TIP_NOISE_ALLOWANCE_C, allowances } from './bounds.js';

/** Below 0 C the tissue round the tip is still frozen to it: withdrawing tears it (domain section 4). */
export const FROZEN_BELOW_C = 0;

export const INVARIANTS = {
  'withdraw-while-frozen': 'safe to withdraw is shown while the true tip is below 0 C',
  'unknown-tip-wait-over-while-frozen': 'the unknown-tip wait is over (the probe may come out) while the true tip is below 0 C',
  'valves-commanded-outside-freeze': 'both valves are commanded open outside Freezing or with an interlock tripped',
  'gas-outside-freeze': 'gas flows in the plant outside an untripped freeze, beyond the valve delay',
  'single-valve-flow-too-long': 'gas flows through a stuck-open valve longer than VALVE_FAILURE\'s detection bound',
  'freeze-past-stuck-valve': 'a freeze opens after a self-test whose safety-only window began with the supply valve already stuck open (the self-test exists to catch it)',
  'trip-left-valve-open': 'a trip tick writes a valve open',
  'valve-open-after-trip': 'a valve seat is still open (or the safety valve, with the supply stuck) a valve delay after a trip',
  'stop-ignored': 'a stop press during a treatment leaves the controller in a treating phase',
  'gas-after-stop': 'gas still flows a tick plus the valve delay after a stop press',
  'stall-not-tripped': 'the controller treats on after a loop gap longer than loop.maxGapMs',
  'freeze-too-long': 'a freeze\'s true flow time exceeds freezeS plus its grace',
  'site-cap-exceeded': 'a site\'s true flow time exceeds freezeLimit.cumulativeMaxS',
  'refreeze-before-thaw': 'a later freeze of a site starts while the true tip is still below thaw.endTipC, with the thermocouple healthy',
  'treatment-never-ends': 'a treatment is still under way a whole protocol after the operator and the faults went quiet',
  'valve-power-during-stall': 'valve power is on while the loop has been stalled past the watchdog timeout',
  'step-threw': 'the control loop threw',
  'calibration-changed-in-treatment': 'the probe calibration the step uses changes during a freeze or its thaw (the verdict the treatment started with must hold, whatever a re-read of the record or the probe id says)',
  'estimate-models-other-probe': "a freeze's ice-ball estimate models a probe diameter other than the attached probe's (the plant's), which its calibration record states",
  'verdict-overstates-ice-ball': "a freeze's verdict rests on an r(-20 C) beyond the largest the plant's true one reached in that freeze by more than the estimate's allowance (nominal tissue, the thermocouple healthy through the freeze)",
  'ice-ball-radii': "the ice-ball radii (the plant's true ones, and the controller's estimate) are out of order (r(-40 C) <= r(-20 C) <= r(0 C)) or outside 0 to MAX_ICE_BALL_RADIUS_MM",
} as const;
export type InvariantId = keyof typeof INVARIANTS;

/** Radii from the probe axis of the 0, -20 and -40 C isotherms in the tissue. */
export interface IceBallRadii {
  readonly r0Mm: number;
  readonly r20Mm: number;
  readonly r40Mm: number;
}

/** The plant's true ice ball: hil/plant's state carries the radii as `r0Mm`, `r20Mm`, `r40Mm`. */
export function iceBallOf(plant: PlantState): IceBallRadii | null {
  return { r0Mm: plant.r0Mm, r20Mm: plant.r20Mm, r40Mm: plant.r40Mm };
}

/** Domain section 3's fixed-wall case (an upper bound on the ice ball): r(0 C) 7.6 mm after 180 s
 * around a 2.0 mm probe held at -70 C. */
const FIXED_WALL_R0_MM = 7.6;
const FIXED_WALL_AT_S = 180;
/** A CO2 wall is at most 8.5 C colder (-78.5 C at 1 atm): a 25 % margin covers the larger drive. */
const COLDER_WALL_MARGIN = 1.25;
/** No ice ball can be wider than the fixed-wall one grown by diffusion (radius ~ sqrt(t)) over the
 * most freezing the settings allow at one site: 5 cycles of 300 s (about 27 mm). */
export const MAX_ICE_BALL_RADIUS_MM = FIXED_WALL_R0_MM * Math.sqrt((CYCLES_MAX * FREEZE_S_MAX) / FIXED_WALL_AT_S) * COLDER_WALL_MARGIN;

/** The radii ordered and bounded, or the violation naming them. */
export function iceBallViolation(radii: IceBallRadii, nowMs: number): Violation | null {
  const { r0Mm, r20Mm, r40Mm } = radii;
  const inBounds = [r0Mm, r20Mm, r40Mm].every((r) => Number.isFinite(r) && r >= 0 && r <= MAX_ICE_BALL_RADIUS_MM);
  if (inBounds && r40Mm <= r20Mm && r20Mm <= r0Mm) return null;
  return { invariant: 'ice-ball-radii', atMs: nowMs, detail: `r(0 C) ${r0Mm} mm, r(-20 C) ${r20Mm} mm, r(-40 C) ${r40Mm} mm (bound ${MAX_ICE_BALL_RADIUS_MM.toFixed(1)} mm)` };
}

export interface Violation {
  readonly invariant: InvariantId;
  readonly atMs: number;
  readonly detail: string;
}

/** What one tick shows the checker. */
export interface TickObservation {
  readonly nowMs: number;
  /** The control loop ran this tick (false while a loop-stall fault holds it). */
  readonly ran: boolean;
  readonly before: ControllerState;
  readonly after: ControllerState;
  readonly result: StepResult | null;
  /** What the back-end was last told to drive. */
  readonly written: Outputs;
  readonly plant: PlantState;
  /** A stop press reached the controller this tick, and the read before had none (a rising edge). */
  readonly stopEdge: boolean;
  /** The operator pressed new site (the probe moved), read by the controller this tick. */
  readonly newSitePressed: boolean;
  readonly valveStuckOpen: boolean;
  /** A thermocouple fault (open, short, stuck, cold, stale, probe off) is active this tick. */
  readonly tipSensorFaulty: boolean;
  readonly footswitchDown: boolean;
  /** The probe calibration the step used this tick (null when the loop did not run). */
  readonly calibration: ProbeCalibration | null;
}

export interface CheckerOptions {
  /** The run's calibration record states the attached probe's diameter (the plant's). */
  readonly recordStatesProbeOd?: boolean;
  /** The plant's tissue is the nominal one the estimate assumes (docs/ice-ball-estimate.md): only
   * then is the verdict's radius judged against the plant's. */
  readonly nominalTissue?: boolean;
  /** The run's thermocouple lag (Scenario.tcLagMs): the reading settles that much later. */
  readonly tcLagMs?: number;
}

/**
 * How far a verdict's r(-20 C) may lie beyond the plant's true one, as a share of the truth plus a
 * floor: the estimate solves the plant's own model (within 0.05 mm of it once the tip has settled,
 * tests/ice-ball-estimate.test.ts), but from the thermocouple's reading, which lags the wall 0.25 s
 * and is up to the calibration's uncertainty (1.18 C, Type T) off it in the fuzzer's draws; 10 %
 * covers that (the largest seen over 142 verdicts of the CI campaign's first 400 runs, against the
 * truth at the verdict's tick: 0.092 mm on a true 1.36 mm, 6.8 %). A probe modelled with another diameter overstates it by far more (a
 * 0.4 mm probe as the 1.27 mm setting: 2.82 mm against a true 1.67, docs/ice-ball-estimate.md).
 */
const VERDICT_R20_SHARE = 0.1;
const VERDICT_R20_FLOOR_MM = 0.05;

/** A freeze and its thaw: the treatment's calibration is judged as it started (domain: the thaw's
 * end and the freeze's verdict both depend on it). Written here, not taken from the loop's
 * VERDICT_HELD_PHASES, so a loop that held it in fewer phases is caught. */
const CALIBRATION_HELD_IN: readonly Phase[] = ['Freezing', 'Thawing'];

const calibrationText = (c: ProbeCalibration): string =>
  c.ok ? `offset ${c.offsetC.toFixed(3)} C, gain ${c.gain.toFixed(4)}, probe ${c.probeOdMm === null ? 'diameter not stated' : `${c.probeOdMm.toFixed(3)} mm`}` : `unusable (${c.problem ?? 'no reason'})`;
const sameCalibration = (a: ProbeCalibration, b: ProbeCalibration): boolean =>
  a.ok === b.ok && a.offsetC === b.offsetC && a.gain === b.gain && a.probeOdMm === b.probeOdMm;

const treating = (phase: Phase): boolean => TREATING_PHASES.includes(phase);
/** An acting interlock is tripped (an advisory's trip, INEFFECTIVE_FREEZE, closes nothing). */
const anyTripped = (s: ControllerState): boolean => INTERLOCK_IDS.some((id) => s.interlocks[id].tripped && !isAdvisory(id));
const s1 = (ms: number): string => `${(ms / 1000).toFixed(3)} s`;

interface FlowTally {
  flowMs: number;
  /** Flow not explained by an allowed open command (a stuck valve): bounded per episode instead. */
  uncommandedMs: number;
  /** Commanded flow while the loop was stalled (no tick ran): the controller cannot end a freeze
   * it is not running, so a stall under loop.maxGapMs (which no interlock trips) that spans the
   * freeze's end lengthens it by up to that gap; credited at most loop.maxGapMs per freeze. */
  stalledMs: number;
}

export class InvariantChecker {
  readonly allow: Allowances;
  readonly #settings: Settings;
  readonly #quietFromMs: number;
  #lastObsMs: number | null = null;
  #lastRanMs: number | null = null;
  #openAllowedInForce = false;
  #flowAllowedUntilMs = Number.NEGATIVE_INFINITY;
  #stuckSeenUntilMs = Number.NEGATIVE_INFINITY;
  #singleValveSinceMs: number | null = null;
  /** Since when the supply valve has been stuck open without a break; null while it is not. */
  #stuckSinceMs: number | null = null;
  /** When the last self-test's safety-only window began, until the freeze after it opens. */
  #safetyOnlyBeganMs: number | null = null;
  #tripCheckAtMs: number | null = null;
  #stopCheckAtMs: number | null = null;
  #freeze: FlowTally | null = null;
  #site: FlowTally & { freezes: number } = { flowMs: 0, uncommandedMs: 0, stalledMs: 0, freezes: 0 };
  #endedAtMs: number | null = null;
  #hangChecked = false;
  readonly #plant: PlantParams;
  readonly #recordStatesProbeOd: boolean;
  readonly #nominalTissue: boolean;
  /** The tip reading was faulty at some tick since the current freeze opened. */
  #freezeTipFaulty = false;
  /** The plant's largest true r(-20 C) since the current freeze opened: the ice ball it made, even
   * where the gas stopped before the controller's closing tick (a stall the watchdog cut). */
  #freezePeakR20Mm = 0;
  /** The calibration the last tick that ran used. */
  #lastCalibration: ProbeCalibration | null = null;

  constructor(settings: Settings, plant: PlantParams, quietFromMs: number, options: CheckerOptions = {}) {
    this.#settings = settings;
    this.allow = allowances(settings, plant, options.tcLagMs);
    this.#quietFromMs = quietFromMs;
    this.#plant = plant;
    this.#recordStatesProbeOd = options.recordStatesProbeOd ?? false;
    this.#nominalTissue = options.nominalTissue ?? false;
  }

  /** Check one tick; the first violation found, or null. */
  observe(o: TickObservation): Violation | null {
    const dtMs = this.#lastObsMs === null ? 0 : o.nowMs - this.#lastObsMs;
    this.#lastObsMs = o.nowMs;
    const v =
      this.#withdraw(o) ??
      this.#commands(o) ??
      this.#trips(o) ??
      this.#stop(o) ??
      this.#stall(o) ??
      this.#flow(o, dtMs) ??
      this.#selfTest(o) ??
      this.#freezeTime(o) ??
      this.#hang(o) ??
      this.#iceBall(o) ??
      this.#calibrationHeld(o) ??
      this.#modelledProbe(o) ??
      this.#verdictRadius(o);
    if (o.ran) this.#lastRanMs = o.nowMs;
    return v;
  }

  /**
   * The run may end once nothing is left to judge: the treatment over, no deadline pending, and
   * either the timeline quiet with the probe safe or rewarmed, or no start press left to come and
   * the true tip thawed (with the valves shut and no new treatment it only warms from here).
   */
  done(o: TickObservation, startsRemaining: boolean): boolean {
    if (treating(o.after.phase) || this.#tripCheckAtMs !== null || this.#stopCheckAtMs !== null) return false;
    const thawed = o.plant.tipTrueC >= FROZEN_BELOW_C && !o.plant.flowing;
    if (!startsRemaining && thawed) return true;
    if (o.nowMs < this.#quietFromMs) return false;
    this.#endedAtMs ??= o.nowMs;
    return o.after.safeToWithdraw || thawed || o.nowMs - this.#endedAtMs >= this.allow.rewarmMs;
  }

  /**
   * A supply valve stuck open from before the self-test's safety-only window began is what that
   * window is for: with the supply seat open, opening the safety valve alone lets gas through, and
   * VALVE_FAILURE must trip before any freeze (the window's length is set by the settings schema,
   * valves.selfTestValveMs, from the line's delay and the debounce: a window too short let the
   * freeze run on the safety valve alone, the defect this catches). Judged on the tick a freeze's
   * supply opens after a self-test.
   */
  #selfTest(o: TickObservation): Violation | null {
    this.#stuckSinceMs = o.valveStuckOpen ? (this.#stuckSinceMs ?? o.nowMs) : null;
    if (o.after.sub === 'selftest-safety-only' && o.before.sub !== 'selftest-safety-only') this.#safetyOnlyBeganMs = o.nowMs;
    if (!(o.after.sub === 'freeze-open' && o.before.sub !== 'freeze-open')) return null;
    const beganMs = this.#safetyOnlyBeganMs;
    this.#safetyOnlyBeganMs = null;
    if (beganMs === null || this.#stuckSinceMs === null || this.#stuckSinceMs > beganMs) return null;
    return {
      invariant: 'freeze-past-stuck-valve',
      atMs: o.nowMs,
      detail: `freeze ${o.after.cycle} opened with the supply valve stuck open since ${s1(this.#stuckSinceMs)}, before the self-test's safety-only window began at ${s1(beganMs)}`,
    };
  }

  /**
   * A tick that begins in a freeze or its thaw uses the calibration the tick before it used: a
   * press re-reading an expired record, or a probe id glitching for less than PROBE_DISCONNECTED's
   * debounce, dropped the tip correction (the thaw judged on a reading up to 3 C off) and the
   * record's diameter (the next freeze modelled with the setting's probe). A probe really changed
   * is disconnected first, which trips and leaves these phases.
   */
  #calibrationHeld(o: TickObservation): Violation | null {
    if (!o.ran || o.calibration === null) return null;
    const last = this.#lastCalibration;
    this.#lastCalibration = o.calibration;
    if (last === null || !CALIBRATION_HELD_IN.includes(o.before.phase) || sameCalibration(last, o.calibration)) return null;
    return {
      invariant: 'calibration-changed-in-treatment',
      atMs: o.nowMs,
      detail: `in ${o.before.phase} (cycle ${o.before.cycle}) the calibration went from ${calibrationText(last)} to ${calibrationText(o.calibration)}`,
    };
  }

  /** Where the record states the attached probe's diameter, every freeze's estimate models that
   * probe (judged against the plant's probe, not the controller's calibration). */
  #modelledProbe(o: TickObservation): Violation | null {
    const track = o.after.iceBallTrack;
    if (!this.#recordStatesProbeOd || track === null || track.probeOdMm === this.#plant.probeOdMm) return null;
    return {
      invariant: 'estimate-models-other-probe',
      atMs: o.nowMs,
      detail: `freeze ${o.after.cycle} in ${o.after.phase} is modelled with a ${track.probeOdMm} mm probe; the probe attached is ${this.#plant.probeOdMm} mm and its record says so`,
    };
  }

  /** A verdict's r(-20 C) against the largest the plant's true one reached in the freeze: the
   * estimate may not overstate the ice ball (a freeze judged effective on one it did not make). */
  #verdictRadius(o: TickObservation): Violation | null {
    if (o.before.freezeOpenedMs === null && o.after.freezeOpenedMs !== null) {
      this.#freezeTipFaulty = false;
      this.#freezePeakR20Mm = 0;
    }
    if (o.tipSensorFaulty) this.#freezeTipFaulty = true;
    this.#freezePeakR20Mm = Math.max(this.#freezePeakR20Mm, o.plant.r20Mm);
    if (!this.#nominalTissue || this.#freezeTipFaulty || o.result === null) return null;
    for (const e of o.result.events) {
      if (e.kind !== 'freeze-verdict' || e.verdict.r20MmAtEnd === null) continue;
      // The plant's 0 (no tissue that cold) and an estimate at the probe's wall (the wall that
      // cold, no tissue beyond it) say the same: none is taken as the wall's radius, without the
      // share (seed 32102355: 0.247 mm on a 0.49 mm probe, the plant's 0, in a freeze cut short).
      const peakMm = this.#freezePeakR20Mm;
      const allowedMm = (peakMm > 0 ? peakMm * (1 + VERDICT_R20_SHARE) : this.#plant.probeOdMm / 2) + VERDICT_R20_FLOOR_MM;
      if (e.verdict.r20MmAtEnd <= allowedMm) continue;
      return {
        invariant: 'verdict-overstates-ice-ball',
        atMs: o.nowMs,
        detail: `freeze ${e.verdict.cycle} judged ${e.verdict.effective ? 'effective' : 'not effective'} (target ${e.verdict.targetMm} mm) on r(-20 C) ${e.verdict.r20MmAtEnd.toFixed(3)} mm; the plant's true r(-20 C) reached ${this.#freezePeakR20Mm.toFixed(3)} mm in the freeze, the probe's wall is at ${(this.#plant.probeOdMm / 2).toFixed(3)} mm (allowed up to ${allowedMm.toFixed(3)} mm)`,
      };
    }
    return null;
  }

  /** The plant's true radii and the controller's estimate, each ordered and bounded. */
  #iceBall(o: TickObservation): Violation | null {
    const radii = iceBallOf(o.plant);
    const truth = radii === null ? null : iceBallViolation(radii, o.nowMs);
    if (truth !== null) return truth;
    const estimate = o.after.iceBall;
    const v = estimate === null ? null : iceBallViolation(estimate, o.nowMs);
    return v === null ? null : { ...v, detail: `estimate: ${v.detail}` };
  }

  #withdraw(o: TickObservation): Violation | null {
    if (o.plant.tipTrueC >= FROZEN_BELOW_C) return null;
    if (o.after.safeToWithdraw) {
      return { invariant: 'withdraw-while-frozen', atMs: o.nowMs, detail: `safe to withdraw in ${o.after.phase} with the true tip at ${o.plant.tipTrueC.toFixed(2)} C` };
    }
    // The console's other all-clear: a reading it does not trust, and the wait for the passive
    // thaw over (src/controller/withdrawal.ts). The simulations end the treatment there too.
    if (o.after.tipDistrust === null) return null;
    const w = withdrawalStatus(o.after, this.#settings, o.nowMs);
    if (w.kind !== 'tip-unknown' || !w.waitOver) return null;
    return { invariant: 'unknown-tip-wait-over-while-frozen', atMs: o.nowMs, detail: `unknown-tip wait over at ${(w.waitUntilMs / 1000).toFixed(3)} s in ${o.after.phase} with the true tip at ${o.plant.tipTrueC.toFixed(2)} C (${w.reason})` };
  }

  #commands(o: TickObservation): Violation | null {
    if (!o.ran || !o.written.supplyValveOpen || !o.written.safetyValveOpen) return null;
    if (o.after.phase === 'Freezing' && !anyTripped(o.after)) return null;
    return { invariant: 'valves-commanded-outside-freeze', atMs: o.nowMs, detail: `both valves commanded open in ${o.after.phase}${anyTripped(o.after) ? ' with an interlock tripped' : ''}` };
  }

  #trips(o: TickObservation): Violation | null {
    // An advisory's trip (INEFFECTIVE_FREEZE) acts on no valve: it is judged by #advisory instead.
    const trip = o.result?.events.find((e): e is Extract<typeof e, { kind: 'trip' }> => e.kind === 'trip' && !isAdvisory(e.id));
    if (trip !== undefined) {
      if (o.written.supplyValveOpen || o.written.safetyValveOpen) {
        return { invariant: 'trip-left-valve-open', atMs: o.nowMs, detail: `${trip.id} tripped and the tick wrote supply ${o.written.supplyValveOpen}, safety ${o.written.safetyValveOpen}` };
      }
      this.#tripCheckAtMs ??= o.nowMs + this.allow.valveMoveMs;
    }
    // A valve commanded open again (a new treatment) ends the check: the trip's closing is over.
    if (o.ran && (o.written.supplyValveOpen || o.written.safetyValveOpen)) this.#tripCheckAtMs = null;
    if (this.#tripCheckAtMs === null || o.nowMs < this.#tripCheckAtMs) return null;
    this.#tripCheckAtMs = null;
    const supplyOpen = o.plant.supplyValveOpen && !o.valveStuckOpen;
    if (!o.plant.safetyValveOpen && !supplyOpen) return null;
    return { invariant: 'valve-open-after-trip', atMs: o.nowMs, detail: `${s1(this.allow.valveMoveMs)} after a trip the supply seat is ${o.plant.supplyValveOpen ? 'open' : 'closed'} and the safety seat ${o.plant.safetyValveOpen ? 'open' : 'closed'}` };
  }

  #stop(o: TickObservation): Violation | null {
    if (o.ran && o.stopEdge) {
      if (treating(o.before.phase) && treating(o.after.phase)) {
        return { invariant: 'stop-ignored', atMs: o.nowMs, detail: `stop pressed in ${o.before.phase}; the controller is still in ${o.after.phase}` };
      }
      this.#stopCheckAtMs = o.nowMs + this.allow.valveMoveMs;
    }
    if (this.#stopCheckAtMs === null || o.nowMs < this.#stopCheckAtMs) return null;
    this.#stopCheckAtMs = null;
    if (!o.plant.flowing) return null;
    return { invariant: 'gas-after-stop', atMs: o.nowMs, detail: `gas still flowing ${s1(this.allow.valveMoveMs)} after stop` };
  }

  #stall(o: TickObservation): Violation | null {
    if (this.#lastRanMs === null) return null;
    const gapMs = o.nowMs - this.#lastRanMs;
    if (!o.ran && gapMs > this.allow.watchdogCutMs && o.plant.valvePowerOn) {
      return { invariant: 'valve-power-during-stall', atMs: o.nowMs, detail: `loop stalled ${gapMs.toFixed(0)} ms and valve power is still on` };
    }
    if (o.ran && gapMs > this.#settings.loop.maxGapMs && treating(o.before.phase) && treating(o.after.phase)) {
      return { invariant: 'stall-not-tripped', atMs: o.nowMs, detail: `loop gap ${gapMs.toFixed(0)} ms over loop.maxGapMs ${this.#settings.loop.maxGapMs} ms; still in ${o.after.phase}` };
    }
    return null;
  }

  /** Gas may flow while an allowed open command is in force, then for the valve's move. */
  #flow(o: TickObservation, dtMs: number): Violation | null {
    if (o.ran) {
      const bothOpen = o.written.supplyValveOpen && o.written.safetyValveOpen;
      if (bothOpen) this.#openAllowedInForce = true;
      else if (this.#openAllowedInForce) {
        this.#openAllowedInForce = false;
        this.#flowAllowedUntilMs = o.nowMs + this.allow.valveMoveMs;
      }
    }
    if (o.valveStuckOpen) this.#stuckSeenUntilMs = o.nowMs + this.allow.valveMoveMs;
    if (!o.plant.flowing) {
      this.#singleValveSinceMs = null;
      return null;
    }
    this.#tally(dtMs, false, !o.ran);
    if (this.#openAllowedInForce || o.nowMs <= this.#flowAllowedUntilMs) return null;
    if (o.nowMs > this.#stuckSeenUntilMs) {
      return { invariant: 'gas-outside-freeze', atMs: o.nowMs, detail: `gas flowing in ${o.after.phase} with supply ${o.written.supplyValveOpen ? 'open' : 'closed'}, safety ${o.written.safetyValveOpen ? 'open' : 'closed'} commanded` };
    }
    this.#tally(dtMs, true, false);
    this.#singleValveSinceMs ??= o.nowMs;
    const forMs = o.nowMs - this.#singleValveSinceMs;
    if (forMs <= this.allow.singleValveFlowMs) return null;
    return { invariant: 'single-valve-flow-too-long', atMs: o.nowMs, detail: `gas through the stuck supply valve for ${s1(forMs)} (bound ${s1(this.allow.singleValveFlowMs)}) in ${o.after.phase}` };
  }

  #tally(dtMs: number, uncommanded: boolean, stalled: boolean): void {
    for (const t of [this.#freeze, this.#site]) {
      if (t === null) continue;
      if (uncommanded) t.uncommandedMs += dtMs;
      else t.flowMs += dtMs;
      if (stalled) t.stalledMs += dtMs;
    }
  }

  #freezeTime(o: TickObservation): Violation | null {
    const { before, after } = o;
    // Only the operator's new-site press ends a site (the probe has moved), and only when the
    // controller took it (it refuses while the probe may not come out): a controller that reset
    // its total on its own is not credited here.
    if (o.newSitePressed && after.cumulativeFreezeMs === 0 && after.cyclesBegun === 0) this.#site = { flowMs: 0, uncommandedMs: 0, stalledMs: 0, freezes: 0 };
    if (after.phase === 'SelfTest' && before.phase !== 'SelfTest') this.#freeze = null;
    if (after.phase === 'Freezing' && (before.phase !== 'Freezing' || after.cycle !== before.cycle)) {
      this.#freeze = { flowMs: 0, uncommandedMs: 0, stalledMs: 0 };
      this.#site.freezes += 1;
      // A refreeze of a site (the next cycle, or a restart after stop) needs the thaw first. A
      // healthy thermocouple lags the warming tip from below, so a reading past thaw.endTipC
      // means the truth is past it too (less the reading's noise); with the sensor faulty the
      // controller cannot know.
      const endTipC = this.#settings.thaw.endTipC;
      if (this.#site.freezes > 1 && !o.tipSensorFaulty && o.plant.tipTrueC < endTipC - TIP_NOISE_ALLOWANCE_C) {
        return { invariant: 'refreeze-before-thaw', atMs: o.nowMs, detail: `freeze ${after.cycle} (freeze ${this.#site.freezes} of the site) started with the true tip at ${o.plant.tipTrueC.toFixed(2)} C, below thaw.endTipC ${endTipC} C` };
      }
    }
    const grace = this.#settings.freezeLimit.perCycleGraceMs;
    const f = this.#freeze;
    if (f !== null) {
      const stallCreditMs = Math.min(f.stalledMs, this.#settings.loop.maxGapMs);
      const limitMs = this.#settings.protocol.freezeS * 1000 + grace + this.allow.freezeEndMs + f.uncommandedMs + stallCreditMs;
      if (f.flowMs > limitMs) return { invariant: 'freeze-too-long', atMs: o.nowMs, detail: `freeze ${after.cycle}: true flow ${s1(f.flowMs)}, limit ${s1(limitMs)}` };
    }
    const site = this.#site;
    const siteStallCreditMs = Math.min(site.stalledMs, site.freezes * this.#settings.loop.maxGapMs);
    const capMs = this.#settings.freezeLimit.cumulativeMaxS * 1000 + grace + site.freezes * this.allow.freezeEndMs + site.uncommandedMs + siteStallCreditMs;
    if (site.flowMs > capMs) return { invariant: 'site-cap-exceeded', atMs: o.nowMs, detail: `site true flow ${s1(site.flowMs)} over ${site.freezes} freezes, cap ${s1(capMs)}` };
    return null;
  }

  #hang(o: TickObservation): Violation | null {
    if (this.#hangChecked || o.nowMs < this.#quietFromMs + this.allow.treatmentMs) return null;
    this.#hangChecked = true;
    if (!treating(o.after.phase)) return null;
    // Waiting for the operator's footswitch before the next freeze is the operator's choice.
    const waitingForFoot = this.#settings.footswitch.deadman && !o.footswitchDown && (o.after.phase === 'Ready' || o.after.phase === 'Thawing');
    if (waitingForFoot) return null;
    return { invariant: 'treatment-never-ends', atMs: o.nowMs, detail: `still in ${o.after.phase} (cycle ${o.after.cycle}) ${s1(this.allow.treatmentMs)} after the last operator action or fault change` };
  }
}
