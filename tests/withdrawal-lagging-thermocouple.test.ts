// SAFE TO WITHDRAW with a thermocouple that lags the tip far more than a sound junction (a junction
// come loose from the tip wall, a thick sheath): judged against the plant's true tip. A freeze the
// operator stops a few seconds in freezes the tip while such a reading is still falling from body
// temperature; it never went below the withdrawal threshold, so the dwell ran from the last gas
// flow and declared the probe safe while the reading was still falling towards a tip at -1 to -5 C.
import { describe, expect, it } from 'vitest';
import { maxMsFor } from '../src/sim/fuzz/draw.js';
import { runScenario } from '../src/sim/fuzz/run.js';
import type { Scenario } from '../src/sim/fuzz/scenario.js';
import { initialState } from '../src/controller/state.js';
import { drive, nominalReadings } from './helpers/readings.js';

/** A freeze stopped `stopMs` into the run (the freeze opens about 1.7 s after start). */
function stoppedEarly(stopMs: number, withdrawDwellMs?: number): Scenario {
  const base = {
    seed: 0,
    noiseSeed: 1,
    settings: { protocol: { cycles: 1, freezeS: 60, thawS: 10 }, ...(withdrawDwellMs === undefined ? {} : { thaw: { withdrawDwellMs } }) },
    plant: {},
    operator: [{ atMs: 0, action: 'start' as const }, { atMs: stopMs, action: 'stop' as const }],
    faults: [],
  };
  return { ...base, maxMs: maxMsFor(base) };
}

/** The run until SAFE TO WITHDRAW is shown (not only until the true tip has thawed, where the
 * fuzzer stops), with the first violation it found, and whether it was shown. */
function run(scenario: Scenario, tcLagMs: number): { violation: string | null; safeShown: boolean } {
  let safeShown = false;
  const result = runScenario(scenario, {
    environment: { sensor: { tcLagMs } },
    onTick: (o) => {
      safeShown ||= o.after.safeToWithdraw;
    },
    done: () => safeShown,
  });
  return { violation: result.violation === null ? null : `${result.violation.invariant}: ${result.violation.detail}`, safeShown };
}

describe('safe to withdraw with a lagging thermocouple', () => {
  it('is not declared while the reading still falls towards a frozen tip (8 s lag, freeze stopped after about 4 s)', () => {
    for (const stopMs of [5_600, 6_000, 6_800]) {
      const r = run(stoppedEarly(stopMs), 8_000);
      expect(r.violation, `stop at ${stopMs} ms`).toBeNull();
      expect(r.safeShown, `stop at ${stopMs} ms`).toBe(true);
    }
  });

  it('is not declared early with the shortest dwell the settings accept (3 s lag, 2 s dwell)', () => {
    const r = run(stoppedEarly(4_600, 2_000), 3_000);
    expect(r.violation).toBeNull();
    expect(r.safeShown).toBe(true);
  });

  it('is not declared early with a 30 s lag either', () => {
    for (const stopMs of [6_000, 10_000]) {
      const r = run(stoppedEarly(stopMs), 30_000);
      expect(r.violation, `stop at ${stopMs} ms`).toBeNull();
      expect(r.safeShown, `stop at ${stopMs} ms`).toBe(true);
    }
  });
});

describe('safe to withdraw with a lagging thermocouple after a console restart', () => {
  it('is not declared while the reading still falls, when the records say the site was frozen (no gas since power-up)', () => {
    // A console restarted after a crash a few seconds after a short freeze: its records give the
    // site's freeze (initialState's prior site), gas has not flowed since power-up. The tip is at
    // -3 C; the reading, lagging it by 8 s, falls from 20 C and is above 0 C plus the margin for
    // the first 12 s. Before the fix the falling rule did not apply and SAFE TO WITHDRAW came at 5 s.
    const tipTrueC = -3;
    const lagMs = 8_000;
    const reading = (nowMs: number): number => tipTrueC + (20 - tipTrueC) * Math.exp(-nowMs / lagMs);
    const d = drive((nowMs) => nominalReadings(nowMs, { tipC: reading(nowMs) }), {
      state: { ...initialState(0, { cumulativeFreezeMs: 4_000 }), lastStepMs: null },
      startMs: 0,
      durationMs: 30_000,
    });
    expect(d.events.filter((e) => e.kind === 'safe-to-withdraw')).toEqual([]);
  });

  it('is not declared from a reading that stuck 40 ms after power-up: the tip becomes unknown (review of the stuck-window fix)', () => {
    // Two samples that move (0.05 C: over tip.stuckMinSpanC), then constant: the span's range passed.
    const reading = (nowMs: number): number => (nowMs === 0 ? 20.05 : 20);
    const d = drive((nowMs) => nominalReadings(nowMs, { tipC: reading(nowMs) }), {
      state: { ...initialState(0, { cumulativeFreezeMs: 4_000 }), lastStepMs: null },
      startMs: 0,
      durationMs: 30_000,
    });
    expect(d.events.filter((e) => e.kind === 'safe-to-withdraw')).toEqual([]);
    expect(d.events.find((e) => e.kind === 'tip-unknown')).toMatchObject({ reason: expect.stringMatching(/has not moved by 0.02 C/) as unknown });
  });
});

