// Board-file pin names to the names the IO plugin uses.
import type { PinName } from '../../src/board.js';
import type { IoPin } from './pin-io.js';

/** The Uno's analog pins A0-A5 are digital pins 14-19 in Firmata's numbering. */
const UNO_FIRST_ANALOG_PIN = 14;

export function digitalIoPin(pin: PinName, io: 'serial' | 'raspi'): IoPin {
  if (io === 'raspi' || typeof pin === 'number') return pin;
  return UNO_FIRST_ANALOG_PIN + Number(pin.slice(1));
}

/** Firmata's analogRead takes the analog channel: 'A0' is 0. */
export function analogChannel(pin: PinName): number {
  return typeof pin === 'number' ? pin : Number(pin.slice(1));
}
