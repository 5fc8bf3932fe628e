// CO2 phase-boundary curves against shared/domain.md section 2.
import { describe, expect, it } from 'vitest';
import {
  CO2_CRITICAL_PRESSURE_BAR,
  CO2_MODEL_MAX_CYLINDER_TEMP_C,
  CO2_SUPERCRITICAL_DP_DT_BAR_PER_K,
  Co2RangeError,
  fullCylinderPressureBar,
  KELVIN_OFFSET,
  SUBLIMATION_MAX_PRESSURE_BAR,
  SUBLIMATION_MIN_PRESSURE_BAR,
  saturationPressureBar,
  sublimationPressureBarAtK,
  sublimationTempC,
} from '../kernel/co2.js';

describe('saturation pressure (Span-Wagner ancillary)', () => {
  // Domain section 2 table: cylinder temperature C -> saturation pressure bar.
  const TABLE: readonly (readonly [number, number])[] = [
    [-20, 19.7],
    [0, 34.85],
    [10, 45.02],
    [20, 57.29],
    [25, 64.34],
    [30, 72.14],
    [31.0, 73.77],
  ];

  it.each(TABLE)('gives the table value at %s C within 0.01 bar', (tempC, bar) => {
    expect(Math.abs(saturationPressureBar(tempC) - bar)).toBeLessThanOrEqual(0.01);
  });

  it('ends at the critical pressure at 31.0 C', () => {
    expect(saturationPressureBar(31.0)).toBeCloseTo(CO2_CRITICAL_PRESSURE_BAR, 6);
  });

  it('rises monotonically from the triple point to the critical point', () => {
    let last = 0;
    for (let t = -56.5; t <= 31; t += 0.5) {
      const p = saturationPressureBar(t);
      expect(p).toBeGreaterThan(last);
      last = p;
    }
  });

  it.each([31.1, 40, -57, -100, Number.NaN, Number.POSITIVE_INFINITY])('refuses %s C, naming the valid range', (tempC) => {
    expect(() => saturationPressureBar(tempC)).toThrow(Co2RangeError);
    expect(() => saturationPressureBar(tempC)).toThrow(/outside the CO2 liquid-vapour range -56\.6 to 31\.0 C/);
  });
});

describe('sublimation temperature (Fray & Schmitt)', () => {
  // Domain section 2 (calc): return pressure bar abs -> sublimation temperature C.
  const TABLE: readonly (readonly [number, number])[] = [
    [0.8, -81.4],
    [1.013, -78.5],
    [1.5, -73.6],
    [2.0, -69.9],
    [3.0, -64.4],
  ];

  it.each(TABLE)('gives %s bar -> %s C within 0.1 C', (bar, tempC) => {
    expect(Math.abs(sublimationTempC(bar) - tempC)).toBeLessThanOrEqual(0.1);
  });

  it('inverts the sublimation pressure fit across its range', () => {
    for (let p = 0.5; p <= 5; p += 0.25) {
      expect(sublimationPressureBarAtK(sublimationTempC(p) + KELVIN_OFFSET)).toBeCloseTo(p, 9);
    }
  });

  it('gets colder as the return pressure falls (altitude lowers the floor)', () => {
    expect(sublimationTempC(0.8)).toBeLessThan(sublimationTempC(1.013));
    expect(sublimationTempC(1.013)).toBeLessThan(sublimationTempC(2));
  });

  it('accepts both ends of its range', () => {
    expect(Number.isFinite(sublimationTempC(SUBLIMATION_MIN_PRESSURE_BAR))).toBe(true);
    expect(Number.isFinite(sublimationTempC(SUBLIMATION_MAX_PRESSURE_BAR))).toBe(true);
  });

  it.each([0.3, 6, 0, -1, Number.NaN])('refuses %s bar, naming the valid range', (bar) => {
    expect(() => sublimationTempC(bar)).toThrow(Co2RangeError);
    expect(() => sublimationTempC(bar)).toThrow(/outside the CO2 sublimation range 0\.45 to 5\.21 bar absolute/);
  });
});

describe('a full cylinder above the critical point (supercritical: issue 11 scenarios to 35 C)', () => {
  it('follows saturation up to 31.0 C and rises by CO2_SUPERCRITICAL_DP_DT_BAR_PER_K above it, continuously', () => {
    expect(fullCylinderPressureBar(20)).toBe(saturationPressureBar(20));
    expect(fullCylinderPressureBar(31)).toBeCloseTo(CO2_CRITICAL_PRESSURE_BAR, 6);
    expect(fullCylinderPressureBar(31.001)).toBeCloseTo(CO2_CRITICAL_PRESSURE_BAR, 2);
    expect(fullCylinderPressureBar(35)).toBeCloseTo(CO2_CRITICAL_PRESSURE_BAR + 4 * CO2_SUPERCRITICAL_DP_DT_BAR_PER_K, 6);
    let prev = fullCylinderPressureBar(25);
    for (let t = 25.5; t <= CO2_MODEL_MAX_CYLINDER_TEMP_C; t += 0.5) {
      const p = fullCylinderPressureBar(t);
      expect(p).toBeGreaterThan(prev);
      prev = p;
    }
  });

  it('refuses a temperature past the model, naming it', () => {
    expect(() => fullCylinderPressureBar(41)).toThrow(/cylinder temperature 41 C is outside the cylinder model's range -56\.6 to 40\.0 C/);
    expect(() => fullCylinderPressureBar(Number.NaN)).toThrow(Co2RangeError);
  });
});
