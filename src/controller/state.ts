// The controller's whole memory between ticks. Plain, immutable data: the step returns a new one.
import type { Outputs } from '../../hal/contract.js';
import { SAFE_OUTPUTS } from '../../hal/contract.js';
import { assert } from '../../kernel/assert.js';
import type { FreezeVerdict, IceBallEstimate } from './ice-ball.js';
import type { IceBallTrack } from './ice-ball-estimate.js';
import type { InterlockMemory } from './interlocks.js';
import { INTERLOCK_IDS, initialInterlockMemory } from './interlocks.js';
import type { InterlockId, Phase, SubStep } from './types.js';
import type { Writable } from './workspace.js';

export interface InterlockStatus {
  /** Numbers (ControllerState.tickCount) of the ticks that saw the raw condition within the row's
   * k-of-2k judging window (step.ts); empty while the condition has not been seen for a window. */
  readonly badTicks: readonly number[];
  /** Tripped and not yet cleared (latched ones clear on acknowledge once the condition is gone). */
  readonly tripped: boolean;
  readonly trippedAtMs: number | null;
  /** The raw condition this tick (for ack: a latched trip clears only once this is false). */
  readonly conditionNow: boolean;
  readonly detail: string | null;
}

/** One alarm condition (IEEE 11073 SDC: present or not, with a priority from the interlock
 * table) and the state of its signals (src/controller/alarms.ts derives on/off/latched/paused). */
export interface AlarmEntry {
  readonly id: InterlockId;
  readonly startMs: number;
  /** When the condition ended (cleared); null while active. */
  readonly endMs: number | null;
  /** Audio silenced by an acknowledge. */
  readonly silenced: boolean;
  /** The condition has ended unacknowledged and its priority latches (settings alarms.latching):
   * the visual signal stays until an acknowledge resets it. */
  readonly latched: boolean;
  /** The triggering value, as the interlock named it when it tripped. */
  readonly detail: string;
}

/** An audio pause under way: every audible signal silent from startMs until untilMs. */
export interface AudioPause {
  readonly startMs: number;
  readonly untilMs: number;
}

/** What an informational signal announces (not an alarm: src/controller/alarms.ts). */
export type InfoKind = 'treatment-complete' | 'safe-to-withdraw';

/** An informational signal being played, from startMs. */
export interface InfoSignal {
  readonly kind: InfoKind;
  readonly startMs: number;
}

export interface PrevInputs {
  readonly start: boolean;
  readonly stop: boolean;
  readonly acknowledge: boolean;
  readonly audioPause: boolean;
  readonly newSite: boolean;
  readonly footswitch: boolean;
  readonly estop: boolean;
}

/** Why the tip reading cannot be trusted for a withdrawal decision, and since when. */
export interface TipDistrust {
  readonly reason: string;
  readonly sinceMs: number;
}

