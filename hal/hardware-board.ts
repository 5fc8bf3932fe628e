// A hardware board file ("backend": "hardware"): an Uno running StandardFirmata (or a Pi's GPIO)
// for valves, buttons, lamps and pressures, plus the thermocouple front-end on a serial port.
// Each driver owns its part of the schema (hal/firmata/config.ts, hal/serial/config.ts).
import { posix } from 'node:path';
import { z } from 'zod';
import { ProbeIdSchema, THERMOCOUPLE_TYPES } from '../kernel/probe.js';
import { FirmataFields, checkFirmataFields } from './firmata/config.js';
import { FrontendConfigSchema } from './serial/config.js';

export { DIGITAL_CHANNELS, type DigitalChannel, type Polarity, type TransducerConfig } from './firmata/config.js';
export type { PinName } from './chips.js';

/** A port name beginning with this is served by the emulators in hil/ (no device is opened). */
export const EMULATED_PORT_PREFIX = 'emulated:';
export const isEmulatedPort = (port: string | null): boolean => port?.startsWith(EMULATED_PORT_PREFIX) === true;

export const HardwareBoardSchema = z
  .object({
    $schema: z.string().optional(),
    name: z.string().min(1),
    backend: z.literal('hardware'),
    /** Wiring notes for the engineer; never read by the software. */
    notes: z.array(z.string()).default([]),
    thermocoupleType: z.enum(THERMOCOUPLE_TYPES).default('T'),
    /** The fitted probe's id, for probes without an ID chip: its calibration record is found by it. */
    probeId: ProbeIdSchema.nullable().default(null),
    calibration: z
      .object({
        /** Only simulated probes can calibrate themselves (a real probe needs real baths): true is
         * accepted only when both ports are emulated, whose probe is the plant model's. */
        autoCalibrate: z.boolean().default(false),
      })
      .strict()
      .default({ autoCalibrate: false }),
    ...FirmataFields,
    frontend: FrontendConfigSchema,
  })
  .strict()
  .superRefine((board, ctx) => {
    checkFirmataFields(board, ctx);
    checkPorts(board, ctx);
  });

export type HardwareBoard = z.infer<typeof HardwareBoardSchema>;

/** A port name as the system sees it: '/dev/./ttyUSB0' is '/dev/ttyUSB0'; 'com3' is 'COM3'. */
function portIdentity(port: string): string {
  return port.startsWith('/') ? posix.normalize(port) : port.toUpperCase();
}

function checkPorts(board: HardwareBoard, ctx: z.RefinementCtx): void {
  const firmata = board.firmata;
  if (board.calibration.autoCalibrate && !(isEmulatedPort(firmata.port) && isEmulatedPort(board.frontend.port))) {
    ctx.addIssue({
      code: 'custom',
      path: ['calibration', 'autoCalibrate'],
      message: 'true only for emulated boards: a real probe must be calibrated in real baths (cryo calibrate)',
    });
  }
  // The Pi's GPIO is not on a serial port; only an Uno shares the name space with the front-end.
  if (firmata.io === 'serial' && firmata.port !== null && portIdentity(firmata.port) === portIdentity(board.frontend.port)) {
    ctx.addIssue({
      code: 'custom',
      path: ['frontend', 'port'],
      message: `${JSON.stringify(board.frontend.port)} is also firmata.port: the Uno and the thermocouple front-end need a serial port each`,
    });
  }
  // A half-emulated board would run the real driver against an emulator's name (or the reverse).
  if (isEmulatedPort(firmata.port) !== isEmulatedPort(board.frontend.port)) {
    ctx.addIssue({
      code: 'custom',
      path: ['frontend', 'port'],
      message: `${JSON.stringify(board.frontend.port)} with firmata.port ${JSON.stringify(firmata.port)}: both ports are emulated ("${EMULATED_PORT_PREFIX}...") or neither is`,
    });
  }
}
