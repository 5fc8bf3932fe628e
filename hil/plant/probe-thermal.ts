// The Joule-Thomson gas in the probe tip, its CO2 floor, and a probe rewarming in room air.

import { SUBLIMATION_MAX_PRESSURE_BAR, SUBLIMATION_MIN_PRESSURE_BAR, sublimationTempC } from '../../kernel/co2.js';
import { ATMOSPHERIC_PRESSURE_BAR } from '../../kernel/units.js';
import { assert } from '../../kernel/assert.js';
import { firstOrderStep } from './first-order.js';

/**
 * Isenthalpic outlet temperature against feed pressure (bar absolute), expanding to 1 atm, no heat
 * load: domain section 2 (gas at 20 C: 20/30/40/50 bar -> -4/-20/-39/-66 C; saturated feed at
 * 57.3 bar reaches the -78.5 C sublimation point). At ~1 bar there is no expansion, so no cooling.
 * Above the last point the outlet is pinned at the sublimation point (snow forms).
 */
const JT_TABLE: readonly (readonly [feedBarAbs: number, outletC: number])[] = [
  [ATMOSPHERIC_PRESSURE_BAR, 20],
  [20, -4],
  [30, -20],
  [40, -39],
  [50, -66],
  [57.3, -78.5],
];

/** Latent heat of tissue water is released between these (domain section 3): thawing stalls. */
export const LATENT_BAND_LOW_C = -8;
export const LATENT_BAND_HIGH_C = -1;
/**
 * A probe out of the body thaws this many times slower inside the latent band (the frost on it
 * melting). In the body the tissue model (probe-tissue.ts) carries the full latent heat.
 */
export const LATENT_SLOWDOWN_FACTOR = 3;

/** JT_TABLE's columns as flat arrays: the plant looks the outlet up every substep while gas flows,
 * and a flat array of doubles reads faster than an array of pairs (bench/sim.ts). */
const JT_FEED_BAR_ABS = Float64Array.from(JT_TABLE, ([feedBarAbs]) => feedBarAbs);
const JT_OUTLET_C = Float64Array.from(JT_TABLE, ([, outletC]) => outletC);
const JT_LAST = JT_TABLE.length - 1;
assert(JT_LAST >= 1, 'JT table: at least two points to interpolate between');

/** Joule-Thomson outlet temperature for a pressure drop `dropBar` across the orifice, C: linear
 * between the table's points, held at its ends (a feed that is no number gets the last point). */
export function jtOutletTempC(dropBar: number): number {
  const feedBarAbs = dropBar + ATMOSPHERIC_PRESSURE_BAR;
  const feed = JT_FEED_BAR_ABS;
  const outlet = JT_OUTLET_C;
  if (feedBarAbs <= (feed[0] ?? Number.NaN)) return outlet[0] ?? Number.NaN;
  // The last point itself, not interpolated to (which could miss it by a rounding).
  if (feedBarAbs >= (feed[JT_LAST] ?? Number.NaN)) return outlet[JT_LAST] ?? Number.NaN;
  for (let i = 1; i <= JT_LAST; i++) {
    const hiBar = feed[i] ?? Number.NaN;
    if (feedBarAbs <= hiBar) {
      const loBar = feed[i - 1] ?? Number.NaN;
      const loC = outlet[i - 1] ?? Number.NaN;
      return loC + ((feedBarAbs - loBar) / (hiBar - loBar)) * ((outlet[i] ?? Number.NaN) - loC);
    }
  }
  return outlet[JT_LAST] ?? Number.NaN;
}

/**
 * The coldest the tip can physically be with the exhaust at `returnBarAbs`. Outside the
 * sublimation fit the pressure is clamped: above the triple point (5.2 bar) liquid would form and
 * the tip would be warmer still, which the clamp errs against (it reports the colder bound).
 */
export function sublimationFloorC(returnBarAbs: number): number {
  const p = Math.min(Math.max(returnBarAbs, SUBLIMATION_MIN_PRESSURE_BAR), SUBLIMATION_MAX_PRESSURE_BAR);
  return sublimationTempC(p);
}

/**
 * Temperature of the expanded gas in the tip while it flows: the Joule-Thomson outlet temperature
 * for the pressure drop across the orifice, never below the sublimation floor at the return
 * pressure. The tissue's load on the tip is the tissue model's (probe-tissue.ts).
 */
export function gasTempC(supplyBarAbs: number, returnBarAbs: number): number {
  return Math.max(jtOutletTempC(supplyBarAbs - returnBarAbs), sublimationFloorC(returnBarAbs));
}

/** Passive rewarming of a probe in room air toward `towardC`, slowed inside the latent band while warming through it. */
export function thawStepC(tipC: number, towardC: number, timeConstantMs: number, dtMs: number): number {
  const inLatentBand = tipC >= LATENT_BAND_LOW_C && tipC <= LATENT_BAND_HIGH_C && towardC > tipC;
  const tauMs = inLatentBand ? timeConstantMs * LATENT_SLOWDOWN_FACTOR : timeConstantMs;
  return firstOrderStep(tipC, towardC, tauMs, dtMs);
}
