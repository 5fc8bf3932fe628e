// The unknown-tip wait covers the passive thaw (docs/safety.md, "Safe to withdraw, and a tip the
// controller does not trust"): PASSIVE_THAW_BOUND_S is recomputed here from the tissue model it
// was derived from, and every row must cover it; nominal tissue must thaw well inside it.
import { describe, expect, it } from 'vitest';
import { BioheatSolver, gridForProbe, resolveTissueParams } from '../kernel/bioheat/index.js';
import type { TissueParams } from '../kernel/bioheat/index.js';
import { DEFAULT_SETTINGS, PROBE_OD_MM_MAX, parseSettings } from '../src/controller/settings.js';
import { initialState } from '../src/controller/state.js';
import { PASSIVE_THAW_BOUND_S, passiveThawBoundMs, unknownTipWaitMs, withdrawalStatus } from '../src/controller/withdrawal.js';

/** The coldest wall CO2 gives (sublimation at 1 atm), C. */
const COLDEST_WALL_C = -78.5;
const STEP_S = 0.5;
const MAX_S = 20_000;
/** Subcutaneous fat round a cutaneous nerve: the slow-thawing tissue the table is derived for. */
const FAT: TissueParams = resolveTissueParams({ kUnfrozenWPerMK: 0.2, kFrozenWPerMK: 3.0, latentHeatMJPerM3: 350, heatCapFrozenMJPerM3K: 2.5, perfusionWPerM3K: 500, metabolicWPerM3: 0 });
const NOMINAL: TissueParams = resolveTissueParams({});
/** The probes the console is used with (domain section 3). */
const PROBE_ODS_MM = [1.27, 2.0];

/** Seconds for the probe wall to thaw to 0 C with no gas after `freezeS` at the coldest wall. */
function passiveThawS(tissue: TissueParams, probeOdMm: number, freezeS: number): number {
  const solver = new BioheatSolver(tissue, gridForProbe(probeOdMm), { maxStepS: STEP_S, toleranceC: 1e-3, maxIterations: 12 });
  if (freezeS > 0) solver.stepFixedWall(freezeS, COLDEST_WALL_C);
  let thawS = 0;
  while (solver.wallC < 0 && thawS < MAX_S) {
    solver.stepFluxWall(STEP_S, solver.wallC, 0);
    thawS += STEP_S;
  }
  return thawS;
}

describe('the passive thaw bound of the unknown-tip wait', () => {
  it.each(PASSIVE_THAW_BOUND_S.filter(([freezeS]) => freezeS > 0).map(([freezeS, waitS]) => [freezeS, waitS]))(
    'after %d s of gas covers the model in slow tissue for every probe (row %d s)',
    (freezeS, waitS) => {
      for (const od of PROBE_ODS_MM) {
        const slowS = passiveThawS(FAT, od, freezeS);
        expect(slowS, `OD ${od} mm`).toBeGreaterThan(0);
        expect(waitS, `OD ${od} mm: slow tissue thaws in ${slowS} s`).toBeGreaterThanOrEqual(slowS);
        // Nominal tissue thaws well inside it (the bound is not the nominal case).
        expect(passiveThawS(NOMINAL, od, freezeS)).toBeLessThan(waitS / 2);
      }
    },
  );

  it('takes the next row up between rows, and extends past the last row along its slope', () => {
    expect(passiveThawBoundMs(0)).toBe(0);
    expect(passiveThawBoundMs(10_000)).toBe(220_000);
    expect(passiveThawBoundMs(10_001)).toBe(510_000);
    expect(passiveThawBoundMs(60_000)).toBe(860_000);
    expect(passiveThawBoundMs(1_500_000)).toBe(4_980_000);
    // (4980 - 4780) / 300 s per s past 1500 s.
    expect(passiveThawBoundMs(1_800_000)).toBeCloseTo(5_180_000, 3);
    expect(() => passiveThawBoundMs(Number.NaN)).toThrow(/freezeMs NaN/);
    expect(() => passiveThawBoundMs(-1)).toThrow(/freezeMs -1/);
  });

  it('is never shorter than the thaw of a freeze between rows (the thaw grows with the freeze)', () => {
    for (const freezeS of [5, 45, 75, 150]) {
      expect(passiveThawBoundMs(freezeS * 1000) / 1000).toBeGreaterThanOrEqual(passiveThawS(FAT, 2.0, freezeS));
    }
  });

  it('keeps the settings value as a floor only', () => {
    expect(unknownTipWaitMs(DEFAULT_SETTINGS, 0)).toBe(DEFAULT_SETTINGS.thaw.unknownTipWaitS * 1000);
    expect(unknownTipWaitMs(DEFAULT_SETTINGS, 60_000)).toBe(860_000);
    const longFloor = { ...DEFAULT_SETTINGS, thaw: { ...DEFAULT_SETTINGS.thaw, unknownTipWaitS: 600 } };
    expect(unknownTipWaitMs(longFloor, 10_000)).toBe(600_000);
  });
});

describe('the probes the bound covers', () => {
  it('refuses a probe larger than the table was derived for (2.0 mm), naming the field', () => {
    expect(() => parseSettings({ iceBall: { probeOdMm: 2.5 } }, 'settings')).toThrow(/iceBall\.probeOdMm/);
    expect(parseSettings({ iceBall: { probeOdMm: 2.0 } }, 'settings').iceBall.probeOdMm).toBe(2.0);
    expect(PROBE_OD_MM_MAX).toBeLessThanOrEqual(Math.max(...PROBE_ODS_MM));
  });
});

describe('a console that has seen no gas since power-up (review of issue 11, H1)', () => {
  it('waits the bound of the site cap from the distrust, not the floor: it cannot know what the site froze before', () => {
    const powerUp = initialState(0, null);
    const distrusted = { ...powerUp, phase: 'Fault' as const, tipDistrust: { reason: 'HAL_FAULT: board lost', sinceMs: 2_000 } };
    const w = withdrawalStatus(distrusted, DEFAULT_SETTINGS, 200_000);
    const capBoundMs = passiveThawBoundMs(DEFAULT_SETTINGS.freezeLimit.cumulativeMaxS * 1000);
    expect(w).toMatchObject({ kind: 'tip-unknown', waitUntilMs: 2_000 + capBoundMs, waitOver: false });
    expect(capBoundMs).toBeGreaterThan(DEFAULT_SETTINGS.thaw.unknownTipWaitS * 1000);
    // Once gas has flowed in this power-up, the site's own total is known and counts.
    const afterGas = { ...distrusted, gasLastFlowedMs: 1_000, cumulativeFreezeMs: 10_000 };
    expect(withdrawalStatus(afterGas, DEFAULT_SETTINGS, 200_000)).toMatchObject({ waitUntilMs: 1_000 + 220_000 });
  });
});
