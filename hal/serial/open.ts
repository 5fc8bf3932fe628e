// Opening a board's thermocouple front-end (loads serialport: kept apart from the schema, which
// `cryo simulate` and `cryo boards check` read without any hardware library).
import type { Clock } from '../../kernel/clock.js';
import type { ThermocoupleType } from '../../kernel/probe.js';
import type { FrontendConfig } from './config.js';
import { SerialFrontend } from './frontend.js';
import { serialPortFactory } from './ports.js';

/** The one way a board's front-end is opened: its port (or `portPath` when the device is found
 * elsewhere, e.g. an emulator's pty), rate and channels, checked against the board's type. */
export function openFrontend(config: FrontendConfig, thermocoupleType: ThermocoupleType, clock: Clock, portPath: string = config.port): SerialFrontend {
  return new SerialFrontend({
    name: `front-end ${portPath}`,
    openPort: serialPortFactory(portPath, config.baud),
    channels: config.channels,
    thermocoupleType,
    clock,
  });
}
