// System interlocks: a late or stalled control loop, and a lost hardware back-end.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, withProtocol } from '../src/controller/settings.js';
import {
  NormalPatient,
  SHORT_PROTOCOL,
  drive,
  driveSteps,
  expectTrip,
  gasPathOpen,
  inPhase,
  nominalReadings,
  normalUntil,
  tripDetail,
  trips,
} from './helpers/readings.js';

const SETTINGS = withProtocol(DEFAULT_SETTINGS, SHORT_PROTOCOL);

function midFreeze() {
  const patient = new NormalPatient();
  const { at } = normalUntil(SETTINGS, inPhase('Freezing', 10_000), patient);
  expect(gasPathOpen(at.state.outputs)).toBe(true);
  return { patient, state: at.state, lastMs: at.lastMs };
}

describe('LOOP_OVERRUN', () => {
  it('trips on one gap longer than 200 ms, closing both valves in the step that resumes', () => {
    const { patient, state, lastMs } = midFreeze();
    const d = driveSteps(patient.script(), 1, { settings: SETTINGS, state, startMs: lastMs + 250 });
    expectTrip(d, 'LOOP_OVERRUN', 'Fault');
    expect(tripDetail(d, 'LOOP_OVERRUN')).toBe('step gap 250 ms above 200 ms');
  });

  it('does not trip on a single gap of exactly 200 ms', () => {
    const { patient, state, lastMs } = midFreeze();
    const d = drive(patient.script(), { settings: SETTINGS, state, startMs: lastMs + 200, durationMs: 1_000 });
    expect(trips(d.events)).toEqual([]);
  });

  it('trips on the tenth late step within 10 s', () => {
    const { patient, state, lastMs } = midFreeze();
    const d = drive(patient.script(), { settings: SETTINGS, state, startMs: lastMs + 30, gapMs: () => 30, durationMs: 1_000 });
    const rec = expectTrip(d, 'LOOP_OVERRUN', 'Fault');
    expect(d.steps.indexOf(rec)).toBe(9);
    expect(tripDetail(d, 'LOOP_OVERRUN')).toBe('10 late steps in 10000 ms');
  });

  it('does not trip on nine late steps within 10 s', () => {
    const { patient, state, lastMs } = midFreeze();
    const d = drive(patient.script(), { settings: SETTINGS, state, startMs: lastMs + 30, gapMs: (i) => (i < 9 ? 30 : 20), durationMs: 2_000 });
    expect(Math.max(...d.steps.map((r) => r.state.memory.LOOP_OVERRUN.length))).toBe(9);
    expect(trips(d.events)).toEqual([]);
  });

  it('does not trip on steps 5 ms late (the tolerance) all through a treatment', () => {
    const d = drive(new NormalPatient().script(), { settings: SETTINGS, gapMs: () => 25, until: inPhase('Complete') });
    expect(d.state.phase).toBe('Complete');
    expect(trips(d.events)).toEqual([]);
  });

  it('does not trip on late steps spread wider than the window', () => {
    // One 30 ms step every 1.2 s: at most nine in any 10 s window.
    const d = drive(new NormalPatient().script(), { settings: SETTINGS, gapMs: (i) => (i % 60 === 0 ? 30 : 20), until: inPhase('Complete') });
    expect(d.state.phase).toBe('Complete');
    expect(trips(d.events)).toEqual([]);
  });
});

describe('HAL_FAULT', () => {
  it('trips in the step a back-end reports its device lost, naming it', () => {
    const { patient, state, lastMs } = midFreeze();
    const lost = 'firmata: serial port /dev/ttyACM0 closed';
    const d = drive(patient.script(() => ({ halFault: lost })), { settings: SETTINGS, state, durationMs: 200 });
    const rec = expectTrip(d, 'HAL_FAULT', 'Fault');
    expect(rec.nowMs).toBe(lastMs + 20);
    expect(tripDetail(d, 'HAL_FAULT')).toBe(lost);
  });

  it('trips in Idle too', () => {
    const d = drive((now) => nominalReadings(now, { halFault: now >= 500 ? 'serial front-end lost' : null }), { durationMs: 1_000 });
    expectTrip(d, 'HAL_FAULT', 'Fault');
  });

  it('does not trip on a normal treatment', () => {
    const d = drive(new NormalPatient().script(), { settings: SETTINGS, until: inPhase('Complete') });
    expect(trips(d.events)).toEqual([]);
  });
});
