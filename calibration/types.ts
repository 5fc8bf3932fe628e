// Names shared by the calibration record modules.
import type { ThermocoupleType } from './thermocouple/index.js';

export type { ThermocoupleType } from './thermocouple/index.js';

/** The supported types as a tuple for the record schema (z.enum needs one); kept to the NIST module's type. */
export const RECORD_THERMOCOUPLE_TYPES = ['T', 'K'] as const satisfies readonly ThermocoupleType[];

/** Reference baths of the guided procedure (issue 3); 'other' for anything else, read with a reference thermometer. */
export const BATHS = ['ice-point', 'dry-ice-ethanol', 'water-bath', 'other'] as const;
export type Bath = (typeof BATHS)[number];
