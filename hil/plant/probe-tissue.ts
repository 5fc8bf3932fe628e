// The probe tip in tissue: the expanding gas draws heat through the probe wall, h * (T_wall -
// T_gas), out of the tissue around it (kernel/bioheat); the thermocouple on the wall reads the
// wall. So the tip temperature results from the gas and the tissue together, and a larger ice
// ball loads the tip as it does in life. With no gas flowing the wall is adiabatic and the tip
// thaws as the tissue does.
import { BioheatSolver, gridForProbe } from '../../kernel/bioheat/index.js';
import { FirstOrderLag } from './first-order.js';
import { TISSUE_STEP_MS, type PlantParams } from './params.js';

const MS_PER_S = 1000;

export class ProbeTissue {
  readonly #solver: BioheatSolver;
  /** The line and probe body cooling toward the JT outlet. */
  readonly #cool: FirstOrderLag;
  readonly #hWPerM2K: number;
  /** Gas temperature inside the tip, C: the line and probe body cool down toward the JT outlet.
   * A number from the start, set by the constructor (see Plant's #tipC). */
  #gasC = Number.NaN;
  /** Over the tissue step under way: elapsed time, integral of h dt and of h * T_gas dt. */
  #windowMs = 0;
  #hDt = 0;
  #hGasDt = 0;
  /** The radii as of the last tissue step, computed when asked (#freshRadii): no tissue is that
   * cold before the first step. */
  #r0Mm = 0;
  #r20Mm = 0;
  #r40Mm = 0;
  /** A tissue step has run since the radii were computed. Each is a scan of the grid; a simulated
   * treatment never asks for them (the plant's state, built by the fuzzer and the scenario
   * reports, does), and three scans every tissue step were a tenth of the sim's own time a tick
   * (bench/sim.ts). The solver changes only in a tissue step, so a radius computed later is the
   * one the step would have computed. */
  #radiiStale = false;
  #wallFluxWPerM2 = 0;

  constructor(params: PlantParams) {
    this.#solver = new BioheatSolver(params.tissue, gridForProbe(params.probeOdMm));
    this.#cool = new FirstOrderLag(params.coolTimeConstantMs);
    this.#hWPerM2K = params.gasSideHWPerM2K;
    this.#gasC = this.#solver.wallC;
  }

  /** The tissue at the probe wall, C (the tip as of the last tissue step). */
  get wallC(): number {
    return this.#solver.wallC;
  }

  /** True ice-ball radii from the probe axis, mm (0 where no tissue is that cold). */
  get r0Mm(): number {
    this.#freshRadii();
    return this.#r0Mm;
  }

  get r20Mm(): number {
    this.#freshRadii();
    return this.#r20Mm;
  }

  get r40Mm(): number {
    this.#freshRadii();
    return this.#r40Mm;
  }

  /** Mean heat flux drawn out of the tissue through the wall over the last tissue step, W/m2. */
  get wallFluxWPerM2(): number {
    return this.#wallFluxWPerM2;
  }

  /**
   * One plant substep: gas at `jtGasC` (the JT outlet, floored at the sublimation point) flows
   * when `flowing`; otherwise the probe interior sits at the wall temperature and `jtGasC` is not
   * read (the plant passes NaN then). The tissue steps
   * once every TISSUE_STEP_MS with the substeps' mean wall condition.
   */
  substep(dtMs: number, flowing: boolean, jtGasC: number): void {
    this.#gasC = flowing ? this.#cool.step(this.#gasC, jtGasC, dtMs) : this.#solver.wallC;
    const h = flowing ? this.#hWPerM2K : 0;
    this.#hDt += h * dtMs;
    this.#hGasDt += h * this.#gasC * dtMs;
    this.#windowMs += dtMs;
    if (this.#windowMs >= TISSUE_STEP_MS) this.#stepTissue();
  }

  #stepTissue(): void {
    const meanH = this.#hDt / this.#windowMs;
    // The flux is linear in T_gas, so the h-weighted mean gas temperature gives the mean flux exactly.
    const gasC = this.#hDt > 0 ? this.#hGasDt / this.#hDt : this.#solver.wallC;
    this.#solver.advanceFluxWall(this.#windowMs / MS_PER_S, gasC, meanH);
    this.#wallFluxWPerM2 = this.#solver.wallFluxWPerM2;
    this.#windowMs = 0;
    this.#hDt = 0;
    this.#hGasDt = 0;
    this.#radiiStale = true;
  }

  #freshRadii(): void {
    if (!this.#radiiStale) return;
    this.#r0Mm = this.#solver.r0Mm();
    this.#r20Mm = this.#solver.r20Mm();
    this.#r40Mm = this.#solver.r40Mm();
    this.#radiiStale = false;
  }
}
