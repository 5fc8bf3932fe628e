// The interlock pass's quiet test keeps its answer per status record (step.ts, statusesIdle): a
// record found idle is frozen with its statuses, so the answer kept cannot go stale, and a record
// in another order than the table's is judged by lookup with the same result.
import { describe, expect, it } from 'vitest';
import { parseFaultSpec } from '../hil/faults.js';
import { parseSettings } from '../src/controller/settings.js';
import type { Settings } from '../src/controller/settings.js';
import type { ControllerState, InterlockStatus } from '../src/controller/state.js';
import { step } from '../src/controller/step.js';
import { anyTripped, isAdvisory } from '../src/controller/interlocks.js';
import type { ControllerReadings } from '../src/controller/probe-calibration.js';
import type { StepFunction } from '../src/runtime/loop.js';
import { simulateTreatment } from '../src/sim/runner.js';
import type { InterlockId } from '../src/controller/types.js';

/** A freeze long enough to be judged effective: no row trips on a clean run. */
const EFFECTIVE: Settings = parseSettings({ protocol: { cycles: 1, freezeS: 90, thawS: 30 } });
/** A short freeze, judged ineffective: its advisory trips too. */
const SHORT: Settings = parseSettings({ protocol: { cycles: 1, freezeS: 15, thawS: 10 } });

interface Recorded {
  readonly nowMs: number;
  readonly readings: ControllerReadings;
  readonly prev: ControllerState;
}

function record(settings: Settings, seed: number, faults: readonly string[] = []): Recorded[] {
  const inputs: Recorded[] = [];
  const recording: StepFunction = (nowMs, stepSettings, readings, prev, work) => {
    inputs.push({ nowMs, readings, prev });
    return step(nowMs, stepSettings, readings, prev, work);
  };
  simulateTreatment({ settings, seed, faults: faults.map(parseFaultSpec), step: recording });
  return inputs;
}

const idle = (s: InterlockStatus): boolean => s.badTicks.length === 0 && !s.conditionNow && !s.tripped;

describe('the quiet test of the interlock pass', () => {
  it('freezes a status record it found idle, with its statuses and their windows, so the answer it keeps cannot go stale', () => {
    const inputs = record(EFFECTIVE, 3);
    let idleTicks = 0;
    const seen = new Set<object>();
    for (const { prev } of inputs) {
      if (!Object.values(prev.interlocks).every(idle)) continue;
      idleTicks++;
      // The record is shared from tick to tick while nothing changes: each is checked once.
      if (seen.has(prev.interlocks)) continue;
      seen.add(prev.interlocks);
      expect(Object.isFrozen(prev.interlocks)).toBe(true);
      for (const status of Object.values(prev.interlocks)) {
        expect(Object.isFrozen(status)).toBe(true);
        expect(Object.isFrozen(status.badTicks)).toBe(true);
      }
    }
    expect(idleTicks).toBeGreaterThan(1000);
    const quiet = inputs.find(({ prev }) => Object.values(prev.interlocks).every(idle)) ?? expect.unreachable();
    const statuses = quiet.prev.interlocks as Record<InterlockId, InterlockStatus>;
    expect(() => {
      statuses.TIP_BELOW_PHYSICAL_FLOOR = { ...statuses.TIP_BELOW_PHYSICAL_FLOOR, tripped: true };
    }).toThrow(TypeError);
  });

  it('judges a record in another order than the table by lookup, with the same result on every tick, quiet or not', () => {
    // A blocked return trips and clears; a thermocouple lost for good trips and latches; the short
    // freeze's advisory trips.
    const inputs = [...record(SHORT, 5, ['return-blocked@6:3']), ...record(SHORT, 2, ['tc-open@8'])];
    let judged = 0;
    for (const [i, { nowMs, readings, prev }] of inputs.entries()) {
      // Every tick whose step reports something, and every fourth of the others.
      if (i % 4 !== 0 && step(nowMs, SHORT, readings, prev).events.length === 0) continue;
      const reversed = Object.fromEntries(Object.entries(prev.interlocks).reverse()) as ControllerState['interlocks'];
      const inOrder = step(nowMs, SHORT, readings, prev);
      const outOfOrder = step(nowMs, SHORT, readings, { ...prev, interlocks: reversed });
      expect(outOfOrder.outputs).toBe(inOrder.outputs);
      expect(outOfOrder.events).toEqual(inOrder.events);
      expect(outOfOrder.state).toEqual(inOrder.state);
      if (inOrder.events.some((e) => e.kind === 'trip')) judged++;
    }
    expect(judged).toBeGreaterThanOrEqual(2);
  });

  it('keeps the no-acting-trip answer of valve commands per record, frozen, and answers as a plain walk on every tick, asked twice', () => {
    // Debouncing rows (a window not empty, no trip), trips that clear, a latched trip.
    const inputs = [...record(SHORT, 5, ['return-blocked@6:3']), ...record(SHORT, 2, ['tc-open@8'])];
    let debouncingUntripped = 0;
    let tripped = 0;
    // The set a step's workspace keeps (workspace.ts), here the caller's own.
    const known = new WeakSet();
    for (const { nowMs, readings, prev } of inputs) {
      const { state } = step(nowMs, SHORT, readings, prev);
      const statuses = Object.entries(state.interlocks);
      const plain = statuses.some(([id, st]) => st.tripped && !isAdvisory(id as InterlockId));
      expect(anyTripped(state, known)).toBe(plain);
      expect(anyTripped(state, known)).toBe(plain);
      expect(anyTripped(state)).toBe(plain);
      if (plain) tripped++;
      else {
        expect(Object.isFrozen(state.interlocks)).toBe(true);
        if (statuses.some(([, st]) => st.badTicks.length > 0)) debouncingUntripped++;
      }
    }
    expect(debouncingUntripped).toBeGreaterThan(0);
    expect(tripped).toBeGreaterThan(100);
  });
});
