// Records what a treatment did, tick by tick, into the summary `cryo simulate` and
// `cryo run --exit-when-done` print: per-cycle figures, trips with the time the valves were
// commanded closed, and when the probe became safe to withdraw.
import type { Readings } from '../../hal/contract.js';
import type { FreezeVerdict } from '../controller/ice-ball.js';
import { isAdvisory } from '../controller/interlocks.js';
import type { Settings } from '../controller/settings.js';
import type { ControllerState } from '../controller/state.js';
import type { StepResult } from '../controller/step.js';
import type { InterlockId, Phase } from '../controller/types.js';
import { treatmentOver, withdrawalStatus } from '../controller/withdrawal.js';

/** After the treatment ends, wait this long at most for the probe to be safe to withdraw. */
export const POST_TREATMENT_MAX_S = 300;

/** The figure the summary reports time-to (the lethal isotherm band starts at -20 C; consoles aim for -50 C). */
export const SUMMARY_COOLING_MARK_C = -50;
/** The treatment records' per-cycle times below (issue 10): -20 C held for a minute is lethal to
 * tissue (Cooper; domain section 10), -40 C a deep freeze. Times at the tip, not in the tissue. */
export const LETHAL_TIP_C = -20;
export const DEEP_TIP_C = -40;

export interface CycleRecord {
  index: number;
  freezeS: number;
  thawS: number;
  minTipC: number;
  secondsToMinus50C: number | null;
  /** The controller's estimated r(-20 C) when the freeze's supply closed, mm (its verdict); null
   * when there was no estimate (the tip reading not trusted) or no verdict yet. */
  r20MmAtEnd: number | null;
  /** The target r(-20 C) the verdict judged it against, mm: the nerve's, the protocol's or
   * iceBall.targetRadiusMm, as resolved for this freeze (settings.ts targetRadiusMm); null
   * before it has a verdict. */
  targetMm: number | null;
  /** How long r(-20 C) stood at or beyond the target without a break, up to the supply's closing,
   * s (the verdict's atTargetMs); null before it has a verdict, and when the tip reading was not
   * trusted (r20MmAtEnd null: the estimate stopped, so the hold is unknown, not 0). */
  atTargetS: number | null;
  /** The hold at the target the verdict required, s (iceBall.holdS); null before it has a verdict.
   * With r20MmAtEnd and targetMm it says why a freeze was not effective: short of the target, or
   * there but not for long enough. */
  requiredHoldS: number | null;
  /** The freeze's efficacy verdict (src/controller/ice-ball-estimate.ts); null before it has one. */
  effective: boolean | null;
}

export interface InterlockRecord {
  id: InterlockId;
  atS: number;
  valvesClosedAtS: number | null;
}

/** An advisory alarm condition raised (INEFFECTIVE_FREEZE): no interlock acting, so kept apart
 * from the trips. `cycle`: the treatment's cycle when it was raised (the freeze it judges). */
export interface AdvisoryRecord {
  id: InterlockId;
  atS: number;
  cycle: number;
}

export type Outcome = 'complete' | 'stopped' | 'fault';

const ENDED_PHASES: readonly Phase[] = ['Complete', 'Stopped', 'Fault'];

interface OpenCycle extends CycleRecord {
  freezeStartMs: number | null;
  thawStartMs: number | null;
  /** Time the trusted tip reading spent below LETHAL_TIP_C and DEEP_TIP_C in this cycle. */
  belowLethalMs: number;
  belowDeepMs: number;
}

/** A cycle as the treatment records keep it (src/records/types.ts CycleRow). */
/** The records' cycle row (src/records/validate.ts CycleRowSchema, a strict object): the verdict's
 * fields are left out until the records carry them (issue 11, the records' side). */
export interface RecordedCycle extends Omit<CycleRecord, 'r20MmAtEnd' | 'targetMm' | 'atTargetS' | 'requiredHoldS' | 'effective'> {
  belowMinus20S: number;
  belowMinus40S: number;
}

const round = (x: number, digits = 3): number => Number(x.toFixed(digits));

/** The JSON summary of one treatment (`cryo simulate --json`, `cryo run --exit-when-done --json`). */
export interface TreatmentSummary {
  outcome: Outcome;
  finalPhase: string;
  cycles: CycleRecord[];
  interlocks: InterlockRecord[];
  /** Advisories raised (INEFFECTIVE_FREEZE after a freeze short of its target): alarms that act
   * on nothing, so not among `interlocks`. */
  advisories: AdvisoryRecord[];
  valveOpenAtEnd: boolean;
  safeToWithdrawAtS: number | null;
  /** The tip reading was not trusted at the end (never SAFE TO WITHDRAW then): why, and until when
   * the console asked to wait from the last gas flow. Null when the reading was trusted. */
  tipUnknown: { reason: string; waitUntilS: number } | null;
  simulatedS: number;
  wallMs: number;
  seed: number;
  /** True when the run hit its time cap without ending (a defect worth reporting). */
  timedOut: boolean;
}

