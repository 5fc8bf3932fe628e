// NIST ITS-90 Type T and K conversions against the NIST tables (NIST Monograph 175), both
// directions, and round trips. Table values are rounded to 1 uV, so a conversion agrees with the
// table to 0.0005 mV, or to 0.0005 mV over the local Seebeck coefficient in temperature.
// Sources: NIST SRD 60 type_t.tab; the NIST/ITS-90 tables reprinted in the Acromag DT333 manual
// and instrumentation.com's Type K table; shared/domain.md section 5 for -78.5 C.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  THERMOCOUPLE_TABLES,
  emfMvFromTempC,
  inverseRangeMv,
  nistInverseTempC,
  tempCFromEmfMv,
  type ThermocoupleType,
} from '../calibration/thermocouple/index.js';

/** Half the last digit of the NIST tables, mV. */
const TABLE_ROUNDING_MV = 0.0005;
/** Round trips refine the inverse on the reference function (calibration/thermocouple/inverse.ts). */
const ROUND_TRIP_TOLERANCE_C = 1e-6;

/** [temperature C, EMF mV, reference junction at 0 C] from the NIST Type T table. */
const TYPE_T_TABLE: readonly (readonly [number, number])[] = [
  [-270, -6.258], [-260, -6.232], [-250, -6.18], [-210, -5.753], [-200, -5.603], [-190, -5.439],
  [-180, -5.261], [-170, -5.07], [-160, -4.865], [-150, -4.648], [-140, -4.419], [-130, -4.177],
  [-120, -3.923], [-110, -3.657], [-100, -3.379], [-90, -3.089], [-80, -2.788], [-79, -2.757],
  [-78, -2.726], [-70, -2.476], [-60, -2.153], [-50, -1.819], [-40, -1.475], [0, 0], [50, 2.036],
  [100, 4.279], [150, 6.704], [200, 9.288], [250, 12.013], [260, 12.574], [300, 14.862],
  [350, 17.819], [390, 20.255], [400, 20.872],
];

/** [temperature C, EMF mV, reference junction at 0 C] from the NIST Type K table. */
const TYPE_K_TABLE: readonly (readonly [number, number])[] = [
  [-270, -6.458], [-260, -6.441], [-250, -6.404], [-240, -6.344], [-230, -6.262], [-220, -6.158],
  [-210, -6.035], [-200, -5.891], [-190, -5.73], [-180, -5.55], [-170, -5.354], [-160, -5.141],
  [-150, -4.913], [-140, -4.669], [-100, -3.554], [-50, -1.889], [0, 0], [50, 2.023], [100, 4.096],
  [150, 6.138], [200, 8.138], [250, 10.153], [300, 12.209], [350, 14.293], [400, 16.397],
  [450, 18.516], [500, 20.644], [550, 22.776], [600, 24.905], [650, 27.025], [700, 29.129],
  [760, 31.628], [800, 33.275], [900, 37.326], [950, 39.314], [1000, 41.276], [1372, 54.886],
];

const TABLES: readonly (readonly [ThermocoupleType, readonly (readonly [number, number])[]])[] = [
  ['T', TYPE_T_TABLE],
  ['K', TYPE_K_TABLE],
];

/** Local Seebeck coefficient, mV/C, by a one-sided difference that stays inside the range. */
function seebeckMvPerC(type: ThermocoupleType, tempC: number): number {
  const stepC = 0.01;
  const lowC = tempC - stepC < -270 ? tempC : tempC - stepC;
  const highC = lowC + stepC;
  return (emfMvFromTempC(type, highC) - emfMvFromTempC(type, lowC)) / stepC;
}

function isInInverseRange(type: ThermocoupleType, emfMv: number): boolean {
  const { minMv, maxMv } = inverseRangeMv(type);
  return emfMv >= minMv && emfMv <= maxMv;
}

