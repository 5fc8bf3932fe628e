// The unknown-tip wait against the plant's true tip in the slowest-thawing tissue the tissue
// schema accepts, on the largest probe the settings accept (review of issue 11, M1): the real
// controller's wait outlasts the coupled plant's passive thaw; a bound short for that tissue (as
// the old one, derived for one fat, was) is caught there and not with the nominal tissue.
import { describe, expect, it } from 'vitest';
import { PROBE_OD_MM_MAX } from '../src/controller/settings.js';
import { maxMsFor } from '../src/sim/fuzz/draw.js';
import { runScenario } from '../src/sim/fuzz/run.js';
import type { Scenario } from '../src/sim/fuzz/scenario.js';
import { thawBoundShortForSlowTissue } from './helpers/broken-controllers.js';

/** The corner the table is derived at for freezes up to 450 s (scripts/thaw-bound-table.ts). */
const SLOWEST_TISSUE = {
  kUnfrozenWPerMK: 0.2, kFrozenWPerMK: 3.0, heatCapUnfrozenMJPerM3K: 2.0, heatCapFrozenMJPerM3K: 3.0, latentHeatMJPerM3: 350,
  freezeBandLowC: -1, freezeBandHighC: 0, perfusionWPerM3K: 0, metabolicWPerM3: 0, arterialC: 30,
};

/** A 60 s freeze whose thermocouple opens 5 s before its end, on the 2.0 mm probe. */
function lateOpen(tissue: Record<string, number>): Scenario {
  const base = {
    seed: 0, noiseSeed: 1,
    settings: { protocol: { cycles: 1, freezeS: 60, thawS: 10 }, iceBall: { probeOdMm: PROBE_OD_MM_MAX } },
    plant: { probeOdMm: PROBE_OD_MM_MAX, tissue },
    operator: [{ atMs: 0, action: 'start' as const }],
    faults: [{ kind: 'tc-open' as const, atMs: 57_000, durationMs: null }],
  };
  return { ...base, maxMs: maxMsFor(base) };
}

describe('the unknown-tip wait in the slowest tissue the schema accepts', () => {
  it('outlasts the passive thaw of the plant (the true tip) after a 60 s freeze on a 2.0 mm probe', () => {
    expect(runScenario(lateOpen(SLOWEST_TISSUE)).violation).toBeNull();
  });

  it('catches a bound short for that tissue, which the nominal tissue does not show', () => {
    expect(runScenario(lateOpen(SLOWEST_TISSUE), { step: thawBoundShortForSlowTissue }).violation?.invariant).toBe('unknown-tip-wait-over-while-frozen');
    expect(runScenario(lateOpen({}), { step: thawBoundShortForSlowTissue }).violation).toBeNull();
  });
});
