// A recycling workspace (src/controller/workspace.ts Recycling): the step writes what a quiet tick
// changes into two objects of each kind used in turn, instead of new ones. It must give, tick by
// tick, exactly what the step with new objects gives, never write the state passed in (nor
// anything it holds), and refuse to step from one of its states that a later step overwrote.
import { describe, expect, it, vi } from 'vitest';

/** Set to make the next end-of-step invariant check throw (once); the real check otherwise. */
const inject = { invariantThrowsNext: false };
vi.mock('../src/controller/invariants.js', async (original) => {
  const real = await original<typeof import('../src/controller/invariants.js')>();
  return {
    ...real,
    assertStepInvariants: (...args: Parameters<typeof real.assertStepInvariants>) => {
      if (inject.invariantThrowsNext) {
        inject.invariantThrowsNext = false;
        throw new Error('invariant broken (injected)');
      }
      real.assertStepInvariants(...args);
    },
  };
});

import { parseFaultSpec } from '../hil/faults.js';
import { BioheatSnapshot, BioheatSolver, DEFAULT_SOLVER_OPTIONS, DEFAULT_TISSUE_PARAMS, gridForProbe } from '../kernel/bioheat/index.js';
import { calibrated } from '../src/controller/probe-calibration.js';
import { DEFAULT_SETTINGS, PRESETS, withProtocol } from '../src/controller/settings.js';
import type { PresetName, Settings } from '../src/controller/settings.js';
import type { ControllerState } from '../src/controller/state.js';
import { initialState, withChanges } from '../src/controller/state.js';
import { step } from '../src/controller/step.js';
import type { StepResult } from '../src/controller/step.js';
import { createStepWorkspace } from '../src/controller/workspace.js';
import type { StepFunction } from '../src/runtime/loop.js';
import { simulateTreatment } from '../src/sim/runner.js';
import { NormalPatient, nominalReadings } from './helpers/readings.js';

/** Everything a value holds, as text: a tissue snapshot by its node temperatures and sums (its
 * fields are private, so an equality of objects would not look at them). */
function digest(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof BioheatSnapshot) return { shape: v.shape, lastIterations: v.lastIterations, nodesC: Array.from({ length: v.nodeCount }, (_, i) => v.nodeTempC(i)) };
    if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
    return v;
  });
}

interface Case {
  readonly preset: PresetName;
  readonly seed: number;
  readonly faults: readonly string[];
  readonly stopAtS?: number;
}

// A freeze and its estimate through every phase; the rows whose memory a quiet tick changes (the
// stuck-sensor window, the return trend, late steps) and their trips; a stop mid-freeze.
const CASES: readonly Case[] = [
  { preset: 'percutaneous', seed: 3, faults: [] },
  { preset: 'standard', seed: 5, faults: ['return-blocked@20:5'], stopAtS: 60 },
  { preset: 'standard', seed: 6, faults: ['tc-stuck@25'], stopAtS: 80 },
  { preset: 'percutaneous', seed: 8, faults: ['loop-stall@15:0.2', 'return-pressure-lost@30:0.04'] },
  { preset: 'standard', seed: 9, faults: [], stopAtS: 40 },
];

/** Each tick's result digested, from a run whose loop recycles its states or not. */
function run(c: Case, recycleStates: boolean, check?: (prev: ControllerState, result: StepResult) => void): string[] {
  const settings: Settings = withProtocol(DEFAULT_SETTINGS, PRESETS[c.preset]);
  const ticks: string[] = [];
  const digesting: StepFunction = (nowMs, s, readings, prev, work) => {
    const result = step(nowMs, s, readings, prev, work);
    check?.(prev, result);
    ticks.push(digest(result));
    return result;
  };
  simulateTreatment({ settings, seed: c.seed, faults: c.faults.map(parseFaultSpec), stopAtS: c.stopAtS, step: digesting, recycleStates });
  return ticks;
}

