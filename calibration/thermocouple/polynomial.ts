// Polynomial evaluation for the NIST thermocouple functions. Horner's scheme keeps the rounding
// error of the 14th-order Type T polynomial near one ulp of the result.

/** `sum coefficients[i] * x^i`, coefficients lowest order first. */
export function evaluatePolynomial(coefficients: readonly number[], x: number): number {
  let sum = 0;
  for (let i = coefficients.length - 1; i >= 0; i -= 1) sum = sum * x + (coefficients[i] ?? 0);
  return sum;
}

/** d/dx of `sum coefficients[i] * x^i`. */
export function evaluatePolynomialSlope(coefficients: readonly number[], x: number): number {
  let slope = 0;
  for (let i = coefficients.length - 1; i >= 1; i -= 1) slope = slope * x + i * (coefficients[i] ?? 0);
  return slope;
}
