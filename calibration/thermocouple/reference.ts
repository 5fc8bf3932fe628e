// Temperature to EMF: the NIST ITS-90 reference functions (NIST Monograph 175), reference
// junction at 0 C. Each is defined on a stated range; input outside it throws, never extrapolates.
import { rangeError } from './errors.js';
import type { ThermocoupleQuantity } from './errors.js';
import { evaluatePolynomial, evaluatePolynomialSlope } from './polynomial.js';
import { THERMOCOUPLE_TABLES, referenceRangeC } from './tables.js';
import type { ReferencePiece, ThermocoupleTable, ThermocoupleType } from './types.js';

/**
 * The piece covering `tempC`: the first whose upper end is at or above it (so 0 C uses the
 * below-zero piece and gives exactly 0 mV). No range check: callers check, or (Newton steps in
 * inverse.ts) stay within a rounding hair of the ends.
 */
export function referencePieceFor(table: ThermocoupleTable, tempC: number): ReferencePiece {
  const piece = table.reference.find((p) => tempC <= p.maxC) ?? table.reference[table.reference.length - 1];
  if (piece === undefined) throw new Error(`Type ${table.type}: thermocouple table has no reference pieces`);
  return piece;
}

export function pieceEmfMv(piece: ReferencePiece, tempC: number): number {
  const polynomialMv = evaluatePolynomial(piece.coefficients, tempC);
  if (piece.exponential === null) return polynomialMv;
  const { a0Mv, a1PerC2, a2C } = piece.exponential;
  return polynomialMv + a0Mv * Math.exp(a1PerC2 * (tempC - a2C) ** 2);
}

/** dE/dt, mV per C: the Seebeck coefficient of the reference function. */
export function pieceSlopeMvPerC(piece: ReferencePiece, tempC: number): number {
  const polynomialSlope = evaluatePolynomialSlope(piece.coefficients, tempC);
  if (piece.exponential === null) return polynomialSlope;
  const { a0Mv, a1PerC2, a2C } = piece.exponential;
  return polynomialSlope + a0Mv * Math.exp(a1PerC2 * (tempC - a2C) ** 2) * 2 * a1PerC2 * (tempC - a2C);
}

/** The reference function with its range check; `quantity` names the input in the error. */
export function checkedEmfMv(type: ThermocoupleType, tempC: number, quantity: ThermocoupleQuantity): number {
  const { minC, maxC } = referenceRangeC(type);
  if (!Number.isFinite(tempC) || tempC < minC || tempC > maxC) {
    throw rangeError({ type, quantity, value: tempC, min: minC, max: maxC, unit: 'C' }, 'reference function');
  }
  return pieceEmfMv(referencePieceFor(THERMOCOUPLE_TABLES[type], tempC), tempC);
}

/**
 * EMF in mV of a type `type` thermocouple with its measuring junction at `tempC` and its
 * reference junction at 0 C. Throws ThermocoupleRangeError outside -270 to 400 C (T) or
 * -270 to 1372 C (K).
 */
export function emfMvFromTempC(type: ThermocoupleType, tempC: number): number {
  return checkedEmfMv(type, tempC, 'temperature');
}
