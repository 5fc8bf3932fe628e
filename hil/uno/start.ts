import { EmulatedUno } from './emulated-uno.js';
import type { EmulatedUnoOptions } from './emulated-uno.js';
import { loadFirmataHex } from './firmware.js';
import type { EnsureFirmataOptions } from './firmware.js';

export interface FirmataUnoOptions extends Omit<EmulatedUnoOptions, 'firmware'> {
  firmata?: EnsureFirmataOptions;
  /** Start the CPU loop right away; default true. */
  autoStart?: boolean;
}

/**
 * An emulated Uno running the pinned StandardFirmata build (fetched and cached on first use).
 * Hand `uno.serial` to johnny-five: `new five.Board({ port: uno.serial, repl: false, debug: false, sigint: false })`.
 */
export async function createFirmataUno(options: FirmataUnoOptions = {}): Promise<EmulatedUno> {
  const { firmata, autoStart, ...rest } = options;
  const uno = new EmulatedUno({ ...rest, firmware: await loadFirmataHex(firmata) });
  if (autoStart ?? true) uno.start();
  return uno;
}
