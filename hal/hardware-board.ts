// A hardware board file ("backend": "hardware"): an Uno running StandardFirmata (or a Pi's GPIO)
// for valves, buttons, lamps and pressures, plus the thermocouple front-end on a serial port.
// Each driver owns its part of the schema (hal/firmata/config.ts, hal/serial/config.ts).
import { posix } from 'node:path';
import { z } from 'zod';
import { BoardNameSchema } from './board-name.js';
import { ProbeIdSchema, THERMOCOUPLE_TYPES } from '../kernel/probe.js';
import { FirmataFields, checkFirmataFields } from './firmata/config.js';
import { FrontendConfigSchema } from './serial/config.js';

export { DIGITAL_CHANNELS, type DigitalChannel, type Polarity, type TransducerConfig } from './firmata/config.js';
export type { PinName } from './chips.js';

/** The rig's sensor-noise seed when the board gives none. */
const RIG_DEFAULT_SEED = 1;
/** A rig that `cryo run` starts exits after this long with no host on either port. */
const RIG_DEFAULT_EXIT_WHEN_IDLE_S = 600;
const RIG_MAX_EXIT_WHEN_IDLE_S = 86_400;

export const HardwareBoardSchema = z
  .object({
    $schema: z.string().optional(),
    name: BoardNameSchema,
    backend: z.literal('hardware'),
    /** Wiring notes for the engineer; never read by the software. */
    notes: z.array(z.string()).default([]),
    thermocoupleType: z.enum(THERMOCOUPLE_TYPES).default('T'),
    /** The fitted probe's id, for probes without an ID chip: its calibration record is found by it. */
    probeId: ProbeIdSchema.nullable().default(null),
    /** Present on an emulated board: `cryo rig` (hil/rig/) serves both ports as pseudo-terminals
     * at the paths the board gives, from its own process; `cryo run` starts it when none runs. */
    rig: z
      .object({
        /** Seeds the plant's sensor noise. */
        seed: z.number().int().min(0).max(0xffff_ffff).default(RIG_DEFAULT_SEED),
        /** A rig that `cryo run` starts exits after this long with no host on either port. */
        exitWhenIdleS: z.number().int().min(1).max(RIG_MAX_EXIT_WHEN_IDLE_S).default(RIG_DEFAULT_EXIT_WHEN_IDLE_S),
      })
      .strict()
      .nullable()
      .default(null),
    calibration: z
      .object({
        /** Only simulated probes can calibrate themselves (a real probe needs real baths): true is
         * accepted only on a rig board, whose probe is the plant model's. */
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
  // (autoCalibrate: a rig's probe is the plant model's; any other probe needs real baths.)
  if (board.calibration.autoCalibrate && board.rig === null) {
    ctx.addIssue({
      code: 'custom',
      path: ['calibration', 'autoCalibrate'],
      message: 'true only for emulated (rig) boards: a real probe must be calibrated in real baths (cryo calibrate)',
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
  // The rig makes both devices in one directory (its run directory: pid file, control socket, trace).
  if (board.rig !== null) {
    const uno = firmata.port;
    if (firmata.io !== 'serial' || uno === null || !posix.isAbsolute(uno)) {
      ctx.addIssue({ code: 'custom', path: ['firmata', 'port'], message: `${JSON.stringify(uno)}: a rig board names the Uno's device by an absolute path (the rig makes it)` });
    } else if (!posix.isAbsolute(board.frontend.port) || posix.dirname(posix.normalize(board.frontend.port)) !== posix.dirname(posix.normalize(uno))) {
      ctx.addIssue({
        code: 'custom',
        path: ['frontend', 'port'],
        message: `${JSON.stringify(board.frontend.port)}: a rig board's front-end device is an absolute path in the directory of firmata.port (${JSON.stringify(uno)})`,
      });
    }
  }
}