describe.each(TABLES)('Type %s against the NIST table', (type, table) => {
  it.each(table)('gives the table EMF at %d C', (tempC, tableMv) => {
    expect(Math.abs(emfMvFromTempC(type, tempC) - tableMv)).toBeLessThanOrEqual(TABLE_ROUNDING_MV);
  });

  it.each(table.filter(([, mv]) => isInInverseRange(type, mv)))('gives %d C for the table EMF', (tempC, tableMv) => {
    const toleranceC = TABLE_ROUNDING_MV / seebeckMvPerC(type, tempC);
    expect(Math.abs(tempCFromEmfMv(type, tableMv) - tempC)).toBeLessThanOrEqual(toleranceC);
  });
});

describe('the dry-ice point, -78.5 C (shared/domain.md section 5)', () => {
  it('is -2.742 mV for Type T', () => {
    expect(emfMvFromTempC('T', -78.5)).toBeCloseTo(-2.742, 3);
  });

  it('is -2.871 mV for Type K', () => {
    expect(emfMvFromTempC('K', -78.5)).toBeCloseTo(-2.871, 3);
  });

  it('converts both EMFs back to -78.5 C', () => {
    expect(tempCFromEmfMv('T', emfMvFromTempC('T', -78.5))).toBeCloseTo(-78.5, 6);
    expect(tempCFromEmfMv('K', emfMvFromTempC('K', -78.5))).toBeCloseTo(-78.5, 6);
  });
});

describe('the Type K reference function', () => {
  it('includes the exponential term above 0 C (without it 100 C would read 0.109 mV low)', () => {
    const [, above] = THERMOCOUPLE_TABLES.K.reference;
    expect(above?.exponential).not.toBeNull();
    expect(emfMvFromTempC('K', 100)).toBeCloseTo(4.096, 3);
  });

  it('is continuous at 0 C where the two pieces meet', () => {
    expect(Math.abs(emfMvFromTempC('K', 1e-9) - emfMvFromTempC('K', -1e-9))).toBeLessThan(1e-6);
  });
});

describe.each(['T', 'K'] as const)('Type %s round trips', (type) => {
  const { minC, maxC } = inverseRangeMv(type);

  it('returns every temperature in the inverse range, in 0.25 C steps, to within 1e-6 C', () => {
    let worstC = 0;
    for (let tempC = minC; tempC <= maxC; tempC += 0.25) {
      worstC = Math.max(worstC, Math.abs(tempCFromEmfMv(type, emfMvFromTempC(type, tempC)) - tempC));
    }
    expect(worstC).toBeLessThanOrEqual(ROUND_TRIP_TOLERANCE_C);
  });

  it('returns random temperatures in the inverse range to within 1e-6 C (seeded)', () => {
    fc.assert(
      fc.property(fc.double({ min: minC, max: maxC, noNaN: true }), (tempC) => {
        expect(Math.abs(tempCFromEmfMv(type, emfMvFromTempC(type, tempC)) - tempC)).toBeLessThanOrEqual(ROUND_TRIP_TOLERANCE_C);
      }),
      { seed: 90, numRuns: 500 },
    );
  });

  it('returns both ends of the inverse range exactly', () => {
    expect(tempCFromEmfMv(type, emfMvFromTempC(type, minC))).toBeCloseTo(minC, 6);
    expect(tempCFromEmfMv(type, emfMvFromTempC(type, maxC))).toBeCloseTo(maxC, 6);
  });
});

describe.each(['T', 'K'] as const)("NIST's Type %s inverse polynomials alone", (type) => {
  // NIST states each piece's error against the reference function to 0.01 C; allow that rounding.
  const STATED_ERROR_ROUNDING_C = 0.005;

  it.each(THERMOCOUPLE_TABLES[type].inverse)('stay within the stated error from $minMv to $maxMv mV', (piece) => {
    for (let i = 0; i <= 2000; i += 1) {
      const emfMv = piece.minMv + ((piece.maxMv - piece.minMv) * i) / 2000;
      const errorC = nistInverseTempC(type, emfMv) - tempCFromEmfMv(type, emfMv);
      expect(errorC).toBeGreaterThanOrEqual(piece.errorMinC - STATED_ERROR_ROUNDING_C);
      expect(errorC).toBeLessThanOrEqual(piece.errorMaxC + STATED_ERROR_ROUNDING_C);
    }
  });
});
