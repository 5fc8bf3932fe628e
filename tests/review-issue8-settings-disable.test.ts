// Review of issue 8, "does a setting that passes validation ever disable a safety function?":
// two do. Both are older than issue 8 (the bounds were carried over unchanged when the section
// defaults moved to `.prefault({})`), but the schema is the place that should refuse them.
// - cooling.withinS (5-120 s, default 20) is never checked against protocol.freezeS (10-300 s):
//   with a freeze shorter than withinS the valve closes before INSUFFICIENT_COOLING may judge, so
//   an ice ball that never reaches the target (domain cause d: ineffective treatment) goes
//   unreported, and the treatment completes as if effective.
// - loop.maxLateSteps (1-1000) is never checked against the steps a window can hold
//   (lateWindowMs x rateHz): above that count the late-steps rule of LOOP_OVERRUN cannot trip.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, parseSettings, withProtocol } from '../src/controller/settings.js';
import { NormalPatient, drive, inPhase, trips } from './helpers/readings.js';

describe('review issue 8: settings that pass validation but disable an interlock', () => {
  it('a 10 s freeze (the protocol minimum) whose tip only reaches -30 C is reported, with the default cooling.withinS', () => {
    // A valid protocol: every bound is met, and the default settings are otherwise untouched.
    const settings = withProtocol(DEFAULT_SETTINGS, { cycles: 1, freezeS: 10, thawS: 10 });
    const patient = new NormalPatient({ coldTipC: -30 });
    const d = drive(patient.script(), { settings, until: inPhase('Complete'), durationMs: 120_000 });
    const ids = trips(d.events).map((t) => t.id);
    // Either the schema refuses the combination, or INSUFFICIENT_COOLING says the freeze failed.
    expect(ids, `phase ${d.state.phase}, trips: ${ids.join(', ') || 'none'}`).toContain('INSUFFICIENT_COOLING');
  });

  it('refuses a loop.maxLateSteps larger than the steps its window can hold', () => {
    // 10 s at 50 Hz holds 500 steps: 600 late steps can never be counted.
    expect(() => parseSettings({ loop: { maxLateSteps: 600 } })).toThrow(/maxLateSteps/);
  });

  it('control: a loop running 10 ms late on every step trips LOOP_OVERRUN with the defaults and with a count its window can hold', () => {
    const late = (settingsInput: object) => {
      const settings = parseSettings(settingsInput);
      const patient = new NormalPatient({ startAtMs: null });
      return drive(patient.script(), { settings, durationMs: 60_000, gapMs: () => 30 });
    };
    expect(trips(late({}).events).map((t) => t.id)).toEqual([]); // Idle: LOOP_OVERRUN is not armed
    const treating = (settingsInput: object) => {
      const settings = parseSettings(settingsInput);
      const patient = new NormalPatient();
      return drive(patient.script(), { settings, durationMs: 60_000, gapMs: () => 30 });
    };
    expect(trips(treating({}).events).map((t) => t.id)).toContain('LOOP_OVERRUN');
    // 10 s of steps 30 ms apart holds 333 late steps: a count below that trips.
    expect(trips(treating({ loop: { maxLateSteps: 300 } }).events).map((t) => t.id)).toContain('LOOP_OVERRUN');
    // The schema's bound: late steps come at least 25 ms apart (20 ms period + 5 ms tolerance).
    expect(() => parseSettings({ loop: { maxLateSteps: 401 } })).toThrow(/maxLateSteps: 401 is more than the 400 late steps/);
    expect(() => parseSettings({ loop: { maxLateSteps: 400 } })).not.toThrow();
  });
});
