import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../calibration/canonical.js';
import { CalibrationCorruptError, CalibrationMissingError, CalibrationRejectedError, ProbeIdError } from '../calibration/errors.js';
import { buildCalibrationRecord, recordChecksum } from '../calibration/record.js';
import type { CalibrationInput } from '../calibration/record.js';
import { calibrationStatus } from '../calibration/status.js';
import { calibrationPath, defaultDataDir, listCalibrations, loadCalibration, readCalibration, writeCalibration } from '../calibration/store.js';

const input: CalibrationInput = {
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

const tempDataDir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'cryo-cal-'));

function writeJson(dataDir: string, probeId: string, json: unknown): string {
  const file = path.join(dataDir, 'calibrations', `${probeId}.json`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(json, null, 2));
  return file;
}

function corruptMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CalibrationCorruptError);
    return (err as Error).message;
  }
  throw new Error('expected a CalibrationCorruptError');
}

describe('calibration records', () => {
  it('build a record with residuals, an expiry 180 days on and a checksum of the other fields', () => {
    const record = buildCalibrationRecord(input);
    expect(record.format).toBe(1);
    expect(record.expiresAt).toBe('2025-08-28T10:00:00.000Z');
    expect(record.points.map((p) => p.residualC)).toHaveLength(3);
    const { checksum, ...rest } = record;
    expect(checksum).toBe(sha256Hex(rest));
    expect(recordChecksum(record)).toBe(checksum);
  });

  it('refuse to become a record when the fit is rejected', () => {
    const bad = { ...input, points: [input.points[0]!, { bath: 'other' as const, referenceC: 5, rawC: 5 }] };
    expect(() => buildCalibrationRecord(bad)).toThrow(CalibrationRejectedError);
  });

  it('survive a write and read round trip unchanged', () => {
    const dataDir = tempDataDir();
    const record = buildCalibrationRecord(input);
    const file = writeCalibration(dataDir, record);
    expect(file).toBe(path.join(dataDir, 'calibrations', 'P-0001.json'));
    expect(readCalibration(dataDir, 'P-0001')).toEqual(record);
  });

  it('are written atomically, leaving no temporary file behind', () => {
    const dataDir = tempDataDir();
    writeCalibration(dataDir, buildCalibrationRecord(input));
    writeCalibration(dataDir, buildCalibrationRecord({ ...input, calibratedBy: 'B. Engineer' }));
    expect(fs.readdirSync(path.join(dataDir, 'calibrations'))).toEqual(['P-0001.json']);
    expect(readCalibration(dataDir, 'P-0001').calibratedBy).toBe('B. Engineer');
  });

  it('remove the temporary file and name the path when the rename fails', () => {
    const dataDir = tempDataDir();
    const target = calibrationPath(dataDir, 'P-0001');
    fs.mkdirSync(path.join(target, 'blocker'), { recursive: true });
    expect(() => writeCalibration(dataDir, buildCalibrationRecord(input))).toThrow(`${target}: cannot write calibration`);
    expect(fs.readdirSync(path.join(dataDir, 'calibrations'))).toEqual(['P-0001.json']);
  });

  it('report a missing file as CalibrationMissingError naming the probe', () => {
    expect(() => readCalibration(tempDataDir(), 'P-0404')).toThrow(CalibrationMissingError);
    expect(() => readCalibration(tempDataDir(), 'P-0404')).toThrow(/no calibration for probe 'P-0404'/);
  });

  it.each(['', '.', '..', '../etc/passwd', 'a/b', 'x'.repeat(65), 'sp ace'])('refuse the unsafe probe id %j naming it', (id) => {
    expect(() => calibrationPath('data', id)).toThrow(ProbeIdError);
    expect(() => calibrationPath('data', id)).toThrow(`probe id '${id}'`);
  });

  it('reject a hand-edited file (one rawC changed) as a checksum mismatch naming the file', () => {
    const dataDir = tempDataDir();
    const file = writeCalibration(dataDir, buildCalibrationRecord(input));
    const json = JSON.parse(fs.readFileSync(file, 'utf8')) as { points: { rawC: number }[] };
    json.points[1]!.rawC = -77.5;
    fs.writeFileSync(file, JSON.stringify(json, null, 2));
    expect(corruptMessage(() => readCalibration(dataDir, 'P-0001'))).toBe(`${file}: checksum mismatch: the file was edited or damaged; recalibrate the probe`);
  });

  it('reject truncated JSON naming the file', () => {
    const dataDir = tempDataDir();
    const file = writeCalibration(dataDir, buildCalibrationRecord(input));
    const text = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, text.slice(0, text.length / 2));
    expect(corruptMessage(() => readCalibration(dataDir, 'P-0001'))).toMatch(new RegExp(`^${file}: not valid JSON`));
  });

  it('reject a schema violation naming the field and the value', () => {
    const dataDir = tempDataDir();
    const file = writeJson(dataDir, 'P-0001', { ...buildCalibrationRecord(input), thermocoupleType: 'J' });
    expect(corruptMessage(() => readCalibration(dataDir, 'P-0001'))).toMatch(new RegExp(`^${file}: thermocoupleType: .*\\(got "J"\\)`));
  });

  it('reject an unknown extra field', () => {
    const dataDir = tempDataDir();
    writeJson(dataDir, 'P-0001', { ...buildCalibrationRecord(input), note: 'x' });
    expect(corruptMessage(() => readCalibration(dataDir, 'P-0001'))).toMatch(/note/);
  });

  it('reject a stored fit that does not follow from the points even with a matching checksum', () => {
    const dataDir = tempDataDir();
    const good = buildCalibrationRecord(input);
    const forged = { ...good, fit: { ...good.fit, offsetC: good.fit.offsetC + 1 } };
    writeJson(dataDir, 'P-0001', { ...forged, checksum: recordChecksum(forged) });
    expect(corruptMessage(() => readCalibration(dataDir, 'P-0001'))).toMatch(/fit\.offsetC: .* does not follow from the points/);
  });

  it('reject a valid record copied under another probe id', () => {
    const dataDir = tempDataDir();
    writeJson(dataDir, 'P-0002', buildCalibrationRecord(input));
    expect(corruptMessage(() => readCalibration(dataDir, 'P-0002'))).toMatch(/probeId: 'P-0001' does not match the file name/);
  });
});

