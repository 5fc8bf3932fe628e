import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../src/controller/settings.js';
import { NormalPatient, drive, inPhase, normalUntil } from './helpers/readings.js';

describe('review: a resumed freeze on a two-channel probe', () => {
  it('does not begin a freeze while a second tip channel still reads -20 C', () => {
    const settings = DEFAULT_SETTINGS;
    const patient = new NormalPatient();
    const { at } = normalUntil(settings, inPhase('Thawing', 100), patient);
    // Channel 0 (control) reads warm, channel 1 of the same probe is still frozen at -20 C.
    const tips = (now: number) => [
      { tipC: 10, coldJunctionC: 25, fault: null, atMs: now },
      { tipC: -20, coldJunctionC: 25, fault: null, atMs: now },
    ];
    const d = drive(patient.script((now) => ({ tips: tips(now) })), { settings, state: at.state, durationMs: 120_000 });
    const begun = d.steps.find((r) => r.state.phase === 'Freezing');
    expect(begun).toBeUndefined();
  });
});
