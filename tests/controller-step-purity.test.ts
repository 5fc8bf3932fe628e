// The step is pure (docs/architecture.md): the state it is given is never changed, however the
// tick goes (quiet ticks, trips, clears, acknowledge, audio pause, new site), and a quiet tick
// shares with that state everything that did not change (the hot path builds one new state object;
// bench/sim.ts measures the bytes a quiet tick allocates).
import { describe, expect, it } from 'vitest';
import { parseFaultSpec } from '../hil/faults.js';
import { parseSettings } from '../src/controller/settings.js';
import type { Settings } from '../src/controller/settings.js';
import type { ControllerState } from '../src/controller/state.js';
import { step } from '../src/controller/step.js';
import type { StepFunction } from '../src/runtime/loop.js';
import { simulateTreatment } from '../src/sim/runner.js';
import type { ControllerReadings } from '../src/controller/probe-calibration.js';
import { drive, nominalReadings } from './helpers/readings.js';

const SETTINGS: Settings = parseSettings({ protocol: { cycles: 1, freezeS: 15, thawS: 10 } });

/** Freezes `value` and everything it reaches: a write anywhere in it then throws (ES modules run
 * in strict mode). */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

/** Every this many ticks the state is also compared with a copy taken before the step (a write
 * to a frozen object already throws on every tick; the copy is the slow part). */
const COMPARE_EVERY_TICKS = 25;

/** The step over a deep-frozen state and readings, checking the state reads the same after. */
function frozenInputStep(counter: { ticks: number }): StepFunction {
  return (nowMs, settings, readings, prev) => {
    deepFreeze(prev);
    deepFreeze(readings);
    const before = counter.ticks % COMPARE_EVERY_TICKS === 0 ? structuredClone(prev) : null;
    const result = step(nowMs, settings, readings, prev);
    if (before !== null) expect(prev).toEqual(before);
    expect(result.state).not.toBe(prev);
    counter.ticks++;
    return result;
  };
}

describe('the control step never changes the state it is given', () => {
  it('over whole simulated treatments, quiet and with trips, each input state deep-frozen', () => {
    const counter = { ticks: 0 };
    const runs = [
      simulateTreatment({ settings: SETTINGS, seed: 3, step: frozenInputStep(counter) }),
      simulateTreatment({ settings: SETTINGS, seed: 4, faults: [parseFaultSpec('tc-open@12')], step: frozenInputStep(counter) }),
      simulateTreatment({ settings: SETTINGS, seed: 5, faults: [parseFaultSpec('return-blocked@6:3')], step: frozenInputStep(counter) }),
      simulateTreatment({ settings: SETTINGS, seed: 6, stopAtS: 10, step: frozenInputStep(counter) }),
    ];
    expect(runs.map((r) => r.outcome)).toEqual(['complete', 'fault', 'fault', 'stopped']);
    expect(counter.ticks).toBeGreaterThan(1000);
  });

  it('through acknowledge, audio pause and new site, each input state deep-frozen', () => {
    const counter = { ticks: 0 };
    const frozen = frozenInputStep(counter);
    // Start, an emergency stop (a trip to Fault), released, audio pause, acknowledge, new site.
    const press = (nowMs: number): ControllerReadings =>
      nominalReadings(nowMs, {
        operator: {
          start: nowMs === 20,
          estop: nowMs >= 2_000 && nowMs < 3_000,
          audioPause: nowMs === 2_500,
          acknowledge: nowMs === 4_000,
          newSite: nowMs === 5_000,
        },
      });
    const d = drive((nowMs) => press(nowMs), { settings: SETTINGS, durationMs: 6_000 });
    // Replay the same inputs through the frozen step: the same states result.
    let prev = d.steps[0]?.state;
    for (const rec of d.steps.slice(1)) {
      if (prev === undefined) break;
      const result = frozen(rec.nowMs, SETTINGS, rec.readings, prev);
      expect(result.state).toEqual(rec.state);
      prev = result.state;
    }
    expect(d.events.map((e) => e.kind)).toEqual(expect.arrayContaining(['trip', 'audio-pause', 'acknowledge', 'cleared']));
    expect(counter.ticks).toBe(d.steps.length - 1);
  });
});

describe('a quiet tick', () => {
  /** Two consecutive quiet ticks of a steady freeze, recorded from a seeded simulation. */
  function steadyFreeze(): { nowMs: number; readings: ControllerReadings; prev: ControllerState }[] {
    const ticks: { nowMs: number; readings: ControllerReadings; prev: ControllerState }[] = [];
    const recording: StepFunction = (nowMs, settings, readings, prev) => {
      if (nowMs >= 10_000 && nowMs < 10_060) ticks.push({ nowMs, readings, prev });
      return step(nowMs, settings, readings, prev);
    };
    simulateTreatment({ settings: SETTINGS, seed: 1, step: recording });
    return ticks;
  }

  it('shares every part of the state that did not change, and its events are one shared empty list', () => {
    const ticks = steadyFreeze();
    expect(ticks.length).toBe(3);
    for (const { nowMs, readings, prev } of ticks) {
      expect(prev.phase).toBe('Freezing');
      const { state, events } = step(nowMs, SETTINGS, readings, prev);
      expect(events).toEqual([]);
      expect(Object.isFrozen(events)).toBe(true);
      expect(state.interlocks).toBe(prev.interlocks);
      expect(state.alarms).toBe(prev.alarms);
      expect(state.inputs).toBe(prev.inputs);
      expect(state.tipDistrust).toBe(prev.tipDistrust);
      expect(state.tickCount).toBe(prev.tickCount + 1);
    }
  });

  it('returns shared frozen outputs: the same object for the same outputs two ticks apart', () => {
    const [a, , c] = steadyFreeze();
    if (a === undefined || c === undefined) throw new Error('no steady freeze recorded');
    const first = step(a.nowMs, SETTINGS, a.readings, a.prev).outputs;
    const third = step(c.nowMs, SETTINGS, c.readings, c.prev).outputs;
    // The heartbeat toggles each tick: two ticks apart the outputs are the same.
    expect(third).toEqual(first);
    expect(third).toBe(first);
    expect(Object.isFrozen(first) && Object.isFrozen(first.lamps)).toBe(true);
  });
});
