// `cryo simulate` reports the plant's state at the end once the valves have had time to move: a
// run that ends in the tick stop closed them must not report them open (review finding, Low).
import { describe, expect, it } from 'vitest';
import { simulateTreatment } from '../src/sim/runner.js';
import { DEFAULT_SETTINGS } from '../src/controller/settings.js';

describe('simulateTreatment at the end of the run', () => {
  it('reports no valve open when stop during a freeze ends the run in the trip tick', () => {
    const summary = simulateTreatment({ settings: DEFAULT_SETTINGS, seed: 1, stopAtS: 2.9 });
    expect(summary.outcome).toBe('stopped');
    expect(summary.valveOpenAtEnd).toBe(false);
  });

  it('waits the plant\'s own valve delay (93 ms, off the 5 ms substep grid) before sampling the seats', () => {
    const summary = simulateTreatment({ settings: DEFAULT_SETTINGS, seed: 1, stopAtS: 2.9, plant: { valveDelayMs: 93 } });
    expect(summary.outcome).toBe('stopped');
    expect(summary.valveOpenAtEnd).toBe(false);
  });
});
