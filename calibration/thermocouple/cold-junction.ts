// Cold-junction compensation (shared/domain.md section 5): the voltmeter sees the EMF between the
// tip and the terminals, so convert the terminal (cold-junction) temperature to EMF, add, invert.
// Doing this with one linear coefficient instead is what makes a MAX31855 read 10 C warm at -78 C.
import { acceptedEmfRangeMv, inverseRangeError, tempCFromEmfMv } from './inverse.js';
import { checkedEmfMv } from './reference.js';
import type { ThermocoupleType } from './types.js';

/** EMF in mV a voltmeter reads with the tip at `tempC` and the terminals at `coldJunctionC`. */
export function measuredEmfMvFor(type: ThermocoupleType, tempC: number, coldJunctionC: number): number {
  return checkedEmfMv(type, tempC, 'temperature') - checkedEmfMv(type, coldJunctionC, 'cold-junction temperature');
}

/** Tip temperature in C from the EMF in mV measured with the terminals at `coldJunctionC`. */
export function tempCFromMeasuredEmf(type: ThermocoupleType, measuredEmfMv: number, coldJunctionC: number): number {
  const coldJunctionEmfMv = checkedEmfMv(type, coldJunctionC, 'cold-junction temperature');
  const totalEmfMv = measuredEmfMv + coldJunctionEmfMv;
  if (!Number.isFinite(measuredEmfMv)) throw inverseRangeError(type, measuredEmfMv, 'measured EMF');
  const { minMv, maxMv } = acceptedEmfRangeMv(type);
  if (totalEmfMv < minMv || totalEmfMv > maxMv) {
    const note = `: measured ${measuredEmfMv} mV plus ${coldJunctionEmfMv.toFixed(4)} mV for the cold junction at ${coldJunctionC} C`;
    throw inverseRangeError(type, totalEmfMv, 'EMF', note);
  }
  return tempCFromEmfMv(type, totalEmfMv);
}
