// FirstOrderLag keeps the decay factor of its last step length: every step must give the very
// double firstOrderStep gives (the seed replays the same run, bit for bit), whatever the step
// lengths and their changes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FirstOrderLag, firstOrderStep } from '../hil/plant/index.js';

describe('FirstOrderLag', () => {
  it('gives the same doubles as firstOrderStep over any sequence of targets and step lengths', () => {
    const finite = fc.double({ min: -1e3, max: 1e3, noNaN: true });
    fc.assert(
      fc.property(
        fc.double({ min: 1e-3, max: 1e5, noNaN: true }),
        finite,
        fc.array(fc.tuple(finite, fc.constantFrom(5, 5, 5, 2.5, 20, 0.1)), { maxLength: 60 }),
        (tauMs, startValue, steps) => {
          const lag = new FirstOrderLag(tauMs);
          let viaLag = startValue;
          let viaStep = startValue;
          for (const [target, dtMs] of steps) {
            viaLag = lag.step(viaLag, target, dtMs);
            viaStep = firstOrderStep(viaStep, target, tauMs, dtMs);
            expect(Object.is(viaLag, viaStep)).toBe(true);
          }
        },
      ),
      { seed: 11, numRuns: 300 },
    );
  });

  it('moves a step of one time constant 1 - 1/e of the way to its target', () => {
    expect(new FirstOrderLag(250).step(0, 1, 250)).toBeCloseTo(1 - Math.exp(-1), 15);
  });
});
