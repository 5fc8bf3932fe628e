// Type T (copper / constantan) reference function and inverse, NIST ITS-90 thermocouple
// database (NIST SRD 60), from NIST Monograph 175 (Burns et al., 1993). The coefficient values
// are NIST's, digit for digit; E in mV with the reference junction at 0 C, t in C (ITS-90).
import type { ThermocoupleTable } from './types.js';

/** Reference function, -270 to 0 C: E = sum c_i t^i, i = 0..14. */
export const TYPE_T_REFERENCE_BELOW_0C = [
  0.000000000000E+00,
  0.387481063640E-01,
  0.441944343470E-04,
  0.118443231050E-06,
  0.200329735540E-07,
  0.901380195590E-09,
  0.226511565930E-10,
  0.360711542050E-12,
  0.384939398830E-14,
  0.282135219250E-16,
  0.142515947790E-18,
  0.487686622860E-21,
  0.107955392700E-23,
  0.139450270620E-26,
  0.797951539270E-30,
] as const;

/** Reference function, 0 to 400 C: E = sum c_i t^i, i = 0..8. */
export const TYPE_T_REFERENCE_ABOVE_0C = [
  0.000000000000E+00,
  0.387481063640E-01,
  0.332922278800E-04,
  0.206182434040E-06,
  -0.218822568460E-08,
  0.109968809280E-10,
  -0.308157587720E-13,
  0.454791352900E-16,
  -0.275129016730E-19,
] as const;

/** Inverse, -5.603 to 0 mV (-200 to 0 C): t = sum d_i E^i; error -0.02 to 0.04 C. */
export const TYPE_T_INVERSE_BELOW_0MV = [
  0.0000000E+00,
  2.5949192E+01,
  -2.1316967E-01,
  7.9018692E-01,
  4.2527777E-01,
  1.3304473E-01,
  2.0241446E-02,
  1.2668171E-03,
] as const;

/** Inverse, 0 to 20.872 mV (0 to 400 C): t = sum d_i E^i; error -0.03 to 0.03 C. */
export const TYPE_T_INVERSE_ABOVE_0MV = [
  0.000000E+00,
  2.592800E+01,
  -7.602961E-01,
  4.637791E-02,
  -2.165394E-03,
  6.048144E-05,
  -7.293422E-07,
] as const;

export const TYPE_T: ThermocoupleTable = {
  type: 'T',
  reference: [
    { minC: -270, maxC: 0, coefficients: TYPE_T_REFERENCE_BELOW_0C, exponential: null },
    { minC: 0, maxC: 400, coefficients: TYPE_T_REFERENCE_ABOVE_0C, exponential: null },
  ],
  inverse: [
    { minMv: -5.603, maxMv: 0, minC: -200, maxC: 0, coefficients: TYPE_T_INVERSE_BELOW_0MV, errorMinC: -0.02, errorMaxC: 0.04 },
    { minMv: 0, maxMv: 20.872, minC: 0, maxC: 400, coefficients: TYPE_T_INVERSE_ABOVE_0MV, errorMinC: -0.03, errorMaxC: 0.03 },
  ],
};