export interface ControllerState {
  readonly phase: Phase;
  readonly sub: SubStep;
  /** 1-based cycle during a treatment; 0 before the first freeze. */
  readonly cycle: number;
  /** Freezes begun at this site since power-up or the last new-site action: a stop or a fault
   * and a new start resume at the next cycle; no more than protocol.cycles are begun. */
  readonly cyclesBegun: number;
  readonly phaseSinceMs: number;
  readonly subSinceMs: number;
  /** The tickCount of the step that entered the sub-step: the self-test's single-valve windows
   * last as many steps as their length holds at the loop rate (phase-logic.ts), since a late step
   * would otherwise thin out the samples VALVE_FAILURE's debounce counts. */
  readonly subSinceTick: number;
  /** Start was pressed and the self-test should run straight on into the first freeze. */
  readonly startRequested: boolean;
  readonly inputs: PrevInputs;
  readonly interlocks: Readonly<Record<InterlockId, InterlockStatus>>;
  readonly alarms: readonly AlarmEntry[];
  /** Non-null while an audio pause lasts. */
  readonly audioPause: AudioPause | null;
  /** When the last audio pause ended: the bursts of conditions still sounding start again from
   * here, whole, instead of resuming mid-burst. Null if none has. */
  readonly audioResumedMs: number | null;
  /** The informational signal being played; null when none. */
  readonly info: InfoSignal | null;
  /** The outputs written last tick (valve commands are what the VALVE_FAILURE check compares). */
  readonly outputs: Outputs;
  readonly supplyClosedSinceMs: number | null;
  readonly safetyClosedSinceMs: number | null;
  /** When the supply valve opened for this freeze; null when not freezing. */
  readonly freezeOpenedMs: number | null;
  /** Supply-open time of the current cycle's freeze so far, and of the whole site. */
  readonly cycleFreezeMs: number;
  readonly cumulativeFreezeMs: number;
  /** Last tick the gas path was commanded open or the return line showed flow; null if never. */
  readonly gasLastFlowedMs: number | null;
  /** Since when every tip channel has read fresh, usable and above the withdrawal margin, and the
   * coldest channel's range since `spanFromMs` (the first warm sample after the last gas flow): a
   * reading that never moves is not trusted. `lowC` and `lowSinceMs`: the coldest channel's last
   * new low in that span (a fall of more than FALLING_READING_C below the one before) and when it
   * came (`sinceMs` before any): a reading still falling is catching up with a colder tip. Null
   * while not warm. `movedMs` and `refC`: the last tick the coldest channel moved from the
   * reading at the move before (the span's first sample before any) by tip.stuckMinSpanC, capped
   * at step.ts LIVE_READING_MOVE_MAX_C, and the reading then: after a freeze, SAFE TO WITHDRAW
   * needs a reading that moved within the last tip.stuckWindowMs (step.ts judgeWithdrawal), as
   * one that stuck while it lagged has a range over the span from before it stuck. After gas, a tick whose
   * reading is unusable (tipUnusable) moves `sinceMs` to it and keeps the rest (step.ts
   * warmFromNow). */
  readonly warm: {
    readonly sinceMs: number;
    readonly spanFromMs: number;
    readonly minC: number;
    readonly maxC: number;
    readonly lowC: number;
    readonly lowSinceMs: number;
    readonly refC: number;
    readonly movedMs: number;
  } | null;
  /** The last tick a warm reading set a new low (warm.lowSinceMs after its span's first sample);
   * null if none. Kept when the span ends, so a reading falling onto the withdrawal threshold,
   * whose noise ends and restarts the span, still waits withdrawal.ts FALLING_QUIET_MS; a fall from
   * before the last gas flow no longer counts. */
  readonly warmFellMs: number | null;
  /** Non-null after a tip-validity trip: the reading is not trusted to declare safe to withdraw
   * (the console shows the tip as unknown and a wait since gas last flowed). A new start clears it. */
  readonly tipDistrust: TipDistrust | null;
  /** After gas has flowed, outside a treatment: the ticks (tickCount) on which the tip reading was
   * unusable (open, stale, probe off, calibration unusable) within the judging window of
   * TIP_UNUSABLE_DEBOUNCE_MS, k of the last 2k samples as the rows count (step.ts); empty while
   * none. The tip becomes unknown once k are (step.ts), so a glitch of a tick or two does not. */
  readonly tipUnusable: readonly number[];
  readonly tipAtSubStartC: number | null;
  // Trackers.
  /** Steps taken since power-up: the debounce windows count samples, not nominal time, so late
   * ticks cannot thin a window out (a 50 % fault at 24 ms ticks would otherwise never trip). */
  readonly tickCount: number;
  readonly lastStepMs: number | null;
  readonly lastGapMs: number;
  /** What the stateful interlock rows remember between ticks, each under its row's id (the row
   * owns the type, the initial value and the update: src/controller/interlock-memory/). */
  readonly memory: InterlockMemory;
  readonly safeToWithdraw: boolean;
  /** The live ice-ball estimate (src/controller/ice-ball.ts); null when none runs. */
  readonly iceBall: IceBallEstimate | null;
  /** The estimate's model between ticks (src/controller/ice-ball-estimate.ts): the tissue as an
   * immutable snapshot; null when no estimate runs. */
  readonly iceBallTrack: IceBallTrack | null;
  /** The efficacy verdict of each freeze of the treatment under way, in order (at most one per
   * cycle); a new start of a new treatment empties it. */
  readonly freezeVerdicts: readonly FreezeVerdict[];
}

/** The shared empty list (quiet ticks allocate nothing). */
export const NO_TICKS: readonly number[] = Object.freeze([]);
export const NO_VERDICTS: readonly FreezeVerdict[] = Object.freeze([]);

