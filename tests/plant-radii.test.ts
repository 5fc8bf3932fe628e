// The plant's true ice-ball radii are computed when asked, not every tissue step: asked every
// substep, now and then, or once at the end, they must be the same numbers, and each set must be
// the tissue's as of its last step.
import { describe, expect, it } from 'vitest';
import { PLANT_SUBSTEP_MS, Plant, TISSUE_STEP_MS } from '../hil/plant/index.js';

const HEARTBEAT_MS = 100;

/** A plant freezing for `freezeMs` then thawing to `endMs`, the watchdog fed; `look` runs after every substep. */
function run(endMs: number, freezeMs: number, look: (plant: Plant, atMs: number) => void): Plant {
  const plant = new Plant();
  let level = false;
  for (let t = 0; t < endMs; t += PLANT_SUBSTEP_MS) {
    if (t % HEARTBEAT_MS === 0) plant.heartbeat((level = !level));
    plant.commandValves(t < freezeMs, t < freezeMs);
    plant.advance(PLANT_SUBSTEP_MS);
    look(plant, t + PLANT_SUBSTEP_MS);
  }
  return plant;
}

const radii = (plant: Plant): [number, number, number] => {
  const s = plant.state;
  return [s.r0Mm, s.r20Mm, s.r40Mm];
};

describe('plant ice-ball radii', () => {
  it('are the same asked every substep, every 7th substep or once at the end', () => {
    const endMs = 40_000;
    const every: Map<number, [number, number, number]> = new Map();
    const everyPlant = run(endMs, 30_000, (plant, atMs) => every.set(atMs, radii(plant)));
    const sparse: Map<number, [number, number, number]> = new Map();
    let n = 0;
    run(endMs, 30_000, (plant, atMs) => {
      if (n++ % 7 === 0) sparse.set(atMs, radii(plant));
    });
    for (const [atMs, r] of sparse) expect(r).toEqual(every.get(atMs));
    const once = run(endMs, 30_000, () => undefined);
    expect(radii(once)).toEqual(radii(everyPlant));
    expect(radii(once)[0]).toBeGreaterThan(1);
  });

  it('are 0 before the first tissue step and change only at a tissue step', () => {
    const seen: [number, [number, number, number]][] = [];
    run(20_000, 20_000, (plant, atMs) => seen.push([atMs, radii(plant)]));
    for (const [atMs, r] of seen) if (atMs < TISSUE_STEP_MS) expect(r).toEqual([0, 0, 0]);
    for (let i = 1; i < seen.length; i++) {
      const [atMs, r] = seen[i] ?? [0, [0, 0, 0]];
      if (atMs % TISSUE_STEP_MS !== 0) expect(r).toEqual(seen[i - 1]?.[1]);
    }
    expect(seen.at(-1)?.[1][0]).toBeGreaterThan(0);
  });
});
