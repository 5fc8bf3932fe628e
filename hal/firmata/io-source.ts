// Where a board file's Firmata link comes from: a serial path (found by listing when the file
// says null) or the raspi-io plugin (optional dependency). The emulated Uno (cryo rig) is a serial path too.
import { SerialPort } from 'serialport';
import type { HardwareBoard } from '../hardware-board.js';
import { UNO } from '../chips.js';
import type { IoSource } from './johnny-five.js';

/** Serial devices an Uno shows up as (Linux ttyACM/ttyUSB, macOS usbmodem, Windows COM). */
const ARDUINO_PORT = /usb|acm|^com/i;

export interface IoSourceOptions {
  /** Lists serial ports; SerialPort.list by default (it rejects without udev). */
  readonly list?: () => Promise<readonly { path: string }[]>;
  /** Loads the raspi-io module; a dynamic import by default. */
  readonly loadRaspi?: () => Promise<unknown>;
}

export function ioSourceFor(board: HardwareBoard, options: IoSourceOptions = {}): () => Promise<IoSource> {
  const f = board.firmata;
  return async () => {
    if (f.io === 'raspi') return { io: await raspiIo(options.loadRaspi ?? (() => import(RASPI_IO_MODULE))) };
    if (f.baud !== UNO.firmataBaud) throw new Error(`firmata.baud ${f.baud}: only StandardFirmata's ${UNO.firmataBaud} is supported`);
    if (f.port !== null) return { port: f.port };
    return { port: await findArduinoPort(options.list ?? (() => SerialPort.list()), board.frontend.port) };
  };
}

const RASPI_IO_MODULE = 'raspi-io';

async function raspiIo(load: () => Promise<unknown>): Promise<unknown> {
  let mod: unknown;
  try {
    mod = await load();
  } catch (err) {
    throw new Error(`firmata.io "raspi" needs the optional raspi-io package (npm install raspi-io, on the Pi): ${(err as Error).message}`);
  }
  const m = mod as { RaspiIO?: unknown; default?: unknown };
  const Ctor = m.RaspiIO ?? m.default;
  if (typeof Ctor !== 'function') throw new Error('raspi-io: the module exports no RaspiIO class');
  return new (Ctor as new (options: Record<string, unknown>) => unknown)({ enableSerial: false });
}

/**
 * The one Arduino-like port that is not the thermocouple front-end's. The front-end's USB adapter
 * also shows up as ttyUSB/ttyACM: picking it would talk Firmata to the front-end. More than one
 * candidate is refused rather than guessed.
 */
async function findArduinoPort(list: () => Promise<readonly { path: string }[]>, frontendPort: string): Promise<string> {
  let ports: readonly { path: string }[];
  try {
    ports = await list();
  } catch (err) {
    throw new Error(`firmata.port null: cannot list serial ports (${(err as Error).message}): give the port in the board file`);
  }
  const candidates = ports.filter((p) => ARDUINO_PORT.test(p.path) && p.path !== frontendPort);
  const all = `[${ports.map((p) => p.path).join(', ')}]`;
  const [only, ...others] = candidates;
  if (only === undefined) throw new Error(`firmata.port null: no Arduino-like serial port other than the front-end's ${frontendPort} among ${all}`);
  if (others.length > 0) {
    throw new Error(`firmata.port null: several Arduino-like serial ports [${candidates.map((p) => p.path).join(', ')}]: give firmata.port in the board file`);
  }
  return only.path;
}
