// The probe's exhaust (return) line: pressure rises with flow through its resistance.

import { ATMOSPHERIC_PRESSURE_BAR } from '../../kernel/units.js';
import { FirstOrderLag } from './first-order.js';

/** Absolute pressure in the return line, first order toward atmospheric + resistance x flow. */
export class ReturnLine {
  readonly #riseBarPerGPerS: number;
  readonly #lag: FirstOrderLag;
  #pressureBarAbs = ATMOSPHERIC_PRESSURE_BAR;

  constructor(riseBarPerGPerS: number, timeConstantMs: number) {
    this.#riseBarPerGPerS = riseBarPerGPerS;
    this.#lag = new FirstOrderLag(timeConstantMs);
  }

  get pressureBarAbs(): number {
    return this.#pressureBarAbs;
  }

  /** `resistanceFactor` > 1 models a blockage (snow, kinked tube, closed exhaust port). */
  step(massFlowGPerS: number, resistanceFactor: number, dtMs: number): void {
    const targetBarAbs = ATMOSPHERIC_PRESSURE_BAR + this.#riseBarPerGPerS * resistanceFactor * massFlowGPerS;
    this.#pressureBarAbs = this.#lag.step(this.#pressureBarAbs, targetBarAbs, dtMs);
  }
}
