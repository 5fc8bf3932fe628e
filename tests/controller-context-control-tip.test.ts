// The control tip is worked out in two places: the tick's context (src/controller/context.ts
// makeContext), which the checks and, since bf47d65, the interlock rows' memories read, and
// controlTip (src/controller/trackers.ts), which the live ice-ball estimate reads. They must name
// the same reading for any tip channels, or the ice ball would grow from a reading the interlocks
// refused (or the reverse).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TC_FAULTS } from '../hal/contract.js';
import type { TipSample } from '../hal/contract.js';
import { makeContext } from '../src/controller/context.js';
import { DEFAULT_SETTINGS } from '../src/controller/settings.js';
import { initialState } from '../src/controller/state.js';
import { controlTip } from '../src/controller/trackers.js';
import { createStepWorkspace } from '../src/controller/workspace.js';
import { nominalReadings } from './helpers/readings.js';

const NOW_MS = 10_000;

/** A temperature as a front-end may report it: in range, out of range, or not a number. */
const temperature = fc.oneof(
  fc.double({ min: -150, max: 150, noNaN: true }),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 1e9, -273.2),
);

const sample: fc.Arbitrary<TipSample> = fc.record({
  tipC: temperature,
  coldJunctionC: fc.oneof(fc.constant(25), temperature),
  fault: fc.oneof(fc.constant(null), fc.constantFrom(...TC_FAULTS)),
  // Stale, future and non-finite stamps: staleness is SENSOR_STALE's, not the control tip's.
  atMs: fc.constantFrom(NOW_MS, NOW_MS - 10_000, NOW_MS + 1_000, Number.NaN),
});

describe('the control tip', () => {
  it("is controlTip's reading in the tick's context, for any tip channels", () => {
    fc.assert(
      fc.property(fc.array(sample, { maxLength: 4 }), (tips) => {
        const readings = { ...nominalReadings(NOW_MS), tips };
        const ctx = makeContext(NOW_MS, DEFAULT_SETTINGS, readings, initialState(0), createStepWorkspace());
        // The same sample: channel 0's own, not a copy.
        const control = controlTip(readings, DEFAULT_SETTINGS);
        expect(ctx.tip).toBe(control);
        if (control !== null) expect(control).toBe(tips[0]);
      }),
      { seed: 27, numRuns: 2000 },
    );
  });
});
