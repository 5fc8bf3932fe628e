// Keeps docs/calibration.md honest against the code: the limits it quotes, the budget figures
// computed from them, the thermocouple ranges, and the heading the procedure's rejection
// message points to.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FIT_LIMITS } from '../calibration/fit.js';
import { DEFAULT_BATH_TIMEOUT_MS, DEFAULT_FAULT_ABANDON_MS, MAX_BAROMETRIC_HPA, MIN_BAROMETRIC_HPA, MIN_BATHS, WATER_BATH_MAX_C, WATER_BATH_MIN_C } from '../calibration/procedure/index.js';
import { CALIBRATION_CLOCK_TOLERANCE_MS, CALIBRATION_VALIDITY_DAYS } from '../calibration/record.js';
import { MAX_SAMPLE_AGE_MS } from '../calibration/procedure/index.js';
import {
  DEFAULT_MAX_DRIFT_C_PER_MIN,
  DEFAULT_MAX_NOISE_SD_C,
  DEFAULT_STABILITY_WINDOW_MS,
  MIN_SAMPLES_FOR_STABILITY,
  STUCK_FRACTION,
} from '../calibration/stability.js';
import { inverseRangeMv, referenceRangeC } from '../calibration/thermocouple/index.js';
import { TC_TOLERANCE_AT_SUBLIMATION_C } from '../src/controller/probe-calibration.js';
import { DEFAULT_SETTINGS } from '../src/controller/settings.js';
import { sublimationTempC } from '../kernel/co2.js';
import { ATMOSPHERIC_PRESSURE_BAR } from '../kernel/units.js';
import { PROBE_OD_MM_MAX, PROBE_OD_MM_MIN } from '../kernel/probe.js';

const doc = readFileSync('docs/calibration.md', 'utf8');
const lines = doc.split('\n');
const REJECTED_HEADING = 'When a calibration is rejected';

/** The Value cell of the "Limits at a glance" row that names `symbol` in its code column. */
function limitRow(symbol: string): string | undefined {
  const row = lines.find((l) => l.startsWith('| ') && l.includes(`\`${symbol}\``));
  return row?.split('|').map((c) => c.trim())[2];
}

const MS_PER_MIN = 60_000;
const MS_PER_S = 1_000;

