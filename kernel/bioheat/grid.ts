// The radial grid: node 0 on the probe wall, the last node at the outer edge (held at T_a).
// Cells grow geometrically away from the wall, where the gradients are steepest; each base cell
// can be split evenly (`subdivisions`), which halves every spacing for the convergence test.
import { assert } from '../assert.js';
import type { GridParams } from './params.js';

/** Millimetres per metre. */
const MM_PER_M = 1000;
/** Upper bound on the node count: the arrays are sized once, and the step's cost is linear in it. */
export const MAX_NODES = 4096;

/** Node radii in metres, strictly increasing, from the probe wall to the outer edge. */
export function gridRadiiM(grid: GridParams): Float64Array {
  assert(grid.outerRadiusMm > grid.probeRadiusMm + grid.wallCellMm, `bioheat grid: outer edge ${grid.outerRadiusMm} mm leaves no room beyond the probe`);
  const base: number[] = [grid.probeRadiusMm];
  let widthMm = grid.wallCellMm;
  let rMm = grid.probeRadiusMm;
  while (rMm + widthMm < grid.outerRadiusMm) {
    rMm += widthMm;
    base.push(rMm);
    widthMm *= grid.growth;
    assert(base.length <= MAX_NODES, `bioheat grid: more than ${MAX_NODES} nodes`);
  }
  // The last cell is stretched to end exactly at the outer edge (never narrower than the one inside).
  base[base.length - 1] = grid.outerRadiusMm;
  const n = (base.length - 1) * grid.subdivisions + 1;
  assert(n <= MAX_NODES, `bioheat grid: ${n} nodes is more than ${MAX_NODES}`);
  const radiiM = new Float64Array(n);
  for (let i = 0; i < base.length - 1; i++) {
    const lo = base[i] ?? 0;
    const hi = base[i + 1] ?? 0;
    for (let s = 0; s < grid.subdivisions; s++) radiiM[i * grid.subdivisions + s] = (lo + ((hi - lo) * s) / grid.subdivisions) / MM_PER_M;
  }
  radiiM[n - 1] = grid.outerRadiusMm / MM_PER_M;
  return radiiM;
}
