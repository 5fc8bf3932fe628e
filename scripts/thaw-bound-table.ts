// Derives the unknown-tip wait's passive thaw table (src/controller/withdrawal.ts
// PASSIVE_THAW_BOUND_S): for each row's freeze F, the slowest passive thaw of any tissue the
// tissue schema accepts, on the largest probe the settings accept (a bigger probe thaws later:
// checked here too), plus THAW_BOUND_MARGIN, rounded up to THAW_BOUND_ROUND_S.
// The search: every corner of the schema's bounds, ranked with coarse steps, the slowest few
// recomputed accurately; then, from the slowest corner, a coordinate ascent (each field in turn
// over ASCENT_POINTS values of its range, kept where it is slower, until a pass changes nothing),
// because a few fields have their slowest value inside the range for long freezes (the unfrozen
// heat capacity: more heat held in the unfrozen shell, but a smaller ice ball).
// Run: npx tsx scripts/thaw-bound-table.ts (a few minutes).
import { ACCURATE_THAW_OPTIONS, COARSE_THAW_OPTIONS, parseTissueParams, passiveThawS, tissueFieldRange, tissueSchemaCorners } from '../kernel/bioheat/index.js';
import type { TissueParams } from '../kernel/bioheat/index.js';
import { PASSIVE_THAW_BOUND_S, THAW_BOUND_MARGIN, THAW_BOUND_ROUND_S } from '../src/controller/withdrawal.js';
import { PROBE_OD_MM_MAX, PROBE_OD_MM_MIN } from '../src/controller/settings.js';

/** The slowest this many corners by the coarse ranking are recomputed accurately. */
const RECOMPUTE_TOP = 8;
/** Values per field in each ascent pass (both ends included). */
const ASCENT_POINTS = 17;
const MAX_PASSES = 4;
const PROBE_ODS_MM = [PROBE_OD_MM_MIN, 1.0, 1.27, 1.6, PROBE_OD_MM_MAX];
const ROWS_S = (process.argv[2] ?? '').split(',').filter((s) => s !== '').map(Number);

const corners = tissueSchemaCorners();
const show = (t: TissueParams): string => Object.entries(t).map(([k, v]) => `${k} ${String(v)}`).join(', ');

function tryTissue(input: unknown): TissueParams | null {
  try {
    return parseTissueParams(input);
  } catch {
    return null; // a band narrower than allowed
  }
}

/** Coordinate ascent from `start` (coarse steps); returns the slowest tissue found. */
function ascend(start: TissueParams, freezeS: number): TissueParams {
  let best = start;
  let bestS = passiveThawS(best, PROBE_OD_MM_MAX, freezeS, COARSE_THAW_OPTIONS);
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    let moved = false;
    for (const key of Object.keys(best) as (keyof TissueParams)[]) {
      const [min, max] = tissueFieldRange(key);
      for (let i = 0; i < ASCENT_POINTS; i++) {
        const t = tryTissue({ ...best, [key]: min + ((max - min) * i) / (ASCENT_POINTS - 1) });
        if (t === null || t[key] === best[key]) continue;
        const s = passiveThawS(t, PROBE_OD_MM_MAX, freezeS, COARSE_THAW_OPTIONS);
        if (s > bestS) [best, bestS, moved] = [t, s, true];
      }
    }
    if (!moved) break;
  }
  return best;
}

const rows = PASSIVE_THAW_BOUND_S.map(([f]) => f).filter((f) => f > 0 && (ROWS_S.length === 0 || ROWS_S.includes(f)));
for (const freezeS of rows) {
  const ranked = corners.map((t) => ({ t, s: passiveThawS(t, PROBE_OD_MM_MAX, freezeS, COARSE_THAW_OPTIONS) })).sort((a, b) => b.s - a.s);
  const top = ranked.slice(0, RECOMPUTE_TOP).map(({ t }) => ({ t, s: passiveThawS(t, PROBE_OD_MM_MAX, freezeS, ACCURATE_THAW_OPTIONS) })).sort((a, b) => b.s - a.s);
  const corner = top[0];
  if (corner === undefined) throw new Error('no corners');
  const peak = ascend(corner.t, freezeS);
  const peakS = passiveThawS(peak, PROBE_OD_MM_MAX, freezeS, ACCURATE_THAW_OPTIONS);
  const worstS = Math.max(corner.s, peakS);
  const boundS = Math.ceil((worstS * (1 + THAW_BOUND_MARGIN)) / THAW_BOUND_ROUND_S) * THAW_BOUND_ROUND_S;
  const odS = PROBE_ODS_MM.map((od) => passiveThawS(peak, od, freezeS, COARSE_THAW_OPTIONS));
  console.log(`F ${freezeS} s: slowest corner ${corner.s.toFixed(1)} s, slowest found ${peakS.toFixed(1)} s -> bound ${boundS} s (table ${PASSIVE_THAW_BOUND_S.find(([f]) => f === freezeS)?.[1]} s)`);
  console.log(`  corner: ${show(corner.t)}`);
  console.log(`  slowest: ${show(peak)}`);
  console.log(`  probes ${PROBE_ODS_MM.join(' / ')} mm (coarse): ${odS.join(' / ')} s`);
}
