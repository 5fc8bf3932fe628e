// The alarm system after IEC 60601-1-8 (shared/domain.md section 6), modelled on the IEEE 11073
// SDC alert model: a condition is present or not, with its priority from the interlock table;
// each condition's visual and audible signal has its own state (on, off, latched, acknowledged,
// paused). The signal patterns live in alarm-signals.ts, the list and the operator's hold on it
// (acknowledge, audio pause, the informational signal) in alarm-conditions.ts; this module is
// their one entry point and the view the console shows (docs/safety.md "Alarm system").
import { interlockById } from './interlocks.js';
import type { AudibleSignalState, VisualSignalState } from './alarm-signals.js';
import { audibleState, visualState } from './alarm-signals.js';
import type { Settings } from './settings.js';
import type { ControllerState, InfoKind } from './state.js';
import type { AlarmPriority } from './types.js';

export * from './alarm-signals.js';
export * from './alarm-conditions.js';

/** One condition as the console shows it (src/console/protocol.ts re-exports this type). */
export interface AlarmConditionView {
  /** The interlock id (docs/safety.md names each). */
  readonly id: string;
  readonly priority: AlarmPriority;
  /** The condition is present now (false: ended, its signal still owed or latched). */
  readonly active: boolean;
  readonly startMs: number;
  readonly endMs: number | null;
  /** The triggering value, as the interlock named it. */
  readonly detail: string;
  readonly hint: string;
  /** Audible signal silenced by an acknowledge. */
  readonly acknowledged: boolean;
  /** The condition ended but its visual signal stays until an acknowledge (settings alarms.latching). */
  readonly latched: boolean;
  readonly visual: VisualSignalState;
  readonly audible: AudibleSignalState;
}

/** The informational signal being played (not an alarm). */
export interface InfoSignalView {
  readonly kind: InfoKind;
  readonly startMs: number;
}

export interface AlarmView {
  /** Present conditions first, then ended ones still shown; each by priority (high first), then
   * the newest first. */
  readonly conditions: readonly AlarmConditionView[];
  /** Milliseconds of audio pause left; null when not paused. */
  readonly audioPausedMs: number | null;
  /** The configured length of an audio pause (settings alarms.audioPauseS), milliseconds. */
  readonly audioPauseMaxMs: number;
  readonly info: InfoSignalView | null;
}

const RANK: Readonly<Record<AlarmPriority, number>> = { high: 0, medium: 1, low: 2 };

/** The alarm system as the console shows it at `nowMs`. Called by the snapshot, not in the step. */
export function alarmView(state: ControllerState, settings: Settings, nowMs: number): AlarmView {
  const paused = state.audioPause !== null;
  const conditions = state.alarms.map((alarm): AlarmConditionView => {
    const row = interlockById(alarm.id);
    return {
      id: alarm.id,
      priority: row.priority,
      active: alarm.endMs === null,
      startMs: alarm.startMs,
      endMs: alarm.endMs,
      detail: alarm.detail,
      hint: row.hint,
      acknowledged: alarm.silenced,
      latched: alarm.latched,
      visual: visualState(alarm, row.priority, nowMs),
      audible: audibleState(alarm, row.priority, nowMs, paused),
    };
  });
  conditions.sort((a, b) => Number(b.active) - Number(a.active) || RANK[a.priority] - RANK[b.priority] || b.startMs - a.startMs);
  return {
    conditions,
    audioPausedMs: state.audioPause === null ? null : Math.max(0, state.audioPause.untilMs - nowMs),
    audioPauseMaxMs: settings.alarms.audioPauseS * 1000,
    info: state.info === null ? null : { kind: state.info.kind, startMs: state.info.startMs },
  };
}
