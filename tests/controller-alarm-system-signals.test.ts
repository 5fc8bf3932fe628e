// Alarm signals that outlive their condition, and the informational signal (IEC 60601-1-8,
// shared/domain.md section 6; docs/safety.md "Alarm system"), with exact timings in virtual time:
// the minimum burst of a short condition, latched visual signals that stay until an acknowledge
// (settings alarms.latching), and the info tone at the end of a treatment and at safe to
// withdraw, which an alarm always overrides. Each test drives its own run inside `it`.
import { describe, expect, it } from 'vitest';
import { BURST, INFO_TONE_MS, PULSE_ON_MS, PULSE_PERIOD_MS, alarmSignals, alarmView, minimumSoundMs, updateAlarms } from '../src/controller/alarms.js';
import { interlockById } from '../src/controller/interlocks.js';
import { DEFAULT_SETTINGS, parseSettings, withProtocol } from '../src/controller/settings.js';
import type { Settings } from '../src/controller/settings.js';
import type { AlarmEntry } from '../src/controller/state.js';
import type { AlarmPriority, InterlockId } from '../src/controller/types.js';
import type { Drive, StepRecord } from './helpers/readings.js';
import { NormalPatient, PERIOD_MS, SHORT_PROTOCOL, drive, inPhase, normalUntil } from './helpers/readings.js';

const priorityOf = (id: InterlockId) => interlockById(id).priority;
const pulseOn = (sinceMs: number, pulses: number): boolean => sinceMs >= 0 && sinceMs < pulses * PULSE_PERIOD_MS && sinceMs % PULSE_PERIOD_MS < PULSE_ON_MS;
const at = (d: Drive, nowMs: number): StepRecord => {
  const rec = d.steps.find((r) => r.nowMs === nowMs);
  if (rec === undefined) throw new Error(`no step at ${nowMs} ms`);
  return rec;
};
const entry = (id: InterlockId, endMs: number | null, more: Partial<AlarmEntry> = {}): AlarmEntry => ({
  id,
  startMs: 0,
  endMs,
  silenced: false,
  latched: false,
  detail: '',
  ...more,
});
/** The buzzer every 10 ms over `spanMs` for a list that does not change. */
const buzzerOver = (alarms: readonly AlarmEntry[], spanMs: number): boolean[] =>
  Array.from({ length: spanMs / 10 }, (_, i) => alarmSignals(i * 10, alarms, priorityOf).buzzer);

describe('a condition shorter than its burst', () => {
  it.each<[InterlockId, AlarmPriority, number]>([
    ['EMERGENCY_STOP', 'medium', 3],
    ['HAL_FAULT', 'high', 5],
    ['OPERATOR_STOP', 'low', 1],
  ])('%s (%s) that lasted 20 ms still plays %d whole pulses, and not one more', (id, priority, pulses) => {
    expect(priorityOf(id)).toBe(priority);
    expect(minimumSoundMs(priority)).toBe(pulses * PULSE_PERIOD_MS);
    const heard = buzzerOver([entry(id, 20)], 3_000);
    expect(heard).toEqual(heard.map((_, i) => pulseOn(i * 10, pulses)));
  });

  it('plays nothing of an owed burst that was acknowledged before it ended', () => {
    expect(buzzerOver([entry('EMERGENCY_STOP', 20, { silenced: true })], 1_000).some(Boolean)).toBe(false);
  });
});

