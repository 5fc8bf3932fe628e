// What the control step does with a trip and an acknowledge: which phase a trip ends in when a
// latched and an unlatched row trip together, that an acknowledge during a treatment only silences,
// and which trips an acknowledge in Fault clears. Also the step's refusal of a non-finite time.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, withProtocol } from '../src/controller/settings.js';
import { initialState } from '../src/controller/state.js';
import { step } from '../src/controller/step.js';
import type { ControllerEvent } from '../src/controller/types.js';
import type { ReadingOverrides } from './helpers/readings.js';
import { NormalPatient, SHORT_PROTOCOL, drive, gasPathOpen, inPhase, nominalReadings, normalUntil, phaseEvents, trips } from './helpers/readings.js';

const SETTINGS = withProtocol(DEFAULT_SETTINGS, SHORT_PROTOCOL);

/** From 10 s into the first freeze, apply `o(nowMs, t0)` on every step for `durationMs`. */
function fromMidFreeze(o: (nowMs: number, t0: number) => ReadingOverrides, durationMs = 1_000) {
  const patient = new NormalPatient();
  const { at } = normalUntil(SETTINGS, inPhase('Freezing', 10_000), patient);
  expect(gasPathOpen(at.state.outputs)).toBe(true);
  const t0 = at.lastMs + 20;
  return { t0, d: drive(patient.script((nowMs) => o(nowMs, t0)), { settings: SETTINGS, state: at.state, durationMs }) };
}

const cleared = (events: readonly ControllerEvent[]) => events.filter((e) => e.kind === 'cleared');

describe('a trip ends the treatment', () => {
  it('goes to Fault when stop and the emergency stop are pressed in the same step (the latched trip decides)', () => {
    const { t0, d } = fromMidFreeze((now, t0) => ({ operator: { stop: now === t0, estop: now >= t0 } }), 200);
    const first = d.steps[0];
    expect(first?.nowMs).toBe(t0);
    expect(trips(first?.events ?? []).map((t) => t.id).sort()).toEqual(['EMERGENCY_STOP', 'OPERATOR_STOP']);
    expect(first?.state.phase).toBe('Fault');
    expect(first?.outputs.supplyValveOpen).toBe(false);
    expect(first?.outputs.safetyValveOpen).toBe(false);
  });
});

describe('acknowledge', () => {
  it('during a freeze only silences: the freeze goes on with the gas path open', () => {
    const { t0, d } = fromMidFreeze((now, t0) => ({ operator: { acknowledge: now === t0 } }), 200);
    expect(d.events.filter((e) => e.kind === 'acknowledge')).toEqual([{ kind: 'acknowledge', atMs: t0, silenced: [] }]);
    expect(phaseEvents(d.events)).toEqual([]);
    expect(d.steps.every((r) => r.state.phase === 'Freezing' && gasPathOpen(r.outputs))).toBe(true);
  });

  it('in Fault clears the latched trip whose condition is gone, and only that one', () => {
    const { t0, d } = fromMidFreeze((now, t0) => ({ operator: { estop: now < t0 + 200, acknowledge: now === t0 + 400 } }), 600);
    expect(d.steps.find((r) => r.nowMs === t0 + 380)?.state.phase).toBe('Fault');
    const ack = d.steps.find((r) => r.nowMs === t0 + 400);
    expect(cleared(ack?.events ?? [])).toEqual([{ kind: 'cleared', atMs: t0 + 400, id: 'EMERGENCY_STOP' }]);
    expect(ack?.state.phase).toBe('Idle');
    expect(cleared(d.events)).toHaveLength(1);
  });

  it('in Fault is refused while two tripped conditions persist, naming both', () => {
    // The emergency stop held in, and the back-end reporting its device lost: both latched, both present.
    const { t0, d } = fromMidFreeze((now, t0) => ({ operator: { estop: true, acknowledge: now === t0 + 400 }, halFault: 'sim: device lost' }), 600);
    const ack = d.steps.find((r) => r.nowMs === t0 + 400);
    const refused = ack?.events.filter((e) => e.kind === 'refused') ?? [];
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ input: 'acknowledge' });
    expect(refused[0]?.kind === 'refused' ? refused[0].reason : '').toBe('condition still present: EMERGENCY_STOP (emergency stop pressed), HAL_FAULT (sim: device lost)');
    expect(ack?.state.phase).toBe('Fault');
  });

  it('in Fault is not refused by a condition that is present but never tripped (the probe unplugged after the fault)', () => {
    // PROBE_DISCONNECTED is armed only during a treatment: in Fault its condition holds without a trip.
    const { t0, d } = fromMidFreeze(
      (now, t0) => ({ operator: { estop: now < t0 + 200, acknowledge: now === t0 + 400 }, probePresent: now < t0 + 300 }),
      600,
    );
    const ack = d.steps.find((r) => r.nowMs === t0 + 400);
    expect(ack?.state.interlocks.PROBE_DISCONNECTED.conditionNow).toBe(true);
    expect(ack?.events.filter((e) => e.kind === 'refused')).toEqual([]);
    expect(ack?.state.phase).toBe('Idle');
  });
});

describe('asking for an acknowledge first', () => {
  it('is only for Fault: start and new site pressed in Idle are not refused for a fault', () => {
    const d = drive((nowMs) => nominalReadings(nowMs, { operator: { newSite: nowMs === 100, start: nowMs === 200 } }), { settings: SETTINGS, durationMs: 300 });
    expect(d.events.filter((e) => e.kind === 'refused' && e.reason === 'acknowledge the fault first')).toEqual([]);
    expect(d.state.phase).toBe('SelfTest');
  });
});

describe('time', () => {
  it.each([Number.NaN, Number.POSITIVE_INFINITY])('refuses a step at %d ms, naming the time', (nowMs) => {
    const state = initialState(0);
    expect(() => step(nowMs, SETTINGS, nominalReadings(0), state)).toThrow(new RangeError(`control step: time ${nowMs} ms is not a finite number`));
  });
});
