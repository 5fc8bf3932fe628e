// Alarm signals after IEC 60601-1-8 (shared/domain.md section 6): lamp flashing per priority,
// audible bursts per priority, the state of each condition's visual and audible signal (IEEE
// 11073 SDC: on, off, latched, acknowledged, paused), and the informational tone. Pure functions
// of time and the alarm list: the list itself is kept by alarm-conditions.ts.
import type { AlarmLamps } from '../../hal/contract.js';
import type { AlarmEntry, AudioPause, InfoSignal } from './state.js';
import type { AlarmPriority, InterlockId } from './types.js';

/** Visual: high flashes at 2 Hz (1.4-2.8 Hz), medium at 0.5 Hz (0.4-0.8 Hz), both 50 % duty; low steady. */
export const HIGH_FLASH_PERIOD_MS = 500;
export const MEDIUM_FLASH_PERIOD_MS = 2_000;
const FLASH_DUTY = 0.5;

/** Audible: a pulse of 150 ms on and 100 ms off. */
export const PULSE_ON_MS = 150;
export const PULSE_PERIOD_MS = 250;
/** High: 10 pulses repeated every 10 s (2.5-15 s); medium: 3 pulses every 20 s (2.5-30 s); low: 1 pulse once. */
export const BURST = {
  high: { pulses: 10, repeatMs: 10_000 },
  medium: { pulses: 3, repeatMs: 20_000 },
  low: { pulses: 1, repeatMs: Number.POSITIVE_INFINITY },
} as const satisfies Record<AlarmPriority, { pulses: number; repeatMs: number }>;

/**
 * The informational signal (IEC 60601-1-8 information signal: not an alarm): one steady tone of
 * 600 ms on the buzzer, played once. Four times the longest alarm pulse (150 ms), and an alarm
 * never sounds a tone longer than PULSE_ON_MS, so the two cannot be confused by ear or by a
 * reader of the buzzer line. It never plays while any alarm's audible signal is on (an alarm takes
 * precedence, alarm-conditions.ts drops it) nor during an audio pause.
 */
export const INFO_TONE_MS = 600;

/** A condition that ended still plays this much: a full burst (medium, low) or half a burst (high). */
export function minimumSoundMs(priority: AlarmPriority): number {
  const burstMs = BURST[priority].pulses * PULSE_PERIOD_MS;
  return priority === 'high' ? burstMs / 2 : burstMs;
}

/** State of a condition's audible signal: `on` while the condition is present (or its owed burst
 * plays) and nothing silences it; `acknowledged` after an acknowledge; `paused` during an audio
 * pause; `off` once nothing more is owed. */
export type AudibleSignalState = 'on' | 'off' | 'acknowledged' | 'paused';
/** State of a condition's visual signal: `on` while present and, once ended, while any of its
 * sound is still owed (minimumSoundMs from its start: an alarm that sounds always shows, whatever
 * alarms.latching says); `latched` after an unacknowledged end when its priority latches (settings
 * alarms.latching); `off` otherwise. */
export type VisualSignalState = 'on' | 'off' | 'latched';

export function audibleState(alarm: AlarmEntry, priority: AlarmPriority, nowMs: number, paused: boolean): AudibleSignalState {
  const owed = alarm.endMs === null || nowMs < alarm.startMs + minimumSoundMs(priority);
  if (!owed) return 'off';
  if (alarm.silenced) return 'acknowledged';
  return paused ? 'paused' : 'on';
}

export function visualState(alarm: AlarmEntry, priority: AlarmPriority, nowMs: number): VisualSignalState {
  if (alarm.endMs === null) return 'on';
  if (alarm.latched) return 'latched';
  return nowMs < alarm.startMs + minimumSoundMs(priority) ? 'on' : 'off';
}

/** A flashing lamp's phase counts from `sinceMs` (the start of the oldest condition it shows), so
 * it lights at once for a new condition, never in its dark half. The same phase before `sinceMs`
 * (a clock stepped back): the remainder is taken into [0, periodMs). */
function flashing(nowMs: number, sinceMs: number, periodMs: number): boolean {
  const phaseMs = (((nowMs - sinceMs) % periodMs) + periodMs) % periodMs;
  return phaseMs < periodMs * FLASH_DUTY;
}

