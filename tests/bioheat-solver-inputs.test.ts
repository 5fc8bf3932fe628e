// The solver's inputs and outputs passed in objects rather than as numbers (advanceFixedWallBy,
// radiiInto), which the live estimate uses so that its updates allocate nothing: the same results as
// the numbers' own calls, and an advance refused for a bad input changes nothing.
import { describe, expect, it } from 'vitest';
import { AssertionError } from '../kernel/assert.js';
import { BioheatSolver, gridForProbe, resolveTissueParams } from '../kernel/bioheat/index.js';
import type { IsothermRadii } from '../kernel/bioheat/index.js';

const solverFor = (probeOdMm = 1.27): BioheatSolver => new BioheatSolver(resolveTissueParams(), gridForProbe(probeOdMm));

/** What a solver's state shows from outside: time, the heat ledgers, the last flux and the radius
 * of isotherms from -75 to 30 C every 5 C. */
function fingerprint(solver: BioheatSolver): number[] {
  const radii: number[] = [];
  for (let isoC = -75; isoC <= 30; isoC += 5) radii.push(solver.radiusAtMm(isoC));
  return [solver.timeS, solver.wallC, solver.wallDrawnJPerM, solver.perfusionJPerM, solver.outerJPerM, solver.wallFluxWPerM2, ...radii];
}

/** Walls of a freeze and its thaw, with steps of several lengths, s. */
const WALLS: ReadonlyArray<readonly [number, number]> = [
  [0.1, -40],
  [0.1, -60.25],
  [0.35, -78.5],
  [0.05, -78.5],
  [0.1, -20.125],
  [0.2, 5.5],
  [0.1, 37],
];

describe('the solver fed through objects', () => {
  it('advanceFixedWallBy steps as advanceFixedWall does, step by step (the same values from an object)', () => {
    const byNumbers = solverFor();
    const byObject = solverFor();
    let mostR20Mm = 0;
    for (let round = 0; round < 30; round++) {
      // Mostly frozen, so that the lethal isotherm forms: the walls' thaw only every third round.
      for (const [stepS, wallC] of round % 3 === 2 ? WALLS : WALLS.slice(0, 4)) {
        byNumbers.advanceFixedWall(stepS, wallC);
        byObject.advanceFixedWallBy({ stepS, wallC });
        expect(fingerprint(byObject)).toEqual(fingerprint(byNumbers));
        mostR20Mm = Math.max(mostR20Mm, byObject.r20Mm());
      }
    }
    expect(mostR20Mm).toBeGreaterThan(0);
  });

  it('radiiInto writes what r0Mm, r20Mm and r40Mm return, before and after a step', () => {
    const solver = solverFor(2);
    const radii: IsothermRadii = { r0Mm: Number.NaN, r20Mm: Number.NaN, r40Mm: Number.NaN };
    for (let i = 0; i < 400; i++) {
      solver.advanceFixedWall(0.1, i < 300 ? -78.5 : 20);
      solver.radiiInto(radii);
      expect(radii).toEqual({ r0Mm: solver.r0Mm(), r20Mm: solver.r20Mm(), r40Mm: solver.r40Mm() });
      if (i === 299) expect(radii.r40Mm).toBeGreaterThan(0);
    }
  });

  it.each([
    ['a wall below the range', () => ({ stepS: 0.1, wallC: -200.5 }), /wall temperature -200.5 C is out of range/],
    ['a wall that is not a number', () => ({ stepS: 0.1, wallC: Number.NaN }), /wall temperature NaN C is out of range/],
    ['a step of no time', () => ({ stepS: 0, wallC: -60 }), /cannot step by 0 s/],
    ['a step that is not a number', () => ({ stepS: Number.NaN, wallC: -60 }), /cannot step by NaN s/],
  ])('refuses %s and changes nothing: the next advance is as if it had not been asked', (_name, bad, message) => {
    const refused = solverFor();
    const untouched = solverFor();
    for (const solver of [refused, untouched]) solver.advanceFixedWall(5, -70);
    const before = fingerprint(refused);
    expect(() => { refused.advanceFixedWallBy(bad()); }).toThrow(AssertionError);
    expect(() => { refused.advanceFixedWallBy(bad()); }).toThrow(message);
    expect(fingerprint(refused)).toEqual(before);
    refused.advanceFixedWallBy({ stepS: 0.1, wallC: -75 });
    untouched.advanceFixedWallBy({ stepS: 0.1, wallC: -75 });
    expect(fingerprint(refused)).toEqual(fingerprint(untouched));
  });

  // An untyped caller (a parsed file, a test's cast) may pass what is not a number: the typed array
  // the advance goes through would turn null into 0 (a wall at 0 C) and '0.1' into 0.1 (review of
  // this change). Refused before it gets there, as the numbers' checks refused it before.
  it.each([
    ['a null wall', (s: BioheatSolver) => { s.advanceFixedWall(0.1, null as unknown as number); }, /wall temperature null C is out of range/],
    ['a string length', (s: BioheatSolver) => { s.advanceFixedWall('0.1' as unknown as number, -60); }, /cannot step by 0.1 s/],
    ['a null h', (s: BioheatSolver) => { s.advanceFluxWall(0.1, -78.5, null as unknown as number); }, /h null W\/m2\/K is out of range/],
    ['a boolean gas temperature', (s: BioheatSolver) => { s.advanceFluxWall(0.1, true as unknown as number, 1_000); }, /gas temperature true C is out of range/],
    ['a null step length in an object', (s: BioheatSolver) => { s.advanceFixedWallBy({ stepS: null as unknown as number, wallC: -60 }); }, /cannot step by null s/],
    ['an undefined wall in an object', (s: BioheatSolver) => { s.advanceFixedWallBy({ stepS: 0.1 } as unknown as { stepS: number; wallC: number }); }, /wall temperature undefined C is out of range/],
  ])('refuses %s, not a number, and changes nothing', (_name, advance, message) => {
    const solver = solverFor();
    solver.advanceFixedWall(5, -70);
    const before = fingerprint(solver);
    expect(() => { advance(solver); }).toThrow(message);
    expect(fingerprint(solver)).toEqual(before);
  });

  it('refuses a flux wall of a bad gas temperature or h, changing nothing', () => {
    const solver = solverFor();
    solver.advanceFluxWall(5, -78.5, 2_000);
    const before = fingerprint(solver);
    expect(() => { solver.advanceFluxWall(0.1, 150, 2_000); }).toThrow(/gas temperature 150 C is out of range/);
    expect(() => { solver.advanceFluxWall(0.1, -78.5, -1); }).toThrow(/h -1 W\/m2\/K is out of range/);
    expect(fingerprint(solver)).toEqual(before);
  });
});
