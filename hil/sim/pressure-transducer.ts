// A simulated pressure transducer: noise, range clamp and ADC quantisation.

import type { Random } from '../../kernel/random.js';
import { quantise } from './sensor-params.js';

export class PressureTransducer {
  readonly #noiseSdBar: number;
  readonly #resolutionBar: number;
  readonly #fullScaleBar: number;
  readonly #random: Random;

  constructor(noiseSdBar: number, resolutionBar: number, fullScaleBar: number, random: Random) {
    this.#noiseSdBar = noiseSdBar;
    this.#resolutionBar = resolutionBar;
    this.#fullScaleBar = fullScaleBar;
    this.#random = random;
  }

  /** The reading for `trueBar`, in the transducer's own reference (gauge or absolute): noisy,
   * clamped to its range and quantised. */
  read(trueBar: number): number {
    const noisy = trueBar + this.#noiseSdBar * this.#random.gaussian();
    const inRange = Math.min(Math.max(noisy, 0), this.#fullScaleBar);
    return quantise(inRange, this.#resolutionBar);
  }
}
