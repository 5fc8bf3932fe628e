// The fuzzer's thermocouple lag (Scenario.tcLagMs, draw.ts drawTcLag): in some runs the reading
// lags the true tip by up to 30 s (a junction come loose from the tip wall, a thick sheath), where
// every run before drew the sim's sound 250 ms junction. A lagging reading hid withdraw-while-frozen
// and refreeze-before-thaw defects that deterministic sweeps found later (docs/safety.md).
import { describe, expect, it } from 'vitest';
import { describeIssues } from '../kernel/config-error.js';
import { DEFAULT_SENSOR_PARAMS } from '../hil/sim/index.js';
import { step } from '../src/controller/step.js';
import { TREATING_PHASES } from '../src/controller/types.js';
import type { StepFunction } from '../src/runtime/loop.js';
import { TC_LAG_DRAW_MAX_MS, drawScenario, maxMsFor } from '../src/sim/fuzz/draw.js';
import { runScenario } from '../src/sim/fuzz/run.js';
import type { Scenario } from '../src/sim/fuzz/scenario.js';
import { ScenarioSchema, TC_LAG_MAX_MS, TC_LAG_MIN_MS } from '../src/sim/fuzz/scenario.js';

const SEEDS = Array.from({ length: 400 }, (_, i) => i + 1);

/** A freeze the operator stops `stopMs` into the run (the freeze opens about 1.7 s after start). */
function stoppedEarly(stopMs: number, tcLagMs?: number): Scenario {
  const base = {
    seed: 0,
    noiseSeed: 1,
    settings: { protocol: { cycles: 1, freezeS: 60, thawS: 10 } },
    plant: {},
    operator: [{ atMs: 0, action: 'start' as const }, { atMs: stopMs, action: 'stop' as const }],
    faults: [],
    ...(tcLagMs === undefined ? {} : { tcLagMs }),
  };
  return { ...base, maxMs: maxMsFor(base) };
}

/**
 * The controller with SAFE TO WITHDRAW as it stood before a lagging reading was accounted for: the
 * control reading above the withdrawal threshold (0 C plus the default 2 C margin) for the dwell,
 * the dwell also counted from the last gas flow, outside a freeze and its thaw; nothing about a
 * reading still falling.
 */
function trustsTheReading(): StepFunction {
  let warmSinceMs: number | null = null;
  return (nowMs, settings, readings, prev, work) => {
    const r = step(nowMs, settings, readings, prev, work);
    const tipC = readings.tips[0]?.tipC ?? Number.NEGATIVE_INFINITY;
    warmSinceMs = tipC > settings.thaw.withdrawMarginC ? (warmSinceMs ?? nowMs) : null;
    const dwellMs = settings.thaw.withdrawDwellMs;
    const gasLastMs = r.state.gasLastFlowedMs;
    const safe = !TREATING_PHASES.includes(r.state.phase) && warmSinceMs !== null && nowMs - warmSinceMs >= dwellMs && (gasLastMs === null || nowMs - gasLastMs >= dwellMs);
    return safe === r.state.safeToWithdraw ? r : { ...r, state: { ...r.state, safeToWithdraw: safe } };
  };
}

describe('drawing a thermocouple lag', () => {
  const drawn = SEEDS.map((seed) => drawScenario(seed));
  const lags = drawn.flatMap((s) => (s.tcLagMs === undefined ? [] : [s.tcLagMs]));

  it('draws one in about a quarter of the runs, the same for the same seed', () => {
    expect(lags.length).toBeGreaterThan(SEEDS.length * 0.15);
    expect(lags.length).toBeLessThan(SEEDS.length * 0.35);
    expect(drawScenario(42)).toEqual(drawScenario(42));
  });

  it('draws from a sound junction up to 30 s, long lags among them', () => {
    expect(Math.min(...lags)).toBeGreaterThanOrEqual(DEFAULT_SENSOR_PARAMS.tcLagMs);
    expect(Math.max(...lags)).toBeLessThanOrEqual(TC_LAG_DRAW_MAX_MS);
    expect(lags.some((l) => l >= 5_000)).toBe(true);
    expect(lags.some((l) => l < 2_000)).toBe(true);
  });

  it('gives a lagging run the time its reading takes to settle before the hang check', () => {
    expect(maxMsFor(stoppedEarly(6_000, 30_000)) - maxMsFor(stoppedEarly(6_000))).toBeGreaterThanOrEqual(5 * (30_000 - DEFAULT_SENSOR_PARAMS.tcLagMs));
  });
});

describe('a scenario file with a thermocouple lag', () => {
  it('is checked against its bounds, the error naming the field', () => {
    const base = stoppedEarly(6_000);
    expect(ScenarioSchema.safeParse({ ...base, tcLagMs: 8_000 }).success).toBe(true);
    for (const tcLagMs of [TC_LAG_MIN_MS - 1, TC_LAG_MAX_MS + 1, Number.NaN, '8000']) {
      const parsed = ScenarioSchema.safeParse({ ...base, tcLagMs });
      expect(parsed.success, String(tcLagMs)).toBe(false);
      if (!parsed.success) expect(describeIssues('scenario', parsed.error, { ...base, tcLagMs })).toMatch(/tcLagMs/);
    }
  });
});

describe("a run's thermocouple lag", () => {
  it('reaches the simulated reading: a controller that trusts a warm reading is caught declaring SAFE TO WITHDRAW on a frozen tip', () => {
    const result = runScenario(stoppedEarly(6_000, 8_000), { step: trustsTheReading() });
    expect(result.violation?.invariant).toBe('withdraw-while-frozen');
  });

  it('which a sound junction, as every run drew before, never shows', () => {
    const result = runScenario(stoppedEarly(6_000), { step: trustsTheReading() });
    expect(result.violation).toBeNull();
  });

  it('and the controller passes the lagging run', () => {
    expect(runScenario(stoppedEarly(6_000, 8_000)).violation).toBeNull();
  });
});
