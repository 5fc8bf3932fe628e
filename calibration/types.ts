// Names shared by the calibration record modules.
export type { ThermocoupleType } from '../kernel/probe.js';

/** Reference baths of the guided procedure (issue 3); 'other' for anything else, read with a reference thermometer. */
export const BATHS = ['ice-point', 'dry-ice-ethanol', 'water-bath', 'other'] as const;
export type Bath = (typeof BATHS)[number];