describe('a recycling workspace', () => {
  it.each(CASES.map((c) => [`${c.preset} seed ${c.seed} ${c.faults.join(' ') || 'no fault'}${c.stopAtS === undefined ? '' : ` stop at ${c.stopAtS} s`}`, c] as const))(
    'gives, tick by tick, every field of what the step with new objects gives: %s',
    (_name, c) => {
      const fresh = run(c, false);
      const recycled = run(c, true);
      expect(fresh.length).toBeGreaterThan(1000);
      expect(recycled.length).toBe(fresh.length);
      for (let i = 0; i < fresh.length; i++) if (recycled[i] !== fresh[i]) expect({ tick: i, recycled: recycled[i] }).toEqual({ tick: i, recycled: fresh[i] });
    },
  );

  it('reuses its objects: a quiet tick returns one of two states, results, memory records and estimate tracks', () => {
    const states = new Set<object>();
    const results = new Set<object>();
    const memories = new Set<object>();
    const tracks = new Set<object>();
    const tissues = new Set<object>();
    let estimates = 0;
    run(CASES[0] ?? expect.unreachable(), true, (_prev, result) => {
      states.add(result.state);
      results.add(result);
      memories.add(result.state.memory);
      if (result.state.iceBallTrack !== null) {
        estimates++;
        tracks.add(result.state.iceBallTrack);
        tissues.add(result.state.iceBallTrack.tissue);
      }
    });
    expect(estimates).toBeGreaterThan(1000);
    expect(states.size).toBe(2);
    expect(results.size).toBe(2);
    // A few built new besides the pair: the power-up record, the freeze's start (a fresh model).
    expect(memories.size).toBeLessThanOrEqual(4);
    expect(tracks.size).toBeLessThanOrEqual(2 + 2 * PRESETS.percutaneous.cycles);
    expect(tissues.size).toBeLessThanOrEqual(2 + PRESETS.percutaneous.cycles);
  });

  it.each(CASES.map((c) => [`${c.preset} seed ${c.seed}`, c] as const))('never writes the state it is given, nor anything it holds: %s', (_name, c) => {
    let checked = 0;
    const settings: Settings = withProtocol(DEFAULT_SETTINGS, PRESETS[c.preset]);
    const checking: StepFunction = (nowMs, s, readings, prev, work) => {
      const before = digest(prev);
      const result = step(nowMs, s, readings, prev, work);
      if (digest(prev) !== before) expect({ nowMs, prev: digest(prev) }).toEqual({ nowMs, prev: before });
      expect(result.state).not.toBe(prev);
      checked++;
      return result;
    };
    simulateTreatment({ settings, seed: c.seed, faults: c.faults.map(parseFaultSpec), stopAtS: c.stopAtS ?? 45, step: checking, recycleStates: true });
    expect(checked).toBeGreaterThan(1000);
  });

  it('refuses to step from one of its states that a later step has overwritten', () => {
    const settings: Settings = withProtocol(DEFAULT_SETTINGS, PRESETS.standard);
    const kept: { nowMs: number; prev: ControllerState; readings: Parameters<StepFunction>[2] }[] = [];
    const keeping: StepFunction = (nowMs, s, readings, prev, work) => {
      kept.push({ nowMs, prev, readings });
      return step(nowMs, s, readings, prev, work);
    };
    const work = createStepWorkspace({ recycle: true });
    simulateTreatment({ settings, seed: 1, stopAtS: 5, step: keeping, recycleStates: false });
    const [a] = kept.slice(100, 101);
    if (a === undefined) expect.unreachable();
    // From a state of its caller's own, then from each state it returned last: fine.
    const first = step(a.nowMs, settings, a.readings, a.prev, work);
    const second = step(a.nowMs + 20, settings, a.readings, first.state, work);
    const third = step(a.nowMs + 40, settings, a.readings, second.state, work);
    expect(third.state).toBe(first.state);
    // From the one before the last (the step after next has passed): refused.
    expect(() => step(a.nowMs + 60, settings, a.readings, second.state, work)).toThrow(/an older state of a recycling workspace/);
    // What the last step returned stays valid over a step from a state from outside.
    const last = digest(third);
    step(a.nowMs, settings, a.readings, a.prev, work);
    expect(digest(third)).toBe(last);
  });
});

