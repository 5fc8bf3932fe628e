// SAFE TO WITHDRAW with a lagging thermocouple in tissue that lingers just below 0 C: judged against
// the plant's true tip. In the tissue schema's slowest-thawing corner (latent heat released between
// -1 and 0 C: withdrawal.ts PASSIVE_THAW_BOUND_S) the tip sits at -0.3 to -1 C for minutes after a
// freeze the operator stops early. A reading lagging it by L seconds converges onto it from above,
// and the old rule (the dwell restarts at each fall of FALLING_READING_C, counted over the dwell)
// let it be declared once it fell less than 0.25 C per 5 s: up to 0.25 C x L / 5 s above the tip,
// 2.25 C at 45 s, past the 2 C margin. With the default settings and a probe that reads true it
// declared the probe safe with the true tip at -1.0 C (45 s and 60 s lags), and with a probe
// reading 1.18 C warm (Type T's tolerance, which the margin is meant to cover) at a 30 s lag.
import { describe, expect, it } from 'vitest';
import { maxMsFor } from '../src/sim/fuzz/draw.js';
import { runScenario } from '../src/sim/fuzz/run.js';
import type { Scenario } from '../src/sim/fuzz/scenario.js';
import { initialState } from '../src/controller/state.js';
import { FALLING_QUIET_MS } from '../src/controller/withdrawal.js';
import { drive, nominalReadings } from './helpers/readings.js';

/** The tissue schema's slowest-thawing corner (withdrawal.ts PASSIVE_THAW_BOUND_S). */
const SLOWEST_TISSUE = {
  perfusionWPerM3K: 0,
  metabolicWPerM3: 0,
  arterialC: 30,
  kUnfrozenWPerMK: 0.2,
  kFrozenWPerMK: 3.0,
  latentHeatMJPerM3: 350,
  freezeBandLowC: -1,
  freezeBandHighC: 0,
  heatCapFrozenMJPerM3K: 3.0,
  heatCapUnfrozenMJPerM3K: 2.0,
};

/** A 60 s freeze the operator stops `stopMs` into the run (the freeze opens about 1.7 s in). */
function stoppedEarly(stopMs: number, tissue: Record<string, number> | null, opts: { withdrawDwellMs?: number; probeOdMm?: number } = {}): Scenario {
  const base = {
    seed: 0,
    noiseSeed: 1,
    settings: { protocol: { cycles: 1, freezeS: 60, thawS: 10 }, ...(opts.withdrawDwellMs === undefined ? {} : { thaw: { withdrawDwellMs: opts.withdrawDwellMs } }) },
    plant: { ...(tissue === null ? {} : { tissue }), ...(opts.probeOdMm === undefined ? {} : { probeOdMm: opts.probeOdMm }) },
    operator: [{ atMs: 0, action: 'start' as const }, { atMs: stopMs, action: 'stop' as const }],
    faults: [],
  };
  return { ...base, maxMs: 4 * maxMsFor(base) };
}

/** The run until SAFE TO WITHDRAW is shown, with the true tip when it first was. */
function run(scenario: Scenario, tcLagMs: number, probeOffsetErrorC: number): { violation: string | null; tipAtSafeC: number | null } {
  let tipAtSafeC: number | null = null;
  const result = runScenario(scenario, {
    environment: { sensor: { tcLagMs, probeOffsetErrorC } },
    onTick: (o) => {
      if (tipAtSafeC === null && o.after.safeToWithdraw) tipAtSafeC = o.plant.tipTrueC;
    },
    done: () => tipAtSafeC !== null,
  });
  return { violation: result.violation === null ? null : `${result.violation.invariant}: ${result.violation.detail}`, tipAtSafeC };
}

