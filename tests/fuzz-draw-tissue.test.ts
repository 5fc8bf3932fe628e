// The fuzzer draws the tissue round the probe and the probe's size (review of issue 11, M1: it
// never did, so it could not find a tissue the schema accepts that thaws slower than the
// unknown-tip wait's bound): within the bounds the plant and the settings accept, reproducibly
// from the seed, and one probe for the plant and the controller alike.
import { describe, expect, it } from 'vitest';
import { DEFAULT_TISSUE_PARAMS, parseTissueParams, tissueFieldRange } from '../kernel/bioheat/index.js';
import type { TissueParams } from '../kernel/bioheat/index.js';
import { DEFAULT_PLANT_PARAMS, resolvePlantParams } from '../hil/plant/index.js';
import { PROBE_OD_MM_MAX, PROBE_OD_MM_MIN, parseSettings } from '../src/controller/settings.js';
import { drawScenario } from '../src/sim/fuzz/draw.js';

const SEEDS = Array.from({ length: 400 }, (_, i) => i + 1);
const drawn = SEEDS.map((seed) => ({ seed, scenario: drawScenario(seed) }));
const atEdge = (key: keyof TissueParams, value: number): boolean => tissueFieldRange(key).includes(value);

describe('the tissue and probe a fuzz run draws', () => {
  it('stay within the tissue schema and the settings, and the plant and the controller share the probe', () => {
    for (const { seed, scenario } of drawn) {
      const plant = resolvePlantParams(scenario.plant);
      expect(() => parseTissueParams({ ...DEFAULT_TISSUE_PARAMS, ...scenario.plant.tissue }), `seed ${seed}`).not.toThrow();
      expect(plant.probeOdMm, `seed ${seed}`).toBeGreaterThanOrEqual(PROBE_OD_MM_MIN);
      expect(plant.probeOdMm, `seed ${seed}`).toBeLessThanOrEqual(PROBE_OD_MM_MAX);
      // The controller models the record's diameter when the drawn record states one (the
      // settings may then name another probe: src/sim/fuzz/calibration.ts), else the setting's.
      const controllerOdMm = scenario.calibration?.probeOdMm ?? parseSettings(scenario.settings).iceBall.probeOdMm;
      expect(controllerOdMm, `seed ${seed}`).toBe(plant.probeOdMm);
    }
  });

  it('varies them: nominal tissue in most runs, drawn tissues, whole corners of the bounds, and probes', () => {
    const tissues = drawn.map(({ scenario }) => scenario.plant.tissue ?? {});
    const withTissue = tissues.filter((t) => Object.keys(t).length > 0);
    expect(withTissue.length).toBeGreaterThan(SEEDS.length * 0.2);
    expect(withTissue.length).toBeLessThan(SEEDS.length * 0.4);
    const corners = withTissue.filter((t) => Object.keys(DEFAULT_TISSUE_PARAMS).every((k) => atEdge(k as keyof TissueParams, t[k as keyof TissueParams] ?? Number.NaN) || k.startsWith('freezeBand')));
    expect(corners.length).toBeGreaterThan(withTissue.length * 0.2);
    // The slow-thawing extremes each turn up.
    expect(tissues.some((t) => t.perfusionWPerM3K === 0 && t.arterialC === tissueFieldRange('arterialC')[0])).toBe(true);
    const probes = new Set(drawn.map(({ scenario }) => resolvePlantParams(scenario.plant).probeOdMm));
    expect(probes.has(PROBE_OD_MM_MAX)).toBe(true);
    expect(probes.has(PROBE_OD_MM_MIN)).toBe(true);
    expect(probes.has(DEFAULT_PLANT_PARAMS.probeOdMm)).toBe(true);
  });

  it('draws the same tissue and probe from the same seed', () => {
    expect(drawScenario(77).plant).toEqual(drawScenario(77).plant);
    expect(drawScenario(77).settings).toEqual(drawScenario(77).settings);
  });
});
