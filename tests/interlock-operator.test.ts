// Operator and connection interlocks: stop, emergency stop, the dead-man footswitch, the probe.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, parseSettings, withProtocol } from '../src/controller/settings.js';
import type { ReadingOverrides } from './helpers/readings.js';
import {
  NormalPatient,
  SHORT_PROTOCOL,
  anyValveOpen,
  drive,
  expectTrip,
  gasPathOpen,
  inPhase,
  nominalReadings,
  normalUntil,
  phaseEvents,
  tripDetail,
  trips,
} from './helpers/readings.js';

const SETTINGS = withProtocol(DEFAULT_SETTINGS, SHORT_PROTOCOL);
const DEADMAN = parseSettings({ protocol: SHORT_PROTOCOL, footswitch: { deadman: true } });
const DEADMAN_TWO_CYCLES = parseSettings({ protocol: { cycles: 2, freezeS: 10, thawS: 10 }, footswitch: { deadman: true } });

type Overrides = (nowMs: number, t0Ms: number) => ReadingOverrides;

/** From 10 s into the first freeze, apply `o` on every step for `durationMs`. */
function fromMidFreeze(o: Overrides, durationMs = 1_000, settings = SETTINGS, patient = new NormalPatient()) {
  const { at } = normalUntil(settings, inPhase('Freezing', 10_000), patient);
  expect(gasPathOpen(at.state.outputs)).toBe(true);
  const t0 = at.lastMs + 20;
  return { t0, d: drive(patient.script((nowMs) => o(nowMs, t0)), { settings, state: at.state, durationMs }) };
}

describe('OPERATOR_STOP', () => {
  it('stops the freeze in the step stop is pressed: both valves closed, phase Stopped, not latched', () => {
    const { t0, d } = fromMidFreeze((now, t0Ms) => ({ operator: { stop: now === t0Ms } }));
    const rec = expectTrip(d, 'OPERATOR_STOP', 'Stopped');
    expect(rec.nowMs).toBe(t0);
    expect(rec.events.find((e) => e.kind === 'trip')).toMatchObject({ latched: false, priority: 'low' });
  });

  it('clears by itself on the next step, leaving the controller in Stopped', () => {
    const { t0, d } = fromMidFreeze((now, t0Ms) => ({ operator: { stop: now === t0Ms } }));
    expect(d.events).toContainEqual({ kind: 'cleared', atMs: t0 + 20, id: 'OPERATOR_STOP' });
    expect(d.state.phase).toBe('Stopped');
    expect(d.state.interlocks.OPERATOR_STOP.tripped).toBe(false);
  });

  it('stops the thaw as well', () => {
    const patient = new NormalPatient();
    const { at } = normalUntil(SETTINGS, inPhase('Thawing', 1_000), patient);
    const stopMs = at.lastMs + 20;
    const d = drive(patient.script((now) => ({ operator: { stop: now === stopMs } })), { settings: SETTINGS, state: at.state, durationMs: 500 });
    expectTrip(d, 'OPERATOR_STOP', 'Stopped');
  });

  it('does not trip when stop is pressed in Idle', () => {
    const d = drive((now) => nominalReadings(now, { operator: { stop: now === 1_000 } }), { durationMs: 2_000 });
    expect(trips(d.events)).toEqual([]);
    expect(d.state.phase).toBe('Idle');
  });

  it('refuses start while stop is held: nothing starts and no valve opens', () => {
    const patient = new NormalPatient();
    const d = drive(patient.script(() => ({ operator: { stop: true } })), { settings: SETTINGS, durationMs: 5_000 });
    expect(d.state.phase).toBe('Idle');
    expect(d.events).toContainEqual(expect.objectContaining({ kind: 'refused', input: 'start', reason: 'stop is held' }));
    expect(d.steps.some((r) => r.outputs.supplyValveOpen || r.outputs.safetyValveOpen)).toBe(false);
  });

  it('treats a start and a stop pressed in the same tick as a stop', () => {
    const d = drive((now) => nominalReadings(now, { operator: { start: now === 1_000, stop: now === 1_000 } }), { settings: SETTINGS, durationMs: 5_000 });
    expect(d.state.phase).toBe('Idle');
    expect(phaseEvents(d.events)).toEqual([]);
  });

  it('stops a treatment when stop is held down from mid-freeze, and keeps it stopped while held', () => {
    const { t0, d } = fromMidFreeze(() => ({ operator: { stop: true } }));
    const rec = expectTrip(d, 'OPERATOR_STOP', 'Stopped');
    expect(rec.nowMs).toBe(t0);
    expect(d.steps.filter((r) => r.nowMs > t0).every((r) => r.state.phase === 'Stopped' && !r.outputs.supplyValveOpen)).toBe(true);
  });
});

