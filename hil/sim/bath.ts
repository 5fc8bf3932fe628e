// A reference bath for the simulated probe (calibration practice, issue 3). While the probe is
// immersed its true tip temperature follows the bath, not the plant's gas and tissue model.

import type { Random } from '../../kernel/random.js';
import { firstOrderStep } from '../plant/index.js';

/**
 * Needle probe to stirred liquid: a 1-2 mm sheath settles in a few seconds. With 3 s the tip is
 * within 0.01 C of a 115 C step (37 C to dry ice) after about 30 s, as on the bench.
 */
export const BATH_TIME_CONSTANT_MS = 3_000;
/** A stirred bath wanders by one or two hundredths of a degree (slowly, not sample to sample). */
export const BATH_FLUCTUATION_SD_C = 0.015;
export const BATH_FLUCTUATION_CORRELATION_MS = 2_000;
/**
 * Baths the sim accepts: dry ice at high altitude (~0.5 bar) is near -85 C, boiling water 100 C.
 * Anything outside is a caller mistake, not a bath.
 */
export const BATH_MIN_C = -100;
export const BATH_MAX_C = 100;

export function checkBathC(bathC: number): number {
  if (!Number.isFinite(bathC) || bathC < BATH_MIN_C || bathC > BATH_MAX_C) {
    throw new RangeError(`sim bath: temperature ${bathC} C is outside ${BATH_MIN_C} to ${BATH_MAX_C} C`);
  }
  return bathC;
}

/** The probe tip in a bath: first-order lag towards the bath, whose temperature fluctuates slightly. */
export class BathImmersion {
  readonly #random: Random;
  // Initialised with a number, then set by the constructor: a field declared without an initializer
  // starts undefined, and V8 then boxes every number stored in it afresh (16 bytes a store,
  // bench/sim-alloc.ts).
  #bathC = Number.NaN;
  #tipC = Number.NaN;
  /** Ornstein-Uhlenbeck deviation of the bath from its nominal temperature. */
  #fluctuationC = 0;

  constructor(bathC: number, initialTipC: number, random: Random) {
    this.#bathC = checkBathC(bathC);
    this.#tipC = initialTipC;
    this.#random = random;
  }

  /** Move the probe straight to another bath (no time in air). */
  setBathC(bathC: number): void {
    this.#bathC = checkBathC(bathC);
  }

  get bathC(): number {
    return this.#bathC;
  }

  get tipTrueC(): number {
    return this.#tipC;
  }

  /** Advance by `dtMs`; returns the new true tip temperature. */
  step(dtMs: number): number {
    // Exact OU update: stationary sd stays BATH_FLUCTUATION_SD_C whatever the step.
    const keep = Math.exp(-dtMs / BATH_FLUCTUATION_CORRELATION_MS);
    this.#fluctuationC = keep * this.#fluctuationC + BATH_FLUCTUATION_SD_C * Math.sqrt(1 - keep * keep) * this.#random.gaussian();
    this.#tipC = firstOrderStep(this.#tipC, this.#bathC + this.#fluctuationC, BATH_TIME_CONSTANT_MS, dtMs);
    return this.#tipC;
  }
}
