// Exact discretisation of a first-order lag, shared by the plant's lumped elements.

/** One step of `dx/dt = (target - x) / tau`, exact for a target held over `dtMs`. */
export function firstOrderStep(value: number, target: number, timeConstantMs: number, dtMs: number): number {
  return target + (value - target) * Math.exp(-dtMs / timeConstantMs);
}

/**
 * firstOrderStep for one fixed time constant, keeping the decay factor of the last step length:
 * the plant and the sensors step in fixed PLANT_SUBSTEP_MS substeps, and a `Math.exp` per element
 * and substep was a measurable part of a simulated tick (bench/sim.ts). The factor is the same
 * expression on the same operands, so every step gives the very double firstOrderStep gives.
 */
export class FirstOrderLag {
  readonly timeConstantMs: number;
  /** The step length the factor is for; NaN until the first step (no step length equals it). */
  #dtMs = Number.NaN;
  #decay = Number.NaN;

  constructor(timeConstantMs: number) {
    this.timeConstantMs = timeConstantMs;
  }

  /** firstOrderStep(value, target, timeConstantMs, dtMs). */
  step(value: number, target: number, dtMs: number): number {
    if (dtMs !== this.#dtMs) {
      this.#decay = Math.exp(-dtMs / this.timeConstantMs);
      this.#dtMs = dtMs;
    }
    return target + (value - target) * this.#decay;
  }
}
