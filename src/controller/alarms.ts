// Alarm signals after IEC 60601-1-8 (shared/domain.md section 6): lamp flashing per priority,
// audible bursts per priority, acknowledge silences only the conditions active now, a short
// condition still plays its minimum burst. Pure functions of time and the alarm list.
import type { AlarmLamps } from '../../hal/contract.js';
import type { AlarmEntry } from './state.js';
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

/** A condition that ended still plays this much: a full burst (medium, low) or half a burst (high). */
export function minimumSoundMs(priority: AlarmPriority): number {
  const burstMs = BURST[priority].pulses * PULSE_PERIOD_MS;
  return priority === 'high' ? burstMs / 2 : burstMs;
}

function flashing(nowMs: number, periodMs: number): boolean {
  return nowMs % periodMs < periodMs * FLASH_DUTY;
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

/** Lamps and buzzer for the alarm list at `nowMs`. */
export function alarmSignals(nowMs: number, alarms: readonly AlarmEntry[], priorityOf: (id: InterlockId) => AlarmPriority): AlarmSignals {
  let high = false;
  let medium = false;
  let low = false;
  let buzzer = false;
  for (const alarm of alarms) {
    const priority = priorityOf(alarm.id);
    const active = alarm.endMs === null;
    if (active) {
      if (priority === 'high') high = true;
      else if (priority === 'medium') medium = true;
      else low = true;
    }
    const stillOwedMs = alarm.startMs + minimumSoundMs(priority);
    const audible = !alarm.silenced && (active || nowMs < stillOwedMs);
    if (audible && burstSounding(nowMs, alarm.startMs, priority)) buzzer = true;
  }
  return {
    lamps: {
      high: high && flashing(nowMs, HIGH_FLASH_PERIOD_MS),
      medium: medium && flashing(nowMs, MEDIUM_FLASH_PERIOD_MS),
      low,
    },
    buzzer,
  };
}

/** The list after this tick: new trips added, cleared ones ended, finished ended ones dropped. */
export function updateAlarms(
  nowMs: number,
  alarms: readonly AlarmEntry[],
  tripped: readonly InterlockId[],
  cleared: readonly InterlockId[],
  priorityOf: (id: InterlockId) => AlarmPriority,
): readonly AlarmEntry[] {
  if (tripped.length === 0 && cleared.length === 0 && alarms.every((a) => a.endMs === null)) return alarms;
  const next: AlarmEntry[] = [];
  for (const alarm of alarms) {
    const ended = alarm.endMs === null && cleared.includes(alarm.id) ? { ...alarm, endMs: nowMs } : alarm;
    const done = ended.endMs !== null && nowMs >= ended.startMs + minimumSoundMs(priorityOf(ended.id)) && ended.endMs <= nowMs;
    if (!done) next.push(ended);
  }
  for (const id of tripped) next.push({ id, startMs: nowMs, endMs: null, silenced: false });
  return next;
}

/** Acknowledge: silence the conditions active now (a later condition alarms again). */
export function silenceActive(alarms: readonly AlarmEntry[]): { alarms: readonly AlarmEntry[]; silenced: InterlockId[] } {
  const silenced: InterlockId[] = [];
  const next = alarms.map((a) => {
    if (a.endMs !== null || a.silenced) return a;
    silenced.push(a.id);
    return { ...a, silenced: true };
  });
  return { alarms: next, silenced };
}
