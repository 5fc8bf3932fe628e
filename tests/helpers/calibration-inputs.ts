// Calibration inputs the record, store and provider tests share (calibration/record.ts
// CalibrationInput). Fingerprints and seals pinned in tests are of records built from these:
// change a field and those pins change with it.
import { expect } from 'vitest';
import { CalibrationCorruptError } from '../../calibration/errors.js';
import type { CalibrationInput } from '../../calibration/record.js';

/** Probe P-0001, Type T: three baths (ice point, dry ice, a water bath read with RT-17),
 * calibrated 1 March 2025 (expires 28 August 2025). */
export const THREE_BATH_INPUT: CalibrationInput = {
  probeId: 'P-0001',
  thermocoupleType: 'T',
  points: [
    { bath: 'ice-point', referenceC: 0, rawC: 0.31 },
    { bath: 'dry-ice-ethanol', referenceC: -78.46, rawC: -77.9 },
    { bath: 'water-bath', referenceC: 37.02, rawC: 37.4 },
  ],
  calibratedAt: '2025-03-01T10:00:00.000Z',
  calibratedBy: 'A. Engineer',
  referenceThermometerId: 'RT-17',
  softwareVersion: '0.1.0',
};

/** Probe P1, Type T, reading 1.5 C warm at the ice point: two baths, no reference thermometer,
 * calibrated 1 June 2026 (valid through November 2026). */
export const TWO_BATH_INPUT: CalibrationInput = {
  probeId: 'P1',
  thermocoupleType: 'T',
  points: [
    { bath: 'ice-point', referenceC: 0, rawC: 1.5 },
    { bath: 'dry-ice-ethanol', referenceC: -78.5, rawC: -78.57 },
  ],
  calibratedAt: '2026-06-01T10:00:00.000Z',
  calibratedBy: 'A. Engineer',
  referenceThermometerId: null,
  softwareVersion: '0.1.0',
};

/** The message of the CalibrationCorruptError `fn` throws; fails the test if it throws another error or none. */
export function corruptMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CalibrationCorruptError);
    return (err as Error).message;
  }
  throw new Error('expected a CalibrationCorruptError');
}
