// The controller's whole memory between ticks. Plain, immutable data: the step returns a new one.
import type { Outputs } from '../../hal/contract.js';
import { SAFE_OUTPUTS } from '../../hal/contract.js';
import type { InterlockId, Phase, SubStep } from './types.js';
import { INTERLOCK_IDS } from './types.js';

export interface InterlockStatus {
  /** When the raw condition became true (debounce start); null while it is false. */
  readonly pendingSinceMs: number | null;
  /** Tripped and not yet cleared (latched ones clear on acknowledge once the condition is gone). */
  readonly tripped: boolean;
  readonly trippedAtMs: number | null;
  /** The raw condition this tick (for ack: a latched trip clears only once this is false). */
  readonly conditionNow: boolean;
  readonly detail: string | null;
}

export interface AlarmEntry {
  readonly id: InterlockId;
  readonly startMs: number;
  /** When the condition ended (cleared); null while active. */
  readonly endMs: number | null;
  /** Audio silenced by an acknowledge. */
  readonly silenced: boolean;
}

export interface PrevInputs {
  readonly start: boolean;
  readonly stop: boolean;
  readonly acknowledge: boolean;
  readonly footswitch: boolean;
  readonly estop: boolean;
}

export interface ControllerState {
  readonly phase: Phase;
  readonly sub: SubStep;
  /** 1-based cycle during a treatment; 0 before the first freeze. */
  readonly cycle: number;
  readonly phaseSinceMs: number;
  readonly subSinceMs: number;
  /** Start was pressed and the self-test should run straight on into the first freeze. */
  readonly startRequested: boolean;
  readonly inputs: PrevInputs;
  readonly interlocks: Readonly<Record<InterlockId, InterlockStatus>>;
  readonly alarms: readonly AlarmEntry[];
  /** The outputs written last tick (valve commands are what the VALVE_FAILURE check compares). */
  readonly outputs: Outputs;
  readonly supplyClosedSinceMs: number | null;
  readonly safetyClosedSinceMs: number | null;
  /** When the supply valve opened for this freeze; null when not freezing. */
  readonly freezeOpenedMs: number | null;
  /** Supply-open time of the current cycle's freeze so far, and of the whole site. */
  readonly cycleFreezeMs: number;
  readonly cumulativeFreezeMs: number;
  /** The previous treatment completed: the next start begins a new site (cumulative resets). */
  readonly siteComplete: boolean;
  readonly coolingReachedAtMs: number | null;
  readonly tipAtSubStartC: number | null;
  // Trackers.
  readonly lastStepMs: number | null;
  readonly lateStepTimesMs: readonly number[];
  readonly lastGapMs: number;
  readonly stuckWindow: { readonly startMs: number; readonly minC: number; readonly maxC: number } | null;
  readonly stuckDetected: boolean;
  readonly trend: { readonly refMs: number; readonly returnBar: number; readonly tipC: number } | null;
  readonly returnRisingWhileWarming: boolean;
  readonly safeToWithdraw: boolean;
}

function initialInterlocks(): Record<InterlockId, InterlockStatus> {
  const entries = INTERLOCK_IDS.map(
    (id) => [id, { pendingSinceMs: null, tripped: false, trippedAtMs: null, conditionNow: false, detail: null }] as const,
  );
  return Object.fromEntries(entries) as Record<InterlockId, InterlockStatus>;
}

/** Power-up state: Idle, every output in its safe state, no treatment under way. */
export function initialState(nowMs: number): ControllerState {
  return {
    phase: 'Idle',
    sub: 'none',
    cycle: 0,
    phaseSinceMs: nowMs,
    subSinceMs: nowMs,
    startRequested: false,
    inputs: { start: false, stop: false, acknowledge: false, footswitch: false, estop: false },
    interlocks: initialInterlocks(),
    alarms: [],
    outputs: SAFE_OUTPUTS,
    supplyClosedSinceMs: nowMs,
    safetyClosedSinceMs: nowMs,
    freezeOpenedMs: null,
    cycleFreezeMs: 0,
    cumulativeFreezeMs: 0,
    siteComplete: false,
    coolingReachedAtMs: null,
    tipAtSubStartC: null,
    lastStepMs: null,
    lateStepTimesMs: [],
    lastGapMs: 0,
    stuckWindow: null,
    stuckDetected: false,
    trend: null,
    returnRisingWhileWarming: false,
    safeToWithdraw: false,
  };
}
