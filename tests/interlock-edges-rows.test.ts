// Interlock rows at the edges of their phases and inputs: a glitch on the very sample the supply
// closes, the supply-only self-test window, a restart after a per-cycle trip, a footswitch trip
// that clears once the freeze has stopped, and the debounce limits when a settings object has
// bypassed the schema (the second line behind the schema's own check).
import { describe, expect, it } from 'vitest';
import { AssertionError } from '../kernel/assert.js';
import { DEFAULT_SETTINGS, parseSettings, withProtocol } from '../src/controller/settings.js';
import type { Settings } from '../src/controller/settings.js';
import type { ControllerState } from '../src/controller/state.js';
import type { ReadingOverrides } from './helpers/readings.js';
import {
  NormalPatient,
  RETURN_FLOWING_BAR,
  SHORT_PROTOCOL,
  drive,
  driveSteps,
  expectTrip,
  gasPathOpen,
  inPhase,
  normalUntil,
  tripDetail,
  trips,
} from './helpers/readings.js';

const SETTINGS = withProtocol(DEFAULT_SETTINGS, SHORT_PROTOCOL);
const FREEZE_MS = SHORT_PROTOCOL.freezeS * 1000;

const tripIds = (d: { events: Parameters<typeof trips>[0] }): string[] => trips(d.events).map((t) => t.id);

describe('one faulted sample on the tick the supply closes', () => {
  // The tip at the start of the verify window is unknown: the warming after the close cannot be
  // judged, and one bad sample is less than the thermocouple fault's debounce.
  function glitchAtClose(returnBarAbs: number | null) {
    const patient = new NormalPatient();
    const o = (_now: number, s: ControllerState): ReadingOverrides => {
      const closing = s.sub === 'freeze-open' && s.cycleFreezeMs >= FREEZE_MS - 20;
      const closed = s.sub === 'freeze-verify-closed' || s.phase === 'Thawing';
      return { ...(closing ? { fault: 'open' as const } : {}), ...(closing || closed ? { returnBarAbs } : {}) };
    };
    const d = drive(patient.script(o), { settings: SETTINGS, until: (r) => r.state.phase === 'Fault' || inPhase('Thawing', 500)(r) });
    const closing = d.steps.find((r) => r.state.sub === 'freeze-verify-closed');
    expect(closing?.state.tipAtSubStartC).toBeNull();
    return d;
  }

  it('leaves the warming unjudged on a board without a return transducer: no stuck-valve trip', () => {
    const d = glitchAtClose(null);
    expect(d.state.phase).toBe('Thawing');
    expect(tripIds(d)).toEqual([]);
  });

  it('leaves the warming unjudged with a fitted return line showing no flow: no stuck-sensor trip', () => {
    const d = glitchAtClose(1.013);
    expect(d.state.phase).toBe('Thawing');
    expect(tripIds(d)).toEqual([]);
  });
});

describe('VALVE_FAILURE in the self-test', () => {
  it('trips when the supply-only self-test window shows flow, before the gas path ever opens', () => {
    const patient = new NormalPatient();
    const d = drive(patient.script((_now, s) => (s.sub === 'selftest-supply-only' ? { returnBarAbs: RETURN_FLOWING_BAR } : {})), {
      settings: SETTINGS,
      durationMs: 3_000,
    });
    const rec = expectTrip(d, 'VALVE_FAILURE', 'Fault');
    expect(rec.state.cycle).toBe(0);
    expect(d.steps.some((r) => gasPathOpen(r.outputs))).toBe(false);
  });
});

describe('FREEZE_TIME_LIMIT after a per-cycle trip', () => {
  it('lets the site resume at its next cycle once acknowledged: the over-long cycle is not judged again', () => {
    const twoCycles = parseSettings({ protocol: { cycles: 2, freezeS: 30, thawS: 10 } });
    const patient = new NormalPatient({ startAtMs: 0 });
    const { at } = normalUntil(twoCycles, inPhase('Freezing', 10_000), patient);
    const crafted: ControllerState = { ...at.state, cycleFreezeMs: FREEZE_MS + twoCycles.freezeLimit.perCycleGraceMs - 10 };
    const tripped = driveSteps(patient.script(), 1, { settings: twoCycles, state: crafted });
    expectTrip(tripped, 'FREEZE_TIME_LIMIT', 'Fault');
    const later = drive(patient.script(), { settings: twoCycles, state: tripped.state, durationMs: 30_000 });
    const ackMs = later.lastMs + 20;
    const acked = driveSteps(patient.script((now) => ({ operator: { acknowledge: now === ackMs } })), 2, { settings: twoCycles, state: later.state });
    expect(acked.state.phase).toBe('Idle');
    const startMs = acked.lastMs + 20;
    const resumed = drive(patient.script((now) => ({ operator: { start: now === startMs } })), { settings: twoCycles, state: acked.state, until: inPhase('Freezing', 1_000) });
    expect(resumed.state.phase).toBe('Freezing');
    expect(resumed.state.cycle).toBe(2);
    expect(tripIds(resumed)).toEqual([]);
  });
});