describe('safe to withdraw with a lagging thermocouple in the slowest-thawing tissue', () => {
  it('is not declared while the true tip is below 0 C (45 s and 60 s lags, a probe that reads true, default settings)', () => {
    for (const lagMs of [45_000, 60_000]) {
      for (const stopMs of [9_000, 13_000, 17_400, 23_000]) {
        const r = run(stoppedEarly(stopMs, SLOWEST_TISSUE), lagMs, 0);
        expect(r.violation, `lag ${lagMs} ms, stop at ${stopMs} ms`).toBeNull();
        expect(r.tipAtSafeC, `lag ${lagMs} ms, stop at ${stopMs} ms`).not.toBeNull();
      }
    }
  });

  it('is not declared while the true tip is below 0 C with the probe reading warm by Type T\'s tolerance (30 s lag)', () => {
    for (const stopMs of [6_600, 7_400, 8_200]) {
      const r = run(stoppedEarly(stopMs, SLOWEST_TISSUE), 30_000, 1.18);
      expect(r.violation, `stop at ${stopMs} ms`).toBeNull();
      expect(r.tipAtSafeC, `stop at ${stopMs} ms`).not.toBeNull();
    }
  });
});

describe('safe to withdraw with a lagging thermocouple settling onto the threshold', () => {
  it('is not declared when the noise of a reading falling onto the threshold restarts the warm span (2 s dwell, 2.0 mm probe, 60 and 90 s lags, reading 1.18 C warm)', () => {
    // The reading converges from above onto 0 C plus the margin; a noisy sample below it ends the
    // span, and the next one starts a span with no fall seen: the fall must be remembered across.
    for (const [lagMs, probeOdMm, stopMs] of [[60_000, 2.0, 12_200], [90_000, 2.0, 13_800], [90_000, 1.27, 14_600]] as const) {
      const r = run(stoppedEarly(stopMs, SLOWEST_TISSUE, { withdrawDwellMs: 2_000, probeOdMm }), lagMs, 1.18);
      expect(r.violation, `lag ${lagMs} ms, ${probeOdMm} mm, stop at ${stopMs} ms`).toBeNull();
      expect(r.tipAtSafeC, `lag ${lagMs} ms, ${probeOdMm} mm, stop at ${stopMs} ms`).not.toBeNull();
    }
  });
});

describe('safe to withdraw after a warm reading fell (the control step)', () => {
  /** A console restarted after a short freeze (the records give the site's freeze, no gas since
   * power-up), its reading converging from `fromC` onto a tip at `tipC` with a first-order lag. */
  function converging(tipC: number, fromC: number, lagMs: number, durationMs: number) {
    // With a sensor's noise (+-0.05 C, deterministic): a reading that stops moving altogether after
    // a fall is taken for a stuck sensor (step.ts judgeWithdrawal, stillFromMs).
    const reading = (nowMs: number): number => tipC + (fromC - tipC) * Math.exp(-nowMs / lagMs) + 0.05 * Math.sin(nowMs * 0.37);
    return drive((nowMs) => nominalReadings(nowMs, { tipC: reading(nowMs) }), {
      state: { ...initialState(0, { cumulativeFreezeMs: 4_000 }), lastStepMs: null },
      startMs: 0,
      durationMs,
    });
  }

  it('is never declared from a reading lagging a tip at -0.3 C by 60 s (it falls by under 0.25 C per 5 s from 2.7 C)', () => {
    const d = converging(-0.3, 20, 60_000, 600_000);
    expect(d.events.filter((e) => e.kind === 'safe-to-withdraw')).toEqual([]);
  });

  it('is declared FALLING_QUIET_MS after the last new low once a reading that fell settles warm (a probe cooling in room air)', () => {
    const d = converging(10, 20, 2_000, 120_000);
    const safe = d.events.filter((e) => e.kind === 'safe-to-withdraw' && e.safe);
    expect(safe).toHaveLength(1);
    const lows = d.steps.filter((r) => r.nowMs < (safe[0]?.atMs ?? 0) && r.state.warm !== null && r.state.warm.lowSinceMs === r.nowMs);
    const lastLowMs = lows.at(-1)?.nowMs ?? Number.NaN;
    expect(safe[0]?.atMs).toBeGreaterThanOrEqual(lastLowMs + FALLING_QUIET_MS);
    expect(safe[0]?.atMs).toBeLessThanOrEqual(lastLowMs + FALLING_QUIET_MS + 100);
  });
});
