// The tissue round the probe and the probe's size, drawn within the bounds the plant's tissue
// schema (kernel/bioheat/params.ts) and the settings (iceBall.probeOdMm) accept: the unknown-tip
// wait's passive thaw bound (src/controller/withdrawal.ts) must hold for every tissue and probe
// they accept (review of issue 11, M1), and a fuzzer that never varied them could not find a
// tissue that thaws slower than the table.
import type { Random } from '../../../kernel/random.js';
import { MIN_BAND_WIDTH_C, tissueFieldRange, type TissueParams } from '../../../kernel/bioheat/index.js';
import { PROBE_OD_MM_MAX, PROBE_OD_MM_MIN } from '../../controller/settings.js';

/** A run draws its tissue with this chance; the rest keep the nominal tissue (domain section 3). */
export const TISSUE_DRAW_P = 0.3;
/** Of the drawn tissues, this share is a corner of the schema's bounds (each field at its min or
 * max): the slowest thaw lies at or next to one (scripts/thaw-bound-table.ts). */
const TISSUE_CORNER_P = 0.4;
/** Otherwise each field is overridden with this chance... */
const FIELD_OVERRIDE_P = 0.5;
/** ...landing on its min or max this often (boundaries find more), else uniform in its range. */
const EDGE_P = 0.3;
/** A run draws its probe's outer diameter with this chance; the rest keep the configured one. */
export const PROBE_OD_DRAW_P = 0.3;

/** Every tissue field but the band, which is drawn as a pair (it must stay MIN_BAND_WIDTH_C wide). */
const SCALAR_FIELDS: readonly (keyof TissueParams)[] = [
  'kUnfrozenWPerMK', 'kFrozenWPerMK', 'heatCapUnfrozenMJPerM3K', 'heatCapFrozenMJPerM3K',
  'latentHeatMJPerM3', 'perfusionWPerM3K', 'metabolicWPerM3', 'arterialC',
];

const within = (random: Random, [min, max]: readonly [number, number]): number => min + random.next() * (max - min);

function drawValue(random: Random, range: readonly [number, number], corner: boolean): number {
  const u = random.next();
  if (corner) return u < 0.5 ? range[0] : range[1];
  if (u < EDGE_P / 2) return range[0];
  if (u < EDGE_P) return range[1];
  return within(random, range);
}

/** The freezing band: its low end in range, its high end in range and at least MIN_BAND_WIDTH_C
 * above the low end. At a corner: each end at an extreme, the narrowest band where both would
 * cross (the band's vertices, as tissueSchemaCorners). */
function drawBand(random: Random, corner: boolean): Pick<TissueParams, 'freezeBandLowC' | 'freezeBandHighC'> {
  const lowRange = tissueFieldRange('freezeBandLowC');
  const [highMin, highMax] = tissueFieldRange('freezeBandHighC');
  const lowC = Math.min(drawValue(random, lowRange, corner), highMax - MIN_BAND_WIDTH_C);
  const highRange: readonly [number, number] = [Math.max(highMin, lowC + MIN_BAND_WIDTH_C), highMax];
  return { freezeBandLowC: lowC, freezeBandHighC: drawValue(random, highRange, corner) };
}

/** Tissue overrides for one run ({} for the nominal tissue), all within the schema's bounds. */
export function drawTissue(random: Random): Partial<TissueParams> {
  if (random.next() >= TISSUE_DRAW_P) return {};
  const corner = random.next() < TISSUE_CORNER_P;
  const tissue: Partial<Record<keyof TissueParams, number>> = {};
  for (const key of SCALAR_FIELDS) {
    if (corner || random.next() < FIELD_OVERRIDE_P) tissue[key] = drawValue(random, tissueFieldRange(key), corner);
  }
  if (corner || random.next() < FIELD_OVERRIDE_P) Object.assign(tissue, drawBand(random, corner));
  return tissue;
}

/** A probe outer diameter the settings accept (iceBall.probeOdMm), or null to keep the configured
 * one: the plant's probe and the controller's setting are the same probe. */
export function drawProbeOdMm(random: Random): number | null {
  if (random.next() >= PROBE_OD_DRAW_P) return null;
  return drawValue(random, [PROBE_OD_MM_MIN, PROBE_OD_MM_MAX], false);
}
