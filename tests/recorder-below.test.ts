// The per-cycle times below -20 C and -40 C the treatment records keep (TreatmentRecorder
// recordedCycles): summed from the trusted tip reading over the cycle's freeze and thaw, checked
// against the same sum done independently over the driven steps.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, withProtocol } from '../src/controller/settings.js';
import { DEEP_TIP_C, LETHAL_TIP_C, TreatmentRecorder } from '../src/sim/recorder.js';
import { NormalPatient, drive, inPhase } from './helpers/readings.js';

const SETTINGS = withProtocol(DEFAULT_SETTINGS, { cycles: 2, freezeS: 30, thawS: 20 });

describe('TreatmentRecorder.recordedCycles', () => {
  it('sums the time the tip spent below -20 C and -40 C in each cycle', () => {
    const d = drive(new NormalPatient().script(), { settings: SETTINGS, until: inPhase('Complete') });
    const recorder = new TreatmentRecorder(SETTINGS);
    const expected = new Map<number, { below20Ms: number; below40Ms: number }>();
    let prevMs: number | null = null;
    for (const s of d.steps) {
      recorder.record(s.nowMs, s.readings, { outputs: s.outputs, state: s.state, events: s.events });
      const tip = s.readings.tips[0]?.tipC ?? Number.NaN;
      if ((s.state.phase === 'Freezing' || s.state.phase === 'Thawing') && prevMs !== null) {
        const e = expected.get(s.state.cycle) ?? { below20Ms: 0, below40Ms: 0 };
        if (tip < LETHAL_TIP_C) e.below20Ms += s.nowMs - prevMs;
        if (tip < DEEP_TIP_C) e.below40Ms += s.nowMs - prevMs;
        expected.set(s.state.cycle, e);
      }
      prevMs = s.nowMs;
    }
    const cycles = recorder.recordedCycles();
    expect(cycles.map((c) => c.index)).toEqual([1, 2]);
    for (const c of cycles) {
      const e = expected.get(c.index);
      expect(c.belowMinus20S).toBeCloseTo((e?.below20Ms ?? -1) / 1000, 3);
      expect(c.belowMinus40S).toBeCloseTo((e?.below40Ms ?? -1) / 1000, 3);
      // A 30 s freeze of the model patient reaches both: not a vacuous zero.
      expect(c.belowMinus20S).toBeGreaterThan(10);
      expect(c.belowMinus40S).toBeGreaterThan(5);
      expect(c.belowMinus40S).toBeLessThan(c.belowMinus20S);
      expect(c.belowMinus20S).toBeLessThanOrEqual(c.freezeS + c.thawS + 0.1);
    }
  });
});
