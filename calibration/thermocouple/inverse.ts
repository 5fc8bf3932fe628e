// EMF to temperature. NIST publishes inverse polynomials only where they fit the reference
// function to a few hundredths of a degree (Type T -200 to 400 C, Type K -200 to 1372 C); below
// -200 C there is no inverse, and input outside the published range throws.
//
// tempCFromEmfMv starts from NIST's inverse polynomial (within -0.02..+0.04 C for T, -0.05..+0.06 C
// for K) and takes Newton steps on the reference function itself until a step is under
// NEWTON_TOLERANCE_C, so temperature -> EMF -> temperature round trips agree to about 1e-9 C and
// the answer is the one the NIST tables (computed from the reference functions) give.
//
// NIST's EMF limits are the reference function at the end temperatures rounded to 1 uV, so they
// can fall a hair inside or outside those temperatures (Type K: -5.891 mV is -199.97 C, and
// 1372 C is 54.886364 mV; Type T: 20.872 mV is 400.0005 C). So that every temperature in the
// published range converts both ways, the accepted EMF range is the published one widened to the
// reference function's EMF at the end temperatures (by at most 0.5 uV). A result is the exact
// inverse of the reference function (-5.603 mV is -200.0025 C for Type T), except that one past
// the end of the reference function itself (20.872 mV is 400.0005 C) is returned as that end.
import { rangeError } from './errors.js';
import type { ThermocoupleRangeError } from './errors.js';
import { evaluatePolynomial } from './polynomial.js';
import { checkedEmfMv, pieceEmfMv, pieceSlopeMvPerC, referencePieceFor } from './reference.js';
import { THERMOCOUPLE_TABLES, inverseRangeMv, referenceRangeC } from './tables.js';
import type { InversePiece, ThermocoupleType } from './types.js';

/** Newton stops once a step is this small, C: far below any thermocouple's uncertainty. */
export const NEWTON_TOLERANCE_C = 1e-9;
/**
 * ...or, after the step, once the EMF was matched this closely, mV (10 pV). NIST's two Type K
 * pieces differ by 2 nV at 0 C (c0 + a0 exp(a1 a2^2) = 1.97e-9 mV), so an EMF in that gap has no
 * exact solution and the steps would bounce across 0 C (by 5e-8 C) for ever.
 */
const NEWTON_TOLERANCE_MV = 1e-8;
/** From within 0.06 C at >= 15 uV/K, Newton converges in 2-3 steps; more means a bug. */
const NEWTON_MAX_STEPS = 8;
/** Half a microvolt of rounding at no less than 15 uV/K (Type K at -200 C) is under 0.04 C. */
const END_ROUNDING_TOLERANCE_C = 0.05;

/**
 * Floating-point noise of the reference polynomials near their ends, mV (1e-12 mV = 1 fV; the
 * rounding of a 10th-order polynomial at 55 mV is about 1e-14 mV), so that a temperature a few
 * ulps inside an end is not refused for an EMF a few ulps outside it.
 */
const EMF_ROUNDING_NOISE_MV = 1e-12;

/** The EMF range tempCFromEmfMv accepts: NIST's, widened to the EMF at its end temperatures. */
export function acceptedEmfRangeMv(type: ThermocoupleType): { minMv: number; maxMv: number } {
  const published = inverseRangeMv(type);
  const emfAtMinMv = checkedEmfMv(type, published.minC, 'temperature') - EMF_ROUNDING_NOISE_MV;
  const emfAtMaxMv = checkedEmfMv(type, published.maxC, 'temperature') + EMF_ROUNDING_NOISE_MV;
  return { minMv: Math.min(published.minMv, emfAtMinMv), maxMv: Math.max(published.maxMv, emfAtMaxMv) };
}

/** Names NIST's published range; `note` adds where the EMF came from. */
export function inverseRangeError(type: ThermocoupleType, emfMv: number, quantity: 'EMF' | 'measured EMF', note = ''): ThermocoupleRangeError {
  const { minMv, maxMv, minC, maxC } = inverseRangeMv(type);
  return rangeError({ type, quantity, value: emfMv, min: minMv, max: maxMv, unit: 'mV' }, 'inverse function', ` (${minC} to ${maxC} C)${note}`);
}

function inversePieceFor(type: ThermocoupleType, emfMv: number): InversePiece {
  const { minMv, maxMv } = acceptedEmfRangeMv(type);
  if (!Number.isFinite(emfMv) || emfMv < minMv || emfMv > maxMv) throw inverseRangeError(type, emfMv, 'EMF');
  const pieces = THERMOCOUPLE_TABLES[type].inverse;
  const piece = pieces.find((p) => emfMv <= p.maxMv) ?? pieces[pieces.length - 1];
  if (piece === undefined) throw new Error(`Type ${type}: no inverse piece covers ${emfMv} mV inside ${minMv} to ${maxMv} mV`);
  return piece;
}

/**
 * NIST's inverse polynomial alone: within its published error (about +-0.04 C for T,
 * +-0.06 C for K) of the reference function. Exposed so tests can hold the inverse coefficients
 * to that figure; conversions use tempCFromEmfMv.
 */
export function nistInverseTempC(type: ThermocoupleType, emfMv: number): number {
  return evaluatePolynomial(inversePieceFor(type, emfMv).coefficients, emfMv);
}

function clampToReferenceRange(type: ThermocoupleType, tempC: number): number {
  const { minC, maxC } = referenceRangeC(type);
  const overshootC = Math.max(minC - tempC, tempC - maxC, 0);
  if (overshootC > END_ROUNDING_TOLERANCE_C) {
    throw new Error(`Type ${type}: inverse gave ${tempC} C, ${overshootC} C outside the reference function range ${minC} to ${maxC} C`);
  }
  return Math.min(Math.max(tempC, minC), maxC);
}

/**
 * Temperature in C of a type `type` thermocouple's measuring junction from its EMF in mV with the
 * reference junction at 0 C. Throws ThermocoupleRangeError outside -5.603 to 20.872 mV (T) or
 * -5.891 to 54.886 mV (K), NIST's published limits (see the note at the top on their rounding).
 */
export function tempCFromEmfMv(type: ThermocoupleType, emfMv: number): number {
  const table = THERMOCOUPLE_TABLES[type];
  let tempC = nistInverseTempC(type, emfMv);
  for (let step = 0; step < NEWTON_MAX_STEPS; step += 1) {
    const piece = referencePieceFor(table, tempC);
    const residualMv = pieceEmfMv(piece, tempC) - emfMv;
    const stepC = residualMv / pieceSlopeMvPerC(piece, tempC);
    tempC -= stepC;
    if (Math.abs(stepC) <= NEWTON_TOLERANCE_C || Math.abs(residualMv) <= NEWTON_TOLERANCE_MV) {
      return clampToReferenceRange(type, tempC);
    }
  }
  throw new Error(`Type ${type}: Newton refinement for ${emfMv} mV did not converge in ${NEWTON_MAX_STEPS} steps (last ${tempC} C)`);
}
