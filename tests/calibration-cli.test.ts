import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildCalibrationRecord } from '../calibration/record.js';
import { writeCalibration } from '../calibration/store.js';
import { registerCalibration } from '../src/cli/calibration.js';
import { UsageError } from '../src/cli/errors.js';
import { tempDirMaker } from './helpers/temp.js';

const newTempDir = tempDirMaker('cryo-cal-cli-');

const NOW = new Date('2025-04-01T00:00:00Z');

interface Run {
  code: number | null;
  out: string;
  err: string;
  thrown: unknown;
}

async function run(args: string[], now = NOW): Promise<Run> {
  const result: Run = { code: null, out: '', err: '', thrown: null };
  const io = { stdout: (t: string) => void (result.out += t), stderr: (t: string) => void (result.err += t) };
  const program = new Command().exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  registerCalibration(program, io, (c) => (result.code = c), () => now);
  try {
    await program.parseAsync(['calibration', ...args], { from: 'user' });
  } catch (err) {
    result.thrown = err;
  }
  return result;
}

function dataDirWithRecord(overrides: { calibratedAt?: string; probeOdMm?: number } = {}): string {
  const dataDir = newTempDir();
  writeCalibration(
    dataDir,
    buildCalibrationRecord({
      probeId: 'P-0001',
      thermocoupleType: 'T',
      points: [
        { bath: 'ice-point', referenceC: 0, rawC: 0.31 },
        { bath: 'dry-ice-ethanol', referenceC: -78.46, rawC: -77.9 },
      ],
      calibratedAt: overrides.calibratedAt ?? '2025-03-01T10:00:00.000Z',
      calibratedBy: 'A. Engineer',
      referenceThermometerId: null,
      softwareVersion: '0.1.0',
      probeOdMm: overrides.probeOdMm ?? null,
    }),
  );
  return dataDir;
}