describe('latched visual signals', () => {
  const LATCH_LOW: Settings = parseSettings({ alarms: { latching: { low: true } }, protocol: SHORT_PROTOCOL });
  const stopRun = (settings: Settings, ackAfterMs: number | null) => {
    const patient = new NormalPatient();
    const { at: freezing } = normalUntil(settings, inPhase('Freezing', 5_000), patient);
    const stopMs = freezing.lastMs + 20;
    const ackMs = ackAfterMs === null ? -1 : stopMs + ackAfterMs;
    const d = drive(patient.script((now) => ({ operator: { stop: now === stopMs, acknowledge: now === ackMs } })), {
      settings,
      state: freezing.state,
      durationMs: 10_000,
    });
    return { stopMs, ackMs, d };
  };

  it('keep the steady low lamp of a stop that lasted one tick, for as long as nobody acknowledges', () => {
    const { stopMs, d } = stopRun(LATCH_LOW, null);
    const after = d.steps.filter((r) => r.nowMs >= stopMs);
    expect(after.length).toBeGreaterThan(400);
    expect(after.filter((r) => !r.outputs.lamps.low)).toEqual([]);
    expect(d.state.alarms).toMatchObject([{ id: 'OPERATOR_STOP', endMs: stopMs + 20, latched: true }]);
  });

  it('go out in the tick of the acknowledge, which reports the reset', () => {
    const { ackMs, d } = stopRun(LATCH_LOW, 3_000);
    expect(at(d, ackMs - 20).outputs.lamps.low).toBe(true);
    expect(d.steps.filter((r) => r.nowMs >= ackMs && r.outputs.lamps.low)).toEqual([]);
    expect(d.events).toContainEqual({ kind: 'alarm-reset', atMs: ackMs, reset: ['OPERATOR_STOP'] });
    expect(d.state.alarms).toEqual([]);
  });

  it('do not latch where the settings leave that priority unlatched (the default for low): the lamp goes out once the owed pulse has played', () => {
    const { stopMs, d } = stopRun(withProtocol(DEFAULT_SETTINGS, SHORT_PROTOCOL), null);
    const owedUntilMs = stopMs + minimumSoundMs('low');
    const lit = d.steps.filter((r) => r.nowMs >= stopMs && r.outputs.lamps.low).map((r) => r.nowMs);
    expect(lit).toEqual(d.steps.filter((r) => r.nowMs >= stopMs && r.nowMs < owedUntilMs).map((r) => r.nowMs));
    expect(lit.length).toBeGreaterThan(1);
  });

  it('are shown as latched, with the triggering value, until reset', () => {
    const { stopMs, d } = stopRun(LATCH_LOW, null);
    expect(alarmView(d.state, LATCH_LOW, d.lastMs).conditions).toEqual([
      {
        id: 'OPERATOR_STOP',
        priority: 'low',
        active: false,
        startMs: stopMs,
        endMs: stopMs + 20,
        detail: 'stop pressed',
        hint: interlockById('OPERATOR_STOP').hint,
        acknowledged: false,
        latched: true,
        visual: 'latched',
        audible: 'off',
      },
    ]);
  });

  it('flash as a present condition does when the priority is medium', () => {
    const latched = updateAlarms(1_000, [entry('EMERGENCY_STOP', null)], [], ['EMERGENCY_STOP'], priorityOf, { latching: DEFAULT_SETTINGS.alarms.latching });
    expect(latched).toEqual([entry('EMERGENCY_STOP', 1_000, { latched: true })]);
    expect(alarmSignals(60_000, latched, priorityOf).lamps).toEqual({ high: false, medium: true, low: false });
    expect(alarmSignals(61_000, latched, priorityOf).lamps.medium).toBe(false);
  });

  it('do not latch a condition acknowledged while it was present: the operator has seen it', () => {
    const acknowledged = entry('EMERGENCY_STOP', null, { silenced: true });
    const ended = updateAlarms(1_000, [acknowledged], [], ['EMERGENCY_STOP'], priorityOf, { latching: DEFAULT_SETTINGS.alarms.latching });
    expect(ended).toEqual([]);
  });

  it('keep the same list on the quiet ticks while they wait: nothing is allocated', () => {
    const { stopMs, d } = stopRun(LATCH_LOW, null);
    const waiting = d.steps.filter((r) => r.nowMs > stopMs + 200);
    expect(waiting.length).toBeGreaterThan(100);
    for (const r of waiting) expect(r.state.alarms).toBe(waiting[0]?.state.alarms);
  });
});

