// The probe's exhaust (return) line: pressure rises with flow through its resistance.

import { ATMOSPHERIC_PRESSURE_BAR } from '../../kernel/units.js';
import { firstOrderStep } from './first-order.js';

/** Absolute pressure in the return line, first order toward atmospheric + resistance x flow. */
export class ReturnLine {
  readonly #riseBarPerGPerS: number;
  readonly #timeConstantMs: number;
  #pressureBarAbs = ATMOSPHERIC_PRESSURE_BAR;

  constructor(riseBarPerGPerS: number, timeConstantMs: number) {
    this.#riseBarPerGPerS = riseBarPerGPerS;
    this.#timeConstantMs = timeConstantMs;
  }

  get pressureBarAbs(): number {
    return this.#pressureBarAbs;
  }

  /** `resistanceFactor` > 1 models a blockage (snow, kinked tube, closed exhaust port). */
  step(massFlowGPerS: number, resistanceFactor: number, dtMs: number): void {
    const targetBarAbs = ATMOSPHERIC_PRESSURE_BAR + this.#riseBarPerGPerS * resistanceFactor * massFlowGPerS;
    this.#pressureBarAbs = firstOrderStep(this.#pressureBarAbs, targetBarAbs, this.#timeConstantMs, dtMs);
  }
}
