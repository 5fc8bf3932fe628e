// The self-test's single-valve windows must hold as many steps as their length does at the loop
// rate: VALVE_FAILURE's debounce counts samples, and valves.selfTestValveMs's floor (settings.ts)
// assumes every period of the window sampled. A late step (a stall under loop.maxGapMs, which
// trips nothing) thinned the safety-only window out: with a cold cylinder and a slow valve the
// supply valve stuck open from the start was passed, and the freeze ran on the safety valve alone
// (found by the fuzzer's freeze-past-stuck-valve, which judges the plant's truth: the valve stuck
// open in the plant before the window began).
import { describe, expect, it } from 'vitest';
import type { FaultSpec } from '../hil/faults.js';
import { maxMsFor } from '../src/sim/fuzz/draw.js';
import type { TickObservation } from '../src/sim/fuzz/invariants.js';
import { runScenario } from '../src/sim/fuzz/run.js';
import type { Scenario } from '../src/sim/fuzz/scenario.js';

/** A cylinder at 7 C (about 41 bar, just above supplyLowBar) and a 100 ms valve: the stuck valve's
 * flow shows late in the 500 ms window, leaving a few samples to debounce it. */
const SLOW_LINE = { cylinderTempC: 7, valveDelayMs: 100 };

function run(faults: readonly FaultSpec[]): { readonly invariant: string | null; readonly freezeOpened: boolean; readonly last: TickObservation | null } {
  const base = { seed: 0, noiseSeed: 1, settings: { protocol: { cycles: 1, freezeS: 10, thawS: 10 } }, plant: SLOW_LINE, operator: [{ atMs: 0, action: 'start' as const }], faults };
  const scenario: Scenario = { ...base, maxMs: maxMsFor(base) };
  let freezeOpened = false;
  let last: TickObservation | null = null;
  const result = runScenario(scenario, {
    onTick: (o) => {
      if (o.after.phase === 'Freezing') freezeOpened = true;
      last = o;
    },
  });
  return { invariant: result.violation?.invariant ?? null, freezeOpened, last };
}

describe('the self-test with a late step in its safety-only window', () => {
  it('catches a supply valve stuck open from the start before any freeze, a 100 ms stall in the window', () => {
    const stuck: FaultSpec = { kind: 'valve-stuck-open', atMs: 0, durationMs: null };
    // The window runs 0.5-1.0 s; the stall takes five of its 25 samples as the flow shows.
    const { invariant, freezeOpened, last } = run([stuck, { kind: 'loop-stall', atMs: 850, durationMs: 100 }]);
    expect(invariant).toBeNull();
    expect(freezeOpened).toBe(false);
    expect(last?.after.phase).toBe('Fault');
    expect(last?.after.interlocks.VALVE_FAILURE.tripped).toBe(true);
  });

  it('still catches it with no stall (the window unchanged on time)', () => {
    const { invariant, freezeOpened, last } = run([{ kind: 'valve-stuck-open', atMs: 0, durationMs: null }]);
    expect(invariant).toBeNull();
    expect(freezeOpened).toBe(false);
    expect(last?.after.interlocks.VALVE_FAILURE.tripped).toBe(true);
  });
});
