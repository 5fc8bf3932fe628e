// CALIBRATION_INVALID and the calibration path: every tip reading passes through the probe's
// calibration, a missing/expired/corrupt/wrong-type record blocks start, and the physical floor's
// tolerance follows the thermocouple type.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCalibrationRecord } from '../calibration/record.js';
import type { CalibrationInput } from '../calibration/record.js';
import { writeCalibration } from '../calibration/store.js';
import { calibrateReadings, calibrated, uncalibrated } from '../src/controller/probe-calibration.js';
import { DEFAULT_SETTINGS, withProtocol } from '../src/controller/settings.js';
import { physicalFloorC } from '../src/controller/context.js';
import { StoreCalibrationProvider } from '../src/runtime/calibration-provider.js';
import { ControlLoop } from '../src/runtime/loop.js';
import { FixedCalibrationProvider } from '../src/runtime/calibration-provider.js';
import { silentLogger } from '../kernel/log.js';
import type { Hal, Readings } from '../hal/contract.js';
import { NormalPatient, SHORT_PROTOCOL, anyValveOpen, drive, expectTrip, nominalReadings, trips } from './helpers/readings.js';
import { tempDirMaker } from './helpers/temp.js';
import { TWO_BATH_INPUT } from './helpers/calibration-inputs.js';

const newTempDir = tempDirMaker('cryo-provider-');

const SETTINGS = withProtocol(DEFAULT_SETTINGS, SHORT_PROTOCOL);
const EXPIRED = uncalibrated('T', "probe 'P1': calibration expired at 2025-01-01T00:00:00.000Z: recalibrate it");

describe('CALIBRATION_INVALID', () => {
  it('trips in the self-test when the calibration is invalid: Fault, and no valve ever opens', () => {
    const patient = new NormalPatient();
    const d = drive(patient.script(() => ({ calibration: EXPIRED })), { settings: SETTINGS, durationMs: 5_000 });
    const rec = expectTrip(d, 'CALIBRATION_INVALID', 'Fault');
    // Start (at 0) enters the self-test; the first self-test step trips.
    expect(rec.nowMs).toBe(20);
    expect(d.steps.some((s) => anyValveOpen(s.outputs))).toBe(false);
    expect(trips(d.events)[0]?.detail).toContain('expired');
  });

  it('does not trip on a valid calibration through a whole treatment', () => {
    const d = drive(new NormalPatient().script(), { settings: SETTINGS, until: (r) => r.state.phase === 'Complete' });
    expect(d.state.phase).toBe('Complete');
    expect(trips(d.events)).toEqual([]);
  });

  it('does not trip while idle: an uncalibrated probe only blocks a start', () => {
    const d = drive(new NormalPatient({ startAtMs: null }).script(() => ({ calibration: EXPIRED })), { settings: SETTINGS, durationMs: 2_000 });
    expect(d.state.phase).toBe('Idle');
    expect(trips(d.events)).toEqual([]);
  });

  it('refuses the acknowledge while the calibration is still invalid, and clears once it is valid', () => {
    const patient = new NormalPatient();
    let valid = false;
    const d1 = drive(patient.script(() => ({ calibration: valid ? calibrated('T', 0, 1) : EXPIRED })), { settings: SETTINGS, durationMs: 200 });
    expect(d1.state.phase).toBe('Fault');
    const ack = (nowMs: number, atMs: number) => ({ operator: { acknowledge: nowMs === atMs } });
    const d2 = drive(patient.script((now) => ({ calibration: EXPIRED, ...ack(now, 400) })), { settings: SETTINGS, state: d1.state, durationMs: 400 });
    expect(d2.events.some((e) => e.kind === 'refused' && e.reason.includes('CALIBRATION_INVALID'))).toBe(true);
    expect(d2.state.phase).toBe('Fault');
    valid = true;
    const d3 = drive(patient.script((now) => ({ calibration: calibrated('T', 0, 1), ...ack(now, 1_000) })), { settings: SETTINGS, state: d2.state, durationMs: 400 });
    expect(d3.state.phase).toBe('Idle');
  });
});

