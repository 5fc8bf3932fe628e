// How long a probe in tissue can take to rewarm after a freeze: a bound for the simulations'
// invariants (src/sim/fuzz/bounds.ts), from the same tissue model the plant runs.
import { BioheatSolver, gridForProbe } from '../../kernel/bioheat/index.js';
import { ATMOSPHERIC_PRESSURE_BAR } from '../../kernel/units.js';
import type { PlantParams } from './params.js';
import { sublimationFloorC } from './probe-thermal.js';

/** Coarse steps are enough for a bound (0.5 s moves a thaw time by well under 1 %) and keep it
 * to a few milliseconds per call. */
const BOUND_STEP_S = 0.5;
const BOUND_OPTIONS = Object.freeze({ maxStepS: BOUND_STEP_S, toleranceC: 1e-3, maxIterations: 12 });
/** Past this the bound gives up and returns it: two hours, far beyond any thaw in a treatment. */
export const MAX_REWARM_BOUND_MS = 7_200_000;
const MS_PER_S = 1000;

/**
 * Time for the probe wall to rewarm to `targetC` (with no gas flowing) after `freezeMs` of gas: the
 * freeze taken as the wall held at the coldest CO2 can make it (the sublimation point at 1 atm)
 * without a break, which leaves the tissue colder than any real sequence of freezes of that
 * much gas, so it thaws last. A target at or above T_a is never reached: MAX_REWARM_BOUND_MS.
 */
export function tissueRewarmBoundMs(params: PlantParams, freezeMs: number, targetC: number): number {
  const solver = new BioheatSolver(params.tissue, gridForProbe(params.probeOdMm), BOUND_OPTIONS);
  if (freezeMs > 0) solver.stepFixedWall(freezeMs / MS_PER_S, sublimationFloorC(ATMOSPHERIC_PRESSURE_BAR));
  let thawMs = 0;
  while (solver.wallC < targetC && thawMs < MAX_REWARM_BOUND_MS) {
    solver.stepFluxWall(BOUND_STEP_S, solver.wallC, 0);
    thawMs += BOUND_STEP_S * MS_PER_S;
  }
  return Math.min(thawMs, MAX_REWARM_BOUND_MS);
}
