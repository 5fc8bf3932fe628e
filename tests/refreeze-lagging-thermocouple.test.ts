// A freeze resumed after a stop must not start on a reading lagging the tip from above (found
// while testing SAFE TO WITHDRAW against lagging thermocouples). The resume waits for the
// protocol's thaw time and every channel above thaw.endTipC plus the reading's uncertainty
// (docs/safety.md "Sites and cycles"), but a reading lagging the tip by 30 s (and reading 1.18 C
// warm, Type T's tolerance), in a freeze stopped about 13 s after it opened, was still falling
// from body temperature when the freeze resumed on it 1.7 s after the second start, the plant's
// true tip at -4.7 C (the fuzzer's refreeze-before-thaw). The resume now waits as SAFE TO
// WITHDRAW does for a reading that fell (withdrawal.ts fellRecently, FALLING_QUIET_MS).
import { describe, expect, it } from 'vitest';
import { maxMsFor } from '../src/sim/fuzz/draw.js';
import { runScenario } from '../src/sim/fuzz/run.js';
import { initialState, withChanges } from '../src/controller/state.js';
import { FALLING_QUIET_MS } from '../src/controller/withdrawal.js';
import type { PriorSite } from '../src/controller/state.js';
import { drive, nominalReadings } from './helpers/readings.js';
import { DEFAULT_SETTINGS } from '../src/controller/settings.js';

describe('a resumed freeze with a lagging thermocouple', () => {
  it('does not start while the true tip is still frozen (30 s lag, stopped 15 s in, started again 20 s later)', () => {
    const base = {
      seed: 0,
      noiseSeed: 2,
      settings: { protocol: { cycles: 3, freezeS: 60, thawS: 20 } },
      plant: { cylinderTempC: 20 },
      operator: [
        { atMs: 0, action: 'start' as const },
        { atMs: 15_000, action: 'stop' as const },
        { atMs: 35_000, action: 'start' as const },
        { atMs: 37_500, action: 'stop' as const },
      ],
      faults: [],
    };
    const result = runScenario({ ...base, maxMs: 2 * maxMsFor(base) }, { environment: { sensor: { tcLagMs: 30_000, probeOffsetErrorC: 1.18 } } });
    expect(result.violation?.invariant ?? null).toBeNull();
  });
});

// A review found the first freeze after a console restart with its site from the records (a
// freeze total, no cycle begun since) taken for a new site's: the check returned before it asked
// whether the reading was still falling. The probe may still be in that ice.
describe('the first freeze after a restart at a site frozen before it', () => {
  const TRUE_TIP_C = -3;
  const LAG_MS = 30_000;
  /** A reading lagging a tip at -3 C by 30 s, falling from body temperature, with a 0.1 C ripple. */
  const readingC = (t: number): number => TRUE_TIP_C + (37 - TRUE_TIP_C) * Math.exp(-t / LAG_MS) + 0.1 * Math.sin((2 * Math.PI * t) / 1_700);
  const firstFreezeMs = (prior: PriorSite | null): number | null => {
    const run = drive((t) => nominalReadings(t, { tipC: readingC(t), operator: { start: t === 1_000 } }), {
      state: initialState(0, prior),
      durationMs: 20_000,
      until: (r) => r.state.phase === 'Freezing',
    });
    const last = run.steps.at(-1);
    return last?.state.phase === 'Freezing' ? last.nowMs : null;
  };

  it('waits while the reading is still falling', () => {
    expect(firstFreezeMs({ cumulativeFreezeMs: 4_000 })).toBeNull();
  });

  it("still starts a new site's first freeze at once (no freeze known there)", () => {
    expect(firstFreezeMs(null)).not.toBeNull();
  });

  // A second review: when gas last flowed is not known, the falling check alone let a reading
  // already below the warm threshold (2 C) and above thaw.endTipC plus its uncertainty start the
  // freeze 2.7 s after power-up, the true tip at -3 C. The reading must read warm for the thaw time.
  it('waits for a reading lagging into the ice below the warm threshold, and starts a warm steady one after the thaw time', () => {
    const settings = DEFAULT_SETTINGS;
    const run = (readC: (t: number) => number): number | null => {
      const r = drive((t) => nominalReadings(t, { tipC: readC(t), operator: { start: t === 1_000 } }), {
        state: initialState(0, { cumulativeFreezeMs: 4_000 }),
        durationMs: 120_000,
        until: (rec) => rec.state.phase === 'Freezing',
      });
      const last = r.steps.at(-1);
      return last?.state.phase === 'Freezing' ? last.nowMs : null;
    };
    // Powered up 65 s after the freeze began: the reading at 1.5 C and falling onto -3 C.
    expect(run((t) => TRUE_TIP_C + (37 - TRUE_TIP_C) * Math.exp(-(t + 65_000) / LAG_MS))).toBeNull();
    const warmAt = run((t) => 20 + 0.05 * Math.sin(t / 300));
    expect(warmAt).not.toBeNull();
    expect(warmAt ?? 0).toBeGreaterThanOrEqual(settings.protocol.thawS * 1000);
  });
});

// The same rule at a thaw's end (phase-logic.ts Thawing): the next cycle's freeze does not begin
// on a reading still falling onto a colder tip, whatever the thaw time says.
describe("a thaw's end with a lagging thermocouple", () => {
  it('holds the next freeze while the reading keeps falling, and lets it begin once the fall has been quiet for FALLING_QUIET_MS', () => {
    const settings = DEFAULT_SETTINGS;
    const thawMs = settings.protocol.thawS * 1000;
    // Thawing since 0, the supply closed at 0, the thaw time over at thawMs; the reading falls
    // from body temperature onto 5 C (a lag of 30 s) and then holds there.
    const readingC = (t: number): number => 5 + 32 * Math.exp(-t / 30_000);
    const thawing = withChanges(initialState(0), { phase: 'Thawing', phaseSinceMs: 0, cycle: 1, cyclesBegun: 1, gasLastFlowedMs: 0, cumulativeFreezeMs: 30_000, lastStepMs: 0 });
    const run = drive((t) => nominalReadings(t, { tipC: readingC(t) }), { state: thawing, startMs: 20, durationMs: 400_000, until: (r) => r.state.phase === 'Freezing' });
    const last = run.steps.at(-1);
    expect(last?.state.phase).toBe('Freezing');
    const beganMs = last?.nowMs ?? 0;
    const lastLowMs = run.steps.at(-2)?.state.warmFellMs ?? null;
    expect(lastLowMs).not.toBeNull();
    expect(beganMs).toBeGreaterThan(thawMs);
    expect(beganMs).toBeGreaterThanOrEqual((lastLowMs ?? 0) + FALLING_QUIET_MS);
  });
});
