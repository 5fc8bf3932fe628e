// The fuzzer's ice-ball invariant (issue 11): where the plant state carries the radii, they are
// ordered, r(-40 C) <= r(-20 C) <= r(0 C), and bounded by the widest ice ball physics allows.
import { describe, expect, it } from 'vitest';
import type { PlantState } from '../hil/plant/index.js';
import { MAX_ICE_BALL_RADIUS_MM, iceBallOf, iceBallViolation } from '../src/sim/fuzz/invariants.js';

describe('the ice-ball radii invariant', () => {
  it('holds for ordered radii within the bound, and for none (a plant without a tissue model)', () => {
    expect(iceBallViolation({ r0Mm: 4.5, r20Mm: 2.7, r40Mm: 1.5 }, 1000)).toBeNull();
    expect(iceBallViolation({ r0Mm: 0, r20Mm: 0, r40Mm: 0 }, 1000)).toBeNull();
    expect(iceBallOf({ tipTrueC: 37 } as PlantState)).toBeNull();
  });

  it('is broken by radii out of order', () => {
    expect(iceBallViolation({ r0Mm: 4.5, r20Mm: 1.2, r40Mm: 1.5 }, 2500)).toEqual({
      invariant: 'ice-ball-radii',
      atMs: 2500,
      detail: `r(0 C) 4.5 mm, r(-20 C) 1.2 mm, r(-40 C) 1.5 mm (bound ${MAX_ICE_BALL_RADIUS_MM.toFixed(1)} mm)`,
    });
    expect(iceBallViolation({ r0Mm: 2, r20Mm: 2.5, r40Mm: 1 }, 0)?.invariant).toBe('ice-ball-radii');
  });

  it('is broken by a radius negative, not finite, or past the bound', () => {
    expect(iceBallViolation({ r0Mm: 3, r20Mm: 2, r40Mm: -0.1 }, 0)).not.toBeNull();
    expect(iceBallViolation({ r0Mm: Number.NaN, r20Mm: 2, r40Mm: 1 }, 0)).not.toBeNull();
    expect(iceBallViolation({ r0Mm: MAX_ICE_BALL_RADIUS_MM + 0.01, r20Mm: 2, r40Mm: 1 }, 0)).not.toBeNull();
  });

  it('bounds the radius by the fixed-wall ice ball grown over the longest site freeze (about 27 mm)', () => {
    expect(MAX_ICE_BALL_RADIUS_MM).toBeGreaterThan(20);
    expect(MAX_ICE_BALL_RADIUS_MM).toBeLessThan(30);
  });

  it("reads the radii where hil/plant's state carries them (r0Mm, r20Mm, r40Mm)", () => {
    expect(iceBallOf({ tipTrueC: -60, r0Mm: 3, r20Mm: 2, r40Mm: 1 } as unknown as PlantState)).toEqual({ r0Mm: 3, r20Mm: 2, r40Mm: 1 });
  });

  it('reads the radii from the plant state once it carries them', () => {
    const radii = { r0Mm: 3, r20Mm: 2, r40Mm: 1 };
    expect(iceBallOf({ tipTrueC: -60, iceBall: radii } as unknown as PlantState)).toEqual(radii);
  });
});
