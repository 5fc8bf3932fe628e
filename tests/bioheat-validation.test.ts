// The tissue model against the fixed-wall figures of shared/domain.md section 3 (within 10 %), and
// its own convergence: halving every grid spacing moves no radius by more than 2 %.
import { describe, expect, it } from 'vitest';
import { BioheatSolver, gridForProbe, resolveTissueParams } from '../kernel/bioheat/index.js';

interface Row {
  readonly timeS: number;
  /** r(0 C), r(-20 C), r(-40 C), mm from the probe axis. */
  readonly radiiMm: readonly [number, number, number];
}

interface Case {
  readonly probeOdMm: number;
  readonly wallC: number;
  readonly rows: readonly Row[];
}

/** Domain section 3, "probe wall held at a fixed temperature". */
const DOMAIN_TABLE: readonly Case[] = [
  { probeOdMm: 1.27, wallC: -70, rows: [
    { timeS: 30, radiiMm: [3.6, 2.2, 1.3] }, { timeS: 60, radiiMm: [4.5, 2.7, 1.5] },
    { timeS: 120, radiiMm: [5.8, 3.3, 1.7] }, { timeS: 180, radiiMm: [6.8, 3.6, 1.8] },
  ] },
  { probeOdMm: 2.0, wallC: -70, rows: [
    { timeS: 30, radiiMm: [4.1, 2.8, 1.9] }, { timeS: 60, radiiMm: [5.2, 3.3, 2.1] },
    { timeS: 120, radiiMm: [6.6, 4.0, 2.3] }, { timeS: 180, radiiMm: [7.6, 4.5, 2.4] },
  ] },
  { probeOdMm: 2.0, wallC: -50, rows: [{ timeS: 60, radiiMm: [4.5, 2.6, 1.4] }, { timeS: 120, radiiMm: [5.7, 3.0, 1.4] }] },
];

const TABLE_TOLERANCE = 0.1;
const GRID_TOLERANCE = 0.02;

/** The radii at each row's time for a freeze from body temperature with the wall held at `wallC`. */
function radiiAt(c: Case, subdivisions: number): [number, number, number][] {
  const solver = new BioheatSolver(resolveTissueParams(), gridForProbe(c.probeOdMm, { subdivisions }));
  const out: [number, number, number][] = [];
  let nowS = 0;
  for (const row of c.rows) {
    solver.stepFixedWall(row.timeS - nowS, c.wallC);
    nowS = row.timeS;
    out.push([solver.r0Mm(), solver.r20Mm(), solver.r40Mm()]);
  }
  return out;
}

const label = (c: Case): string => `${c.probeOdMm} mm probe, wall ${c.wallC} C`;

describe('fixed-wall freeze against domain section 3', () => {
  for (const c of DOMAIN_TABLE) {
    it(`gives r(0), r(-20) and r(-40) within 10 % at each listed time (${label(c)})`, () => {
      const got = radiiAt(c, 1);
      c.rows.forEach((row, i) => {
        row.radiiMm.forEach((expectedMm, j) => {
          const gotMm = got[i]?.[j] ?? Number.NaN;
          expect(Math.abs(gotMm / expectedMm - 1), `t ${row.timeS} s, isotherm ${[0, -20, -40][j]} C: ${gotMm.toFixed(3)} mm vs ${expectedMm}`).toBeLessThanOrEqual(TABLE_TOLERANCE);
        });
      });
    });
  }
});

describe('grid convergence', () => {
  for (const c of DOMAIN_TABLE) {
    it(`moves no radius by more than 2 % when every grid spacing is halved (${label(c)})`, () => {
      const coarse = radiiAt(c, 1);
      const fine = radiiAt(c, 2);
      coarse.forEach((radii, i) => {
        radii.forEach((coarseMm, j) => {
          const fineMm = fine[i]?.[j] ?? Number.NaN;
          expect(Math.abs(coarseMm / fineMm - 1), `row ${i}, isotherm ${[0, -20, -40][j]} C: ${coarseMm} vs ${fineMm}`).toBeLessThanOrEqual(GRID_TOLERANCE);
        });
      });
    });
  }

  it('moves no radius by more than 1 % when the outer edge goes from 25 to 40 mm (the far boundary is far enough)', () => {
    const near = new BioheatSolver(resolveTissueParams(), gridForProbe(2.0));
    const far = new BioheatSolver(resolveTissueParams(), gridForProbe(2.0, { outerRadiusMm: 40 }));
    near.stepFixedWall(180, -70);
    far.stepFixedWall(180, -70);
    expect(Math.abs(near.r0Mm() / far.r0Mm() - 1)).toBeLessThan(0.01);
    expect(Math.abs(near.r20Mm() / far.r20Mm() - 1)).toBeLessThan(0.01);
  });
});
