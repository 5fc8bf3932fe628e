// The step's quiet path calls each row's check, and the trackers each stateful row's memory
// update, from a call site of its own (src/controller/interlocks.ts noConditionPresent and
// updateInterlockMemory): written out row by row, so a row left out of either would go unjudged
// on every quiet tick (the step takes its quiet pass when noConditionPresent says so). Each row is
// forced here, alone, through its own check or update: both must see it.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeContext } from '../src/controller/context.js';
import { INTERLOCK_IDS, INTERLOCK_TABLE, ROWS_FOR_STEP, initialInterlockMemory, noConditionPresent, updateInterlockMemory } from '../src/controller/interlocks.js';
import type { InterlockId, InterlockRow } from '../src/controller/interlocks.js';
import type { MemoryInput, RowMemory } from '../src/controller/interlock-memory/row-memory.js';
import { parseSettings } from '../src/controller/settings.js';
import type { Settings } from '../src/controller/settings.js';
import type { ControllerState } from '../src/controller/state.js';
import { step } from '../src/controller/step.js';
import type { ControllerReadings } from '../src/controller/probe-calibration.js';
import { createStepWorkspace } from '../src/controller/workspace.js';
import type { StepFunction } from '../src/runtime/loop.js';
import { simulateTreatment } from '../src/sim/runner.js';

const SETTINGS: Settings = parseSettings({ protocol: { cycles: 1, freezeS: 15, thawS: 10 } });

interface Recorded {
  readonly nowMs: number;
  readonly readings: ControllerReadings;
  readonly prev: ControllerState;
}

/** The inputs of the simulated treatment's steps, in order. */
function record(): Recorded[] {
  const inputs: Recorded[] = [];
  const recording: StepFunction = (nowMs, settings, readings, prev, work) => {
    inputs.push({ nowMs, readings, prev });
    return step(nowMs, settings, readings, prev, work);
  };
  simulateTreatment({ settings: SETTINGS, seed: 11, step: recording });
  return inputs;
}

const INPUTS = record();

/** No row's condition was present on the tick before, and every window is empty. */
const quiet = (s: ControllerState): boolean => INTERLOCK_IDS.every((id) => !s.interlocks[id].conditionNow && s.interlocks[id].badTicks.length === 0);

/** Two quiet ticks in a row in the freeze (gas flowing: the rows that judge a freeze are asked too). */
function quietTicks(): [Recorded, Recorded] {
  const at = INPUTS.findIndex((r, i) => r.prev.phase === 'Freezing' && r.prev.sub === 'freeze-open' && quiet(r.prev) && INPUTS[i + 1]?.prev.phase === 'Freezing');
  const a = INPUTS[at];
  const b = INPUTS[at + 1];
  if (a === undefined || b === undefined || !quiet(b.prev)) throw new Error('test: no two quiet ticks in the freeze of the recorded run');
  return [a, b];
}

const FORCED = 'forced by the test';

afterEach(() => {
  vi.restoreAllMocks();
});

