// A calibration record's optional probeOdMm (the probe's outer diameter, from its label): checked
// against the setting's bounds, sealed with the rest of the record, and absent when not stated so
// that every record made before it existed seals and verifies unchanged.
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../calibration/canonical.js';
import { loadCalibrationKey } from '../calibration/key.js';
import { buildCalibrationRecord, checkCalibrationRecord, parseCalibrationFile, recordFingerprint, recordHmac, sealRecord } from '../calibration/record.js';
import type { CalibrationInput } from '../calibration/record.js';
import { readCalibration, writeCalibration } from '../calibration/store.js';
import { PROBE_OD_MM_MAX, PROBE_OD_MM_MIN } from '../kernel/probe.js';
import { tempDirMaker } from './helpers/temp.js';
import { THREE_BATH_INPUT } from './helpers/calibration-inputs.js';
import { corruptMessage } from './helpers/calibration-inputs.js';

const newTempDir = tempDirMaker('cryo-cal-od-');

const input: CalibrationInput = THREE_BATH_INPUT;

/**
 * The record `input` builds, its fingerprint and its seal under KEY, computed with
 * calibration/record.ts as it was before probeOdMm existed (commit c596766): a record made then
 * must read the same now.
 */
const KEY = Buffer.alloc(32, 0x11);
const OLD_FINGERPRINT = '66395d45880b9cdd45b3e46e6c7ae5c18f56b7db61f00a27c90fa3be010c2b1b';
const OLD_HMAC = '48cea61d0964f4a02ddd7a1d3575db4f21994df628af30d4f2dfa06f8066889b';

describe('a calibration record with a probe OD', () => {
  it.each([PROBE_OD_MM_MIN, 0.4, 1.27, PROBE_OD_MM_MAX])('is built and checked with probeOdMm %s mm', (odMm) => {
    const record = buildCalibrationRecord({ ...input, probeOdMm: odMm });
    expect(record.probeOdMm).toBe(odMm);
    expect(checkCalibrationRecord(record, 'test').probeOdMm).toBe(odMm);
  });

  it.each([0.29, 2.01, 0, -1, 5])('is refused with probeOdMm %s mm, naming the field and the value', (odMm) => {
    const record = { ...buildCalibrationRecord(input), probeOdMm: odMm };
    expect(corruptMessage(() => checkCalibrationRecord(record, 'test'))).toMatch(new RegExp(`^test: probeOdMm: .*\\(got ${odMm}\\)$`));
  });

  it.each([['"0.4"', '0.4'], ['null', null], ['true', true]])('is refused with probeOdMm %s, not a number, naming the field and the value', (shown, value) => {
    const record = { ...buildCalibrationRecord(input), probeOdMm: value };
    expect(corruptMessage(() => checkCalibrationRecord(record, 'test'))).toMatch(new RegExp(`^test: probeOdMm: .*\\(got ${shown}\\)$`));
  });

  it('is refused by the builder out of bounds, naming the field and the value', () => {
    expect(() => buildCalibrationRecord({ ...input, probeOdMm: 2.5 })).toThrow(/record: probeOdMm: .*\(got 2\.5\)/);
  });

  it('survives a write and read round trip, sealed', () => {
    const dataDir = newTempDir();
    writeCalibration(dataDir, buildCalibrationRecord({ ...input, probeOdMm: 0.4 }));
    expect(readCalibration(dataDir, 'P-0001').probeOdMm).toBe(0.4);
  });

  it('is refused as a signature mismatch when its OD is edited in the sealed file', () => {
    const dataDir = newTempDir();
    const file = writeCalibration(dataDir, buildCalibrationRecord({ ...input, probeOdMm: 1.27 }));
    const json = JSON.parse(fs.readFileSync(file, 'utf8')) as { probeOdMm: number };
    json.probeOdMm = 0.4;
    fs.writeFileSync(file, JSON.stringify(json, null, 2));
    expect(corruptMessage(() => readCalibration(dataDir, 'P-0001'))).toBe(
      `${file}: signature mismatch: the file was edited, damaged or written by another console; recalibrate the probe`,
    );
  });

  it('is refused as a signature mismatch when an OD is added to a sealed file that had none', () => {
    const sealed = sealRecord(buildCalibrationRecord(input), KEY);
    expect(corruptMessage(() => parseCalibrationFile({ ...sealed, probeOdMm: 0.4 }, 'test', KEY))).toMatch(/^test: signature mismatch/);
  });

  it('differs in fingerprint from the same record without an OD', () => {
    expect(recordFingerprint(buildCalibrationRecord({ ...input, probeOdMm: 0.4 }))).not.toBe(OLD_FINGERPRINT);
  });
});

describe('a calibration record without a probe OD', () => {
  it.each([['absent', {}], ['undefined', { probeOdMm: undefined }], ['null', { probeOdMm: null }]])(
    'has no probeOdMm key when the input gives it %s',
    (_what, od) => {
      const record = buildCalibrationRecord({ ...input, ...od });
      expect('probeOdMm' in record).toBe(false);
      expect(canonicalJson(record)).toBe(canonicalJson(buildCalibrationRecord(input)));
    },
  );

  it.each([['absent', {}], ['null', { probeOdMm: null }]])('has the fingerprint and seal a record had before probeOdMm existed (input %s)', (_what, od) => {
    const record = buildCalibrationRecord({ ...input, ...od });
    expect(recordFingerprint(record)).toBe(OLD_FINGERPRINT);
    expect(recordHmac(record, KEY)).toBe(OLD_HMAC);
  });

  it('sealed before probeOdMm existed, still verifies', () => {
    const oldFile: unknown = { ...JSON.parse(canonicalJson(buildCalibrationRecord(input))), hmacSha256: OLD_HMAC };
    const record = parseCalibrationFile(oldFile, 'test', KEY);
    expect(record.probeOdMm).toBeUndefined();
    expect(recordFingerprint(record)).toBe(OLD_FINGERPRINT);
  });

  it('seals on disk and verifies on reading', () => {
    const dataDir = newTempDir();
    const file = writeCalibration(dataDir, buildCalibrationRecord({ ...input, probeOdMm: null }));
    const json = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    expect('probeOdMm' in json).toBe(false);
    expect(json.hmacSha256).toBe(recordHmac(buildCalibrationRecord(input), loadCalibrationKey(dataDir)));
    expect(readCalibration(dataDir, 'P-0001').probeOdMm).toBeUndefined();
  });
});