function initialInterlocks(): Record<InterlockId, InterlockStatus> {
  const entries = INTERLOCK_IDS.map(
    (id) => [id, { badTicks: NO_TICKS, tripped: false, trippedAtMs: null, conditionNow: false, detail: null }] as const,
  );
  return Object.fromEntries(entries) as Record<InterlockId, InterlockStatus>;
}

/** No change: `withChanges(s, NO_CHANGES)` is a copy of `s`. */
export const NO_CHANGES: Partial<ControllerState> = Object.freeze({});

/**
 * `s` with the fields of `c` in place of its own: what `{ ...s, ...c }` gives, built as one literal
 * with every field named in initialState's order. Every state the step makes is built so, or by
 * initialState and the step's own closing literal in that order, and so shares one hidden class in
 * V8: a spread builds its copy with a hidden class of its own, one per spread site, and the reads
 * of state fields across the step, seeing five or more, went megamorphic (a generic lookup on every
 * read; about 15 % of the step, bench/sim.ts and docs/architecture.md). A field of `c` left
 * undefined keeps `s`'s (no state field holds undefined). A field added to ControllerState must be
 * added here (the type checker says so: the literal is a ControllerState).
 */
export function withChanges(s: ControllerState, c: Partial<ControllerState>): ControllerState {
  return {
    phase: c.phase === undefined ? s.phase : c.phase,
    sub: c.sub === undefined ? s.sub : c.sub,
    cycle: c.cycle === undefined ? s.cycle : c.cycle,
    cyclesBegun: c.cyclesBegun === undefined ? s.cyclesBegun : c.cyclesBegun,
    phaseSinceMs: c.phaseSinceMs === undefined ? s.phaseSinceMs : c.phaseSinceMs,
    subSinceMs: c.subSinceMs === undefined ? s.subSinceMs : c.subSinceMs,
    subSinceTick: c.subSinceTick === undefined ? s.subSinceTick : c.subSinceTick,
    startRequested: c.startRequested === undefined ? s.startRequested : c.startRequested,
    inputs: c.inputs === undefined ? s.inputs : c.inputs,
    interlocks: c.interlocks === undefined ? s.interlocks : c.interlocks,
    alarms: c.alarms === undefined ? s.alarms : c.alarms,
    audioPause: c.audioPause === undefined ? s.audioPause : c.audioPause,
    audioResumedMs: c.audioResumedMs === undefined ? s.audioResumedMs : c.audioResumedMs,
    info: c.info === undefined ? s.info : c.info,
    outputs: c.outputs === undefined ? s.outputs : c.outputs,
    supplyClosedSinceMs: c.supplyClosedSinceMs === undefined ? s.supplyClosedSinceMs : c.supplyClosedSinceMs,
    safetyClosedSinceMs: c.safetyClosedSinceMs === undefined ? s.safetyClosedSinceMs : c.safetyClosedSinceMs,
    freezeOpenedMs: c.freezeOpenedMs === undefined ? s.freezeOpenedMs : c.freezeOpenedMs,
    cycleFreezeMs: c.cycleFreezeMs === undefined ? s.cycleFreezeMs : c.cycleFreezeMs,
    cumulativeFreezeMs: c.cumulativeFreezeMs === undefined ? s.cumulativeFreezeMs : c.cumulativeFreezeMs,
    gasLastFlowedMs: c.gasLastFlowedMs === undefined ? s.gasLastFlowedMs : c.gasLastFlowedMs,
    warm: c.warm === undefined ? s.warm : c.warm,
    warmFellMs: c.warmFellMs === undefined ? s.warmFellMs : c.warmFellMs,
    tipDistrust: c.tipDistrust === undefined ? s.tipDistrust : c.tipDistrust,
    tipUnusable: c.tipUnusable === undefined ? s.tipUnusable : c.tipUnusable,
    tipAtSubStartC: c.tipAtSubStartC === undefined ? s.tipAtSubStartC : c.tipAtSubStartC,
    tickCount: c.tickCount === undefined ? s.tickCount : c.tickCount,
    lastStepMs: c.lastStepMs === undefined ? s.lastStepMs : c.lastStepMs,
    lastGapMs: c.lastGapMs === undefined ? s.lastGapMs : c.lastGapMs,
    memory: c.memory === undefined ? s.memory : c.memory,
    safeToWithdraw: c.safeToWithdraw === undefined ? s.safeToWithdraw : c.safeToWithdraw,
    iceBall: c.iceBall === undefined ? s.iceBall : c.iceBall,
    iceBallTrack: c.iceBallTrack === undefined ? s.iceBallTrack : c.iceBallTrack,
    freezeVerdicts: c.freezeVerdicts === undefined ? s.freezeVerdicts : c.freezeVerdicts,
  };
}