describe('cryo calibration fit', () => {
  it('prints the documented JSON keys with the least-squares offset and gain', async () => {
    const r = await run(['fit', '--point', '0:0.5', '--point', '-78.5:-77', '--point', '37:38', '--json']);
    expect(r.thrown).toBeNull();
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(expect.arrayContaining(['offsetC', 'gain', 'residualsC', 'maxResidualC', 'accepted']));
    expect(json.accepted).toBe(true);
    expect(json.residualsC).toHaveLength(3);
    const gain = json.gain as number;
    const offsetC = json.offsetC as number;
    expect(gain).toBeGreaterThan(0.9);
    expect(gain * -77 + offsetC).toBeCloseTo(-78.5, 0);
  });

  it('recovers an exact offset and gain', async () => {
    const r = await run(['fit', '--point', '0:1', '--point', '-80:-79', '--json']);
    const json = JSON.parse(r.out) as { offsetC: number; gain: number; maxResidualC: number; accepted: boolean };
    expect(json.gain).toBeCloseTo(1, 12);
    expect(json.offsetC).toBeCloseTo(-1, 12);
    expect(json.maxResidualC).toBeCloseTo(0, 12);
  });

  it.each([
    ['-300:-300', "--point: '-300:-300': the reference temperature -300 C is outside -273.15 to 1372 C (absolute zero to a thermocouple's highest reading)"],
    ['0:2000', "--point: '0:2000': the raw temperature 2000 C is outside -273.15 to 1372 C (absolute zero to a thermocouple's highest reading)"],
  ])('refuses the point %s, which no record may hold, instead of calling its fit accepted', async (point, message) => {
    const r = await run(['fit', '--point', point, '--point', '0:0', '--json']);
    expect(r.thrown).toBeInstanceOf(UsageError);
    expect((r.thrown as Error).message).toBe(message);
    expect(r.out).toBe('');
  });

  it('fits one point as an offset only', async () => {
    const json = JSON.parse((await run(['fit', '--point', '0:0.25', '--json'])).out) as { offsetC: number; gain: number; accepted: boolean };
    expect(json).toMatchObject({ gain: 1, accepted: true });
    expect(json.offsetC).toBeCloseTo(-0.25, 12);
  });

  it('reports a rejected fit as accepted false with its reasons, exiting 0', async () => {
    const r = await run(['fit', '--point', '0:0', '--point', '5:5.1', '--json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out) as { accepted: boolean; rejectionReasons: string[] };
    expect(json.accepted).toBe(false);
    expect(json.rejectionReasons.join()).toMatch(/too close/);
  });

  it('honours a tighter --max-residual-c', async () => {
    const args = ['fit', '--point', '-80:-80', '--point', '0:0.3', '--point', '37:37', '--json'];
    expect((JSON.parse((await run(args)).out) as { accepted: boolean }).accepted).toBe(true);
    expect((JSON.parse((await run([...args, '--max-residual-c', '0.1'])).out) as { accepted: boolean }).accepted).toBe(false);
  });

  it('refuses a --max-residual-c looser than the product limit, naming the flag and the value', async () => {
    const r = await run(['fit', '--point', '0:0', '--max-residual-c', '2']);
    expect(r.thrown).toBeInstanceOf(UsageError);
    expect((r.thrown as Error).message).toMatch(/--max-residual-c: 2 must be .* at most the product's 0.5 C/);
  });

  it('rejects a single point 30 C off: an offset no healthy probe has', async () => {
    const json = JSON.parse((await run(['fit', '--point', '0:-30', '--json'])).out) as { accepted: boolean; rejectionReasons: string[] };
    expect(json.accepted).toBe(false);
    expect(json.rejectionReasons.join()).toMatch(/offset 30 C is outside \+-3 C/);
  });

  it('prints a readable table without --json', async () => {
    const r = await run(['fit', '--point', '0:1', '--point', '-80:-79']);
    expect(r.out).toMatch(/calibrated = 1\.000000 x raw - 1\.0000 C/);
    expect(r.out).toMatch(/accepted/);
  });

  it.each(['abc', '1:', ':1', '1:2:3', '1:x', 'NaN:1'])('rejects the bad point %j with a usage error naming it', async (text) => {
    const r = await run(['fit', '--point', '0:0', '--point', text, '--json']);
    expect(r.thrown).toBeInstanceOf(UsageError);
    expect((r.thrown as Error).message).toContain(`'${text}'`);
    expect(r.out).toBe('');
  });

  it('rejects a fit with no points and a non-positive residual limit', async () => {
    expect(((await run(['fit', '--json'])).thrown as Error).message).toMatch(/--point/);
    expect(((await run(['fit', '--point', '0:0', '--max-residual-c', '0'])).thrown as Error).message).toMatch(/--max-residual-c/);
  });
});

describe('cryo calibration list, show and report', () => {
  it('lists records with their status', async () => {
    const dataDir = dataDirWithRecord();
    fs.writeFileSync(path.join(dataDir, 'calibrations', 'broken.json'), 'not json');
    const r = await run(['list', '--data-dir', dataDir]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/probe\s+type\s+OD mm\s+calibrated at\s+expires\s+status/);
    expect(r.out).toMatch(/P-0001\s+T\s+none\s+2025-03-01T10:00:00.000Z\s+2025-08-28T10:00:00.000Z\s+valid/);
    expect(r.out).toMatch(/broken .*corrupt: not valid JSON/);
  });

  it("lists a record's probe OD, and explains a record without one under the table", async () => {
    const withOd = await run(['list', '--data-dir', dataDirWithRecord({ probeOdMm: 0.4 })]);
    expect(withOd.out).toMatch(/P-0001\s+T\s+0\.40\s+2025-03-01T10:00:00.000Z/);
    expect(withOd.out).not.toContain('not recorded');
    const without = await run(['list', '--data-dir', dataDirWithRecord()]);
    expect(without.out).toMatch(/\nnone: probe OD not recorded: the ice-ball estimate uses the setting iceBall\.probeOdMm\n$/);
  });

  it("shows a record's probe OD in text and JSON", async () => {
    const dataDir = dataDirWithRecord({ probeOdMm: 0.4 });
    expect((await run(['show', 'P-0001', '--data-dir', dataDir])).out).toContain('\n  probe OD 0.40 mm\n');
    expect((JSON.parse((await run(['show', 'P-0001', '--data-dir', dataDir, '--json'])).out) as { probeOdMm: number }).probeOdMm).toBe(0.4);
  });

  it('shows that a record has no probe OD and that the estimate then uses the setting', async () => {
    const r = await run(['show', 'P-0001', '--data-dir', dataDirWithRecord()]);
    expect(r.out).toContain('\n  probe OD not recorded: the ice-ball estimate uses the setting iceBall.probeOdMm\n');
  });

  it('shows a written record as JSON', async () => {
    const dataDir = dataDirWithRecord();
    const r = await run(['show', 'P-0001', '--data-dir', dataDir, '--json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out) as { probeId: string; points: unknown[]; format: number };
    expect(json.probeId).toBe('P-0001');
    expect(json.points).toHaveLength(2);
    expect(json.format).toBe(2);
  });

  it('shows a record dated after the console clock as INVALID, and lists it as invalid', async () => {
    const dataDir = dataDirWithRecord({ calibratedAt: '2025-06-01T00:00:00Z' });
    expect((await run(['show', 'P-0001', '--data-dir', dataDir])).out).toMatch(/P-0001: Type T, INVALID: calibratedAt 2025-06-01T00:00:00.000Z is later than the console's clock/);
    expect((await run(['list', '--data-dir', dataDir])).out).toMatch(/P-0001 .*invalid: calibratedAt/);
  });

  it('shows an expired record as EXPIRED in text', async () => {
    const r = await run(['show', 'P-0001', '--data-dir', dataDirWithRecord({ calibratedAt: '2024-01-01T00:00:00Z' })]);
    expect(r.out).toMatch(/P-0001: Type T, EXPIRED/);
  });

  it('exits 1 naming the file when the record is missing', async () => {
    const dataDir = dataDirWithRecord();
    const r = await run(['show', 'P-9999', '--data-dir', dataDir]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(path.join(dataDir, 'calibrations', 'P-9999.json'));
    expect(r.out).toBe('');
  });

  it('exits 1 with the signature mismatch when the record was edited', async () => {
    const dataDir = dataDirWithRecord();
    const file = path.join(dataDir, 'calibrations', 'P-0001.json');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"calibratedBy": "A. Engineer"', '"calibratedBy": "Someone Else"'));
    const r = await run(['show', 'P-0001', '--data-dir', dataDir, '--json']);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${file}: signature mismatch`);
  });

  it.each([
    ['../secrets', "'../secrets'"],
    ['/', "'/'"],
    ['', "''"],
    ['a\0b', '"a\\u0000b"'],
  ])('rejects the unsafe probe id %j as a usage error naming it', async (id, quoted) => {
    const r = await run(['show', id, '--data-dir', dataDirWithRecord()]);
    expect(r.thrown).toBeInstanceOf(UsageError);
    expect((r.thrown as Error).message).toBe(`probe id ${quoted}: must be 1-64 characters of letters, digits, '.', '_' or '-', and not '.' or '..'`);
  });

  it('writes the certificate to --out', async () => {
    const dataDir = dataDirWithRecord();
    const out = path.join(dataDir, 'P-0001.html');
    const r = await run(['report', 'P-0001', '--out', out, '--data-dir', dataDir]);
    expect(r.code).toBe(0);
    const html = fs.readFileSync(out, 'utf8');
    expect(html).toContain('P-0001');
    expect(html).toContain('<svg');
  });

  it('refuses --out naming the calibration record itself, which it leaves as it was', async () => {
    const dataDir = dataDirWithRecord();
    const record = path.join(dataDir, 'calibrations', 'P-0001.json');
    const before = fs.readFileSync(record, 'utf8');
    const r = await run(['report', 'P-0001', '--out', record, '--data-dir', dataDir]);
    expect(r.thrown).toBeInstanceOf(UsageError);
    expect((r.thrown as Error).message).toContain(`is ${record}, a file of the data directory`);
    expect(fs.readFileSync(record, 'utf8')).toBe(before);
  });

  it('requires --out for a report', async () => {
    const r = await run(['report', 'P-0001', '--data-dir', dataDirWithRecord()]);
    expect(r.thrown).toBeInstanceOf(CommanderError);
    expect(r.err).toContain('--out');
  });
});
