// The controller's whole memory between ticks. Plain, immutable data: the step returns a new one.
import type { Outputs } from '../../hal/contract.js';
import { SAFE_OUTPUTS } from '../../hal/contract.js';
import { assert } from '../../kernel/assert.js';
import type { FreezeVerdict, IceBallEstimate } from './ice-ball.js';
import type { IceBallTrack } from './ice-ball-estimate.js';
import type { InterlockMemory } from './interlocks.js';
import { INTERLOCK_IDS, initialInterlockMemory } from './interlocks.js';
import type { InterlockId, Phase, SubStep } from './types.js';

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
   * while not warm. */
  readonly warm: {
    readonly sinceMs: number;
    readonly spanFromMs: number;
    readonly minC: number;
    readonly maxC: number;
    readonly lowC: number;
    readonly lowSinceMs: number;
  } | null;
  /** Non-null after a tip-validity trip: the reading is not trusted to declare safe to withdraw
   * (the console shows the tip as unknown and a wait since gas last flowed). A new start clears it. */
  readonly tipDistrust: TipDistrust | null;
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
    tipDistrust: null,
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
