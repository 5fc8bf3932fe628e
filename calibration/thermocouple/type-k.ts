// Type K (chromel / alumel) reference function and inverse, NIST ITS-90 thermocouple database
// (NIST SRD 60), from NIST Monograph 175 (Burns et al., 1993). The coefficient values are
// NIST's, digit for digit; E in mV with the reference junction at 0 C, t in C (ITS-90).
import type { ExponentialTerm, ThermocoupleTable } from './types.js';

/** Reference function, -270 to 0 C: E = sum c_i t^i, i = 0..10. */
export const TYPE_K_REFERENCE_BELOW_0C = [
  0.000000000000E+00,
  0.394501280250E-01,
  0.236223735980E-04,
  -0.328589067840E-06,
  -0.499048287770E-08,
  -0.675090591730E-10,
  -0.574103274280E-12,
  -0.310888728940E-14,
  -0.104516093650E-16,
  -0.198892668780E-19,
  -0.163226974860E-22,
] as const;

/** Reference function, 0 to 1372 C: E = sum c_i t^i, i = 0..9, plus the exponential term. */
export const TYPE_K_REFERENCE_ABOVE_0C = [
  -0.176004136860E-01,
  0.389212049750E-01,
  0.185587700320E-04,
  -0.994575928740E-07,
  0.318409457190E-09,
  -0.560728448890E-12,
  0.560750590590E-15,
  -0.320207200030E-18,
  0.971511471520E-22,
  -0.121047212750E-25,
] as const;

/** a0 * exp(a1 * (t - a2)^2), 0 to 1372 C only. */
export const TYPE_K_EXPONENTIAL: ExponentialTerm = {
  a0Mv: 0.118597600000E+00,
  a1PerC2: -0.118343200000E-03,
  a2C: 0.126968600000E+03,
};

/** Inverse, -5.891 to 0 mV (-200 to 0 C): t = sum d_i E^i; error -0.02 to 0.04 C. */
export const TYPE_K_INVERSE_BELOW_0MV = [
  0.0000000E+00,
  2.5173462E+01,
  -1.1662878E+00,
  -1.0833638E+00,
  -8.9773540E-01,
  -3.7342377E-01,
  -8.6632643E-02,
  -1.0450598E-02,
  -5.1920577E-04,
] as const;

/** Inverse, 0 to 20.644 mV (0 to 500 C): t = sum d_i E^i; error -0.05 to 0.04 C. */
export const TYPE_K_INVERSE_0_TO_20_644MV = [
  0.000000E+00,
  2.508355E+01,
  7.860106E-02,
  -2.503131E-01,
  8.315270E-02,
  -1.228034E-02,
  9.804036E-04,
  -4.413030E-05,
  1.057734E-06,
  -1.052755E-08,
] as const;

/** Inverse, 20.644 to 54.886 mV (500 to 1372 C): t = sum d_i E^i; error -0.05 to 0.06 C. */
export const TYPE_K_INVERSE_ABOVE_20_644MV = [
  -1.318058E+02,
  4.830222E+01,
  -1.646031E+00,
  5.464731E-02,
  -9.650715E-04,
  8.802193E-06,
  -3.110810E-08,
] as const;

export const TYPE_K: ThermocoupleTable = {
  type: 'K',
  reference: [
    { minC: -270, maxC: 0, coefficients: TYPE_K_REFERENCE_BELOW_0C, exponential: null },
    { minC: 0, maxC: 1372, coefficients: TYPE_K_REFERENCE_ABOVE_0C, exponential: TYPE_K_EXPONENTIAL },
  ],
  inverse: [
    { minMv: -5.891, maxMv: 0, minC: -200, maxC: 0, coefficients: TYPE_K_INVERSE_BELOW_0MV, errorMinC: -0.02, errorMaxC: 0.04 },
    { minMv: 0, maxMv: 20.644, minC: 0, maxC: 500, coefficients: TYPE_K_INVERSE_0_TO_20_644MV, errorMinC: -0.05, errorMaxC: 0.04 },
    { minMv: 20.644, maxMv: 54.886, minC: 500, maxC: 1372, coefficients: TYPE_K_INVERSE_ABOVE_20_644MV, errorMinC: -0.05, errorMaxC: 0.06 },
  ],
};