describe('the calibration path', () => {
  it('passes every tip reading through gain and offset, leaving fault bits alone', () => {
    const raw: Readings = {
      ...nominalReadings(0),
      tips: [
        { tipC: -80, coldJunctionC: 25, fault: null, atMs: 0 },
        { tipC: Number.NaN, coldJunctionC: 25, fault: 'open', atMs: 0 },
      ],
    };
    const out = calibrateReadings(raw, calibrated('T', -1.5, 0.98));
    expect(out.tips[0]?.tipC).toBeCloseTo(0.98 * -80 - 1.5, 12);
    expect(out.tips[1]?.fault).toBe('open');
    expect(out.calibration.ok).toBe(true);
  });

  it('gives the controller calibrated readings in the runtime loop', () => {
    const seen: number[] = [];
    const hal: Hal = {
      kind: 'sim',
      read: () => ({ ...nominalReadings(0), tips: [{ tipC: 10, coldJunctionC: 25, fault: null, atMs: 0 }] }),
      write: () => undefined,
      toSafeState: () => undefined,
      close: () => Promise.resolve(),
    };
    const loop = new ControlLoop({
      hal,
      settings: DEFAULT_SETTINGS,
      logger: silentLogger(),
      startMs: 0,
      calibration: new FixedCalibrationProvider(calibrated('T', 2, 1.1)),
      onStep: (_now, readings) => seen.push(readings.tips[0]?.tipC ?? Number.NaN),
    });
    loop.tick(0);
    expect(seen).toEqual([13]);
  });

  it('widens the physical-floor tolerance for a Type K probe (2.2 C) over Type T (1.18 C)', () => {
    const t = physicalFloorC(1.013, DEFAULT_SETTINGS, 'T');
    const k = physicalFloorC(1.013, DEFAULT_SETTINGS, 'K');
    expect(t - k).toBeCloseTo(2.2 - 1.18, 9);
  });

  it('trips TIP_BELOW_PHYSICAL_FLOOR for a reading a Type K tolerance allows but a Type T one does not', () => {
    const floorT = physicalFloorC(1.013, DEFAULT_SETTINGS, 'T');
    const tipC = floorT - 0.5;
    const script = (type: 'T' | 'K') => new NormalPatient({ startAtMs: null }).script(() => ({ tipC, returnBarAbs: 1.013, calibration: calibrated(type, 0, 1) }));
    expect(trips(drive(script('T'), { durationMs: 500 }).events).map((e) => e.id)).toContain('TIP_BELOW_PHYSICAL_FLOOR');
    expect(trips(drive(script('K'), { durationMs: 500 }).events)).toEqual([]);
  });
});

const INPUT: CalibrationInput = TWO_BATH_INPUT;

function dataDirWith(input: CalibrationInput | null): string {
  const dir = newTempDir();
  if (input !== null) writeCalibration(dir, buildCalibrationRecord(input));
  return dir;
}

describe('StoreCalibrationProvider', () => {
  const inDate = () => new Date('2026-07-01T00:00:00Z');

  it('uses a valid record: its fit and the board type', () => {
    const cal = new StoreCalibrationProvider(dataDirWith(INPUT), 'T', inDate).lookup('P1', true);
    expect(cal.ok).toBe(true);
    expect(cal.gain).toBeCloseTo(78.5 / (1.5 + 78.57), 9);
  });

  it("hands the record's probe diameter to the controller, and none for a record that states none", () => {
    const withOd = new StoreCalibrationProvider(dataDirWith({ ...INPUT, probeOdMm: 0.4 }), 'T', inDate).lookup('P1', true);
    expect(withOd).toMatchObject({ ok: true, probeOdMm: 0.4 });
    const without = new StoreCalibrationProvider(dataDirWith(INPUT), 'T', inDate).lookup('P1', true);
    expect(without).toMatchObject({ ok: true, probeOdMm: null });
    // A record that cannot be used gives no diameter either.
    expect(new StoreCalibrationProvider(dataDirWith({ ...INPUT, probeOdMm: 0.4 }), 'K', inDate).lookup('P1', true)).toMatchObject({ ok: false, probeOdMm: null });
  });

  it('reports a missing record, naming the probe', () => {
    const cal = new StoreCalibrationProvider(dataDirWith(null), 'T', inDate).lookup('P1', true);
    expect(cal).toMatchObject({ ok: false, offsetC: 0, gain: 1 });
    expect(cal.problem).toContain('P1');
  });

  it('reports an expired record', () => {
    const cal = new StoreCalibrationProvider(dataDirWith(INPUT), 'T', () => new Date('2027-06-01T00:00:00Z')).lookup('P1', true);
    expect(cal.ok).toBe(false);
    expect(cal.problem).toContain('expired');
  });

  it('reports a record of the wrong thermocouple type', () => {
    const cal = new StoreCalibrationProvider(dataDirWith(INPUT), 'K', inDate).lookup('P1', true);
    expect(cal.ok).toBe(false);
    expect(cal.problem).toContain('Type K');
  });

  it('reports an edited record as corrupt', () => {
    const dir = dataDirWith(INPUT);
    const file = path.join(dir, 'calibrations', 'P1.json');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"rawC": 1.5', '"rawC": 1.4'));
    const cal = new StoreCalibrationProvider(dir, 'T', inDate).lookup('P1', true);
    expect(cal.ok).toBe(false);
    expect(cal.problem).toMatch(/checksum|corrupt|edited/i);
  });

  it('reports a probe without an id', () => {
    const cal = new StoreCalibrationProvider(dataDirWith(INPUT), 'T', inDate).lookup(null, true);
    expect(cal.ok).toBe(false);
    expect(cal.problem).toContain('no id');
  });

  it('looks again only when asked, so a new record is seen at the next start press', () => {
    const dir = dataDirWith(null);
    const provider = new StoreCalibrationProvider(dir, 'T', inDate);
    expect(provider.lookup('P1', true).ok).toBe(false);
    writeCalibration(dir, buildCalibrationRecord(INPUT));
    expect(provider.lookup('P1', false).ok).toBe(false);
    expect(provider.lookup('P1', true).ok).toBe(true);
  });
});
