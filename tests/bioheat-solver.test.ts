// The bioheat solver's contract: energy balance, wall conditions, ordered radii, state copies and
// parameter validation (kernel/bioheat, docs/tissue-model.md).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AssertionError } from '../kernel/assert.js';
import { BioheatParamsError, BioheatSolver, DEFAULT_TISSUE_PARAMS, gridForProbe, parseTissueParams, resolveTissueParams } from '../kernel/bioheat/index.js';

const solverFor = (probeOdMm = 1.27): BioheatSolver => new BioheatSolver(resolveTissueParams(), gridForProbe(probeOdMm));

/** Energy drawn through the wall must equal what the tissue lost plus what perfusion, metabolism
 * and the far boundary brought in; the ledger is exact by construction, so the tolerance is
 * rounding: 1e-9 of the heat drawn. */
const BALANCE_TOLERANCE = 1e-9;

function imbalanceJPerM(s: BioheatSolver, startJPerM: number): number {
  const storedJPerM = s.enthalpyJPerM() - startJPerM;
  return storedJPerM - (s.perfusionJPerM + s.outerJPerM - s.wallDrawnJPerM);
}

describe('energy balance', () => {
  it('balances heat drawn through a fixed wall against the change of enthalpy plus perfusion, metabolism and the far boundary', () => {
    const s = solverFor();
    const start = s.enthalpyJPerM();
    s.stepFixedWall(120, -70);
    expect(s.wallDrawnJPerM).toBeGreaterThan(0);
    expect(Math.abs(imbalanceJPerM(s, start))).toBeLessThan(BALANCE_TOLERANCE * s.wallDrawnJPerM);
  });

  it('balances through a freeze under a flux wall and the adiabatic thaw after it', () => {
    const s = solverFor(2.0);
    const start = s.enthalpyJPerM();
    for (let i = 0; i < 90 * 40; i++) s.stepFluxWall(0.025, -71, 20_000);
    for (let i = 0; i < 60 * 40; i++) s.stepFluxWall(0.025, 0, 0);
    expect(s.perfusionJPerM).toBeGreaterThan(0);
    expect(Math.abs(imbalanceJPerM(s, start))).toBeLessThan(BALANCE_TOLERANCE * s.wallDrawnJPerM);
  });

  it('returns the mean wall heat flux whose integral is the heat drawn', () => {
    const s = solverFor();
    let integralJPerM = 0;
    const wallAreaM2PerM = 2 * Math.PI * 0.635e-3;
    for (let i = 0; i < 100; i++) integralJPerM += s.stepFluxWall(0.1, -70, 5_000) * 0.1 * wallAreaM2PerM;
    expect(integralJPerM).toBeCloseTo(s.wallDrawnJPerM, 6);
  });
});

describe('wall conditions', () => {
  it('draws nothing through an adiabatic wall (h = 0): the tissue stays at body temperature', () => {
    const s = solverFor();
    expect(s.stepFluxWall(60, -78, 0)).toBe(0);
    expect(s.r0Mm()).toBe(0);
    expect(s.wallC).toBeCloseTo(37, 1);
  });

  it('keeps a flux-limited wall warmer than the gas and its ice ball smaller than the fixed wall at the gas temperature', () => {
    const fixed = solverFor();
    const flux = solverFor();
    fixed.stepFixedWall(60, -70);
    for (let i = 0; i < 60 * 20; i++) flux.stepFluxWall(0.05, -70, 5_000);
    expect(flux.wallC).toBeGreaterThan(-70);
    expect(flux.r0Mm()).toBeLessThan(fixed.r0Mm());
    expect(flux.r20Mm()).toBeLessThan(fixed.r20Mm());
  });

  it('tends to the fixed wall as h grows without bound', () => {
    const fixed = solverFor();
    const flux = solverFor();
    fixed.stepFixedWall(60, -70);
    flux.stepFluxWall(60, -70, 1e6);
    expect(flux.r20Mm() / fixed.r20Mm()).toBeCloseTo(1, 1);
  });

  it('refuses a non-positive step or a wall outside -200..100 C (a bug in the caller)', () => {
    const s = solverFor();
    expect(() => s.stepFixedWall(0, -70)).toThrow(AssertionError);
    expect(() => s.stepFixedWall(1, Number.NaN)).toThrow(AssertionError);
    expect(() => s.stepFluxWall(1, -70, -1)).toThrow(AssertionError);
  });
});