export interface SummaryExtras {
  /** Gas can still flow physically (the plant's truth, on simulated boards). */
  readonly gasFlowing: boolean;
  readonly simulatedMs: number;
  readonly wallMs: number;
  readonly seed: number;
  readonly timedOut: boolean;
}

export class TreatmentRecorder {
  readonly cycles: OpenCycle[] = [];
  readonly interlocks: InterlockRecord[] = [];
  /** Advisories raised, in order (never in `interlocks`: they close no valve). */
  readonly advisories: AdvisoryRecord[] = [];
  phase: Phase = 'Idle';
  started = false;
  endedAtMs: number | null = null;
  safeToWithdrawAtMs: number | null = null;
  valvesOpen = false;
  #settings: Settings;
  #lastState: ControllerState | null = null;
  #lastMs = 0;

  constructor(settings: Settings) {
    this.#settings = settings;
  }

  /** The settings the loop runs with from now on (a protocol chosen on the console, between
   * treatments): the end of the treatment and the withdrawal are judged against them. */
  useSettings(settings: Settings): void {
    this.#settings = settings;
  }

  /** The treatment has ended and the probe may come out (safe to withdraw, or the unknown-tip wait
   * is over), or it ended POST_TREATMENT_MAX_S ago. */
  done(nowMs: number): boolean {
    if (this.endedAtMs === null || this.#lastState === null) return false;
    return treatmentOver(this.#lastState, this.#settings, nowMs) || nowMs - this.endedAtMs >= POST_TREATMENT_MAX_S * 1000;
  }

  record(nowMs: number, readings: Readings, result: StepResult): void {
    const s = result.state;
    const sinceLastMs = this.#lastState === null ? 0 : Math.max(0, nowMs - this.#lastMs);
    this.#lastState = s;
    this.#lastMs = nowMs;
    // Indexed loops: this runs every tick, mostly over the shared empty event list.
    const events = result.events;
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      if (e === undefined) continue;
      if (e.kind === 'phase') this.#onPhase(nowMs, e.from, e.to, e.cycle);
      // An advisory (INEFFECTIVE_FREEZE) is no interlock acting: recorded apart from the trips.
      if (e.kind === 'trip' && isAdvisory(e.id)) this.advisories.push({ id: e.id, atS: nowMs / 1000, cycle: s.cycle });
      else if (e.kind === 'trip') this.interlocks.push({ id: e.id, atS: nowMs / 1000, valvesClosedAtS: null });
      if (e.kind === 'freeze-verdict') this.#onVerdict(e.verdict);
    }
    this.phase = s.phase;
    this.valvesOpen = result.outputs.supplyValveOpen || result.outputs.safetyValveOpen;
    for (let i = 0; i < this.interlocks.length; i++) {
      const trip = this.interlocks[i];
      if (trip !== undefined && trip.valvesClosedAtS === null && !result.outputs.supplyValveOpen && !result.outputs.safetyValveOpen) trip.valvesClosedAtS = nowMs / 1000;
    }
    const cycle = this.cycles.at(-1);
    const tip = readings.tips[0];
    if (cycle !== undefined && cycle.index === s.cycle && (s.phase === 'Freezing' || s.phase === 'Thawing')) {
      if (s.phase === 'Freezing') cycle.freezeS = s.cycleFreezeMs / 1000;
      if (tip !== undefined && tip.fault === null && Number.isFinite(tip.tipC)) {
        cycle.minTipC = Math.min(cycle.minTipC, tip.tipC);
        if (tip.tipC < LETHAL_TIP_C) cycle.belowLethalMs += sinceLastMs;
        if (tip.tipC < DEEP_TIP_C) cycle.belowDeepMs += sinceLastMs;
        if (cycle.secondsToMinus50C === null && cycle.freezeStartMs !== null && tip.tipC < SUMMARY_COOLING_MARK_C && s.phase === 'Freezing') {
          cycle.secondsToMinus50C = (nowMs - cycle.freezeStartMs) / 1000;
        }
      }
    }
    if (this.endedAtMs !== null && this.safeToWithdrawAtMs === null && s.safeToWithdraw) this.safeToWithdrawAtMs = nowMs;
  }

  #onVerdict(verdict: FreezeVerdict): void {
    const cycle = [...this.cycles].reverse().find((c) => c.index === verdict.cycle);
    if (cycle === undefined) return;
    cycle.r20MmAtEnd = verdict.r20MmAtEnd;
    cycle.targetMm = verdict.targetMm;
    // With the tip not trusted the estimate stopped: how long it had held is not known (the
    // verdict counts 0 held then), so it is null, not 0 (review of stop 24).
    cycle.atTargetS = verdict.r20MmAtEnd === null ? null : verdict.atTargetMs / 1000;
    // The settings the step judged by: only the protocol and the nerve change during a run, never
    // iceBall.holdS (the INEFFECTIVE_FREEZE alarm's detail reads it the same way).
    cycle.requiredHoldS = this.#settings.iceBall.holdS;
    cycle.effective = verdict.effective;
  }

