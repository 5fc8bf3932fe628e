// jtOutletTempC: the Joule-Thomson table of domain section 2, interpolated linearly between its
// points and held at its ends; the plant looks it up every substep while gas flows.
import { describe, expect, it } from 'vitest';
import { jtOutletTempC } from '../hil/plant/index.js';
import { ATMOSPHERIC_PRESSURE_BAR } from '../kernel/units.js';

/** Feed pressure (bar absolute) -> the drop across the orifice to 1 atm. */
const dropFor = (feedBarAbs: number): number => feedBarAbs - ATMOSPHERIC_PRESSURE_BAR;

describe('jtOutletTempC', () => {
  it('gives each point of the table at its feed pressure (domain section 2)', () => {
    for (const [feedBarAbs, outletC] of [[20, -4], [30, -20], [40, -39], [50, -66], [57.3, -78.5]] as const) {
      expect(jtOutletTempC(dropFor(feedBarAbs))).toBeCloseTo(outletC, 9);
    }
    expect(jtOutletTempC(0)).toBe(20);
  });

  it('is linear between two points: halfway from 30 to 40 bar is halfway from -20 to -39 C', () => {
    expect(jtOutletTempC(dropFor(35))).toBeCloseTo(-29.5, 9);
  });

  it('holds its ends: no cooling without a drop, the sublimation point at any feed above the saturated one', () => {
    expect(jtOutletTempC(-3)).toBe(20);
    expect(jtOutletTempC(dropFor(57.3))).toBe(-78.5);
    expect(jtOutletTempC(dropFor(90))).toBe(-78.5);
    expect(jtOutletTempC(Number.POSITIVE_INFINITY)).toBe(-78.5);
  });

  it('never warms as the drop grows', () => {
    let previousC = Number.POSITIVE_INFINITY;
    for (let dropBar = -2; dropBar <= 70; dropBar += 0.01) {
      const outletC = jtOutletTempC(dropBar);
      expect(outletC).toBeLessThanOrEqual(previousC);
      previousC = outletC;
    }
  });

  it('gives the last point for a drop that is no number, as before the flat-table rewrite', () => {
    expect(jtOutletTempC(Number.NaN)).toBe(-78.5);
  });
});
