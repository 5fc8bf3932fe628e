// The target r(-20 C) is refused beyond what one freeze can reach (review of issue 11, L3): a
// target no freeze reaches would give every freeze INEFFECTIVE_FREEZE. REACHABLE_R20_MM_MAX is
// recomputed here from the tissue model it was derived from.
import { describe, expect, it } from 'vitest';
import { BioheatSolver, CO2_COLDEST_WALL_C, DEFAULT_TISSUE_PARAMS, gridForProbe } from '../kernel/bioheat/index.js';
import { FREEZE_S_MAX, PROBE_OD_MM_MAX, REACHABLE_R20_MM_MAX, SettingsError, TARGET_RADIUS_MM_MAX, TARGET_RADIUS_STEP_MM, parseSettings } from '../src/controller/settings.js';

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

describe('a target radius in 0.1 mm steps (the console shows one decimal)', () => {
  it('refuses a finer target in each place one is set, naming the field and the value', () => {
    expect(() => parseSettings({ iceBall: { targetRadiusMm: 2.05 } }, 'settings.json')).toThrow(/iceBall\.targetRadiusMm.*0\.1 mm steps.*2\.05/);
    expect(() => parseSettings({ iceBall: { targetRadiusByNerveMm: { saphenous: 2.96 } } })).toThrow(/iceBall\.targetRadiusByNerveMm\.saphenous.*2\.96/);
    expect(() => parseSettings({ protocol: { cycles: 2, freezeS: 90, thawS: 45, targetRadiusMm: 3.01 } })).toThrow(/protocol\.targetRadiusMm.*3\.01/);
  });

  it('accepts tenths, whose binary forms are not exact (2.3, 4.7, 5.6)', () => {
    expect(TARGET_RADIUS_STEP_MM).toBe(0.1);
    for (const mm of [1, 1.1, 2.3, 3.5, 4.7, 5.6]) expect(parseSettings({ iceBall: { targetRadiusMm: mm } }).iceBall.targetRadiusMm).toBe(mm);
    expect(parseSettings({ protocol: { cycles: 2, freezeS: 90, thawS: 45, targetRadiusMm: 2.3 } }).protocol.targetRadiusMm).toBe(2.3);
  });
});
