// Alarm signals at the edges of IEC 60601-1-8 (shared/domain.md section 6) that tests/alarms.test.ts
// does not reach: two conditions at once, an acknowledge while an ended condition still plays its
// owed burst, a second acknowledge, the owed half burst of a high alarm at its last pulse, a clock
// that steps back, and the list's own bookkeeping. Each test drives its own run inside `it`
// (docs/mutation.md).
import { describe, expect, it } from 'vitest';
import { BURST, MEDIUM_FLASH_PERIOD_MS, PULSE_ON_MS, PULSE_PERIOD_MS, alarmSignals, minimumSoundMs, updateAlarms } from '../src/controller/alarms.js';
import { interlockById } from '../src/controller/interlocks.js';
import { DEFAULT_SETTINGS, withProtocol } from '../src/controller/settings.js';
import type { AlarmEntry } from '../src/controller/state.js';
import type { ControllerEvent, InterlockId } from '../src/controller/types.js';
import type { StepRecord } from './helpers/readings.js';
import { NormalPatient, SHORT_PROTOCOL, drive, inPhase, nominalReadings, normalUntil } from './helpers/readings.js';

const priorityOf = (id: InterlockId) => interlockById(id).priority;

const at = (steps: readonly StepRecord[], nowMs: number): StepRecord => {
  const rec = steps.find((r) => r.nowMs === nowMs);
  if (rec === undefined) throw new Error(`no step at ${nowMs} ms`);
  return rec;
};

type AckEvent = Extract<ControllerEvent, { kind: 'acknowledge' }>;
const acknowledgements = (events: readonly ControllerEvent[]): AckEvent[] => events.filter((e): e is AckEvent => e.kind === 'acknowledge');

describe('two conditions at once', () => {
  const ESTOP_MS = 10_000;
  const HAL_MS = 12_000;
  const run = () =>
    drive((now) => nominalReadings(now, { operator: { estop: now >= ESTOP_MS }, halFault: now >= HAL_MS ? 'front-end lost' : null }), {
      durationMs: 32_000,
    });

  it('keeps flashing the yellow lamp of the emergency stop after a high condition joins it', () => {
    const d = run();
    expect(d.state.phase).toBe('Fault');
    for (const r of d.steps.filter((s) => s.nowMs >= HAL_MS)) {
      expect(r.outputs.lamps.medium, `at ${r.nowMs}`).toBe(r.nowMs % MEDIUM_FLASH_PERIOD_MS < MEDIUM_FLASH_PERIOD_MS / 2);
    }
  });

  it("repeats the emergency stop's medium burst 20 s after it began, between two high bursts", () => {
    const d = run();
    const repeatMs = ESTOP_MS + BURST.medium.repeatMs;
    // The high burst (from 12 s, every 10 s) is silent at 30 s: 8 s into its period.
    expect((repeatMs - HAL_MS) % BURST.high.repeatMs).toBeGreaterThan(BURST.high.pulses * PULSE_PERIOD_MS);
    expect(at(d.steps, repeatMs - 20).outputs.buzzer).toBe(false);
    expect(at(d.steps, repeatMs).outputs.buzzer).toBe(true);
  });
});

describe('acknowledge', () => {
  it('does not cut the owed pulse of a stop that has already ended, and names no alarm silenced', () => {
    const settings = withProtocol(DEFAULT_SETTINGS, SHORT_PROTOCOL);
    const patient = new NormalPatient();
    const { at: freezing } = normalUntil(settings, inPhase('Freezing', 5_000), patient);
    const stopMs = freezing.lastMs + 20;
    const ackMs = stopMs + 40;
    const d = drive(patient.script((now) => ({ operator: { stop: now === stopMs, acknowledge: now === ackMs } })), {
      settings,
      state: freezing.state,
      durationMs: 1_000,
    });
    expect(acknowledgements(d.events)).toEqual([{ kind: 'acknowledge', atMs: ackMs, silenced: [] }]);
    // The low alarm's one pulse: 150 ms from the stop, heard to its end although acknowledged at 40 ms.
    const sounding = d.steps.filter((r) => r.outputs.buzzer).map((r) => r.nowMs - stopMs);
    expect(sounding).toEqual([0, 20, 40, 60, 80, 100, 120, 140]);
    expect(sounding.at(-1)).toBeLessThan(PULSE_ON_MS);
  });

  it('names an alarm once: a second acknowledge silences nothing more', () => {
    const d = drive((now) => nominalReadings(now, { operator: { estop: now >= 10_000, acknowledge: now === 11_000 || now === 12_000 } }), {
      durationMs: 13_000,
    });
    expect(acknowledgements(d.events)).toEqual([
      { kind: 'acknowledge', atMs: 11_000, silenced: ['EMERGENCY_STOP'] },
      { kind: 'acknowledge', atMs: 12_000, silenced: [] },
    ]);
  });
});

