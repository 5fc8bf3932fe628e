import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../calibration/canonical.js';
import { CalibrationKeyError, CalibrationMissingError, CalibrationRejectedError, ProbeIdError } from '../calibration/errors.js';
import { calibrationKeyPath, loadCalibrationKey } from '../calibration/key.js';
import { CALIBRATION_CLOCK_TOLERANCE_MS, buildCalibrationRecord, recordHmac, sealRecord } from '../calibration/record.js';
import type { CalibrationInput, CalibrationRecord } from '../calibration/record.js';
import { calibrationStatus } from '../calibration/status.js';
import { StoreCalibrationProvider } from '../src/runtime/calibration-provider.js';
import { calibrationPath, defaultDataDir, listCalibrations, loadCalibration, readCalibration, writeCalibration } from '../calibration/store.js';
import { tempDirMaker } from './helpers/temp.js';
import { THREE_BATH_INPUT } from './helpers/calibration-inputs.js';
import { corruptMessage } from './helpers/calibration-inputs.js';

const newTempDir = tempDirMaker('cryo-cal-');

const input: CalibrationInput = THREE_BATH_INPUT;

const tempDataDir = (): string => newTempDir();

function writeJson(dataDir: string, probeId: string, json: unknown): string {
  const file = path.join(dataDir, 'calibrations', `${probeId}.json`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(json, null, 2));
  return file;
}

/** A record sealed with the data dir's own key: what someone holding the key could write. */
function writeSealed(dataDir: string, record: CalibrationRecord): string {
  writeCalibration(dataDir, buildCalibrationRecord(input)); // makes the key
  return writeJson(dataDir, record.probeId, sealRecord(record, loadCalibrationKey(dataDir)));
}

