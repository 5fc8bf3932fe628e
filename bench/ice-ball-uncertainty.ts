// The live estimate's uncertainty from the tissue it assumes (docs/ice-ball-estimate.md): the
// model run over a typical freeze with each TissueParams field at its bounds (alone), then all of
// them together at the extremes that grow and that shrink the ice ball, against the nominal
// tissue the estimate assumes. Run: `npx tsx bench/ice-ball-uncertainty.ts [--json]`.
import { BioheatSolver, DEFAULT_TISSUE_PARAMS, TissueParamsSchema, gridForProbe, resolveTissueParams } from '../kernel/bioheat/index.js';
import type { TissueParams } from '../kernel/bioheat/index.js';
import { PROBE_OD_MM_DEFAULT } from '../src/controller/settings.js';

/** The typical freeze: the sim plant's tip at the end of a 2-minute freeze (docs/tissue-model.md,
 * -66.5 C) held from the start, on the default 18 G probe, r(-20 C) read at these times. */
export const TYPICAL_WALL_C = -66.5;
export const TIMES_S: readonly number[] = [30, 60, 120];
/** Fields varied; the freezing band is held at domain section 3's -8..-1 C: its schema bounds
 * (-20..0 C) are validation limits, and a band reaching -20 C would redefine the isotherm judged. */
const VARIED = ['kUnfrozenWPerMK', 'kFrozenWPerMK', 'heatCapUnfrozenMJPerM3K', 'heatCapFrozenMJPerM3K', 'latentHeatMJPerM3', 'perfusionWPerM3K', 'metabolicWPerM3', 'arterialC'] as const;
type Varied = (typeof VARIED)[number];

function r20At(tissue: TissueParams): number[] {
  const solver = new BioheatSolver(tissue, gridForProbe(PROBE_OD_MM_DEFAULT));
  let t = 0;
  return TIMES_S.map((s) => {
    solver.stepFixedWall(s - t, TYPICAL_WALL_C);
    t = s;
    return solver.r20Mm();
  });
}

function bounds(field: Varied): [number, number] {
  const f = TissueParamsSchema.shape[field];
  return [f.minValue ?? Number.NaN, f.maxValue ?? Number.NaN];
}

export interface UncertaintyRow {
  readonly case: string;
  readonly r20Mm: readonly number[];
}

export function uncertainty(): UncertaintyRow[] {
  const nominal = r20At(DEFAULT_TISSUE_PARAMS);
  const rows: UncertaintyRow[] = [{ case: 'nominal', r20Mm: nominal }];
  const grow: Record<string, number> = {};
  const shrink: Record<string, number> = {};
  for (const field of VARIED) {
    const [lo, hi] = bounds(field);
    const atLo = r20At(resolveTissueParams({ [field]: lo }));
    const atHi = r20At(resolveTissueParams({ [field]: hi }));
    rows.push({ case: `${field} ${lo}`, r20Mm: atLo }, { case: `${field} ${hi}`, r20Mm: atHi });
    const last = TIMES_S.length - 1;
    const loGrows = (atLo[last] ?? 0) >= (atHi[last] ?? 0);
    grow[field] = loGrows ? lo : hi;
    shrink[field] = loGrows ? hi : lo;
  }
  rows.push({ case: 'all at the extremes that grow it', r20Mm: r20At(resolveTissueParams(grow)) });
  rows.push({ case: 'all at the extremes that shrink it', r20Mm: r20At(resolveTissueParams(shrink)) });
  return rows;
}

const rows = uncertainty();
if (process.argv.includes('--json')) console.log(JSON.stringify(rows, null, 2));
else {
  console.log(`r(-20 C) mm, ${PROBE_OD_MM_DEFAULT} mm probe, wall ${TYPICAL_WALL_C} C, at ${TIMES_S.join(' / ')} s`);
  for (const r of rows) console.log(`| ${r.case} | ${r.r20Mm.map((x) => x.toFixed(2)).join(' / ')} |`);
}
