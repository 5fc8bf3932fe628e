// The calibration record's optional probe diameter (calibration/record.ts probeOdMm) at the record's
// own boundary: built, sealed and read back; refused outside the bounds the setting has; covered by
// the seal. The estimate's side is tests/ice-ball-probe-od.test.ts.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildCalibrationRecord } from '../calibration/record.js';
import type { CalibrationInput } from '../calibration/record.js';
import { calibrationPath, loadCalibration, readCalibration, writeCalibration } from '../calibration/store.js';
import { PROBE_OD_MM_MAX, PROBE_OD_MM_MIN } from '../kernel/probe.js';
import { tempDirMaker } from './helpers/temp.js';
import { TWO_BATH_INPUT } from './helpers/calibration-inputs.js';

const newTempDir = tempDirMaker('cryo-record-od-');

const INPUT: CalibrationInput = TWO_BATH_INPUT;

describe("a calibration record's probe diameter", () => {
  it('is kept through the seal and read back as stated, at both bounds', () => {
    for (const probeOdMm of [PROBE_OD_MM_MIN, 0.4, PROBE_OD_MM_MAX]) {
      const dir = newTempDir();
      writeCalibration(dir, buildCalibrationRecord({ ...INPUT, probeOdMm }));
      expect(readCalibration(dir, 'P1').probeOdMm).toBe(probeOdMm);
    }
  });

  it('is absent, not null, when not stated (null or undefined): the record seals as one made before the field', () => {
    expect('probeOdMm' in buildCalibrationRecord({ ...INPUT, probeOdMm: null })).toBe(false);
    expect(buildCalibrationRecord({ ...INPUT, probeOdMm: null })).toEqual(buildCalibrationRecord(INPUT));
  });

  it('is refused outside the bounds or not a finite number, naming the field', () => {
    for (const bad of [PROBE_OD_MM_MIN - 0.01, PROBE_OD_MM_MAX + 0.01, 5, 0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => buildCalibrationRecord({ ...INPUT, probeOdMm: bad }), String(bad)).toThrow(/probeOdMm/);
    }
  });

  it('is covered by the seal: a diameter edited in the file makes the record unusable', () => {
    const dir = newTempDir();
    writeCalibration(dir, buildCalibrationRecord({ ...INPUT, probeOdMm: 0.4 }));
    const file = calibrationPath(dir, 'P1');
    const json = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(file, JSON.stringify({ ...json, probeOdMm: 1.27 }));
    const loaded = loadCalibration(dir, 'P1');
    expect(loaded.kind).not.toBe('loaded');
    expect(JSON.stringify(loaded)).toMatch(/signature mismatch/);
  });
});