  #onPhase(nowMs: number, from: Phase, to: Phase, cycle: number): void {
    if (to === 'SelfTest') this.started = true;
    const last = this.cycles.at(-1);
    if (from === 'Thawing' && last !== undefined && last.thawStartMs !== null) last.thawS = (nowMs - last.thawStartMs) / 1000;
    if (to === 'Freezing') {
      this.cycles.push({ index: cycle, freezeS: 0, thawS: 0, minTipC: Number.POSITIVE_INFINITY, secondsToMinus50C: null, r20MmAtEnd: null, targetMm: null, atTargetS: null, requiredHoldS: null, effective: null, freezeStartMs: nowMs, thawStartMs: null, belowLethalMs: 0, belowDeepMs: 0 });
    }
    if (to === 'Thawing' && last !== undefined) last.thawStartMs = nowMs;
    if (this.started && ENDED_PHASES.includes(to)) this.endedAtMs ??= nowMs;
  }

  get ended(): boolean {
    return this.endedAtMs !== null;
  }

  outcome(): Outcome {
    if (this.phase === 'Complete') return 'complete';
    if (this.phase === 'Stopped') return 'stopped';
    return 'fault';
  }

  summary(extras: SummaryExtras): TreatmentSummary {
    return {
      outcome: this.outcome(),
      finalPhase: this.phase,
      cycles: this.cycleSummaries(),
      interlocks: this.interlocks.map((r) => ({
        id: r.id,
        atS: round(r.atS),
        valvesClosedAtS: r.valvesClosedAtS === null ? null : round(r.valvesClosedAtS),
      })),
      advisories: this.advisories.map((a) => ({ id: a.id, atS: round(a.atS), cycle: a.cycle })),
      valveOpenAtEnd: this.valvesOpen || extras.gasFlowing,
      safeToWithdrawAtS: this.safeToWithdrawAtMs === null ? null : round(this.safeToWithdrawAtMs / 1000),
      tipUnknown: this.#tipUnknown(),
      simulatedS: round(extras.simulatedMs / 1000),
      wallMs: round(extras.wallMs),
      seed: extras.seed,
      timedOut: extras.timedOut,
    };
  }

  #tipUnknown(): TreatmentSummary['tipUnknown'] {
    if (this.#lastState === null) return null;
    const w = withdrawalStatus(this.#lastState, this.#settings, this.#lastMs);
    return w.kind === 'tip-unknown' ? { reason: w.reason, waitUntilS: round(w.waitUntilMs / 1000) } : null;
  }

  /** The cycles with their times below -20 and -40 C (treatment records). */
  recordedCycles(): RecordedCycle[] {
    return this.cycleSummaries().map((c, i) => ({
      index: c.index,
      freezeS: c.freezeS,
      thawS: c.thawS,
      minTipC: c.minTipC,
      secondsToMinus50C: c.secondsToMinus50C,
      belowMinus20S: round((this.cycles[i]?.belowLethalMs ?? 0) / 1000),
      belowMinus40S: round((this.cycles[i]?.belowDeepMs ?? 0) / 1000),
    }));
  }

  cycleSummaries(): CycleRecord[] {
    return this.cycles.map((c) => ({
      index: c.index,
      freezeS: round(c.freezeS),
      thawS: round(c.thawS),
      minTipC: Number.isFinite(c.minTipC) ? round(c.minTipC, 2) : Number.NaN,
      secondsToMinus50C: c.secondsToMinus50C === null ? null : round(c.secondsToMinus50C),
      r20MmAtEnd: c.r20MmAtEnd === null ? null : round(c.r20MmAtEnd),
      targetMm: c.targetMm,
      atTargetS: c.atTargetS === null ? null : round(c.atTargetS),
      requiredHoldS: c.requiredHoldS,
      effective: c.effective,
    }));
  }
}