describe('a recycling workspace across what a loop meets', () => {
  it("survives a change of the probe's diameter between cycles: its snapshots of the old grid are replaced", () => {
    // The first freeze on a 0.4 mm probe's record, the next on a record stating none (1.27 mm):
    // the workspace's tissue snapshots are of the first grid (the review of the change: a loop
    // recycling its states threw on the second freeze's first update and latched safe).
    const settings = withProtocol(DEFAULT_SETTINGS, { cycles: 2, freezeS: 20, thawS: 10 });
    const run = (recycle: boolean): string[] => {
      const work = createStepWorkspace({ recycle });
      const patient = new NormalPatient();
      let state = initialState(0);
      let second = false;
      const ticks: string[] = [];
      for (let nowMs = 0; nowMs < 200_000 && state.phase !== 'Complete'; nowMs += 20) {
        second ||= state.phase === 'Thawing';
        const calibration = second ? calibrated('T', 0, 1) : calibrated('T', 0, 1, 0.4);
        const r = step(nowMs, settings, patient.readings(nowMs, state, { calibration }), state, work);
        ticks.push(digest(r));
        state = r.state;
      }
      expect(state.phase).toBe('Complete');
      expect(state.freezeVerdicts).toHaveLength(2);
      return ticks;
    };
    expect(run(true)).toEqual(run(false));
  });

  it('steps again from the state it was given after a step whose invariant check threw', () => {
    const work = createStepWorkspace({ recycle: true });
    let s = initialState(0);
    for (let i = 1; i <= 3; i++) s = step(i * 20, DEFAULT_SETTINGS, nominalReadings(i * 20), s, work).state;
    const before = digest(s);
    inject.invariantThrowsNext = true;
    expect(() => step(80, DEFAULT_SETTINGS, nominalReadings(80), s, work)).toThrow(/injected/);
    expect(digest(s)).toBe(before);
    expect(step(80, DEFAULT_SETTINGS, nominalReadings(80), s, work).state.tickCount).toBe(s.tickCount + 1);
  });

  it("refuses a copy of an older state: it holds that state's memory record, which a later step wrote", () => {
    const work = createStepWorkspace({ recycle: true });
    const patient = new NormalPatient();
    let older: ControllerState = initialState(0);
    let last: ControllerState = older;
    let nowMs = 0;
    for (; nowMs < 200_000; nowMs += 20) {
      older = last;
      last = step(nowMs, DEFAULT_SETTINGS, patient.readings(nowMs, last), last, work).state;
      if (last.phase === 'Freezing' && nowMs - last.phaseSinceMs > 3_000 && last.memory !== older.memory) break;
    }
    expect(last.phase).toBe('Freezing');
    const lastMemory = digest(last.memory);
    expect(() => step(nowMs + 20, DEFAULT_SETTINGS, patient.readings(nowMs + 20, older), withChanges(older, {}), work)).toThrow(/holds the objects of, an older state/);
    expect(digest(last.memory)).toBe(lastMemory);
    // A copy of the last state is fine: it holds what the last state holds.
    expect(() => step(nowMs + 20, DEFAULT_SETTINGS, patient.readings(nowMs + 20, last), withChanges(last, {}), work)).not.toThrow();
  });
});

describe('a recyclable tissue snapshot', () => {
  const grid = gridForProbe(1.27);

  it('is restored by copy once written again, though the solver restored it last', () => {
    const a = new BioheatSolver(DEFAULT_TISSUE_PARAMS, grid, DEFAULT_SOLVER_OPTIONS);
    const b = new BioheatSolver(DEFAULT_TISSUE_PARAMS, grid, DEFAULT_SOLVER_OPTIONS);
    a.stepFixedWall(10, -60);
    const snap = a.recyclableSnapshot();
    b.restore(snap);
    expect(b.nodeTempC(1)).toBe(snap.nodeTempC(1));
    // a moves on and writes the same snapshot again: b, which restored it last, must copy it anew.
    a.stepFixedWall(10, -60);
    a.snapshotInto(snap);
    expect(snap.version).toBe(1);
    b.restore(snap);
    expect(b.nodeTempC(1)).toBe(a.nodeTempC(1));
    expect(b.r20Mm()).toBe(a.r20Mm());
  });

  it('is the only kind written again', () => {
    const a = new BioheatSolver(DEFAULT_TISSUE_PARAMS, grid, DEFAULT_SOLVER_OPTIONS);
    const frozen = a.snapshot();
    expect(() => a.snapshotInto(frozen)).toThrow(/only a recyclable snapshot/);
    const other = new BioheatSolver(DEFAULT_TISSUE_PARAMS, gridForProbe(2), DEFAULT_SOLVER_OPTIONS).recyclableSnapshot();
    expect(() => a.snapshotInto(other)).toThrow(/same grid and tissue/);
  });
});