describe('EMERGENCY_STOP', () => {
  it('trips in the step the emergency stop is pressed: both valves closed, latched Fault', () => {
    const { t0, d } = fromMidFreeze(() => ({ operator: { estop: true } }));
    const rec = expectTrip(d, 'EMERGENCY_STOP', 'Fault');
    expect(rec.nowMs).toBe(t0);
    expect(tripDetail(d, 'EMERGENCY_STOP')).toBe('emergency stop pressed');
  });

  it('trips in Idle too', () => {
    const d = drive((now) => nominalReadings(now, { operator: { estop: now >= 1_000 } }), { durationMs: 2_000 });
    expectTrip(d, 'EMERGENCY_STOP', 'Fault');
  });

  it('does not trip on a normal treatment', () => {
    const d = drive(new NormalPatient().script(), { settings: SETTINGS, until: inPhase('Complete') });
    expect(trips(d.events)).toEqual([]);
  });
});

describe('FOOTSWITCH_RELEASED', () => {
  it('stops the freeze 200 ms after the footswitch is released when the dead-man is set', () => {
    const patient = new NormalPatient({ footswitch: true });
    const { t0, d } = fromMidFreeze(() => ({ operator: { footswitch: false } }), 1_000, DEADMAN, patient);
    const rec = expectTrip(d, 'FOOTSWITCH_RELEASED', 'Stopped');
    expect(rec.nowMs).toBe(t0 + 200);
  });

  it('does not trip on a release one step shorter than its debounce', () => {
    const patient = new NormalPatient({ footswitch: true });
    const { d } = fromMidFreeze((now, t0Ms) => ({ operator: { footswitch: now >= t0Ms + 200 } }), 2_000, DEADMAN, patient);
    expect(trips(d.events)).toEqual([]);
  });

  it('does not trip without the dead-man setting, footswitch up all along', () => {
    const d = drive(new NormalPatient({ footswitch: false }).script(), { settings: SETTINGS, until: inPhase('Complete') });
    expect(d.state.phase).toBe('Complete');
    expect(trips(d.events)).toEqual([]);
  });

  it('does not trip on a dead-man treatment with the footswitch held throughout', () => {
    const d = drive(new NormalPatient({ footswitch: true }).script(), { settings: DEADMAN_TWO_CYCLES, until: inPhase('Complete') });
    expect(d.state.phase).toBe('Complete');
    expect(trips(d.events)).toEqual([]);
  });

  it('does not trip on a release during the thaw', () => {
    const patient = new NormalPatient({ footswitch: true });
    const { at } = normalUntil(DEADMAN, inPhase('Thawing', 500), patient);
    const d = drive(patient.script(() => ({ operator: { footswitch: false } })), { settings: DEADMAN, state: at.state, durationMs: 5_000 });
    expect(trips(d.events)).toEqual([]);
  });

  // The next freeze after a thaw makes the same dead-man check as the first one from Ready: with
  // the footswitch up, no gas flows, not even for the 200 ms FOOTSWITCH_RELEASED needs to trip.
  it('does not open the gas path for the next freeze while the dead-man footswitch is up', () => {
    const patient = new NormalPatient({ footswitch: true });
    const { at } = normalUntil(DEADMAN_TWO_CYCLES, inPhase('Thawing', 500), patient);
    const d = drive(patient.script(() => ({ operator: { footswitch: false } })), { settings: DEADMAN_TWO_CYCLES, state: at.state, durationMs: 20_000 });
    expect(d.steps.some((r) => gasPathOpen(r.outputs))).toBe(false);
    // Held back by the footswitch itself, past the end of the thaw: not by a trip that ended the treatment.
    expect(d.lastMs - at.state.phaseSinceMs).toBeGreaterThan(DEADMAN_TWO_CYCLES.protocol.thawS * 1000);
    expect(trips(d.events)).toEqual([]);
  });
});

describe('PROBE_DISCONNECTED', () => {
  it('trips 100 ms after the probe goes missing, closing both valves in that step', () => {
    const { t0, d } = fromMidFreeze(() => ({ probePresent: false }));
    const rec = expectTrip(d, 'PROBE_DISCONNECTED', 'Fault');
    expect(rec.nowMs).toBe(t0 + 100);
    expect(tripDetail(d, 'PROBE_DISCONNECTED')).toBe('probe not present');
  });

  it('does not trip on a contact bounce one step shorter than its debounce', () => {
    const { d } = fromMidFreeze((now, t0Ms) => ({ probePresent: now >= t0Ms + 100 }));
    expect(trips(d.events)).toEqual([]);
  });

  it('does not trip in Idle, but blocks start before any valve opens', () => {
    const d = drive((now) => nominalReadings(now, { probePresent: false, operator: { start: now === 2_000 } }), { durationMs: 5_000 });
    const rec = expectTrip(d, 'PROBE_DISCONNECTED', 'Fault');
    expect(rec.nowMs).toBe(2_020);
    expect(d.steps.some((r) => anyValveOpen(r.outputs))).toBe(false);
  });
});
