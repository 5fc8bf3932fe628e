import * as fs from 'node:fs';
import * as path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { readCalibration } from '../calibration/store.js';
import { registerCalibrate } from '../src/cli/calibrate.js';
import { UsageError } from '../src/cli/errors.js';
import { tempDirMaker } from './helpers/temp.js';

const newTempDir = tempDirMaker('cryo-calibrate-cli-');

const NOW = new Date('2025-04-01T09:00:00.000Z');
const PROBE = 'SIM-PROBE-001';

interface Run {
  code: number | null;
  out: string;
  thrown: unknown;
  dataDir: string;
}

async function run(args: string[], answers: readonly string[], softwareVersion: string | null = '0.1.0-test'): Promise<Run> {
  const dataDir = newTempDir();
  const result: Run = { code: null, out: '', thrown: null, dataDir };
  const stdin = new PassThrough();
  stdin.end(answers.map((a) => `${a}\n`).join(''));
  const stdout = new Writable({
    write(chunk: Buffer, _encoding, done) {
      result.out += chunk.toString();
      done();
    },
  });
  const program = new Command().exitOverride();
  registerCalibrate(program, { stdin, stdout, stderr: stdout }, (c) => (result.code = c), {
    now: () => NOW,
    ...(softwareVersion === null ? {} : { softwareVersion }),
  });
  try {
    await program.parseAsync(['calibrate', '--data-dir', dataDir, ...args], { from: 'user' });
  } catch (err) {
    result.thrown = err;
  }
  return result;
}

const ANSWERS = ['A. Engineer', '1', 'yes', '2', '1.013 bar', 'yes', 'd', 'yes'];

describe('cryo calibrate', () => {
  it('runs the whole procedure on the default sim board from piped answers and writes the record', async () => {
    const r = await run(['--probe', PROBE, '--probe-offset-error-c', '1.5', '--probe-gain-error', '1.02'], ANSWERS, null);
    expect(r.thrown).toBeNull();
    expect(r.code).toBe(0);
    expect(r.out).toContain('Calibration written to');
    const record = readCalibration(r.dataDir, PROBE);
    expect(record.thermocoupleType).toBe('T');
    expect(record.fit.gain).toBeCloseTo(1 / 1.02, 2);
    expect(record.fit.offsetC).toBeCloseTo(-1.5 / 1.02, 1);
    // The default comes from the cryo version.
    expect(record.softwareVersion).toBe('0.1.0');
    // Off a terminal, live status is printed as occasional plain lines.
    expect(r.out).toMatch(/ice point: raw .* \| window \d+ %/);
  });

  it('writes the probe OD given with --probe-od-mm into the record, and says so', async () => {
    const r = await run(['--probe', PROBE, '--probe-od-mm', '0.4'], ANSWERS);
    expect(r.code).toBe(0);
    expect(readCalibration(r.dataDir, PROBE).probeOdMm).toBe(0.4);
    expect(r.out).toContain('Probe OD: 0.40 mm, to be written into the record.');
    expect(r.out).toContain('Record: probe OD 0.40 mm.');
  });

  it('writes no probe OD without --probe-od-mm, and says the estimate uses the setting', async () => {
    const r = await run(['--probe', PROBE], ANSWERS);
    expect(r.code).toBe(0);
    expect('probeOdMm' in readCalibration(r.dataDir, PROBE)).toBe(false);
    expect(r.out).toContain('Probe OD: not stated (--probe-od-mm): the record will have none, and the ice-ball estimate uses the setting iceBall.probeOdMm.');
    expect(r.out).toContain('Record: probe OD not recorded: the ice-ball estimate uses the setting iceBall.probeOdMm.');
  });

  it('exits 1 and writes nothing when the fit is rejected', async () => {
    const r = await run(['--probe', PROBE, '--probe-gain-error', '1.2'], ANSWERS.slice(0, 7));
    expect(r.code).toBe(1);
    expect(r.out).toContain('REJECTED');
    expect(fs.existsSync(path.join(r.dataDir, 'calibrations'))).toBe(false);
  });

  it('exits 1 and writes nothing for a probe reading 20 C high: an offset no healthy probe has', async () => {
    const r = await run(['--probe', PROBE, '--probe-offset-error-c', '20'], ANSWERS.slice(0, 7));
    expect(r.code).toBe(1);
    expect(r.out).toContain('REJECTED');
    expect(r.out).toMatch(/offset -20(\.\d+)? C is outside \+-3 C/);
    expect(fs.existsSync(path.join(r.dataDir, 'calibrations'))).toBe(false);
  });

  it('exits 1 when input ends before the procedure finishes', async () => {
    const r = await run(['--probe', PROBE], ['A. Engineer']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('nothing was saved');
  });

  it('refuses a probe id other than the one the connected probe reports', async () => {
    const r = await run(['--probe', 'OTHER-PROBE'], ANSWERS);
    expect(r.thrown).toBeInstanceOf(UsageError);
    expect((r.thrown as Error).message).toContain("the connected probe reports id 'SIM-PROBE-001', not 'OTHER-PROBE'");
  });

  it.each([
    [['--probe', '../etc'], /--probe: '..\/etc' must be/],
    [['--probe', '/'], /--probe: '\/' must be/],
    [['--probe', ''], /--probe: '' must be/],
    [['--probe', 'a\0b'], /--probe: "a\\u0000b" must be/],
    [['--probe', PROBE, '--probe-gain-error', '3'], /--probe-gain-error: 3 is outside 0.5 to 1.5/],
    [['--probe', PROBE, '--probe-offset-error-c', 'x'], /--probe-offset-error-c: 'x' is not a number/],
    [['--probe', PROBE, '--board', 'no-such-board.json'], /no-such-board.json: cannot read board file/],
    [['--probe', PROBE, '--probe-od-mm', 'thin'], /^--probe-od-mm: 'thin' is not a number/],
    [['--probe', PROBE, '--probe-od-mm', '0x1'], /^--probe-od-mm: '0x1' is not a number/],
    [['--probe', PROBE, '--probe-od-mm', '-0.4'], /^--probe-od-mm: '-0.4' must not be negative/],
    [['--probe', PROBE, '--probe-od-mm', '0.2'], /^--probe-od-mm: 0.2 mm is outside 0.3 to 2.0 mm/],
    [['--probe', PROBE, '--probe-od-mm', '2.1'], /^--probe-od-mm: 2.1 mm is outside 0.3 to 2.0 mm/],
  ])('rejects bad arguments %j as usage errors', async (args, message) => {
    const r = await run(args, ANSWERS);
    expect(r.thrown).toBeInstanceOf(UsageError);
    expect((r.thrown as Error).message).toMatch(message);
  });
});
