// The step's workspace (src/controller/workspace.ts): the caller's scratch objects, reused from
// tick to tick. The step with one must give exactly what the step without one gives, whatever
// the workspace held before (it is scratch, not state), return nothing that refers to it, and
// refuse a second step on a workspace already in use.
import { describe, expect, it } from 'vitest';
import { parseFaultSpec } from '../hil/faults.js';
import { parseSettings } from '../src/controller/settings.js';
import type { Settings } from '../src/controller/settings.js';
import type { ControllerState } from '../src/controller/state.js';
import { step } from '../src/controller/step.js';
import type { ControllerReadings } from '../src/controller/probe-calibration.js';
import { createStepWorkspace } from '../src/controller/workspace.js';
import type { StepWorkspace } from '../src/controller/workspace.js';
import { initialState } from '../src/controller/state.js';
import type { StepFunction } from '../src/runtime/loop.js';
import { simulateTreatment } from '../src/sim/runner.js';

const SETTINGS: Settings = parseSettings({ protocol: { cycles: 2, freezeS: 15, thawS: 10 } });

interface Recorded {
  readonly nowMs: number;
  readonly readings: ControllerReadings;
  readonly prev: ControllerState;
}

/** Every step's inputs of a simulated treatment the loop ran with its own workspace. */
function record(seed: number, faults: readonly string[] = []): Recorded[] {
  const inputs: Recorded[] = [];
  const recording: StepFunction = (nowMs, settings, readings, prev, work) => {
    if (work === undefined) throw new Error('the loop stepped without its workspace');
    inputs.push({ nowMs, readings, prev });
    return step(nowMs, settings, readings, prev, work);
  };
  simulateTreatment({ settings: SETTINGS, seed, faults: faults.map(parseFaultSpec), step: recording });
  return inputs;
}

describe('the step with a workspace', () => {
  it('gives the same outputs, state and events as without one, in order and replayed out of order on one workspace', () => {
    const inputs = [...record(3), ...record(5, ['return-blocked@6:3'])];
    expect(inputs.length).toBeGreaterThan(1000);
    const work = createStepWorkspace();
    // In order, then shuffled deterministically (every 7th of a stride): the workspace's content
    // left by any other tick must not matter.
    const order = inputs.map((_, i) => i);
    const shuffled = order.map((i) => (i * 7919) % inputs.length);
    expect(new Set(shuffled).size).toBe(inputs.length);
    for (const i of [...order, ...shuffled]) {
      const { nowMs, readings, prev } = inputs[i] ?? expect.unreachable();
      const alone = step(nowMs, SETTINGS, readings, prev);
      const shared = step(nowMs, SETTINGS, readings, prev, work);
      expect(shared).toEqual(alone);
    }
  });

  it('returns nothing that refers to the workspace: its events are a copy, its state a new object', () => {
    const inputs = record(5, ['return-blocked@6:3']);
    const work = createStepWorkspace();
    let withEvents = 0;
    for (const { nowMs, readings, prev } of inputs) {
      const result = step(nowMs, SETTINGS, readings, prev, work);
      expect(result.state).not.toBe(work.tracked);
      expect(result.state).not.toBe(prev);
      expect(result.events).not.toBe(work.events);
      expect(work.events).toHaveLength(0);
      if (result.events.length > 0) withEvents++;
    }
    // The run had events to copy (start, phases, the trip): the copy was exercised.
    expect(withEvents).toBeGreaterThan(3);
  });

  it('writes every field of its scratch state on every tick: nothing of what the scratch held before reaches the result', () => {
    // updateTrackers rewrites the workspace's scratch state field by field, and no type check
    // covers that list: a field left out would carry the value of an earlier tick into the state
    // returned. Here the scratch holds a mark in every field before each step: any field not
    // written shows as the mark in the result (or makes the step throw on it).
    const MARK = Object.freeze({ mark: 'scratch left from an earlier tick' });
    const keys = Object.keys(initialState(0));
    const inputs = record(5, ['return-blocked@6:3']);
    const work = createStepWorkspace();
    let checked = 0;
    for (let i = 0; i < inputs.length; i += 7) {
      const { nowMs, readings, prev } = inputs[i] ?? expect.unreachable();
      work.tracked = Object.fromEntries(keys.map((k) => [k, MARK])) as unknown as NonNullable<StepWorkspace['tracked']>;
      const shared = step(nowMs, SETTINGS, readings, prev, work);
      for (const k of keys) expect((shared.state as unknown as Record<string, unknown>)[k], k).not.toBe(MARK);
      expect(shared).toEqual(step(nowMs, SETTINGS, readings, prev));
      checked++;
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('a step that threw leaves no event behind for the next', () => {
    const [first, second] = record(3);
    if (first === undefined || second === undefined) throw new Error('no steps recorded');
    const work = createStepWorkspace();
    work.events.push({ kind: 'input', atMs: 0, input: 'start' });
    expect(() => step(Number.NaN, SETTINGS, first.readings, first.prev, work)).toThrow(/time NaN/);
    const result = step(second.nowMs, SETTINGS, second.readings, second.prev, work);
    expect(result).toEqual(step(second.nowMs, SETTINGS, second.readings, second.prev));
    expect(work.busy).toBe(false);
  });

  it('refuses a second step on a workspace already in use, and frees it after', () => {
    const [first] = record(3);
    if (first === undefined) throw new Error('no steps recorded');
    const work = createStepWorkspace();
    work.busy = true;
    expect(() => step(first.nowMs, SETTINGS, first.readings, first.prev, work)).toThrow(/workspace is already in use/);
    work.busy = false;
    step(first.nowMs, SETTINGS, first.readings, first.prev, work);
    expect(work.busy).toBe(false);
  });
});
