// The alarm conditions and the operator's hold on their signals (IEC 60601-1-8, shared/domain.md
// section 6; IEEE 11073 SDC alert model): the list of conditions (started by a trip, ended by a
// clear, kept while a burst is owed or a latched visual signal waits for an acknowledge), the
// acknowledge and alarm reset, the audio pause, and the informational signal. Pure: every
// function returns the same object when nothing changed, so a quiet tick allocates nothing.
import { assert } from '../../kernel/assert.js';
import { INFO_TONE_MS, minimumSoundMs } from './alarm-signals.js';
import type { Settings } from './settings.js';
import type { AlarmEntry, ControllerState, InfoKind, InfoSignal } from './state.js';
import { withChanges } from './state.js';
import type { AlarmPriority, ControllerEvent, InterlockId } from './types.js';

/** How this tick's trips and clears enter the list. */
export interface AlarmUpdate {
  /** Whether a priority's visual signal latches (settings alarms.latching); none latch without it. */
  readonly latching?: Readonly<Record<AlarmPriority, boolean>>;
  /** The triggering value of a condition that trips now (the interlock's detail). */
  readonly detailOf?: (id: InterlockId) => string;
}

/** An ended condition leaves the list once its owed sound has played and no latched visual
 * signal waits for an acknowledge. */
function finished(alarm: AlarmEntry, nowMs: number, priority: AlarmPriority): boolean {
  return alarm.endMs !== null && !alarm.latched && alarm.endMs <= nowMs && nowMs >= alarm.startMs + minimumSoundMs(priority);
}

/** Asked every tick: an indexed loop, which allocates no iterator. */
function anyFinished(nowMs: number, alarms: readonly AlarmEntry[], priorityOf: (id: InterlockId) => AlarmPriority): boolean {
  for (let i = 0; i < alarms.length; i++) {
    const alarm = alarms[i];
    if (alarm !== undefined && finished(alarm, nowMs, priorityOf(alarm.id))) return true;
  }
  return false;
}

/** No latching and no details: the options of a tick with no trip and no clear, shared (a default
 * parameter `= {}` would build a new object on every call). */
const NO_UPDATE: AlarmUpdate = Object.freeze({});

/** The list after this tick: new trips added, cleared ones ended (latched if their priority
 * latches and nobody acknowledged them), finished ended ones dropped. */
export function updateAlarms(
  nowMs: number,
  alarms: readonly AlarmEntry[],
  tripped: readonly InterlockId[],
  cleared: readonly InterlockId[],
  priorityOf: (id: InterlockId) => AlarmPriority,
  update: AlarmUpdate = NO_UPDATE,
): readonly AlarmEntry[] {
  if (tripped.length === 0 && cleared.length === 0 && !anyFinished(nowMs, alarms, priorityOf)) return alarms;
  const next: AlarmEntry[] = [];
  for (const alarm of alarms) {
    const priority = priorityOf(alarm.id);
    const latches = update.latching?.[priority] ?? false;
    const ended = alarm.endMs === null && cleared.includes(alarm.id) ? { ...alarm, endMs: nowMs, latched: latches && !alarm.silenced } : alarm;
    if (!finished(ended, nowMs, priority)) next.push(ended);
  }
  for (const id of tripped) next.push({ id, startMs: nowMs, endMs: null, silenced: false, latched: false, detail: update.detailOf?.(id) ?? '' });
  return next;
}

export interface Acknowledged {
  readonly alarms: readonly AlarmEntry[];
  /** Present conditions whose audible signal this acknowledge silenced. */
  readonly silenced: InterlockId[];
  /** Ended conditions whose latched visual signal it reset. */
  readonly reset: InterlockId[];
}

/** Acknowledge: silence the conditions active now (a later condition alarms again) and reset the
 * latched visual signals of ended ones. The owed burst of an ended condition still plays. */
export function silenceActive(alarms: readonly AlarmEntry[]): Acknowledged {
  const silenced: InterlockId[] = [];
  const reset: InterlockId[] = [];
  const next = alarms.map((a) => {
    if (a.endMs === null && !a.silenced) {
      silenced.push(a.id);
      return { ...a, silenced: true };
    }
    if (a.endMs !== null && a.latched) {
      reset.push(a.id);
      return { ...a, latched: false };
    }
    return a;
  });
  return { alarms: next, silenced, reset };
}

/** This tick's audio-pause inputs. */
export interface AudioPauseTick {
  readonly nowMs: number;
  readonly settings: Settings;
  /** Rising edge of the audio-pause input. */
  readonly pressed: boolean;
  /** A high-priority condition began this tick. */
  readonly newHigh: boolean;
}

/**
 * Audio pause: a press silences every audible signal for settings.alarms.audioPauseS; the visual
 * signals stay. It ends when its time is up, when a new high-priority condition begins (which
 * then sounds at once), or on a second press. A press in the very tick a high-priority condition
 * begins is refused: the operator cannot have heard it yet.
 */
export function updateAudioPause(s: ControllerState, tick: AudioPauseTick, events: ControllerEvent[]): ControllerState {
  const { nowMs, pressed, newHigh } = tick;
  const pause = s.audioPause;
  if (pause === null && !pressed) return s;
  if (pause !== null) {
    const reason = newHigh ? 'high-priority' : pressed ? 'operator' : nowMs >= pause.untilMs || nowMs < pause.startMs ? 'expired' : null;
    if (reason === null) return s;
    events.push({ kind: 'audio-pause', atMs: nowMs, action: 'end', reason });
    return withChanges(s, { audioPause: null, audioResumedMs: nowMs });
  }
  if (newHigh) {
    events.push({ kind: 'refused', atMs: nowMs, input: 'audio-pause', reason: 'a high-priority alarm began in this tick: it sounds' });
    return s;
  }
  const pauseMs = tick.settings.alarms.audioPauseS * 1000;
  // The schema bounds it (settings.ts AUDIO_PAUSE_S_MIN..MAX); a pause without an end is a bug.
  assert(Number.isFinite(pauseMs) && pauseMs > 0, `audio pause of ${pauseMs} ms`);
  const untilMs = nowMs + pauseMs;
  events.push({ kind: 'audio-pause', atMs: nowMs, action: 'start', untilMs });
  return withChanges(s, { audioPause: { startMs: nowMs, untilMs } });
}

/**
 * The informational signal after this tick: started by `began` (the treatment completed, or it
 * became safe to withdraw), over once its tone has played. An alarm takes precedence: while any
 * alarm's audible signal is on the info signal is dropped, not deferred, so it can never be heard
 * inside or beside an alarm burst.
 */
export function updateInfo(prev: InfoSignal | null, nowMs: number, began: InfoKind | null, alarmAudible: boolean): InfoSignal | null {
  if (alarmAudible) return null;
  if (began !== null) return { kind: began, startMs: nowMs };
  if (prev !== null && (nowMs - prev.startMs >= INFO_TONE_MS || nowMs < prev.startMs)) return null;
  return prev;
}