describe('docs/calibration.md quotes the limits in the code', () => {
  it.each([
    ['DEFAULT_FIT_LIMITS.maxResidualC', `±${DEFAULT_FIT_LIMITS.maxResidualC} C`],
    ['DEFAULT_FIT_LIMITS.minSpanC', `${DEFAULT_FIT_LIMITS.minSpanC} C`],
    ['DEFAULT_FIT_LIMITS.gainMin', `${DEFAULT_FIT_LIMITS.gainMin}`],
    ['DEFAULT_FIT_LIMITS.gainMax', `${DEFAULT_FIT_LIMITS.gainMax}`],
    ['DEFAULT_FIT_LIMITS.maxOffsetC', `±${DEFAULT_FIT_LIMITS.maxOffsetC} C`],
    ['CALIBRATION_VALIDITY_DAYS', `${CALIBRATION_VALIDITY_DAYS} days`],
    ['CALIBRATION_CLOCK_TOLERANCE_MS', `${CALIBRATION_CLOCK_TOLERANCE_MS / MS_PER_MIN} min`],
    ['MAX_SAMPLE_AGE_MS', `${MAX_SAMPLE_AGE_MS} ms`],
    ['DEFAULT_STABILITY_WINDOW_MS', `${DEFAULT_STABILITY_WINDOW_MS / MS_PER_S} s`],
    ['DEFAULT_MAX_DRIFT_C_PER_MIN', `${DEFAULT_MAX_DRIFT_C_PER_MIN} C/min`],
    ['DEFAULT_MAX_NOISE_SD_C', `${DEFAULT_MAX_NOISE_SD_C} C`],
    ['STUCK_FRACTION', `${STUCK_FRACTION * 100} %`],
    ['MIN_SAMPLES_FOR_STABILITY', `${MIN_SAMPLES_FOR_STABILITY}`],
    ['DEFAULT_BATH_TIMEOUT_MS', `${DEFAULT_BATH_TIMEOUT_MS / MS_PER_MIN} min`],
    ['DEFAULT_FAULT_ABANDON_MS', `${DEFAULT_FAULT_ABANDON_MS / MS_PER_S} s`],
    ['MIN_BATHS', `${MIN_BATHS}`],
    ['MIN_BAROMETRIC_HPA', `${MIN_BAROMETRIC_HPA} to ${MAX_BAROMETRIC_HPA} hPa`],
    ['WATER_BATH_MIN_C', `${WATER_BATH_MIN_C} to ${WATER_BATH_MAX_C} C`],
    ['TC_TOLERANCE_AT_SUBLIMATION_C.T', `${TC_TOLERANCE_AT_SUBLIMATION_C.T} C`],
    ['TC_TOLERANCE_AT_SUBLIMATION_C.K', `${TC_TOLERANCE_AT_SUBLIMATION_C.K} C`],
    ['tip.floorMarginC', `${DEFAULT_SETTINGS.tip.floorMarginC} C`],
    ['PROBE_OD_MM_MIN', `${PROBE_OD_MM_MIN} to ${PROBE_OD_MM_MAX.toFixed(1)} mm`],
  ])('the limits table gives %s as %s', (symbol, value) => {
    expect(limitRow(symbol), `no row naming \`${symbol}\``).toBe(value);
  });

  it('states the limits in the prose as well as in the table', () => {
    const l = DEFAULT_FIT_LIMITS;
    expect(doc).toContain(`Any |residual| exceeds ${l.maxResidualC} C`);
    expect(doc).toContain(`span less than ${l.minSpanC} C`);
    expect(doc).toContain(`The gain is outside ${l.gainMin} to ${l.gainMax}`);
    expect(doc).toContain(`The offset is outside ±${l.maxOffsetC} C`);
    expect(doc).toContain(`plus ${CALIBRATION_VALIDITY_DAYS} days`);
    expect(doc).toContain(`sliding ${DEFAULT_STABILITY_WINDOW_MS / MS_PER_S} s window`);
    expect(doc).toContain(`|drift| is at most ${DEFAULT_MAX_DRIFT_C_PER_MIN} C/min`);
    expect(doc).toContain(`the noise is at most ${DEFAULT_MAX_NOISE_SD_C} C`);
  });
});

describe('docs/calibration.md uncertainty budget follows from the code', () => {
  const perHpaC = (sublimationTempC(ATMOSPHERIC_PRESSURE_BAR + 0.001) - sublimationTempC(ATMOSPHERIC_PRESSURE_BAR - 0.001)) / 2;

  it('quotes the slope of the sublimation curve near 1 atm', () => {
    expect(doc).toContain(`${perHpaC.toFixed(4)} C/hPa`);
  });

  it('combines the terms at -78.5 C as the current limits give them', () => {
    const windowMin = DEFAULT_STABILITY_WINDOW_MS / MS_PER_MIN;
    const driftC = (DEFAULT_MAX_DRIFT_C_PER_MIN * windowMin) / 2;
    const noiseC = DEFAULT_MAX_NOISE_SD_C / Math.sqrt(30);
    const combinedC = Math.hypot(DEFAULT_FIT_LIMITS.maxResidualC, noiseC, driftC, perHpaC);
    expect(doc).toContain(`**±${combinedC.toFixed(3)} C**`);
    expect(doc).toContain(`±${driftC.toFixed(4)}`);
    expect(doc).toContain(`±${noiseC.toFixed(3)}`);
  });
});

describe('docs/calibration.md thermocouple reference', () => {
  it.each(['T', 'K'] as const)('gives the valid ranges of Type %s', (type) => {
    const ref = referenceRangeC(type);
    const inv = inverseRangeMv(type);
    const row = lines.find((l) => l.startsWith(`| ${type} |`));
    expect(row).toBe(`| ${type} | ${ref.minC} to ${ref.maxC} C | ${inv.minMv} to ${inv.maxMv} mV (${inv.minC} to ${inv.maxC} C) |`);
  });
});

describe(`the "${REJECTED_HEADING}" section`, () => {
  it('exists under that exact heading', () => {
    expect(lines).toContain(`## ${REJECTED_HEADING}`);
  });

  it('is the section the procedure points to when it rejects a calibration', () => {
    const procedure = readFileSync('calibration/procedure/procedure.ts', 'utf8');
    expect(procedure).toContain(`docs/calibration.md, "${REJECTED_HEADING}"`);
  });
});
