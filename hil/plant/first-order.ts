// Exact discretisation of a first-order lag, shared by the plant's lumped elements.

/** One step of `dx/dt = (target - x) / tau`, exact for a target held over `dtMs`. */
export function firstOrderStep(value: number, target: number, timeConstantMs: number, dtMs: number): number {
  return target + (value - target) * Math.exp(-dtMs / timeConstantMs);
}