describe('the informational signal', () => {
  // A freeze long enough to be judged effective (r(-20 C) past the 1 mm target for over the 30 s
  // hold): an ineffective one would raise INEFFECTIVE_FREEZE, whose low alarm holds the tone back.
  const settings = parseSettings({ protocol: { ...SHORT_PROTOCOL, freezeS: 45 }, iceBall: { targetRadiusMm: 1, holdS: 30 } });
  /** A treatment through Complete and then safe to withdraw, with an emergency stop from
   * `estopAfterCompleteMs` after completion if given. The tip warms slowly (30 s time constant)
   * so that the thaw ends (tip above 0 C) well before the tip has been above 2 C for the 5 s
   * dwell: the two signals come apart. With a fast thaw both fall in one tick and one tone,
   * 'safe-to-withdraw', plays. */
  const treatment = (estopAfterCompleteMs: number | null) => {
    const patient = new NormalPatient({ warmTauMs: 30_000 });
    const { at: thawing } = normalUntil(settings, inPhase('Thawing'), patient);
    let completeMs: number | null = null;
    const d = drive(
      patient.script((now, state) => {
        if (completeMs === null && state.phase === 'Complete') completeMs = state.phaseSinceMs;
        const estop = estopAfterCompleteMs !== null && completeMs !== null && now >= completeMs + estopAfterCompleteMs;
        return { operator: { estop } };
      }),
      { settings, state: thawing.state, durationMs: 60_000 },
    );
    const complete = d.events.find((e) => e.kind === 'phase' && e.to === 'Complete');
    const safe = d.events.find((e) => e.kind === 'safe-to-withdraw' && e.safe);
    if (complete === undefined || safe === undefined) throw new Error('the treatment did not complete and become safe to withdraw');
    return { d, completeMs: complete.atMs, safeMs: safe.atMs };
  };
  const buzzerRuns = (steps: readonly StepRecord[]): [number, number][] => {
    const runs: [number, number][] = [];
    let from: number | null = null;
    for (const r of steps) {
      if (r.outputs.buzzer && from === null) from = r.nowMs;
      if (!r.outputs.buzzer && from !== null) {
        runs.push([from, r.nowMs - from]);
        from = null;
      }
    }
    return runs;
  };

  it('plays one steady 600 ms tone when the treatment completes and one when it becomes safe to withdraw, and nothing else', () => {
    const { d, completeMs, safeMs } = treatment(null);
    expect(safeMs - completeMs).toBeGreaterThan(INFO_TONE_MS);
    expect(buzzerRuns(d.steps)).toEqual([
      [completeMs, INFO_TONE_MS],
      [safeMs, INFO_TONE_MS],
    ]);
  });

  it('plays one tone, for safe to withdraw, when the treatment completes already safe to withdraw', () => {
    const patient = new NormalPatient();
    const { at: thawing } = normalUntil(settings, inPhase('Thawing'), patient);
    const d = drive(patient.script(), { settings, state: thawing.state, durationMs: 40_000 });
    const complete = d.events.find((e) => e.kind === 'phase' && e.to === 'Complete');
    expect(d.events).toContainEqual({ kind: 'safe-to-withdraw', atMs: complete?.atMs, safe: true });
    expect(buzzerRuns(d.steps)).toEqual([[complete?.atMs, INFO_TONE_MS]]);
    expect(at(d, complete?.atMs ?? Number.NaN).state.info).toEqual({ kind: 'safe-to-withdraw', startMs: complete?.atMs });
  });

  it('is silent between the bursts of an alarm that sounds, whatever the info signal holds', () => {
    const sounding = [entry('EMERGENCY_STOP', null)];
    const betweenPulsesMs = PULSE_ON_MS + 10;
    const audio = { audioPause: null, audioResumedMs: null, info: { kind: 'safe-to-withdraw', startMs: 0 } } as const;
    expect(alarmSignals(betweenPulsesMs, sounding, priorityOf, audio).buzzer).toBe(false);
    expect(alarmSignals(betweenPulsesMs, [], priorityOf, audio).buzzer).toBe(true);
  });

  it('is not played when it becomes safe to withdraw after a stop: the buzzer has just been an alarm', () => {
    const patient = new NormalPatient();
    const { at: freezing } = normalUntil(settings, inPhase('Freezing', 5_000), patient);
    const stopMs = freezing.lastMs + 20;
    const d = drive(patient.script((now) => ({ operator: { stop: now === stopMs } })), { settings, state: freezing.state, durationMs: 60_000 });
    expect(d.events).toContainEqual(expect.objectContaining({ kind: 'safe-to-withdraw', safe: true }));
    // The stop's one pulse alone: 150 ms, seen on the 8 ticks of 20 ms from 0 to 140 ms.
    expect(buzzerRuns(d.steps)).toEqual([[stopMs, Math.ceil(PULSE_ON_MS / PERIOD_MS) * PERIOD_MS]]);
    expect(d.steps.filter((r) => r.state.info !== null)).toEqual([]);
  });

  it('is four times longer than any alarm pulse, so it cannot be taken for one', () => {
    expect(INFO_TONE_MS).toBeGreaterThanOrEqual(4 * PULSE_ON_MS);
  });

  it('lights no lamp, and is shown as information, not as an alarm condition', () => {
    const { d, completeMs } = treatment(null);
    expect(d.steps.filter((r) => r.outputs.lamps.high || r.outputs.lamps.medium || r.outputs.lamps.low)).toEqual([]);
    const view = alarmView(at(d, completeMs + 100).state, settings, completeMs + 100);
    expect(view.conditions).toEqual([]);
    expect(view.info).toEqual({ kind: 'treatment-complete', startMs: completeMs });
  });

  it('gives way at once to an alarm that begins while it plays: the buzzer then follows the alarm burst alone', () => {
    const ESTOP_AFTER_MS = 100;
    const { d, completeMs } = treatment(ESTOP_AFTER_MS);
    const estopMs = completeMs + ESTOP_AFTER_MS;
    expect(at(d, estopMs - 20).outputs.buzzer).toBe(true); // the info tone, before the alarm
    for (const r of d.steps.filter((s) => s.nowMs >= estopMs && s.nowMs < estopMs + 2_000)) {
      expect(r.outputs.buzzer, `at ${r.nowMs}`).toBe(pulseOn(r.nowMs - estopMs, BURST.medium.pulses));
    }
    expect(at(d, estopMs).state.info).toBeNull();
  });

  it('is not played at safe to withdraw while an alarm sounds', () => {
    const { d, completeMs, safeMs } = treatment(100);
    const estopMs = completeMs + 100;
    expect(d.events.find((e) => e.kind === 'trip')).toMatchObject({ atMs: estopMs, id: 'EMERGENCY_STOP' });
    expect(safeMs).toBeGreaterThan(estopMs + INFO_TONE_MS);
    expect(at(d, safeMs).state.info).toBeNull();
    for (const r of d.steps.filter((s) => s.nowMs >= safeMs && s.nowMs < safeMs + INFO_TONE_MS)) {
      const sinceMs = (r.nowMs - estopMs) % BURST.medium.repeatMs;
      expect(r.outputs.buzzer, `at ${r.nowMs}`).toBe(pulseOn(sinceMs, BURST.medium.pulses));
    }
  });
});