describe('FOOTSWITCH_RELEASED once the freeze has stopped', () => {
  it('clears in the step after it trips, with the footswitch still up: the alarm is about the freeze, not the pedal', () => {
    const deadman = parseSettings({ protocol: SHORT_PROTOCOL, footswitch: { deadman: true } });
    const patient = new NormalPatient({ footswitch: true });
    const { at } = normalUntil(deadman, inPhase('Freezing', 10_000), patient);
    const d = drive(patient.script(() => ({ operator: { footswitch: false } })), { settings: deadman, state: at.state, durationMs: 1_000 });
    const rec = expectTrip(d, 'FOOTSWITCH_RELEASED', 'Stopped');
    expect(tripDetail(d, 'FOOTSWITCH_RELEASED')).toBe('footswitch up');
    expect(d.events).toContainEqual({ kind: 'cleared', atMs: rec.nowMs + 20, id: 'FOOTSWITCH_RELEASED' });
    expect(d.state.interlocks.FOOTSWITCH_RELEASED.tripped).toBe(false);
  });
});

describe('details of the operator rows', () => {
  it('names a stop press', () => {
    const patient = new NormalPatient();
    const { at } = normalUntil(SETTINGS, inPhase('Freezing', 10_000), patient);
    const d = driveSteps(patient.script(() => ({ operator: { stop: true } })), 1, { settings: SETTINGS, state: at.state });
    expect(tripDetail(d, 'OPERATOR_STOP')).toBe('stop pressed');
  });
});

describe('debounce limits behind the schema', () => {
  /** A settings object that never went through parseSettings (the schema would refuse it). */
  const forged = (debounceMs: Record<string, number>): Settings => ({ ...SETTINGS, debounceMs });

  it('throws, naming the row and its range, on a debounce above the row maximum: the runtime then closes the valves', () => {
    const patient = new NormalPatient();
    const { at } = normalUntil(SETTINGS, inPhase('Freezing', 10_000), patient);
    const settings = forged({ TIP_BELOW_PHYSICAL_FLOOR: 600 });
    const run = (): unknown => drive(patient.script(() => ({ tipC: -90 })), { settings, state: at.state, durationMs: 200 });
    expect(run).toThrow(AssertionError);
    expect(run).toThrow('TIP_BELOW_PHYSICAL_FLOOR: debounce 600 ms outside 0..500 ms');
  });

  it('accepts the row maximum itself', () => {
    const patient = new NormalPatient();
    const { at } = normalUntil(SETTINGS, inPhase('Freezing', 10_000), patient);
    const d = drive(patient.script(() => ({ tipC: -90 })), { settings: forged({ TIP_BELOW_PHYSICAL_FLOOR: 500 }), state: at.state, durationMs: 1_000 });
    expect(expectTrip(d, 'TIP_BELOW_PHYSICAL_FLOOR', 'Fault').nowMs).toBe(at.lastMs + 20 + 500);
  });

  it('lets a settings file turn a row\'s debounce off: 0 ms trips on the first bad sample', () => {
    const patient = new NormalPatient();
    const { at } = normalUntil(SETTINGS, inPhase('Freezing', 10_000), patient);
    const settings = parseSettings({ protocol: SHORT_PROTOCOL, debounceMs: { TIP_BELOW_PHYSICAL_FLOOR: 0 } });
    const d = drive(patient.script(() => ({ tipC: -90 })), { settings, state: at.state, durationMs: 200 });
    expect(expectTrip(d, 'TIP_BELOW_PHYSICAL_FLOOR', 'Fault')).toBe(d.steps[0]);
  });

  it('throws on a negative debounce', () => {
    const patient = new NormalPatient();
    const { at } = normalUntil(SETTINGS, inPhase('Freezing', 10_000), patient);
    const run = (): unknown => drive(patient.script(() => ({ tipC: -90 })), { settings: forged({ TIP_BELOW_PHYSICAL_FLOOR: -20 }), state: at.state, durationMs: 200 });
    expect(run).toThrow('TIP_BELOW_PHYSICAL_FLOOR: debounce -20 ms outside 0..500 ms');
  });

  it('ignores a debounce given to an edge row: a stop still acts in the tick it is pressed', () => {
    const patient = new NormalPatient();
    const { at } = normalUntil(SETTINGS, inPhase('Freezing', 10_000), patient);
    const d = driveSteps(patient.script(() => ({ operator: { stop: true } })), 1, { settings: forged({ OPERATOR_STOP: 500 }), state: at.state });
    expectTrip(d, 'OPERATOR_STOP', 'Stopped');
  });
});
