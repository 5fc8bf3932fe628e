// Shapes of the NIST ITS-90 thermocouple tables (NIST Monograph 175): one record per letter type.

import type { ThermocoupleType } from '../../kernel/probe.js';

export { THERMOCOUPLE_TYPES, isThermocoupleType, type ThermocoupleType } from '../../kernel/probe.js';

/**
 * Type K's extra term above 0 C, `a0 * exp(a1 * (t - a2)^2)`, which models the magnetic
 * ordering of the alumel leg near 127 C.
 */
export interface ExponentialTerm {
  readonly a0Mv: number;
  readonly a1PerC2: number;
  readonly a2C: number;
}

/** One piece of the reference function: `E[mV] = sum c_i t^i (+ exponential term)` on [minC, maxC]. */
export interface ReferencePiece {
  readonly minC: number;
  readonly maxC: number;
  /** c_0 .. c_n, mV / C^i, lowest order first. */
  readonly coefficients: readonly number[];
  readonly exponential: ExponentialTerm | null;
}

/** One piece of NIST's inverse polynomial: `t[C] = sum d_i E^i` on [minMv, maxMv]. */
export interface InversePiece {
  readonly minMv: number;
  readonly maxMv: number;
  /** Temperatures the EMF limits stand for, as NIST publishes them. */
  readonly minC: number;
  readonly maxC: number;
  /** d_0 .. d_n, C / mV^i, lowest order first. */
  readonly coefficients: readonly number[];
  /** NIST's stated error of this inverse piece against the reference function, C. */
  readonly errorMinC: number;
  readonly errorMaxC: number;
}

export interface ThermocoupleTable {
  readonly type: ThermocoupleType;
  /** Pieces in ascending temperature order, contiguous. */
  readonly reference: readonly ReferencePiece[];
  /** Pieces in ascending EMF order, contiguous. */
  readonly inverse: readonly InversePiece[];
}
