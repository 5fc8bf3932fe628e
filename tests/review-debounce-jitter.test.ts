import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../src/controller/settings.js';
import { NormalPatient, drive, inPhase, normalUntil, trips } from './helpers/readings.js';

describe('review: the k-of-2k debounce with a loop a few ms slow', () => {
  it('trips TIP_BELOW_PHYSICAL_FLOOR on -95 C in every other sample when each tick is 4 ms late (within loop.lateToleranceMs)', () => {
    const settings = DEFAULT_SETTINGS;
    const patient = new NormalPatient();
    const { at } = normalUntil(settings, inPhase('Freezing', 10_000), patient);
    let n = 0;
    const d = drive(patient.script(() => (n++ % 2 === 0 ? { tipC: -95 } : {})), { settings, state: at.state, durationMs: 2_000, gapMs: () => 24 });
    expect(trips(d.events).map((t) => t.id)).toContain('TIP_BELOW_PHYSICAL_FLOOR');
  });
});
