// Cold-junction compensation (shared/domain.md section 5): convert the cold-junction temperature
// to EMF, add the measured EMF, invert; never a single linear coefficient.
import { describe, it, expect } from 'vitest';
import { emfMvFromTempC, measuredEmfMvFor, tempCFromEmfMv, tempCFromMeasuredEmf } from '../calibration/thermocouple/index.js';

const DRY_ICE_C = -78.5;
const ROOM_C = 25;

describe('measuredEmfMvFor', () => {
  it('is the tip EMF minus the cold-junction EMF', () => {
    expect(measuredEmfMvFor('T', DRY_ICE_C, ROOM_C)).toBeCloseTo(emfMvFromTempC('T', DRY_ICE_C) - emfMvFromTempC('T', ROOM_C), 12);
  });

  it('reads about -3.734 mV for a Type T tip in dry ice with the terminals at 25 C (NIST: -2.742 - 0.992)', () => {
    expect(measuredEmfMvFor('T', DRY_ICE_C, ROOM_C)).toBeCloseTo(-3.734, 3);
  });

  it('equals the 0 C-referenced EMF when the cold junction is at 0 C', () => {
    expect(measuredEmfMvFor('K', 300, 0)).toBe(emfMvFromTempC('K', 300));
  });

  it('is zero when tip and cold junction are at the same temperature', () => {
    expect(measuredEmfMvFor('K', ROOM_C, ROOM_C)).toBe(0);
  });
});

describe('tempCFromMeasuredEmf', () => {
  it('recovers a Type T tip at -78.5 C from its EMF measured against a 25 C cold junction', () => {
    const measuredMv = emfMvFromTempC('T', DRY_ICE_C) - emfMvFromTempC('T', ROOM_C);
    expect(tempCFromMeasuredEmf('T', measuredMv, ROOM_C)).toBeCloseTo(DRY_ICE_C, 9);
  });

  it('recovers a Type K tip at -78.5 C the same way', () => {
    expect(tempCFromMeasuredEmf('K', measuredEmfMvFor('K', DRY_ICE_C, ROOM_C), ROOM_C)).toBeCloseTo(DRY_ICE_C, 9);
  });

  it('equals tempCFromEmfMv when the cold junction is at 0 C', () => {
    expect(tempCFromMeasuredEmf('T', -2.5, 0)).toBe(tempCFromEmfMv('T', -2.5));
  });

  it('reads the cold-junction temperature when the measured EMF is zero', () => {
    expect(tempCFromMeasuredEmf('T', 0, 31.5)).toBeCloseTo(31.5, 9);
  });

  it('round trips tips across -200 to 400 C with cold junctions from -20 to 60 C to within 1e-6 C', () => {
    let worstC = 0;
    for (let coldJunctionC = -20; coldJunctionC <= 60; coldJunctionC += 10) {
      for (let tipC = -200; tipC <= 400; tipC += 1) {
        const backC = tempCFromMeasuredEmf('T', measuredEmfMvFor('T', tipC, coldJunctionC), coldJunctionC);
        worstC = Math.max(worstC, Math.abs(backC - tipC));
      }
    }
    expect(worstC).toBeLessThanOrEqual(1e-6);
  });
});

describe('the MAX31855 pitfall (shared/domain.md section 5)', () => {
  // The MAX31855 adds (measured EMF / 41.276 uV/C) to its cold-junction temperature: one linear
  // coefficient for Type K, no linearisation.
  const MAX31855_SEEBECK_MV_PER_C = 0.041276;
  const measuredMv = measuredEmfMvFor('K', DRY_ICE_C, ROOM_C);

  it('shows a single linear coefficient reading about 10 C warm at -78.5 C with the cold junction at 25 C', () => {
    const linearC = ROOM_C + measuredMv / MAX31855_SEEBECK_MV_PER_C;
    expect(linearC).toBeCloseTo(-68.8, 1);
    expect(linearC - DRY_ICE_C).toBeGreaterThan(9.5);
  });

  it('is not what this code does: it reads -78.5 C from the same EMF', () => {
    expect(tempCFromMeasuredEmf('K', measuredMv, ROOM_C)).toBeCloseTo(DRY_ICE_C, 6);
  });
});
