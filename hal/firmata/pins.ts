// Board-file pin names to the names the IO plugin uses, from the chip table (hal/chips.ts).
import { CHIPS, type FirmataIo, type PinName } from '../chips.js';
import type { IoPin } from './pin-io.js';

export function digitalIoPin(pin: PinName, io: FirmataIo): IoPin {
  const check = CHIPS[io].digital(pin);
  if (!check.ok) throw new Error(`pin ${JSON.stringify(pin)} ${check.problem} (the board schema should have refused it)`);
  return check.value.ioPin;
}

/** Firmata's analogRead takes the analog channel: 'A0' is 0. */
export function analogChannel(pin: PinName, io: FirmataIo): number {
  const check = CHIPS[io].analog(pin);
  if (!check.ok) throw new Error(`pin ${JSON.stringify(pin)} ${check.problem} (the board schema should have refused it)`);
  return check.value.channel;
}
