// The CO2 cylinder: saturation pressure while liquid remains (above 31 C, the supercritical
// pressure while the dense phase remains), then a falling vapour pressure.

import { fullCylinderPressureBar } from '../../kernel/co2.js';
import { ATMOSPHERIC_PRESSURE_BAR } from '../../kernel/units.js';

/**
 * Cylinder contents and pressure (bar absolute). Temperature is held constant: evaporative
 * cooling of the liquid is not modelled, so the pressure stays at saturation until dry-out
 * (domain section 2: pressure reflects temperature, not fill, until the liquid runs out).
 * Above the critical temperature there is no liquid, one dense supercritical phase: its pressure
 * (kernel/co2.ts fullCylinderPressureBar, an approximation) stands in for saturation, and
 * `liquidG` is that dense phase's mass.
 */
export class Cylinder {
  readonly #saturationBar: number;
  readonly #vapourAtDryOutG: number;
  // Initialised with a number, then set by the constructor: a field declared without an initializer
  // starts undefined, and V8 then boxes every number stored in it afresh (16 bytes a store,
  // bench/sim-alloc.ts).
  #liquidG = Number.NaN;
  #vapourG = Number.NaN;

  constructor(tempC: number, liquidChargeG: number, vapourAtDryOutG: number) {
    this.#saturationBar = fullCylinderPressureBar(tempC);
    this.#vapourAtDryOutG = vapourAtDryOutG;
    this.#liquidG = liquidChargeG;
    this.#vapourG = vapourAtDryOutG;
  }

  get liquidG(): number {
    return this.#liquidG;
  }

  get vapourG(): number {
    return this.#vapourG;
  }

  /** Absolute pressure; never below atmospheric (an open, empty cylinder equalises with air). */
  get pressureBarAbs(): number {
    if (this.#liquidG > 0) return this.#saturationBar;
    const fraction = this.#vapourG / this.#vapourAtDryOutG;
    return Math.max(ATMOSPHERIC_PRESSURE_BAR, this.#saturationBar * fraction);
  }

  /** Remove `massG` of CO2: liquid boils off first, then the vapour itself is drawn down. */
  draw(massG: number): void {
    if (!(massG > 0)) return;
    if (this.#liquidG >= massG) {
      this.#liquidG -= massG;
      return;
    }
    const fromVapourG = massG - this.#liquidG;
    this.#liquidG = 0;
    this.#vapourG = Math.max(0, this.#vapourG - fromVapourG);
  }

  /** The liquid is gone from now on (fault injection: empty or siphon tube above the liquid). */
  drainLiquid(): void {
    this.#liquidG = 0;
  }
}