describe('calibration records', () => {
  it('build a record with residuals and an expiry 180 days on, sealed on disk with an HMAC-SHA256 under the console key', () => {
    const record = buildCalibrationRecord(input);
    expect(record.format).toBe(2);
    expect(record.expiresAt).toBe('2025-08-28T10:00:00.000Z');
    expect(record.points.map((p) => p.residualC)).toHaveLength(3);
    const dataDir = tempDataDir();
    const file = JSON.parse(fs.readFileSync(writeCalibration(dataDir, record), 'utf8')) as { hmacSha256: string };
    expect(file.hmacSha256).toBe(recordHmac(record, loadCalibrationKey(dataDir)));
    expect(file.hmacSha256).not.toBe(sha256Hex(record));
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

  it('reject a hand-edited file (one rawC changed) as a signature mismatch naming the file', () => {
    const dataDir = tempDataDir();
    const file = writeCalibration(dataDir, buildCalibrationRecord(input));
    const json = JSON.parse(fs.readFileSync(file, 'utf8')) as { points: { rawC: number }[] };
    json.points[1]!.rawC = -77.5;
    fs.writeFileSync(file, JSON.stringify(json, null, 2));
    expect(corruptMessage(() => readCalibration(dataDir, 'P-0001'))).toBe(
      `${file}: signature mismatch: the file was edited, damaged or written by another console; recalibrate the probe`,
    );
  });

  it('reject an edited record resealed with a recomputed sha256, as the old format allowed anyone to', () => {
    const dataDir = tempDataDir();
    const file = writeCalibration(dataDir, buildCalibrationRecord(input));
    const sealed = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    delete sealed.hmacSha256;
    const edited = { ...sealed, calibratedBy: 'Someone Else' };
    writeJson(dataDir, 'P-0001', { ...edited, hmacSha256: sha256Hex(edited) });
    expect(corruptMessage(() => readCalibration(dataDir, 'P-0001'))).toMatch(/signature mismatch/);
  });

  it('reject a format 1 record with a correct sha256 checksum, naming the file and saying recalibrate', () => {
    const dataDir = tempDataDir();
    writeCalibration(dataDir, buildCalibrationRecord(input));
    const { acceptance, ...rest } = buildCalibrationRecord(input);
    const oldAcceptance: Record<string, number> = { ...acceptance };
    delete oldAcceptance.maxOffsetC;
    const old = { ...rest, format: 1, acceptance: oldAcceptance };
    const file = writeJson(dataDir, 'P-0001', { ...old, checksum: sha256Hex(old) });
    expect(corruptMessage(() => readCalibration(dataDir, 'P-0001'))).toMatch(new RegExp(`^${file}: format 1: .*bare sha256 checksum.*recalibrate the probe$`));
  });

  it('reject a record sealed with another console key', () => {
    const dataDir = tempDataDir();
    writeCalibration(dataDir, buildCalibrationRecord(input));
    const other = tempDataDir();
    writeCalibration(other, buildCalibrationRecord(input));
    fs.copyFileSync(calibrationPath(other, 'P-0001'), calibrationPath(dataDir, 'P-0001'));
    expect(corruptMessage(() => readCalibration(dataDir, 'P-0001'))).toMatch(/signature mismatch/);
  });

  it('reject a correctly sealed record whose gain is 0.5, judged by the product limits and not its own', () => {
    const dataDir = tempDataDir();
    const good = buildCalibrationRecord(input);
    const points = [
      { bath: 'ice-point' as const, referenceC: 0, rawC: 0 },
      { bath: 'dry-ice-ethanol' as const, referenceC: -78.5, rawC: -157 },
    ];
    const forged: CalibrationRecord = {
      ...good,
      points: points.map((p) => ({ ...p, residualC: 0 })),
      fit: { offsetC: 0, gain: 0.5, maxResidualC: 0 },
      acceptance: { ...good.acceptance, gainMin: 0.4, gainMax: 1.6 },
    };
    const file = writeSealed(dataDir, forged);
    const message = corruptMessage(() => readCalibration(dataDir, 'P-0001'));
    expect(message).toContain(`${file}: points: refused by the product's limits: gain 0.5 is outside the plausible 0.96 to 1.04`);
    expect(message).toMatch(/acceptance: fit limits: gainMin: must be a number, at least the product's 0.96 \(got 0.4\)/);
  });

  it('reject a correctly sealed record with a 10 C offset', () => {
    const dataDir = tempDataDir();
    const good = buildCalibrationRecord({ ...input, points: [input.points[0]!] });
    const forged: CalibrationRecord = { ...good, points: [{ ...good.points[0]!, rawC: -10, residualC: 0 }], fit: { offsetC: 10, gain: 1, maxResidualC: 0 } };
    writeSealed(dataDir, forged);
    expect(corruptMessage(() => readCalibration(dataDir, 'P-0001'))).toMatch(/offset 10 C is outside \+-3 C/);
  });

  it('reject a correctly sealed record that expires in 2099', () => {
    const dataDir = tempDataDir();
    const file = writeSealed(dataDir, { ...buildCalibrationRecord(input), expiresAt: '2099-01-01T00:00:00.000Z' });
    expect(corruptMessage(() => readCalibration(dataDir, 'P-0001'))).toBe(
      `${file}: expiresAt: 2099-01-01T00:00:00.000Z is more than 180 days after calibratedAt 2025-03-01T10:00:00.000Z`,
    );
  });

  it('refuse to build a record valid for more than 180 days', () => {
    expect(() => buildCalibrationRecord({ ...input, validityDays: 181 })).toThrow(/validityDays 181: need a valid date and 1 to 180 days/);
  });

  it('refuse to build a record under limits looser than the product limits', () => {
    expect(() => buildCalibrationRecord({ ...input, limits: { gainMin: 0.5 } })).toThrow(CalibrationRejectedError);
  });

  it('refuse a FIFO named like a record at once, as not a regular file', () => {
    const dataDir = tempDataDir();
    writeCalibration(dataDir, buildCalibrationRecord(input));
    const file = calibrationPath(dataDir, 'P-0002');
    execFileSync('mkfifo', [file]);
    expect(corruptMessage(() => readCalibration(dataDir, 'P-0002'))).toBe(`${file}: calibration record is not a regular file (a FIFO)`);
  });

  it('refuse a record file larger than the bounded reader allows', () => {
    const dataDir = tempDataDir();
    const file = writeJson(dataDir, 'P-0001', { pad: 'x'.repeat(300 * 1024) });
    expect(corruptMessage(() => readCalibration(dataDir, 'P-0001'))).toMatch(new RegExp(`^${file}: calibration record is \\d+ bytes, more than the \\d+ allowed`));
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
    writeCalibration(dataDir, buildCalibrationRecord(input));
    const file = writeJson(dataDir, 'P-0001', { ...buildCalibrationRecord(input), thermocoupleType: 'J' });
    expect(corruptMessage(() => readCalibration(dataDir, 'P-0001'))).toMatch(new RegExp(`^${file}: thermocoupleType: .*\\(got "J"\\)`));
  });

  it('reject an unknown extra field', () => {
    const dataDir = tempDataDir();
    writeCalibration(dataDir, buildCalibrationRecord(input));
    writeJson(dataDir, 'P-0001', { ...buildCalibrationRecord(input), note: 'x' });
    expect(corruptMessage(() => readCalibration(dataDir, 'P-0001'))).toMatch(/note/);
  });

  it('reject a stored fit that does not follow from the points even with a matching seal', () => {
    const dataDir = tempDataDir();
    const good = buildCalibrationRecord(input);
    writeSealed(dataDir, { ...good, fit: { ...good.fit, offsetC: good.fit.offsetC + 1 } });
    expect(corruptMessage(() => readCalibration(dataDir, 'P-0001'))).toMatch(/fit\.offsetC: .* does not follow from the points/);
  });

  it('reject a valid record copied under another probe id', () => {
    const dataDir = tempDataDir();
    fs.mkdirSync(path.join(dataDir, 'calibrations'));
    fs.copyFileSync(writeCalibration(dataDir, buildCalibrationRecord(input)), calibrationPath(dataDir, 'P-0002'));
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

describe('the console calibration key', () => {
  it('is created on the first write as a regular file of mode 0600 in the data dir', () => {
    const dataDir = tempDataDir();
    expect(fs.existsSync(calibrationKeyPath(dataDir))).toBe(false);
    writeCalibration(dataDir, buildCalibrationRecord(input));
    const stat = fs.lstatSync(calibrationKeyPath(dataDir));
    expect(stat.isFile()).toBe(true);
    expect(stat.mode & 0o777).toBe(0o600);
    expect(loadCalibrationKey(dataDir)).toHaveLength(32);
  });

  it('is kept across writes, so earlier records stay valid', () => {
    const dataDir = tempDataDir();
    writeCalibration(dataDir, buildCalibrationRecord(input));
    const key = fs.readFileSync(calibrationKeyPath(dataDir));
    writeCalibration(dataDir, buildCalibrationRecord({ ...input, probeId: 'P-0002' }));
    expect(fs.readFileSync(calibrationKeyPath(dataDir))).toEqual(key);
    expect(readCalibration(dataDir, 'P-0001').probeId).toBe('P-0001');
  });

  it('is refused at mode 0644 (group and others can read it), naming the file and the mode, for reads and writes', () => {
    const dataDir = tempDataDir();
    writeCalibration(dataDir, buildCalibrationRecord(input));
    const keyPath = calibrationKeyPath(dataDir);
    fs.chmodSync(keyPath, 0o644);
    expect(corruptMessage(() => readCalibration(dataDir, 'P-0001'))).toContain(`${keyPath}: the calibration key has mode 0644, which lets group or others read it`);
    expect(() => writeCalibration(dataDir, buildCalibrationRecord(input))).toThrow(CalibrationKeyError);
    expect(listCalibrations(dataDir, new Date('2025-04-01T00:00:00Z'))).toMatchObject([{ probeId: 'P-0001', status: 'corrupt' }]);
  });

  it('is refused when it is not a regular file (a directory, a symbolic link)', () => {
    const dataDir = tempDataDir();
    fs.mkdirSync(calibrationKeyPath(dataDir));
    expect(() => writeCalibration(dataDir, buildCalibrationRecord(input))).toThrow(/calibration.key: the calibration key is not a regular file/);
    const other = tempDataDir();
    writeCalibration(other, buildCalibrationRecord(input));
    const linked = tempDataDir();
    fs.symlinkSync(calibrationKeyPath(other), calibrationKeyPath(linked));
    expect(() => loadCalibrationKey(linked)).toThrow(/symbolic link, not a regular file/);
  });

  it('makes every record invalid when it is missing, saying to recalibrate', () => {
    const dataDir = tempDataDir();
    const file = writeCalibration(dataDir, buildCalibrationRecord(input));
    fs.rmSync(calibrationKeyPath(dataDir));
    expect(corruptMessage(() => readCalibration(dataDir, 'P-0001'))).toBe(
      `${file}: cannot verify the record: no calibration key (${calibrationKeyPath(dataDir)}): this console did not sign it; recalibrate the probe`,
    );
  });
});

describe('a record dated in the future', () => {
  const record = buildCalibrationRecord(input);
  const calibratedMs = Date.parse(record.calibratedAt);

  it('is refused when calibratedAt is later than now by more than the clock tolerance', () => {
    const status = calibrationStatus(record, new Date(calibratedMs - CALIBRATION_CLOCK_TOLERANCE_MS - 1), 'T');
    expect(status).toMatchObject({ ok: false, problem: 'future' });
    expect(status.ok ? '' : status.message).toMatch(/P-0001.*calibratedAt 2025-03-01T10:00:00.000Z is later than the console's clock/);
  });

  it('is accepted within the clock tolerance', () => {
    expect(calibrationStatus(record, new Date(calibratedMs - CALIBRATION_CLOCK_TOLERANCE_MS), 'T')).toEqual({ ok: true });
  });

  it('blocks the probe through the calibration provider (CALIBRATION_INVALID)', () => {
    const dataDir = tempDataDir();
    writeCalibration(dataDir, record);
    const cal = new StoreCalibrationProvider(dataDir, 'T', () => new Date('2025-01-01T00:00:00Z')).lookup('P-0001', true);
    expect(cal.ok).toBe(false);
    expect(cal.problem).toMatch(/later than the console's clock/);
  });
});

describe('reading a FIFO as a record', () => {
  it('cryo calibration show returns at once with an error naming the FIFO, instead of blocking', () => {
    const dataDir = tempDataDir();
    writeCalibration(dataDir, buildCalibrationRecord(input));
    const file = calibrationPath(dataDir, 'P-0009');
    execFileSync('mkfifo', [file]);
    const started = performance.now();
    const child = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'calibration', 'show', 'P-0009', '--data-dir', dataDir], {
      encoding: 'utf8',
      timeout: 15_000,
      // tsx's transform cache would stay behind in the temp folder (tsx-UID).
      env: { ...process.env, TSX_DISABLE_CACHE: '1' },
    });
    expect(child.signal).toBeNull();
    expect(child.status).toBe(1);
    expect(child.stderr).toContain(`${file}: calibration record is not a regular file (a FIFO)`);
    expect(performance.now() - started).toBeLessThan(15_000);
  }, 20_000);
});
