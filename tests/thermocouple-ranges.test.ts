// Each NIST function is defined on a stated range; outside it the thermocouple code throws an
// error naming the type, the quantity, the value and the range, and never extrapolates.
import { describe, it, expect } from 'vitest';
import {
  ThermocoupleRangeError,
  emfMvFromTempC,
  measuredEmfMvFor,
  nistInverseTempC,
  tempCFromEmfMv,
  tempCFromMeasuredEmf,
} from '../calibration/thermocouple/index.js';

describe('emfMvFromTempC ranges', () => {
  it('names the type, value and range when the temperature is below the reference function', () => {
    expect(() => emfMvFromTempC('T', -280)).toThrow('Type T: temperature -280 C is outside the reference function range -270 to 400 C');
  });

  it('throws a ThermocoupleRangeError, which is a RangeError, carrying the details', () => {
    let caught: unknown;
    try {
      emfMvFromTempC('K', 1400);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ThermocoupleRangeError);
    expect(caught).toBeInstanceOf(RangeError);
    expect((caught as ThermocoupleRangeError).details).toEqual({ type: 'K', quantity: 'temperature', value: 1400, min: -270, max: 1372, unit: 'C' });
  });

  it('refuses a hair above the top of the range rather than extrapolating', () => {
    expect(() => emfMvFromTempC('T', 400.0000001)).toThrow(/400\.0000001 C is outside the reference function range -270 to 400 C/);
    expect(() => emfMvFromTempC('K', 1372.001)).toThrow(/-270 to 1372 C/);
  });

  it('accepts both ends of each reference function', () => {
    expect(emfMvFromTempC('T', -270)).toBeCloseTo(-6.258, 3);
    expect(emfMvFromTempC('T', 400)).toBeCloseTo(20.872, 3);
    expect(emfMvFromTempC('K', -270)).toBeCloseTo(-6.458, 3);
    expect(emfMvFromTempC('K', 1372)).toBeCloseTo(54.886, 3);
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])('refuses a temperature of %d as not a finite number', (tempC) => {
    expect(() => emfMvFromTempC('T', tempC)).toThrow(/Type T: temperature .* is not a finite number; the reference function range is -270 to 400 C/);
  });
});

describe('tempCFromEmfMv ranges', () => {
  it('refuses Type T EMFs below -5.603 mV: NIST has no inverse below -200 C', () => {
    // -5.7 mV is a real Type T EMF (about -206 C) but the inverse polynomial does not reach it.
    expect(() => tempCFromEmfMv('T', -5.7)).toThrow('Type T: EMF -5.7 mV is outside the inverse function range -5.603 to 20.872 mV (-200 to 400 C)');
  });

  it('refuses Type T EMFs above 20.872 mV', () => {
    expect(() => tempCFromEmfMv('T', 20.9)).toThrow(/-5\.603 to 20\.872 mV/);
  });

  it('refuses Type K EMFs outside -5.891 to 54.886 mV, naming the range', () => {
    expect(() => tempCFromEmfMv('K', -6)).toThrow('Type K: EMF -6 mV is outside the inverse function range -5.891 to 54.886 mV (-200 to 1372 C)');
    expect(() => tempCFromEmfMv('K', 54.9)).toThrow(/-5\.891 to 54\.886 mV \(-200 to 1372 C\)/);
  });

  it('accepts the published limits themselves', () => {
    expect(tempCFromEmfMv('T', -5.603)).toBeCloseTo(-200, 2);
    expect(tempCFromEmfMv('T', 20.872)).toBe(400);
    expect(tempCFromEmfMv('K', -5.891)).toBeCloseTo(-199.97, 2);
    expect(tempCFromEmfMv('K', 54.886)).toBeCloseTo(1371.99, 2);
  });

  it('accepts the EMF at -200 C and 1372 C that NIST rounded to just inside its limits', () => {
    expect(tempCFromEmfMv('K', emfMvFromTempC('K', -200))).toBeCloseTo(-200, 9);
    expect(tempCFromEmfMv('K', emfMvFromTempC('K', 1372))).toBeCloseTo(1372, 9);
  });

  it('converts an EMF inside the 2 nV step between the Type K pieces at 0 C', () => {
    expect(Math.abs(tempCFromEmfMv('K', 1e-9))).toBeLessThan(1e-6);
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])('refuses an EMF of %d as not a finite number', (emfMv) => {
    expect(() => tempCFromEmfMv('K', emfMv)).toThrow(/Type K: EMF .* is not a finite number; the inverse function range is -5\.891 to 54\.886 mV/);
  });

  it('applies the same range to the bare NIST inverse polynomial', () => {
    expect(() => nistInverseTempC('T', -5.7)).toThrow(ThermocoupleRangeError);
  });
});

describe('cold-junction ranges', () => {
  it('names the cold-junction temperature when it is outside the reference function', () => {
    expect(() => measuredEmfMvFor('T', 0, 500)).toThrow('Type T: cold-junction temperature 500 C is outside the reference function range -270 to 400 C');
    expect(() => tempCFromMeasuredEmf('T', 0, 500)).toThrow(/cold-junction temperature 500 C/);
  });

  it('names the measured EMF and the cold-junction part when their sum has no inverse', () => {
    expect(() => tempCFromMeasuredEmf('T', -7, 25)).toThrow(
      /Type T: EMF -6\.00802\d* mV is outside the inverse function range -5\.603 to 20\.872 mV \(-200 to 400 C\): measured -7 mV plus 0\.9920 mV for the cold junction at 25 C/,
    );
  });

  it('refuses a measured EMF that is not a finite number', () => {
    expect(() => tempCFromMeasuredEmf('K', Number.NaN, 25)).toThrow(/Type K: measured EMF NaN is not a finite number/);
  });
});
