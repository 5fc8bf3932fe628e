// The interlock table as a whole: one row per id, none trips on a normal treatment, and every
// row is tripped by a scenario of its own (tests/helpers/trip-scenarios.ts, a record the compiler
// checks is complete) that is run here. Each row's hazard and condition are checked against
// docs/safety.md in tests/docs.test.ts.
import { describe, expect, it } from 'vitest';
import { INTERLOCKS, INTERLOCK_IDS } from '../src/controller/interlocks.js';
import { DEFAULT_SETTINGS, PRESETS, parseSettings, withProtocol } from '../src/controller/settings.js';
import { PHASES } from '../src/controller/types.js';
import { NormalPatient, anyValveOpen, drive, expectTrip, inPhase, trips } from './helpers/readings.js';
import { TRIP_SCENARIOS } from './helpers/trip-scenarios.js';

describe('interlock table', () => {
  it('has exactly one row for each interlock id', () => {
    expect(new Set(INTERLOCK_IDS).size).toBe(INTERLOCK_IDS.length);
    expect(INTERLOCKS.map((r) => r.id).sort()).toEqual([...INTERLOCK_IDS].sort());
  });

  it('arms every row in at least one phase, and only in phases that exist', () => {
    for (const row of INTERLOCKS) {
      expect(row.armedIn.length, row.id).toBeGreaterThan(0);
      for (const phase of row.armedIn) expect(PHASES).toContain(phase);
    }
  });

  it('gives every row its own operator hint', () => {
    const hints = INTERLOCKS.map((r) => r.hint.trim());
    expect(hints.filter((h) => h === '')).toEqual([]);
    expect(new Set(hints).size).toBe(INTERLOCKS.length);
  });

  it('latches every interlock except the operator stop, the footswitch release, the lost console, the unavailable records and the advisory', () => {
    const unlatched = INTERLOCKS.filter((r) => !r.latch).map((r) => r.id);
    expect(unlatched.sort()).toEqual(['CONSOLE_LOST', 'FOOTSWITCH_RELEASED', 'INEFFECTIVE_FREEZE', 'OPERATOR_STOP', 'RECORDS_UNAVAILABLE']);
    // An advisory never latches (it must never hold the console in Fault).
    expect(INTERLOCKS.filter((r) => r.advisory === true && r.latch)).toEqual([]);
  });

  it('has a trip scenario for every interlock id and for nothing else', () => {
    expect(Object.keys(TRIP_SCENARIOS).sort()).toEqual([...INTERLOCK_IDS].sort());
  });
});

describe('every interlock trips in its own scenario', () => {
  // An advisory row acts on nothing: tests/ice-ball-estimate.test.ts trips it and checks that.
  it.each(INTERLOCKS.filter((row) => row.advisory !== true).map((row) => [row.id, row] as const))('%s: trips, closes both valves in that step and keeps them closed', (id, row) => {
    const scenario = TRIP_SCENARIOS[id];
    const d = scenario.run();
    // Exactly one trip of this id, both valves commanded closed in its step, the phase the row's
    // latch calls for, and the row marked tripped in the state.
    const rec = expectTrip(d, id, row.latch ? 'Fault' : 'Stopped');
    expect(trips(d.events).map((t) => t.id).sort(), scenario.what).toEqual([id, ...scenario.alongside].sort());
    const event = trips(rec.events).find((t) => t.id === id);
    expect(event).toMatchObject({ priority: row.priority, latched: row.latch, hint: row.hint });
    const at = d.steps.indexOf(rec);
    const after = d.steps.slice(at);
    expect(after.filter((r) => anyValveOpen(r.outputs)), 'a valve opened again after the trip').toEqual([]);
    if (scenario.closesAnOpenValve) {
      expect(at, 'the scenario trips before any step ran with a valve open').toBeGreaterThan(0);
      expect(anyValveOpen(d.steps[at - 1]?.outputs ?? rec.outputs), 'no valve was open in the step before the trip').toBe(true);
    } else {
      expect(d.steps.filter((r) => anyValveOpen(r.outputs)), 'a valve opened although the fault blocks a start').toEqual([]);
    }
  });
});

describe('a normal treatment', () => {
  it('runs the standard preset to Complete without a single trip', () => {
    const d = drive(new NormalPatient().script(), { settings: DEFAULT_SETTINGS, until: inPhase('Complete') });
    expect(d.state.phase).toBe('Complete');
    expect(d.state.cycle).toBe(PRESETS.standard.cycles);
    expect(trips(d.events)).toEqual([]);
  });

  it('runs every preset to Complete without a trip, with the return line unmeasured', () => {
    for (const protocol of Object.values(PRESETS)) {
      const settings = withProtocol(DEFAULT_SETTINGS, protocol);
      const d = drive(new NormalPatient().script(() => ({ returnBarAbs: null })), { settings, until: inPhase('Complete') });
      expect(d.state.phase).toBe('Complete');
      expect(trips(d.events)).toEqual([]);
    }
  });

  it('runs a dead-man treatment with the footswitch held to Complete without a trip', () => {
    const settings = parseSettings({ protocol: PRESETS.percutaneous, footswitch: { deadman: true } });
    const d = drive(new NormalPatient({ footswitch: true }).script(), { settings, until: inPhase('Complete') });
    expect(d.state.phase).toBe('Complete');
    expect(trips(d.events)).toEqual([]);
  });
});
