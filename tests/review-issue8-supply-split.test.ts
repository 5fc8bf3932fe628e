// Review of issue 8 (5485f37): a non-numeric supply reading now counts only for
// PRESSURE_SENSOR_FAULT, no longer for SUPPLY_PRESSURE_LOW/HIGH. A failing transducer whose
// readings alternate between non-numeric and out-of-window values then splits its bad samples
// between rows with different k-of-2k windows: each row sees fewer than its k, and nothing trips,
// although every sample but one in six is unusable or out of window. Before the change the
// over/under-pressure row counted both kinds (HIGH: +Infinity > 70; LOW: NaN was counted).
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, withProtocol } from '../src/controller/settings.js';
import type { ReadingOverrides } from './helpers/readings.js';
import { PERIOD_MS, SHORT_PROTOCOL, anyValveOpen, drive, inPhase, normalUntil, trips } from './helpers/readings.js';

const SETTINGS = withProtocol(DEFAULT_SETTINGS, SHORT_PROTOCOL);

/** From 10 s into the first freeze, the supply follows `pattern` (one value per 50 Hz tick, repeating) for 3 s. */
function midFreezeSupplyPattern(pattern: readonly number[]) {
  const { patient, at } = normalUntil(SETTINGS, inPhase('Freezing', 10_000));
  const t0 = at.lastMs + PERIOD_MS;
  const override = (nowMs: number): ReadingOverrides => {
    const i = Math.round((nowMs - t0) / PERIOD_MS) % pattern.length;
    return { supplyBarGauge: pattern[i] ?? 57 };
  };
  return drive(patient.script(override), { settings: SETTINGS, state: at.state, durationMs: 3_000 });
}

const repeat = (value: number, n: number): number[] => Array.from({ length: n }, () => value);

describe('review issue 8: non-numeric and out-of-window supply samples are judged apart', () => {
  it('over-pressure (80 bar) interleaved with +Infinity on 10 of every 12 samples closes the valves', () => {
    const d = midFreezeSupplyPattern([...repeat(Number.POSITIVE_INFINITY, 5), ...repeat(80, 5), 57, 57]);
    const ids = trips(d.events).map((t) => t.id);
    expect(ids.length, `trips seen: ${ids.join(', ') || 'none'}`).toBeGreaterThan(0);
    expect(anyValveOpen(d.state.outputs)).toBe(false);
  });

  it('under-pressure (30 bar) interleaved with NaN on 10 of every 12 samples closes the valves', () => {
    const d = midFreezeSupplyPattern([...repeat(Number.NaN, 5), ...repeat(30, 5), 57, 57]);
    const ids = trips(d.events).map((t) => t.id);
    expect(ids.length, `trips seen: ${ids.join(', ') || 'none'}`).toBeGreaterThan(0);
    expect(anyValveOpen(d.state.outputs)).toBe(false);
  });

  it('control: +Infinity alone mid-freeze trips PRESSURE_SENSOR_FAULT within its 100 ms debounce', () => {
    const d = midFreezeSupplyPattern([Number.POSITIVE_INFINITY]);
    const first = trips(d.events)[0];
    expect(first?.id).toBe('PRESSURE_SENSOR_FAULT');
    expect(trips(d.events).map((t) => t.id)).toEqual(['PRESSURE_SENSOR_FAULT']);
    expect(first !== undefined && first.atMs - d.steps[0]!.nowMs).toBeLessThanOrEqual(100);
  });

  it('control: NaN alone mid-freeze trips PRESSURE_SENSOR_FAULT within its 100 ms debounce, -Infinity too', () => {
    for (const v of [Number.NaN, Number.NEGATIVE_INFINITY]) {
      const d = midFreezeSupplyPattern([v]);
      const first = trips(d.events)[0];
      expect(trips(d.events).map((t) => t.id)).toEqual(['PRESSURE_SENSOR_FAULT']);
      expect(first !== undefined && first.atMs - d.steps[0]!.nowMs).toBeLessThanOrEqual(100);
      expect(anyValveOpen(d.state.outputs)).toBe(false);
    }
  });
});