describe('isotherm radii', () => {
  it('keeps r(-40) <= r(-20) <= r(0) <= the outer edge over any freeze and thaw', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ gasC: fc.integer({ min: -90, max: 10 }), hWPerM2K: fc.integer({ min: 0, max: 50_000 }), seconds: fc.integer({ min: 1, max: 40 }) }), { minLength: 1, maxLength: 6 }), (phases) => {
        const s = solverFor();
        for (const phase of phases) {
          s.step(phase.seconds, { kind: 'flux', gasC: phase.gasC, hWPerM2K: phase.hWPerM2K });
          expect(s.r40Mm()).toBeLessThanOrEqual(s.r20Mm());
          expect(s.r20Mm()).toBeLessThanOrEqual(s.r0Mm());
          expect(s.r0Mm()).toBeLessThanOrEqual(s.grid.outerRadiusMm);
        }
      }),
      { numRuns: 25, seed: 11 },
    );
  });

  it('gives r(0), r(-20) and r(-40) exactly as radiusAtMm after every step, reset, copy and restore (found in one scan and kept until the state moves)', () => {
    const same = (s: BioheatSolver): void => {
      expect(s.r0Mm()).toBe(s.radiusAtMm(0));
      expect(s.r20Mm()).toBe(s.radiusAtMm(-20));
      expect(s.r40Mm()).toBe(s.radiusAtMm(-40));
    };
    fc.assert(
      fc.property(fc.array(fc.record({ gasC: fc.integer({ min: -90, max: 40 }), hWPerM2K: fc.integer({ min: 0, max: 50_000 }), seconds: fc.integer({ min: 1, max: 40 }) }), { minLength: 1, maxLength: 6 }), (phases) => {
        const s = solverFor();
        const other = solverFor();
        other.stepFixedWall(60, -80);
        const frozen = other.snapshot();
        same(s);
        for (const phase of phases) {
          s.step(phase.seconds, { kind: 'flux', gasC: phase.gasC, hWPerM2K: phase.hWPerM2K });
          same(s);
          const taken = s.snapshot();
          s.restore(frozen);
          same(s);
          s.restore(taken);
          same(s);
        }
        s.copyFrom(other);
        same(s);
        s.reset();
        same(s);
        expect(s.r0Mm()).toBe(0);
      }),
      { numRuns: 25, seed: 11 },
    );
  });

  it('measures from the probe axis: the wall itself is at the probe radius', () => {
    const s = solverFor(2.0);
    s.stepFixedWall(1, -70);
    expect(s.nodeRadiusMm(0)).toBe(1.0);
    expect(s.r40Mm()).toBeGreaterThan(1.0);
  });
});

describe('state copies', () => {
  it('steps a copy exactly as the original (deterministic) and leaves the original untouched', () => {
    const a = solverFor();
    a.stepFixedWall(30, -70);
    const b = a.clone();
    const r0Before = a.r0Mm();
    b.stepFixedWall(30, -70);
    expect(a.r0Mm()).toBe(r0Before);
    a.stepFixedWall(30, -70);
    expect(b.r0Mm()).toBe(a.r0Mm());
    expect(b.wallDrawnJPerM).toBe(a.wallDrawnJPerM);
  });

  it('copies into a scratch solver without changing its grid, and refuses a different grid', () => {
    const a = solverFor();
    a.stepFixedWall(10, -70);
    const scratch = solverFor();
    scratch.copyFrom(a);
    expect(scratch.r20Mm()).toBe(a.r20Mm());
    expect(scratch.timeS).toBe(10);
    expect(() => {
      solverFor(2.0).copyFrom(a);
    }).toThrow(AssertionError);
  });
});

describe('parameters', () => {
  it('names the field and the value of an out-of-range tissue parameter', () => {
    expect(() => parseTissueParams({ ...DEFAULT_TISSUE_PARAMS, kFrozenWPerMK: 9 })).toThrow(BioheatParamsError);
    expect(() => parseTissueParams({ ...DEFAULT_TISSUE_PARAMS, kFrozenWPerMK: 9 })).toThrow(/tissue: kFrozenWPerMK: .*\(got 9\)/);
  });

  it('names a missing field and refuses an unknown one', () => {
    const missing: Record<string, unknown> = { ...DEFAULT_TISSUE_PARAMS };
    delete missing.perfusionWPerM3K;
    expect(() => parseTissueParams(missing)).toThrow(/perfusionWPerM3K/);
    expect(() => parseTissueParams({ ...DEFAULT_TISSUE_PARAMS, perfusion: 1 })).toThrow(/perfusion/);
  });

  it('refuses a freezing band narrower than 1 C, naming its top', () => {
    expect(() => resolveTissueParams({ freezeBandLowC: -2, freezeBandHighC: -1.5 })).toThrow(/freezeBandHighC: .*band/);
  });

  it('refuses a probe outside 0.3-5 mm OD, naming the probe radius and value', () => {
    expect(() => gridForProbe(12)).toThrow(/grid: probeRadiusMm: .*\(got 6\)/);
  });
});
