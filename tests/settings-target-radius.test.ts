// The target r(-20 C) is refused beyond what one freeze can reach (review of issue 11, L3): a
// target no freeze reaches would give every freeze INEFFECTIVE_FREEZE. REACHABLE_R20_MM_MAX is
// recomputed here from the tissue model it was derived from.
import { describe, expect, it } from 'vitest';
import { BioheatSolver, CO2_COLDEST_WALL_C, DEFAULT_TISSUE_PARAMS, gridForProbe } from '../kernel/bioheat/index.js';
import { FREEZE_S_MAX, PROBE_OD_MM_MAX, REACHABLE_R20_MM_MAX, SettingsError, TARGET_RADIUS_MM_MAX, parseSettings } from '../src/controller/settings.js';

/** The constant is the model's figure rounded down to this, mm. */
const ROUND_MM = 0.1;

describe('the largest target r(-20 C) the settings accept', () => {
  it('is the r(-20 C) of the longest freeze at the coldest wall with the largest probe, rounded down', () => {
    const solver = new BioheatSolver(DEFAULT_TISSUE_PARAMS, gridForProbe(PROBE_OD_MM_MAX));
    solver.stepFixedWall(FREEZE_S_MAX, CO2_COLDEST_WALL_C);
    const reachedMm = solver.r20Mm();
    expect(reachedMm).toBeGreaterThanOrEqual(REACHABLE_R20_MM_MAX);
    expect(reachedMm).toBeLessThan(REACHABLE_R20_MM_MAX + ROUND_MM);
    expect(TARGET_RADIUS_MM_MAX).toBe(REACHABLE_R20_MM_MAX);
  });

  it('refuses a protocol target beyond it, naming the field and the value', () => {
    expect(() => parseSettings({ iceBall: { targetRadiusMm: 6 } }, 'settings.json')).toThrow(SettingsError);
    expect(() => parseSettings({ iceBall: { targetRadiusMm: 6 } }, 'settings.json')).toThrow(/iceBall\.targetRadiusMm.*6/);
    expect(parseSettings({ iceBall: { targetRadiusMm: REACHABLE_R20_MM_MAX } }).iceBall.targetRadiusMm).toBe(REACHABLE_R20_MM_MAX);
  });

  it("refuses a nerve's own target beyond it, naming the nerve and the value", () => {
    expect(() => parseSettings({ iceBall: { targetRadiusByNerveMm: { sural: 7.5 } } })).toThrow(/iceBall\.targetRadiusByNerveMm\.sural.*7\.5/);
    expect(parseSettings({ iceBall: { targetRadiusByNerveMm: { sural: 5 } } }).iceBall.targetRadiusByNerveMm).toEqual({ sural: 5 });
  });
});