describe('the owed sound of an ended high alarm', () => {
  // alarmSignals on its own: it must stop the owed half burst itself, whatever the list it is
  // given still holds (the step happens to drop such an entry in the same tick).
  const ended: AlarmEntry = { id: 'HAL_FAULT', startMs: 0, endMs: 20, silenced: false, latched: false, detail: '' };

  it('is half a burst: five pulses, the fifth still heard', () => {
    expect(minimumSoundMs('high')).toBe((BURST.high.pulses / 2) * PULSE_PERIOD_MS);
    expect(alarmSignals(4 * PULSE_PERIOD_MS, [ended], priorityOf).buzzer).toBe(true);
  });

  it('has no sixth pulse, and no lamp once the condition ended', () => {
    const sixthMs = minimumSoundMs('high');
    expect(alarmSignals(sixthMs, [ended], priorityOf)).toEqual({ lamps: { high: false, medium: false, low: false }, buzzer: false });
    expect(alarmSignals(sixthMs + 100, [ended], priorityOf).buzzer).toBe(false);
  });

  it('would have a sixth pulse while the condition lasts (the half burst is the only limit)', () => {
    const active: AlarmEntry = { ...ended, endMs: null };
    expect(alarmSignals(minimumSoundMs('high'), [active], priorityOf).buzzer).toBe(true);
  });
});

describe('a clock that steps back', () => {
  it('sounds no pulse before the alarm began on the new time base, keeps the lamp, and plays the burst from its start', () => {
    const ESTOP_MS = 10_000;
    const JUMP_AT_STEP = 100; // 2 s after the emergency stop, the clock steps back 6 s
    const d = drive((now) => nominalReadings(now, { operator: { estop: true } }), {
      startMs: ESTOP_MS,
      durationMs: 2_000,
      gapMs: (i) => (i === JUMP_AT_STEP ? -6_000 : 20),
    });
    const back = d.steps.slice(JUMP_AT_STEP);
    const beforeStart = back.filter((r) => r.nowMs < ESTOP_MS);
    expect(beforeStart[0]?.nowMs).toBe(ESTOP_MS + (JUMP_AT_STEP - 1) * 20 - 6_000);
    expect(d.steps[0]?.state.phase).toBe('Fault');
    expect(beforeStart.length).toBeGreaterThan(100);
    for (const r of beforeStart) {
      expect(r.outputs.buzzer, `at ${r.nowMs}`).toBe(false);
      expect(r.outputs.lamps.medium, `at ${r.nowMs}`).toBe(r.nowMs % MEDIUM_FLASH_PERIOD_MS < MEDIUM_FLASH_PERIOD_MS / 2);
    }
    expect(back.find((r) => r.nowMs === ESTOP_MS)?.outputs.buzzer).toBe(true);
  });
});

describe('the alarm list', () => {
  // updateAlarms on its own: the entries carry each condition's start and end times (the alarm
  // log of IEC 60601-1-8 records both), and an ended one leaves once its owed sound has played.
  const stop = (endMs: number | null): AlarmEntry => ({ id: 'OPERATOR_STOP', startMs: 0, endMs, silenced: false, latched: false, detail: '' });

  it('is the same list on a quiet tick, with or without active alarms: the hot path allocates nothing', () => {
    const d = drive((now) => nominalReadings(now, { operator: { estop: now >= 1_000 } }), { durationMs: 3_000 });
    for (let i = 1; i < d.steps.length; i++) {
      const [before, after] = [d.steps[i - 1], d.steps[i]];
      if (before === undefined || after === undefined || after.nowMs === 1_000) continue;
      expect(after.state.alarms, `at ${after.nowMs}`).toBe(before.state.alarms);
    }
    expect(d.state.alarms).toHaveLength(1);
  });

  it('drops an ended condition on the tick its owed sound has played, although nothing trips or clears then', () => {
    const owedMs = minimumSoundMs('low');
    expect(updateAlarms(owedMs - 20, [stop(20)], [], [], priorityOf)).toEqual([stop(20)]);
    expect(updateAlarms(owedMs, [stop(20)], [], [], priorityOf)).toEqual([]);
  });

  it('drops a condition that ends after its owed sound in the tick it ends', () => {
    expect(updateAlarms(1_000, [stop(null)], [], ['OPERATOR_STOP'], priorityOf)).toEqual([]);
  });

  it('keeps the first end time of a condition cleared again while its owed sound plays', () => {
    expect(updateAlarms(100, [stop(20)], [], ['OPERATOR_STOP'], priorityOf)).toEqual([stop(20)]);
  });

  it('keeps an entry whose end lies ahead of now after the clock stepped back', () => {
    expect(updateAlarms(500, [stop(1_000)], [], [], priorityOf)).toEqual([stop(1_000)]);
  });
});
