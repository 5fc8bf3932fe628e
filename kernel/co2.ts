// CO2 phase-boundary curves (shared/domain.md section 2). Pure functions, SI-ish units in names.

export const KELVIN_OFFSET = 273.15;

/** Critical point of CO2 (Span-Wagner). */
export const CO2_CRITICAL_PRESSURE_BAR = 73.773;
export const CO2_CRITICAL_TEMP_K = 304.1282;
/** Triple point: below it the saturation (liquid-vapour) curve does not exist. */
export const CO2_TRIPLE_POINT_TEMP_K = 216.592;

/** Span-Wagner ancillary equation coefficients for the vapour pressure. */
const SW_A = [-7.0602087, 1.9391218, -1.6463597, -3.2995634] as const;
const SW_T = [1, 1.5, 2, 4] as const;

/** Fray & Schmitt sublimation fit `p[bar] = exp(A - B/T + C/T^2)`, valid 194.7-216.6 K. */
const SUB_A = 18.61;
const SUB_B_K = 4154;
const SUB_C_K2 = 1.041e5;
/** Validity of the sublimation fit, extended slightly below 194.7 K so that 0.5 bar resolves. */
export const SUBLIMATION_FIT_MIN_K = 185;
export const SUBLIMATION_FIT_MAX_K = CO2_TRIPLE_POINT_TEMP_K;

/** The critical temperature as tables print it (31.0 C); within it the curve ends at pc. */
export const CO2_MAX_CYLINDER_TEMP_C = 31.0;
const CRITICAL_ROUNDING_K = 0.05;

export class Co2RangeError extends RangeError {}

/**
 * Saturation pressure of CO2 over liquid at `tempC` (cylinder temperature), bar absolute.
 * Valid from the triple point (-56.6 C) to the critical point (31.0 C).
 */
export function saturationPressureBar(tempC: number): number {
  const tempK = Math.min(tempC + KELVIN_OFFSET, CO2_CRITICAL_TEMP_K + CRITICAL_ROUNDING_K);
  if (!Number.isFinite(tempK) || tempK < CO2_TRIPLE_POINT_TEMP_K || tempC > CO2_MAX_CYLINDER_TEMP_C) {
    throw new Co2RangeError(
      `cylinder temperature ${tempC} C is outside the CO2 liquid-vapour range ` +
        `${(CO2_TRIPLE_POINT_TEMP_K - KELVIN_OFFSET).toFixed(1)} to ${CO2_MAX_CYLINDER_TEMP_C.toFixed(1)} C`,
    );
  }
  const theta = Math.max(0, 1 - tempK / CO2_CRITICAL_TEMP_K);
  let sum = 0;
  for (let i = 0; i < SW_A.length; i++) sum += (SW_A[i] ?? 0) * theta ** (SW_T[i] ?? 0);
  return CO2_CRITICAL_PRESSURE_BAR * Math.exp((CO2_CRITICAL_TEMP_K / tempK) * sum);
}

/**
 * Above the critical temperature a cylinder holds one supercritical phase, and its pressure rises
 * along an isochore (constant density) with temperature. dp/dT on the critical isochore
 * (467.6 kg/m3) between 31 and 40 C, from the Peng-Robinson equation of state (Tc, pc and an
 * acentric factor of 0.225): 1.9 bar/K. A cylinder filled denser rises faster (3.4 bar/K at a
 * 0.667 kg/L fill ratio): this is the gentlest rise, so a console that trips on it trips on any
 * real cylinder. An approximation for the simulations (a cylinder left in a hot room or car), not
 * a property table.
 */
export const CO2_SUPERCRITICAL_DP_DT_BAR_PER_K = 1.9;
/** The cylinder model's top temperature, C: the supercritical rise is not extended further. */
export const CO2_MODEL_MAX_CYLINDER_TEMP_C = 40;

/**
 * Pressure of a full cylinder at `tempC`, bar absolute: the saturation pressure up to the critical
 * temperature, then the critical pressure plus the supercritical rise
 * (CO2_SUPERCRITICAL_DP_DT_BAR_PER_K) up to CO2_MODEL_MAX_CYLINDER_TEMP_C. Continuous at 31.0 C.
 */
export function fullCylinderPressureBar(tempC: number): number {
  if (tempC <= CO2_MAX_CYLINDER_TEMP_C) return saturationPressureBar(tempC);
  if (!(tempC <= CO2_MODEL_MAX_CYLINDER_TEMP_C)) {
    throw new Co2RangeError(
      `cylinder temperature ${tempC} C is outside the cylinder model's range ` +
        `${(CO2_TRIPLE_POINT_TEMP_K - KELVIN_OFFSET).toFixed(1)} to ${CO2_MODEL_MAX_CYLINDER_TEMP_C.toFixed(1)} C`,
    );
  }
  return saturationPressureBar(CO2_MAX_CYLINDER_TEMP_C) + CO2_SUPERCRITICAL_DP_DT_BAR_PER_K * (tempC - CO2_MAX_CYLINDER_TEMP_C);
}

/** Sublimation pressure (solid-vapour) at `tempK`, bar absolute (Fray & Schmitt). */
export function sublimationPressureBarAtK(tempK: number): number {
  return Math.exp(SUB_A - SUB_B_K / tempK + SUB_C_K2 / (tempK * tempK));
}

export const SUBLIMATION_MIN_PRESSURE_BAR = sublimationPressureBarAtK(SUBLIMATION_FIT_MIN_K);
export const SUBLIMATION_MAX_PRESSURE_BAR = sublimationPressureBarAtK(SUBLIMATION_FIT_MAX_K);

/**
 * Sublimation temperature of CO2 at `pressureBar` absolute, C: the coldest a CO2 Joule-Thomson
 * tip can physically get with its exhaust at that pressure. Solves the Fray & Schmitt fit for T
 * (a quadratic in 1/T). Valid over the fit range (about 0.4 to 5.2 bar).
 */
export function sublimationTempC(pressureBar: number): number {
  if (
    !Number.isFinite(pressureBar) ||
    pressureBar < SUBLIMATION_MIN_PRESSURE_BAR ||
    pressureBar > SUBLIMATION_MAX_PRESSURE_BAR
  ) {
    throw new Co2RangeError(
      `pressure ${pressureBar} bar is outside the CO2 sublimation range ` +
        `${SUBLIMATION_MIN_PRESSURE_BAR.toFixed(2)} to ${SUBLIMATION_MAX_PRESSURE_BAR.toFixed(2)} bar absolute`,
    );
  }
  // ln p = A - B x + C x^2 with x = 1/T  ->  C x^2 - B x + (A - ln p) = 0; take the root on
  // the physical branch (the smaller x, i.e. the larger T, is outside the fit).
  const c0 = SUB_A - Math.log(pressureBar);
  const disc = SUB_B_K * SUB_B_K - 4 * SUB_C_K2 * c0;
  // The square root and the candidate temperature once each: the plant solves this every substep
  // while gas flows (bench/sim.ts).
  const rootDisc = Math.sqrt(disc);
  // Both roots satisfy the fit; pick the one inside the validity window.
  const tAltK = 1 / ((SUB_B_K - rootDisc) / (2 * SUB_C_K2));
  const tK = inFit(tAltK) ? tAltK : 1 / ((SUB_B_K + rootDisc) / (2 * SUB_C_K2));
  return tK - KELVIN_OFFSET;
}

function inFit(tempK: number): boolean {
  return tempK >= SUBLIMATION_FIT_MIN_K - 1 && tempK <= SUBLIMATION_FIT_MAX_K + 1;
}