describe('calibrationStatus', () => {
  const record = buildCalibrationRecord(input);

  it('is ok for the right type before expiry', () => {
    expect(calibrationStatus(record, '2025-08-28T09:59:59.999Z', 'T')).toEqual({ ok: true });
  });

  it('reports expired from the moment of expiry', () => {
    const status = calibrationStatus(record, new Date('2025-08-28T10:00:00.000Z'), 'T');
    expect(status).toMatchObject({ ok: false, problem: 'expired' });
    expect(status.ok ? '' : status.message).toMatch(/P-0001.*expired at 2025-08-28T10:00:00.000Z.*recalibrate/);
  });

  it('reports the wrong thermocouple type', () => {
    expect(calibrationStatus(record, '2025-04-01T00:00:00Z', 'K')).toMatchObject({ ok: false, problem: 'wrong-type' });
  });

  it('reports a missing and a corrupt record from loadCalibration', () => {
    const dataDir = tempDataDir();
    expect(calibrationStatus(loadCalibration(dataDir, 'P-0001'), '2025-04-01T00:00:00Z', 'T')).toMatchObject({ ok: false, problem: 'missing' });
    writeJson(dataDir, 'P-0001', { nonsense: true });
    expect(calibrationStatus(loadCalibration(dataDir, 'P-0001'), '2025-04-01T00:00:00Z', 'T')).toMatchObject({ ok: false, problem: 'corrupt' });
    writeCalibration(dataDir, record);
    expect(calibrationStatus(loadCalibration(dataDir, 'P-0001'), '2025-04-01T00:00:00Z', 'T')).toEqual({ ok: true });
  });
});

describe('listCalibrations', () => {
  it('lists a valid, an expired and a corrupt file without throwing, ignoring temporaries', () => {
    const dataDir = tempDataDir();
    writeCalibration(dataDir, buildCalibrationRecord({ ...input, probeId: 'good' }));
    writeCalibration(dataDir, buildCalibrationRecord({ ...input, probeId: 'old', calibratedAt: '2024-01-01T00:00:00Z' }));
    fs.writeFileSync(path.join(dataDir, 'calibrations', 'bad.json'), '{"format":');
    fs.writeFileSync(path.join(dataDir, 'calibrations', '.good.json.1.abc.tmp'), 'partial');
    const entries = listCalibrations(dataDir, new Date('2025-04-01T00:00:00Z'));
    expect(entries.map((e) => [e.probeId, e.status])).toEqual([
      ['bad', 'corrupt'],
      ['good', 'valid'],
      ['old', 'expired'],
    ]);
    expect(entries[0]?.status === 'corrupt' ? entries[0].reason : '').toMatch(/not valid JSON/);
  });

  it('returns nothing for a data directory with no calibrations', () => {
    expect(listCalibrations(path.join(tempDataDir(), 'absent'), new Date())).toEqual([]);
  });
});

describe('defaultDataDir', () => {
  it('uses CRYO_DATA_DIR when set and ./data otherwise', () => {
    expect(defaultDataDir({ CRYO_DATA_DIR: '/var/cryo' })).toBe('/var/cryo');
    expect(defaultDataDir({ CRYO_DATA_DIR: '' })).toBe('./data');
    expect(defaultDataDir({})).toBe('./data');
  });
});
