import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../src/controller/settings.js';
import { NormalPatient, drive, inPhase, normalUntil, trips } from './helpers/readings.js';

/** From 100 ms into the first thaw, the control channel reads 10 C and channel 1 `secondC`, for 2 min. */
function thawWithSecondChannelAt(secondC: number) {
  const settings = DEFAULT_SETTINGS;
  const patient = new NormalPatient();
  const { at } = normalUntil(settings, inPhase('Thawing', 100), patient);
  const tips = (now: number) => [
    { tipC: 10, coldJunctionC: 25, fault: null, atMs: now },
    { tipC: secondC, coldJunctionC: 25, fault: null, atMs: now },
  ];
  return drive(patient.script((now) => ({ tips: tips(now) })), { settings, state: at.state, durationMs: 120_000 });
}

describe('review: a resumed freeze on a two-channel probe', () => {
  it('does not begin a freeze while a second tip channel still reads -20 C', () => {
    // Channel 0 (control) reads warm, channel 1 of the same probe is still frozen at -20 C.
    const d = thawWithSecondChannelAt(-20);
    expect(d.steps.find((r) => r.state.phase === 'Freezing')).toBeUndefined();
    // It waits in the thaw: no fault ended the treatment instead.
    expect(d.state.phase).toBe('Thawing');
    expect(trips(d.events)).toEqual([]);
  });

  it('begins the next freeze in the same run once the second channel reads warm too', () => {
    const d = thawWithSecondChannelAt(10);
    expect(d.steps.find((r) => r.state.phase === 'Freezing')).toBeDefined();
  });
});