function burstSounding(nowMs: number, startMs: number, priority: AlarmPriority): boolean {
  const { pulses, repeatMs } = BURST[priority];
  const sinceMs = nowMs - startMs;
  if (sinceMs < 0) return false;
  const inBurstMs = Number.isFinite(repeatMs) ? sinceMs % repeatMs : sinceMs;
  if (inBurstMs >= pulses * PULSE_PERIOD_MS) return false;
  return inBurstMs % PULSE_PERIOD_MS < PULSE_ON_MS;
}

export interface AlarmSignals {
  readonly lamps: AlarmLamps;
  readonly buzzer: boolean;
}

/** What silences or adds to the alarms' own sound this tick: the controller state's fields of the
 * same names (the step passes the state itself: nothing is built per tick). */
export interface AudioContext {
  /** Non-null while an audio pause is under way: no audible signal at all. */
  readonly audioPause: AudioPause | null;
  /** When the last audio pause ended: bursts count from here, so they come back whole. */
  readonly audioResumedMs: number | null;
  /** The informational signal being played, if any. */
  readonly info: InfoSignal | null;
}

const QUIET: AudioContext = { audioPause: null, audioResumedMs: null, info: null };

/** Some alarm's audible signal is on (sounding or between its bursts): no info tone then. */
export function anyAlarmAudible(nowMs: number, alarms: readonly AlarmEntry[], priorityOf: (id: InterlockId) => AlarmPriority, paused: boolean): boolean {
  for (const alarm of alarms) if (audibleState(alarm, priorityOf(alarm.id), nowMs, paused) === 'on') return true;
  return false;
}

/** Lamps and buzzer for the alarm list at `nowMs`. A latched visual signal lights its lamp as a
 * present condition does; an audio pause or an acknowledge never touches the lamps. */
export function alarmSignals(
  nowMs: number,
  alarms: readonly AlarmEntry[],
  priorityOf: (id: InterlockId) => AlarmPriority,
  audio: AudioContext = QUIET,
): AlarmSignals {
  // Start of the oldest condition each lamp shows; +Infinity: the lamp is dark.
  let highSinceMs = Number.POSITIVE_INFINITY;
  let mediumSinceMs = Number.POSITIVE_INFINITY;
  let low = false;
  let buzzer = false;
  let alarmAudible = false;
  const paused = audio.audioPause !== null;
  const burstFromMs = audio.audioResumedMs ?? Number.NEGATIVE_INFINITY;
  for (const alarm of alarms) {
    const priority = priorityOf(alarm.id);
    if (visualState(alarm, priority, nowMs) !== 'off') {
      if (priority === 'high') highSinceMs = Math.min(highSinceMs, alarm.startMs);
      else if (priority === 'medium') mediumSinceMs = Math.min(mediumSinceMs, alarm.startMs);
      else low = true;
    }
    if (audibleState(alarm, priority, nowMs, paused) !== 'on') continue;
    alarmAudible = true;
    if (burstSounding(nowMs, Math.max(alarm.startMs, burstFromMs), priority)) buzzer = true;
  }
  const info = audio.info;
  const infoTone = !alarmAudible && !paused && info !== null && nowMs >= info.startMs && nowMs - info.startMs < INFO_TONE_MS;
  return signalsOf(
    highSinceMs !== Number.POSITIVE_INFINITY && flashing(nowMs, highSinceMs, HIGH_FLASH_PERIOD_MS),
    mediumSinceMs !== Number.POSITIVE_INFINITY && flashing(nowMs, mediumSinceMs, MEDIUM_FLASH_PERIOD_MS),
    low,
    buzzer || infoTone,
  );
}

/** Every combination of lamps and buzzer, built once and frozen: the signals of a tick are one of
 * these 16 values, so computing them allocates nothing (bench/sim.ts measures a quiet tick). */
const SIGNAL_TABLE: readonly AlarmSignals[] = Object.freeze(
  Array.from({ length: 16 }, (_, bits) =>
    Object.freeze({
      lamps: Object.freeze({ high: (bits & 4) !== 0, medium: (bits & 2) !== 0, low: (bits & 1) !== 0 }),
      buzzer: (bits & 8) !== 0,
    }),
  ),
);

/** The shared, frozen signals value for these lamps and buzzer. */
export function signalsOf(high: boolean, medium: boolean, low: boolean, buzzer: boolean): AlarmSignals {
  const signals = SIGNAL_TABLE[(buzzer ? 8 : 0) | (high ? 4 : 0) | (medium ? 2 : 0) | (low ? 1 : 0)];
  // Stryker disable next-line ConditionalExpression: equivalent: the index is 0..15 and the table has 16 entries
  if (signals === undefined) throw new Error('alarm signals: table index out of range');
  return signals;
}
