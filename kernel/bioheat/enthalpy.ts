// Volumetric enthalpy of tissue against temperature: sensible heat plus the latent heat spread
// evenly over the freezing band (the enthalpy method: one smooth-enough curve instead of tracking
// a front). Piecewise linear, so it inverts exactly. Reference: H = 0 at the bottom of the band.
import type { TissueParams } from './params.js';

/** Joules per megajoule. */
export const J_PER_MJ = 1e6;

/** The curve's constants in SI units (J/m3/K, J/m3, C), derived once from the tissue parameters. */
export interface EnthalpyCurve {
  readonly lowC: number;
  readonly highC: number;
  /** Frozen heat capacity, J/m3/K (below the band). */
  readonly capFrozen: number;
  /** Unfrozen heat capacity, J/m3/K (above the band). */
  readonly capUnfrozen: number;
  /** Apparent heat capacity inside the band: the mean sensible one plus latent / band width. */
  readonly capBand: number;
  /** Enthalpy at the top of the band, J/m3. */
  readonly highH: number;
}

export function enthalpyCurve(p: TissueParams): EnthalpyCurve {
  const widthC = p.freezeBandHighC - p.freezeBandLowC;
  const capFrozen = p.heatCapFrozenMJPerM3K * J_PER_MJ;
  const capUnfrozen = p.heatCapUnfrozenMJPerM3K * J_PER_MJ;
  const capBand = (capFrozen + capUnfrozen) / 2 + (p.latentHeatMJPerM3 * J_PER_MJ) / widthC;
  return { lowC: p.freezeBandLowC, highC: p.freezeBandHighC, capFrozen, capUnfrozen, capBand, highH: capBand * widthC };
}

export function enthalpyJPerM3(c: EnthalpyCurve, tempC: number): number {
  if (tempC <= c.lowC) return c.capFrozen * (tempC - c.lowC);
  if (tempC <= c.highC) return c.capBand * (tempC - c.lowC);
  return c.highH + c.capUnfrozen * (tempC - c.highC);
}

export function tempCFromEnthalpy(c: EnthalpyCurve, hJPerM3: number): number {
  if (hJPerM3 <= 0) return c.lowC + hJPerM3 / c.capFrozen;
  if (hJPerM3 <= c.highH) return c.lowC + hJPerM3 / c.capBand;
  return c.highC + (hJPerM3 - c.highH) / c.capUnfrozen;
}

/** dH/dT at `tempC`, J/m3/K (a kink takes the slope of the side the temperature is on). */
export function slopeJPerM3K(c: EnthalpyCurve, tempC: number): number {
  if (tempC <= c.lowC) return c.capFrozen;
  if (tempC <= c.highC) return c.capBand;
  return c.capUnfrozen;
}

/** Unfrozen fraction: 0 below the band, 1 above it, linear across it. */
export function unfrozenFraction(c: EnthalpyCurve, tempC: number): number {
  if (tempC <= c.lowC) return 0;
  if (tempC >= c.highC) return 1;
  return (tempC - c.lowC) / (c.highC - c.lowC);
}
