// The fuzzer's ice-ball invariant (issue 11): where the plant state carries the radii, they are
// ordered, r(-40 C) <= r(-20 C) <= r(0 C), and bounded by the widest ice ball physics allows.
import { describe, expect, it } from 'vitest';
import { Plant } from '../hil/plant/index.js';
import type { PlantState } from '../hil/plant/index.js';
import { MAX_ICE_BALL_RADIUS_MM, iceBallOf, iceBallViolation } from '../src/sim/fuzz/invariants.js';

describe('the ice-ball radii invariant', () => {
  it('holds for ordered radii within the bound, and reads them from the plant state', () => {
    expect(iceBallViolation({ r0Mm: 4.5, r20Mm: 2.7, r40Mm: 1.5 }, 1000)).toBeNull();
    expect(iceBallViolation({ r0Mm: 0, r20Mm: 0, r40Mm: 0 }, 1000)).toBeNull();
    expect(iceBallOf({ tipTrueC: -60, r0Mm: 4.9, r20Mm: 2.8, r40Mm: 1.4 } as PlantState)).toEqual({ r0Mm: 4.9, r20Mm: 2.8, r40Mm: 1.4 });
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

  it('is checked on the real plant: a freeze grows ordered radii within the bound', () => {
    const plant = new Plant({});
    plant.commandValves(true, true);
    // A live controller: the heartbeat toggles every 20 ms tick, so the watchdog keeps valve power on.
    for (let t = 0; t < 60_000; t += 20) {
      plant.heartbeat(t % 40 === 0);
      plant.advance(20);
    }
    const radii = iceBallOf(plant.state);
    expect(radii?.r20Mm).toBeGreaterThan(1);
    expect(iceBallViolation(radii ?? { r0Mm: -1, r20Mm: 0, r40Mm: 0 }, 60_000)).toBeNull();
  });
});
