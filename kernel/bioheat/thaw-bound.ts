// The passive thaw of a probe left in tissue after a freeze, and the tissues at the corners of the
// tissue schema's bounds: what the unknown-tip wait's table (src/controller/withdrawal.ts
// PASSIVE_THAW_BOUND_S) is derived from (scripts/thaw-bound-table.ts) and checked against
// (tests/withdrawal-thaw-bound.test.ts). Off the hot path: each call builds its own solver.
import { ATMOSPHERIC_PRESSURE_BAR } from '../units.js';
import { sublimationTempC } from '../co2.js';
import { MIN_BAND_WIDTH_C, TissueParamsSchema, gridForProbe, parseTissueParams, type TissueParams } from './params.js';
import { BioheatSolver, DEFAULT_SOLVER_OPTIONS } from './solver.js';

/** The coldest a CO2 probe wall can get: the sublimation point at 1 atm, -78.5 C (kernel/co2.ts). */
export const CO2_COLDEST_WALL_C = sublimationTempC(ATMOSPHERIC_PRESSURE_BAR);

/** The wall counts as thawed once it reaches this, C: a probe above 0 C is free of the ice. */
export const THAWED_WALL_C = 0;

export interface PassiveThawOptions {
  /** Implicit step while the wall is held cold, s. The freeze sets the ice ball: 0.05 s is the
   * model's validated step (DEFAULT_SOLVER_OPTIONS); 0.5 s shortens the thaw by about 1 %. */
  readonly freezeStepS: number;
  /** Implicit step of the thaw, s (the thaw is counted in these steps): against 0.05 s, 0.5 s
   * moves it by under 0.1 %, 5 s by under 1 % (the slowest corner after 60 and 300 s). */
  readonly thawStepS: number;
  /** Give up past this, s, and return it. */
  readonly maxThawS: number;
}

/** Accurate: what the table is derived with. 40,000 s (11 hours) is far past the slowest thaw
 * the schema allows (8754 s after 1500 s of gas). */
export const ACCURATE_THAW_OPTIONS: PassiveThawOptions = Object.freeze({ freezeStepS: DEFAULT_SOLVER_OPTIONS.maxStepS, thawStepS: 0.5, maxThawS: 40_000 });
/** Coarse: about 1 % shorter than ACCURATE_THAW_OPTIONS at the slowest corner (1850 s against
 * 1874 s after 60 s of gas), at a small fraction of the cost; for sweeps over many tissues, which
 * allow for it (tests/withdrawal-thaw-bound.test.ts). */
export const COARSE_THAW_OPTIONS: PassiveThawOptions = Object.freeze({ freezeStepS: 0.5, thawStepS: 2, maxThawS: 40_000 });

/**
 * Seconds for the probe wall to thaw to THAWED_WALL_C with no gas and no heater (an adiabatic
 * wall) after `freezeS` seconds with the wall held at CO2_COLDEST_WALL_C from body temperature:
 * colder than any real sequence of freezes of that much gas, so the ice ball thaws last.
 */
export function passiveThawS(tissue: TissueParams, probeOdMm: number, freezeS: number, options: PassiveThawOptions = ACCURATE_THAW_OPTIONS): number {
  return passiveThawsS(tissue, probeOdMm, [freezeS], options)[0] ?? Number.NaN;
}

/** passiveThawS after each of `freezesS` (increasing), from one freeze: the tissue is copied at
 * each freeze time and thawed, so a sweep over several freezes pays for the longest freeze once. */
export function passiveThawsS(tissue: TissueParams, probeOdMm: number, freezesS: readonly number[], options: PassiveThawOptions = ACCURATE_THAW_OPTIONS): number[] {
  const grid = gridForProbe(probeOdMm);
  const frozen = new BioheatSolver(tissue, grid, { ...DEFAULT_SOLVER_OPTIONS, maxStepS: options.freezeStepS });
  const thawing = new BioheatSolver(tissue, grid, { ...DEFAULT_SOLVER_OPTIONS, maxStepS: options.thawStepS });
  let frozenS = 0;
  return freezesS.map((freezeS) => {
    if (freezeS < frozenS || !Number.isFinite(freezeS)) throw new Error(`passiveThawsS: freezes must increase, got ${freezeS} s after ${frozenS} s`);
    if (freezeS > frozenS) frozen.stepFixedWall(freezeS - frozenS, CO2_COLDEST_WALL_C);
    frozenS = freezeS;
    thawing.copyFrom(frozen);
    let thawS = 0;
    while (thawing.wallC < THAWED_WALL_C && thawS < options.maxThawS) {
      thawing.stepFluxWall(options.thawStepS, thawing.wallC, 0);
      thawS += options.thawStepS;
    }
    return Math.min(thawS, options.maxThawS);
  });
}

type BoundedKey = Exclude<keyof TissueParams, 'freezeBandLowC' | 'freezeBandHighC'>;
const BOX_KEYS: readonly BoundedKey[] = [
  'kUnfrozenWPerMK', 'kFrozenWPerMK', 'heatCapUnfrozenMJPerM3K', 'heatCapFrozenMJPerM3K',
  'latentHeatMJPerM3', 'perfusionWPerM3K', 'metabolicWPerM3', 'arterialC',
];

/** [min, max] of a tissue field, read from the schema itself (a widened schema widens the sweep). */
export function tissueFieldRange(key: keyof TissueParams): readonly [number, number] {
  const field = TissueParamsSchema.shape[key];
  const min = field.minValue;
  const max = field.maxValue;
  if (min === null || max === null) throw new Error(`tissue schema: ${key} has no finite bounds`);
  return [min, max];
}

/** The vertices of the freezing band's allowed region: each field in its range and the band at
 * least MIN_BAND_WIDTH_C wide (a polygon; a box corner that is too narrow is cut off). */
function bandVertices(): readonly (readonly [lowC: number, highC: number])[] {
  const [lowMin, lowMax] = tissueFieldRange('freezeBandLowC');
  const [highMin, highMax] = tissueFieldRange('freezeBandHighC');
  const candidates: [number, number][] = [
    [lowMin, highMin], [lowMin, highMax], [lowMax, highMin], [lowMax, highMax],
    // Where the narrowest band (high = low + width) meets the box's edges.
    [lowMin, lowMin + MIN_BAND_WIDTH_C], [lowMax, lowMax + MIN_BAND_WIDTH_C],
    [highMin - MIN_BAND_WIDTH_C, highMin], [highMax - MIN_BAND_WIDTH_C, highMax],
  ];
  const inside = candidates.filter(([lo, hi]) => lo >= lowMin && lo <= lowMax && hi >= highMin && hi <= highMax && hi - lo >= MIN_BAND_WIDTH_C);
  const seen = new Set<string>();
  return inside.filter(([lo, hi]) => {
    const key = `${lo},${hi}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Every corner of the tissue schema's bounds: each bounded field at its min or max, times each
 * vertex of the freezing band's region (2^8 x 3 = 768 with today's schema), validated. */
export function tissueSchemaCorners(): TissueParams[] {
  const corners: TissueParams[] = [];
  const bands = bandVertices();
  for (let mask = 0; mask < 1 << BOX_KEYS.length; mask++) {
    const box: Partial<Record<BoundedKey, number>> = {};
    BOX_KEYS.forEach((key, i) => {
      box[key] = tissueFieldRange(key)[(mask >> i) & 1];
    });
    for (const [freezeBandLowC, freezeBandHighC] of bands) corners.push(parseTissueParams({ ...box, freezeBandLowC, freezeBandHighC }, 'tissue corner'));
  }
  return corners;
}