/**
 * Every field of `s` written into `t`, in initialState's order: the workspace's scratch state
 * (trackers.ts) and a recycling workspace's states (workspace.ts Recycling) are rewritten so, in
 * place. A field added to ControllerState must be added here (tests/step-recycling.test.ts
 * compares every field of the states a recycling step returns with a fresh step's).
 */
export function copyState(t: Writable<ControllerState>, s: ControllerState): void {
  t.phase = s.phase;
  t.sub = s.sub;
  t.cycle = s.cycle;
  t.cyclesBegun = s.cyclesBegun;
  t.phaseSinceMs = s.phaseSinceMs;
  t.subSinceMs = s.subSinceMs;
  t.subSinceTick = s.subSinceTick;
  t.startRequested = s.startRequested;
  t.inputs = s.inputs;
  t.interlocks = s.interlocks;
  t.alarms = s.alarms;
  t.audioPause = s.audioPause;
  t.audioResumedMs = s.audioResumedMs;
  t.info = s.info;
  t.outputs = s.outputs;
  t.supplyClosedSinceMs = s.supplyClosedSinceMs;
  t.safetyClosedSinceMs = s.safetyClosedSinceMs;
  t.freezeOpenedMs = s.freezeOpenedMs;
  t.cycleFreezeMs = s.cycleFreezeMs;
  t.cumulativeFreezeMs = s.cumulativeFreezeMs;
  t.gasLastFlowedMs = s.gasLastFlowedMs;
  t.warm = s.warm;
  t.warmFellMs = s.warmFellMs;
  t.tipDistrust = s.tipDistrust;
  t.tipUnusable = s.tipUnusable;
  t.tipAtSubStartC = s.tipAtSubStartC;
  t.tickCount = s.tickCount;
  t.lastStepMs = s.lastStepMs;
  t.lastGapMs = s.lastGapMs;
  t.memory = s.memory;
  t.safeToWithdraw = s.safeToWithdraw;
  t.iceBall = s.iceBall;
  t.iceBallTrack = s.iceBallTrack;
  t.freezeVerdicts = s.freezeVerdicts;
}

/** Power-up state: Idle, every output in its safe state, no treatment under way. */
/** What a console restarted after a crash knows from its records (issue 10). */
export interface PriorSite {
  /** Supply-open time the interrupted treatment's site had reached: FREEZE_TIME_LIMIT's site cap
   * counts it until the operator declares a new site. */
  readonly cumulativeFreezeMs: number;
}

export function initialState(nowMs: number, prior: PriorSite | null = null): ControllerState {
  assert(prior === null || (Number.isFinite(prior.cumulativeFreezeMs) && prior.cumulativeFreezeMs >= 0), `initialState: prior cumulativeFreezeMs ${String(prior?.cumulativeFreezeMs)} must be finite and >= 0`);
  return {
    phase: 'Idle',
    sub: 'none',
    cycle: 0,
    cyclesBegun: 0,
    phaseSinceMs: nowMs,
    subSinceMs: nowMs,
    subSinceTick: 0,
    startRequested: false,
    inputs: { start: false, stop: false, acknowledge: false, audioPause: false, newSite: false, footswitch: false, estop: false },
    interlocks: initialInterlocks(),
    alarms: [],
    audioPause: null,
    audioResumedMs: null,
    info: null,
    outputs: SAFE_OUTPUTS,
    supplyClosedSinceMs: nowMs,
    safetyClosedSinceMs: nowMs,
    freezeOpenedMs: null,
    cycleFreezeMs: 0,
    cumulativeFreezeMs: prior?.cumulativeFreezeMs ?? 0,
    gasLastFlowedMs: null,
    warm: null,
    warmFellMs: null,
    tipDistrust: null,
    tipUnusable: NO_TICKS,
    tipAtSubStartC: null,
    tickCount: 0,
    lastStepMs: null,
    lastGapMs: 0,
    memory: initialInterlockMemory(),
    safeToWithdraw: false,
    iceBall: null,
    iceBallTrack: null,
    freezeVerdicts: NO_VERDICTS,
  };
}