describe("the step's quiet path asks every row", () => {
  it('finds the recorded quiet tick quiet: nothing changes in the statuses (the premise of the tests below)', () => {
    const [a, b] = quietTicks();
    const work = createStepWorkspace();
    const first = step(a.nowMs, SETTINGS, a.readings, a.prev, work);
    expect(first.state.interlocks).toBe(a.prev.interlocks);
    const second = step(b.nowMs, SETTINGS, b.readings, first.state, work);
    expect(second.state.interlocks).toBe(a.prev.interlocks);
  });

  it('asks no row more on a quiet tick: every check answers null, and so does noConditionPresent', () => {
    const [, b] = quietTicks();
    const ctx = makeContext(b.nowMs, SETTINGS, b.readings, b.prev, createStepWorkspace());
    for (const id of INTERLOCK_IDS) expect(INTERLOCK_TABLE[id].check(ctx)).toBeNull();
    expect(noConditionPresent(ctx)).toBe(true);
  });

  it.each(INTERLOCK_IDS.map((id) => [id]))('sees %s when its check alone reports its condition on a quiet tick', (id: InterlockId) => {
    const [, b] = quietTicks();
    const ctx = makeContext(b.nowMs, SETTINGS, b.readings, b.prev, createStepWorkspace());
    // The table is frozen: the row is forced in a copy of it, passed as the table to ask.
    const check = vi.fn<InterlockRow['check']>().mockReturnValue(FORCED);
    const forced = { ...INTERLOCK_TABLE, [id]: { ...INTERLOCK_TABLE[id], check } } as typeof INTERLOCK_TABLE;
    expect(noConditionPresent(ctx, forced)).toBe(false);
    expect(check).toHaveBeenCalledWith(ctx);
  });

  it('trips EMERGENCY_STOP on a quiet tick after a write to its row in the exported table (the table is frozen)', () => {
    // The quiet pass reads the checks through INTERLOCK_TABLE, the judging pass through
    // ROWS_FOR_STEP's copy made at load: a row written after load would be judged quiet by the one
    // and never reach the other (shown before the freeze: no trip, the step stayed in its phase).
    const [, b] = quietTicks();
    const row = INTERLOCK_TABLE.EMERGENCY_STOP as { check: InterlockRow['check'] };
    const original = row.check;
    let written = false;
    try {
      try {
        row.check = () => null;
        written = true;
      } catch (e) {
        expect(e).toBeInstanceOf(TypeError);
      }
      expect(written).toBe(false);
      const readings: ControllerReadings = { ...b.readings, operator: { ...b.readings.operator, estop: true } };
      const result = step(b.nowMs, SETTINGS, readings, b.prev, createStepWorkspace());
      expect(result.events.flatMap((e) => (e.kind === 'trip' ? [e.id] : []))).toContain('EMERGENCY_STOP');
      expect(result.outputs.supplyValveOpen).toBe(false);
    } finally {
      if (written) row.check = original;
    }
  });

  it('asks the same check functions on the quiet pass as the judging pass, in table order', () => {
    expect(ROWS_FOR_STEP.map((r) => r.id)).toEqual(INTERLOCK_IDS);
    for (const r of ROWS_FOR_STEP) expect(r.check).toBe(INTERLOCK_TABLE[r.id].check);
  });
});

/** The ids of the rows with a memory, in table order. */
const STATEFUL_IDS = INTERLOCK_IDS.filter((id) => (INTERLOCK_TABLE[id] as { memory?: unknown }).memory !== undefined);

/** A value of a memory's type, not identical to `was`. */
function otherThan(was: unknown): unknown {
  if (Array.isArray(was)) return [...(was as unknown[])];
  if (was !== null && typeof was === 'object') return { ...was };
  return { sentinel: true };
}

describe('the memory update asks every stateful row', () => {
  it('has the rows the table gives a memory, and the record holds exactly them', () => {
    expect(STATEFUL_IDS.length).toBeGreaterThan(0);
    expect(Object.keys(initialInterlockMemory())).toEqual(STATEFUL_IDS);
  });

  it('returns the record itself when no row changes its memory', () => {
    const [a] = quietTicks();
    const input: MemoryInput = { nowMs: a.nowMs, settings: SETTINGS, readings: a.readings, prev: a.prev, gapMs: 20, tip: null, finiteReturnLine: a.readings.returnLine, flow: false, thawEndC: 0, recycle: null };
    expect(updateInterlockMemory(input)).toBe(a.prev.memory);
  });

  it.each(STATEFUL_IDS.map((id) => [id]))("keeps %s's memory when its update alone changes it", (id) => {
    const [a] = quietTicks();
    const memory = (INTERLOCK_TABLE[id] as { memory: RowMemory<unknown> }).memory;
    const was: unknown = (a.prev.memory as Readonly<Record<string, unknown>>)[id];
    const changed = otherThan(was);
    const update = vi.spyOn(memory, 'update').mockReturnValue(changed);
    const input: MemoryInput = { nowMs: a.nowMs, settings: SETTINGS, readings: a.readings, prev: a.prev, gapMs: 20, tip: null, finiteReturnLine: a.readings.returnLine, flow: false, thawEndC: 0, recycle: null };
    const next = updateInterlockMemory(input) as Readonly<Record<string, unknown>>;
    expect(update).toHaveBeenCalledWith(input, was);
    expect(next).not.toBe(a.prev.memory);
    expect(next[id]).toBe(changed);
    for (const other of STATEFUL_IDS) if (other !== id) expect(next[other]).toBe((a.prev.memory as Readonly<Record<string, unknown>>)[other]);
    expect(Object.keys(next)).toEqual(STATEFUL_IDS);
  });
});
