import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FIT_LIMITS, MAX_OFFSET_C, applyCalibration, fitCalibration, resolveFitLimits } from '../calibration/fit.js';

const line = (gain: number, offsetC: number, raws: number[]) => raws.map((rawC) => ({ rawC, referenceC: gain * rawC + offsetC }));

describe('fitCalibration', () => {
  it('recovers offset and gain from exact points at the three reference baths', () => {
    const fit = fitCalibration(line(1.02, -0.7, [-77.4, 0.6, 36.5]));
    expect(fit.gain).toBeCloseTo(1.02, 12);
    expect(fit.offsetC).toBeCloseTo(-0.7, 12);
    expect(fit.maxResidualC).toBeLessThan(1e-12);
    expect(fit.residualsC).toHaveLength(3);
    expect(fit.accepted).toBe(true);
    expect(fit.rejectionReasons).toEqual([]);
  });

  it('fits an offset only, with gain 1, from a single point', () => {
    const fit = fitCalibration([{ referenceC: 0, rawC: 0.42 }]);
    expect(fit.gain).toBe(1);
    expect(fit.offsetC).toBeCloseTo(-0.42, 12);
    expect(fit.residualsC).toEqual([0]);
    expect(fit.accepted).toBe(true);
  });

  it('reports residuals as reference minus calibrated', () => {
    const fit = fitCalibration([
      { referenceC: -78.5, rawC: -78.5 },
      { referenceC: 0, rawC: 0 },
      { referenceC: 37, rawC: 37 },
      { referenceC: 20, rawC: 19.9 },
    ]);
    const calibrated = applyCalibration(fit, 19.9);
    expect(fit.residualsC[3]).toBeCloseTo(20 - calibrated, 12);
  });

  it('rejects a fit whose largest residual exceeds 0.5 C and names the point', () => {
    const points = line(1, 0, [-78, 0, 37]);
    points[1] = { rawC: 0, referenceC: 1.5 };
    const fit = fitCalibration(points);
    expect(fit.maxResidualC).toBeGreaterThan(0.5);
    expect(fit.accepted).toBe(false);
    expect(fit.rejectionReasons.join()).toMatch(/point 2 .*exceeds the limit of \+-0.5 C/);
  });

  it('rejects a residual under a tighter limit that the product limit accepts', () => {
    const points = line(1, 0, [-78, 0, 37]);
    points[1] = { rawC: 0, referenceC: 0.3 };
    const fit = fitCalibration(points);
    expect(fit.accepted).toBe(true);
    expect(fitCalibration(points, { maxResidualC: fit.maxResidualC / 2 }).accepted).toBe(false);
  });

  it.each([
    ['maxResidualC', 2],
    ['minSpanC', 5],
    ['gainMin', 0.4],
    ['gainMax', 1.6],
    ['maxOffsetC', 20],
  ] as const)('refuses a %s of %s, looser than the product limit, naming it', (field, value) => {
    expect(() => resolveFitLimits({ [field]: value })).toThrow(new RegExp(`${field}: must be .*the product's .*\\(got ${value}\\)`));
  });

  it('rejects a single point 30 C off (an offset no healthy probe has) and names the limit', () => {
    const fit = fitCalibration([{ referenceC: 0, rawC: -30 }]);
    expect(fit.offsetC).toBe(30);
    expect(fit.accepted).toBe(false);
    expect(fit.rejectionReasons.join()).toMatch(/offset 30 C is outside \+-3 C/);
  });

  it('rejects a probe reading 20 C low at the ice point and dry ice (offset +20 C)', () => {
    const fit = fitCalibration(line(1, 20, [-98.5, -20]));
    expect(fit.offsetC).toBeCloseTo(20, 9);
    expect(fit.accepted).toBe(false);
  });

  it('accepts an offset of 3 C and rejects one just beyond', () => {
    expect(fitCalibration([{ referenceC: 0, rawC: -MAX_OFFSET_C }]).accepted).toBe(true);
    expect(fitCalibration([{ referenceC: 0, rawC: -MAX_OFFSET_C - 0.01 }]).accepted).toBe(false);
  });

  it('rejects points too close to fix a gain and returns the offset-only fit', () => {
    const fit = fitCalibration([
      { referenceC: 0, rawC: 0.3 },
      { referenceC: 5, rawC: 5.1 },
    ]);
    expect(fit.accepted).toBe(false);
    expect(fit.rejectionReasons.join()).toMatch(/too close to fix a gain.*span 4.8 C.*at least 20 C/);
    expect(fit.gain).toBe(1);
    expect(fit.offsetC).toBeCloseTo(-0.2, 12);
  });

  it('rejects an implausible gain', () => {
    const fit = fitCalibration(line(1.3, 0, [-78, 0, 37]));
    expect(fit.gain).toBeCloseTo(1.3, 9);
    expect(fit.accepted).toBe(false);
    expect(fit.rejectionReasons.join()).toMatch(/gain 1.3 is outside the plausible 0.96 to 1.04/);
  });

  it('rejects no points without computing a fit', () => {
    const fit = fitCalibration([]);
    expect(fit.accepted).toBe(false);
    expect(fit.rejectionReasons.join()).toMatch(/no points/);
    expect(fit.maxResidualC).toBeNaN();
  });

  it.each([NaN, Infinity, -Infinity])('rejects a non-finite value (%s) naming the point', (bad) => {
    const fit = fitCalibration([
      { referenceC: 0, rawC: 0 },
      { referenceC: -78.5, rawC: bad },
    ]);
    expect(fit.accepted).toBe(false);
    expect(fit.rejectionReasons.join()).toMatch(/point 2: .*finite/);
  });

  it('refuses nonsensical limits naming the field', () => {
    expect(() => resolveFitLimits({ maxResidualC: 0 })).toThrow(/maxResidualC: must be a positive number of C, at most the product's 0.5 \(got 0\)/);
    expect(() => resolveFitLimits({ gainMin: 1.2 })).toThrow(/gainMax/);
    expect(resolveFitLimits({ maxResidualC: undefined })).toEqual(DEFAULT_FIT_LIMITS);
  });

  it('recovers any plausible offset and gain from noiseless points spread over the minimum span', () => {
    const raws = fc
      .array(fc.double({ min: -200, max: 300, noNaN: true }), { minLength: 2, maxLength: 4 })
      .filter((xs) => Math.max(...xs) - Math.min(...xs) >= DEFAULT_FIT_LIMITS.minSpanC);
    fc.assert(
      fc.property(fc.double({ min: DEFAULT_FIT_LIMITS.gainMin + 1e-6, max: DEFAULT_FIT_LIMITS.gainMax - 1e-6, noNaN: true }), fc.double({ min: -MAX_OFFSET_C + 1e-6, max: MAX_OFFSET_C - 1e-6, noNaN: true }), raws, (gain, offsetC, xs) => {
        const fit = fitCalibration(line(gain, offsetC, xs));
        expect(Math.abs(fit.gain - gain)).toBeLessThan(1e-9);
        expect(Math.abs(fit.offsetC - offsetC)).toBeLessThan(1e-9);
        expect(fit.accepted).toBe(true);
      }),
      { seed: 20250103 },
    );
  });
});