describe('safe to withdraw with a lagging thermocouple that then sticks', () => {
  // The fuzzer's first lag draws (review of fa24271): a reading lagging the tip by 30 s, still
  // falling from body temperature when a short freeze tripped INSUFFICIENT_COOLING, stuck at 7 C
  // from 18 s. Its span's range held the lagging fall (8.98 to 6.95 C), which passed for the
  // movement that proves a reading alive: SAFE TO WITHDRAW came 30 s after its last new low, the
  // true tip at -2.19 C. Stuck just after the gas stopped (15.03 s), with a few noisy samples in
  // the span and no new low: SAFE TO WITHDRAW at 20 s, the true tip at -7.76 C (the fix's review).
  function fellThenStuck(stuckAtMs: number, tcLagMs: number, stop?: { atMs: number; freezeS: number }): Scenario {
    const base = {
      seed: 1,
      noiseSeed: 1,
      settings: { protocol: { cycles: 1, freezeS: stop?.freezeS ?? 13, thawS: 10 } },
      plant: {},
      operator: [{ atMs: 0, action: 'start' as const }, ...(stop === undefined ? [] : [{ atMs: stop.atMs, action: 'stop' as const }])],
      faults: [{ kind: 'tc-stuck' as const, atMs: stuckAtMs, durationMs: null }],
      tcLagMs,
    };
    return { ...base, maxMs: maxMsFor(base) };
  }

  /** The run's first violation, and why the tip became unknown (null if it never did). */
  function judged(scenario: Scenario): { violation: string | null; unknown: string | null } {
    let unknown: string | null = null;
    const result = runScenario(scenario, {
      onTick: (o) => {
        unknown ??= o.after.tipDistrust?.reason ?? null;
      },
    });
    return { violation: result.violation === null ? null : `${result.violation.invariant}: ${result.violation.detail}`, unknown };
  }

  it('is not declared: the reading fell, then stopped moving, so the tip becomes unknown (30 s lag, stuck at 16-20 s)', () => {
    for (const stuckAtMs of [16_000, 18_000, 20_000]) {
      const r = judged(fellThenStuck(stuckAtMs, 30_000));
      expect(r.violation, `stuck at ${stuckAtMs} ms`).toBeNull();
      expect(r.unknown, `stuck at ${stuckAtMs} ms`).toMatch(/has not moved by 0.02 C for \d+ ms/);
    }
  });

  it('is not declared when it sticks just after the gas stops, before any new low (30 and 60 s lags)', () => {
    for (const [stuckAtMs, lagMs] of [[15_030, 30_000], [15_070, 30_000], [15_130, 60_000]] as const) {
      const r = judged(fellThenStuck(stuckAtMs, lagMs));
      expect(r.violation, `stuck at ${stuckAtMs} ms, lag ${lagMs} ms`).toBeNull();
      expect(r.unknown, `stuck at ${stuckAtMs} ms, lag ${lagMs} ms`).toMatch(/has not moved/);
    }
  });

  it('is not declared when noise restarts the warm span and the reading then sticks (a stop 16 s in, 30 s lag)', () => {
    const r = judged(fellThenStuck(25_290, 30_000, { atMs: 16_000, freezeS: 90 }));
    expect(r.violation).toBeNull();
    expect(r.unknown).toMatch(/has not moved/);
  });
});
