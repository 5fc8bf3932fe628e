// An audible alarm signal always has a visual one (issue 9 review, IEC 60601-1-8: a signal the
// operator cannot attribute). With a valid `alarms.latching.medium: false`, a short condition
// still sounds its owed burst (minimumSoundMs); its visual signal stays on for as long, and a
// lamp's flash phase starts at the condition's start, so it never begins in the dark half.
// Exact, in virtual time (src/controller/alarm-signals.ts).
import { describe, expect, it } from 'vitest';
import { HIGH_FLASH_PERIOD_MS, MEDIUM_FLASH_PERIOD_MS, alarmSignals, minimumSoundMs, updateAlarms, visualState } from '../src/controller/alarms.js';
import { interlockById } from '../src/controller/interlocks.js';
import { parseSettings } from '../src/controller/settings.js';
import type { AlarmEntry } from '../src/controller/state.js';
import type { InterlockId } from '../src/controller/types.js';

const priorityOf = (id: InterlockId) => interlockById(id).priority;
const UNLATCHED = parseSettings({ alarms: { latching: { medium: false, high: false } } }, 'site.json');
const update = { latching: UNLATCHED.alarms.latching, detailOf: () => 'x' };
/** In the medium lamp's dark half on the absolute clock (1000-2000 ms of each 2 s period). */
const START_MS = 1_000;
const END_MS = START_MS + 100;

/** A condition `id` from START_MS to END_MS, as updateAlarms keeps it. */
function shortCondition(id: InterlockId): readonly AlarmEntry[] {
  const begun = updateAlarms(START_MS, [], [id], [], priorityOf, update);
  return updateAlarms(END_MS, begun, [], [id], priorityOf, update);
}

describe('the visual signal of a short unlatched condition', () => {
  it('a 100 ms medium condition (CONSOLE_LOST): visual on and the lamp lit for every tick its burst is owed, then off and dark', () => {
    const alarms = shortCondition('CONSOLE_LOST');
    const [alarm] = alarms;
    if (alarm === undefined) throw new Error('the condition left the list before its burst was played');
    const owedUntilMs = START_MS + minimumSoundMs('medium');
    let buzzed = false;
    for (let t = START_MS; t < owedUntilMs; t += 10) {
      const s = alarmSignals(t, alarms, priorityOf);
      buzzed ||= s.buzzer;
      expect(visualState(alarm, 'medium', t), `at ${t}`).toBe('on');
      expect(s.lamps.medium, `at ${t}`).toBe(true);
    }
    expect(buzzed).toBe(true);
    expect(visualState(alarm, 'medium', owedUntilMs)).toBe('off');
    expect(alarmSignals(owedUntilMs, alarms, priorityOf)).toEqual({ lamps: { high: false, medium: false, low: false }, buzzer: false });
  });

  it('a 100 ms high condition: on for half a burst, flashing at its period from its start', () => {
    expect(priorityOf('TIP_BELOW_ABSOLUTE_LIMIT')).toBe('high');
    const alarms = shortCondition('TIP_BELOW_ABSOLUTE_LIMIT');
    const owedUntilMs = START_MS + minimumSoundMs('high');
    for (let t = START_MS; t < owedUntilMs; t += 10) {
      expect(alarmSignals(t, alarms, priorityOf).lamps.high, `at ${t}`).toBe((t - START_MS) % HIGH_FLASH_PERIOD_MS < HIGH_FLASH_PERIOD_MS / 2);
    }
    expect(alarmSignals(owedUntilMs, alarms, priorityOf).lamps.high).toBe(false);
  });
});

describe('the flash phase', () => {
  it('starts lit at the oldest condition the lamp shows, whatever the absolute time', () => {
    const first = updateAlarms(START_MS, [], ['CONSOLE_LOST'], [], priorityOf, update);
    const lampAt = (t: number, alarms: readonly AlarmEntry[]) => alarmSignals(t, alarms, priorityOf).lamps.medium;
    expect(lampAt(START_MS, first)).toBe(true);
    expect(lampAt(START_MS + MEDIUM_FLASH_PERIOD_MS / 2 - 1, first)).toBe(true);
    expect(lampAt(START_MS + MEDIUM_FLASH_PERIOD_MS / 2, first)).toBe(false);
    expect(lampAt(START_MS + MEDIUM_FLASH_PERIOD_MS, first)).toBe(true);
    // A second medium condition half a period later does not move the phase of the lamp already
    // flashing for the first.
    const secondMs = START_MS + MEDIUM_FLASH_PERIOD_MS / 2;
    const both = updateAlarms(secondMs, first, ['EMERGENCY_STOP'], [], priorityOf, update);
    expect(priorityOf('EMERGENCY_STOP')).toBe('medium');
    expect(both).toHaveLength(2);
    expect(lampAt(secondMs, both)).toBe(false);
    expect(lampAt(START_MS + MEDIUM_FLASH_PERIOD_MS, both)).toBe(true);
  });
});

