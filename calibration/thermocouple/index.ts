// NIST ITS-90 thermocouple conversion for Type T and Type K (NIST Monograph 175), with
// cold-junction compensation. Every function throws ThermocoupleRangeError outside its range.
export { measuredEmfMvFor, tempCFromMeasuredEmf } from './cold-junction.js';
export { ThermocoupleRangeError } from './errors.js';
export type { ThermocoupleQuantity, ThermocoupleRangeDetails } from './errors.js';
export { NEWTON_TOLERANCE_C, nistInverseTempC, tempCFromEmfMv } from './inverse.js';
export { emfMvFromTempC } from './reference.js';
export { THERMOCOUPLE_TABLES, inverseRangeMv, referenceRangeC } from './tables.js';
export { THERMOCOUPLE_TYPES, isThermocoupleType } from './types.js';
export type { ThermocoupleType } from './types.js';
