// The simulated probe calibrates itself when `cryo run` finds no valid record (hil/sim-calibration.ts):
// its record is sealed with the data dir's key like any other, and the console accepts it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirForFile } from './helpers/temp.js';
import { calibrationKeyPath } from '../calibration/key.js';
import { calibrationPath, loadCalibration } from '../calibration/store.js';
import { autoCalibrateSimProbe } from '../hil/sim-calibration.js';
import { DEFAULT_PLANT_PARAMS } from '../hil/plant/index.js';
import { parseBoard } from '../src/board.js';
import type { SimBoard } from '../src/board.js';
import { silentLogger } from '../kernel/log.js';
import { StoreCalibrationProvider } from '../src/runtime/calibration-provider.js';

const NOW = new Date('2026-06-01T10:00:00.000Z');

function simBoard(probeId: string): SimBoard {
  return parseBoard({ name: 'test sim', backend: 'sim', seed: 3, plant: { probeId } }, 'test');
}

async function autoCalibrate(dataDir: string, probeId: string) {
  return autoCalibrateSimProbe({ board: simBoard(probeId), probeId, dataDir, now: () => NOW, softwareVersion: 'test', logger: silentLogger() });
}

const tempRoot = tempDirForFile('cryo-sim-auto-');
const tempDataDir = (): string => fs.mkdtempSync(path.join(tempRoot, 'data-'));

describe('sim auto-calibration', () => {
  it('writes a sealed record on a fresh data dir, making the key, and the console accepts it', async () => {
    const dataDir = tempDataDir();
    const outcome = await autoCalibrate(dataDir, 'SIM-PROBE-001');
    expect(outcome.kind).toBe('saved');
    expect(fs.statSync(calibrationKeyPath(dataDir)).mode & 0o777).toBe(0o600);
    expect(new StoreCalibrationProvider(dataDir, 'T', () => NOW).lookup('SIM-PROBE-001', true)).toMatchObject({ ok: true, problem: null });
  });

  it("states the sim plant's probe diameter, so the console's estimate models the probe simulated whatever iceBall.probeOdMm says", async () => {
    const dataDir = tempDataDir();
    await autoCalibrate(dataDir, 'SIM-PROBE-002');
    // A sim board file cannot change the plant's probe (its plant block has no probeOdMm): the default's.
    expect(DEFAULT_PLANT_PARAMS.probeOdMm).toBe(1.27);
    expect(new StoreCalibrationProvider(dataDir, 'T', () => NOW).lookup('SIM-PROBE-002', true)).toMatchObject({ ok: true, probeOdMm: DEFAULT_PLANT_PARAMS.probeOdMm });
  });

  it('replaces an old format 1 record, which the console refuses, with one it accepts', async () => {
    const dataDir = tempDataDir();
    const file = calibrationPath(dataDir, 'SIM-PROBE-001');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ format: 1, probeId: 'SIM-PROBE-001', checksum: '0'.repeat(64) }));
    expect(loadCalibration(dataDir, 'SIM-PROBE-001')).toMatchObject({ kind: 'corrupt', message: expect.stringMatching(/format 1: .*recalibrate/) as unknown });
    expect((await autoCalibrate(dataDir, 'SIM-PROBE-001')).kind).toBe('saved');
    expect(loadCalibration(dataDir, 'SIM-PROBE-001').kind).toBe('loaded');
  });

  it.each(['../x', '/', 'a\0b', ''])('gives up on the probe id %j with an outcome naming it, never an exception', async (probeId) => {
    const dataDir = tempDataDir();
    const outcome = await autoCalibrateSimProbe({ board: simBoard('SIM-PROBE-001'), probeId, dataDir, now: () => NOW, softwareVersion: 'test', logger: silentLogger() });
    expect(outcome.kind).toBe('aborted');
    expect(outcome.kind === 'aborted' ? outcome.reason : '').toContain(`probe id ${probeId === 'a\0b' ? '"a\\u0000b"' : `'${probeId}'`}: must be`);
    expect(fs.readdirSync(dataDir)).toEqual([]);
  });

  it('blocks a probe whose id would escape the data dir, naming the id, through the provider', () => {
    const cal = new StoreCalibrationProvider(tempDataDir(), 'T', () => NOW).lookup('../x', true);
    expect(cal.ok).toBe(false);
    expect(cal.problem).toBe("probe id '../x': must be 1-64 characters of letters, digits, '.', '_' or '-', and not '.' or '..'");
  });
});
