// The one error the thermocouple functions throw for bad input: it names the type, the quantity,
// the value and the range the function is defined on. NIST's functions are fits over a stated
// range; outside it they are not thermocouple physics, so nothing here extrapolates.
import type { ThermocoupleType } from './types.js';

export type ThermocoupleQuantity = 'temperature' | 'cold-junction temperature' | 'EMF' | 'measured EMF';

export interface ThermocoupleRangeDetails {
  readonly type: ThermocoupleType;
  readonly quantity: ThermocoupleQuantity;
  readonly value: number;
  readonly min: number;
  readonly max: number;
  readonly unit: 'C' | 'mV';
}

export class ThermocoupleRangeError extends RangeError {
  override readonly name = 'ThermocoupleRangeError';
  readonly details: ThermocoupleRangeDetails;

  constructor(message: string, details: ThermocoupleRangeDetails) {
    super(message);
    this.details = details;
  }
}

/** Ten significant digits: enough to show why 400.0000001 C is out, short enough to read. */
const MESSAGE_SIGNIFICANT_DIGITS = 10;

function formatValue(value: number): string {
  return Number.isFinite(value) ? String(Number(value.toPrecision(MESSAGE_SIGNIFICANT_DIGITS))) : String(value);
}

/** `Type T: temperature -280 C is outside the reference function range -270 to 400 C`. */
export function rangeError(details: ThermocoupleRangeDetails, functionName: string, note = ''): ThermocoupleRangeError {
  const { type, quantity, value, min, max, unit } = details;
  const range = `${min} to ${max} ${unit}${note}`;
  const message = Number.isFinite(value)
    ? `Type ${type}: ${quantity} ${formatValue(value)} ${unit} is outside the ${functionName} range ${range}`
    : `Type ${type}: ${quantity} ${formatValue(value)} is not a finite number; the ${functionName} range is ${range}`;
  return new ThermocoupleRangeError(message, details);
}
