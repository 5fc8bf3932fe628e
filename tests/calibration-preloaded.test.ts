// No file is read inside a tick: the control loop asks a PreloadedCalibration, which answers from
// memory and only notes what to read; the read happens outside the tick (refresh).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Hal, Readings } from '../hal/contract.js';
import { buildCalibrationRecord } from '../calibration/record.js';
import { writeCalibration } from '../calibration/store.js';
import { calibrated, uncalibrated } from '../src/controller/probe-calibration.js';
import type { ProbeCalibration } from '../src/controller/probe-calibration.js';
import { DEFAULT_SETTINGS } from '../src/controller/settings.js';
import { silentLogger } from '../kernel/log.js';
import { PreloadedCalibration, StoreCalibrationProvider } from '../src/runtime/calibration-provider.js';
import type { CalibrationProvider } from '../src/runtime/calibration-provider.js';
import { ControlLoop } from '../src/runtime/loop.js';
import { nominalReadings } from './helpers/readings.js';
import { tempDirForFile } from './helpers/temp.js';

const tempRoot = tempDirForFile('cryo-preloaded-');

/** A provider that counts its reads (each lookup stands for a file read). */
class CountingProvider implements CalibrationProvider {
  reads: (string | null)[] = [];
  constructor(private readonly verdict: ProbeCalibration) {}
  lookup(probeId: string | null): ProbeCalibration {
    this.reads.push(probeId);
    return this.verdict;
  }
}

/** A HAL whose operator presses start on the given read numbers. */
function halPressing(startOn: readonly number[], probeId: (n: number) => string | null = () => 'P1'): Hal {
  let n = 0;
  return {
    kind: 'sim',
    read: (): Readings => {
      const i = n++;
      const r = nominalReadings(i * 20, { operator: { start: startOn.includes(i) } });
      return { ...r, probe: { ...r.probe, id: probeId(i) } };
    },
    write: () => undefined,
    toSafeState: () => undefined,
    close: () => Promise.resolve(),
  };
}

describe('PreloadedCalibration', () => {
  it('reads nothing in a tick: a start press only asks, and the read is done by refresh', () => {
    const provider = new CountingProvider(calibrated('T', 0, 1));
    const calibration = new PreloadedCalibration(provider, 'T');
    calibration.load('P1');
    const loop = new ControlLoop({ hal: halPressing([3]), settings: DEFAULT_SETTINGS, logger: silentLogger(), startMs: 0, calibration });
    for (let i = 0; i < 3; i++) loop.tick(i * 20);
    expect(calibration.refreshWanted).toBe(false);
    loop.tick(60);
    expect(provider.reads).toEqual(['P1']);
    expect(calibration.refreshWanted).toBe(true);
    calibration.refresh();
    expect(provider.reads).toEqual(['P1', 'P1']);
    expect(calibration.refreshWanted).toBe(false);
  });

  it('answers "not read yet" for a probe id it has not read, and asks for it', () => {
    const calibration = new PreloadedCalibration(new CountingProvider(calibrated('T', 0, 1)), 'T');
    calibration.load('P1');
    const verdict = calibration.inTick('P2', false);
    expect(verdict).toMatchObject({ ok: false, gain: 1, offsetC: 0 });
    expect(verdict.problem).toContain("'P2'");
    expect(calibration.refreshWanted).toBe(true);
    calibration.refresh();
    expect(calibration.inTick('P2', false).ok).toBe(true);
  });

  it('reads an unusable record again when asked between ticks, and leaves a usable one alone', () => {
    const usable = new CountingProvider(calibrated('T', 0, 1));
    const calibration = new PreloadedCalibration(usable, 'T');
    calibration.load('P1');
    expect(calibration.reloadIfUnusable()).toBe(false);
    expect(usable.reads).toEqual(['P1']);
    const expired = new CountingProvider(uncalibrated('T', "probe 'P1': calibration expired"));
    const waiting = new PreloadedCalibration(expired, 'T');
    waiting.load('P1');
    expect(waiting.reloadIfUnusable()).toBe(true);
    expect(expired.reads).toEqual(['P1', 'P1']);
  });

  it('reads again the id a tick asked about, even when that id is none (a probe without an id chip fitted in place of P1)', () => {
    const expired = new CountingProvider(uncalibrated('T', "probe 'P1': calibration expired"));
    const calibration = new PreloadedCalibration(expired, 'T');
    calibration.load('P1');
    expect(calibration.inTick(null, false).ok).toBe(false);
    expect(calibration.reloadIfUnusable()).toBe(true);
    expect(expired.reads).toEqual(['P1', null]);
  });

  it('sees a record written while the console runs once the read after a start press is done', () => {
    const dataDir = fs.mkdtempSync(path.join(tempRoot, 'data-'));
    const store = new StoreCalibrationProvider(dataDir, 'T', () => new Date('2026-07-01T00:00:00Z'));
    const calibration = new PreloadedCalibration(store, 'T');
    expect(calibration.load('P1').ok).toBe(false);
    writeCalibration(
      dataDir,
      buildCalibrationRecord({
        probeId: 'P1',
        thermocoupleType: 'T',
        points: [
          { bath: 'ice-point', referenceC: 0, rawC: 0.2 },
          { bath: 'dry-ice-ethanol', referenceC: -78.5, rawC: -78.3 },
        ],
        calibratedAt: '2026-06-01T10:00:00.000Z',
        calibratedBy: 'A. Engineer',
        referenceThermometerId: null,
        softwareVersion: '0.1.0',
      }),
    );
    expect(calibration.inTick('P1', false).ok).toBe(false);
    expect(calibration.inTick('P1', true).ok).toBe(false);
    calibration.refresh();
    expect(calibration.inTick('P1', false).ok).toBe(true);
  });
});
