// Board definition files (boards/*.json): which back-end serves the HAL and how it is set up.
// Parsed once with a schema; every problem names the file, the field and the value.
import { posix } from 'node:path';
import { z } from 'zod';
import { isValidProbeId } from '../calibration/record.js';
import { PlantParamsError, resolvePlantParams } from '../hil/plant/index.js';
import { readJsonFile } from './json-file.js';
import { describeIssues } from './controller/settings.js';

/** A probe id names its calibration file (`<dataDir>/calibrations/<id>.json`): an id outside the
 * safe pattern ('../../etc/x') would point the console at a file outside that folder. */
const ProbeIdSchema = z.string().superRefine((id, ctx) => {
  if (!isValidProbeId(id)) {
    ctx.addIssue({ code: 'custom', message: `${JSON.stringify(id)} is not a valid probe id (1-64 of A-Z a-z 0-9 . _ -, not . or ..)` });
  }
});

export const SimBoardSchema = z
  .object({
    $schema: z.string().optional(),
    name: z.string().min(1),
    backend: z.literal('sim'),
    /** The tip thermocouple's type: calibrations must match it; it sets the physical-floor tolerance. */
    thermocoupleType: z.enum(['T', 'K']).default('T'),
    calibration: z
      .object({
        /** Simulated boards only: when the probe has no valid calibration at start-up, calibrate it
         * on the simulated baths (virtual time, a few ms) and save the record like any other. */
        autoCalibrate: z.boolean().default(false),
      })
      .strict()
      .default({ autoCalibrate: false }),
    /** Seeds the simulated sensor noise; the same seed replays the same run. */
    seed: z.number().int().min(0).max(0xffffffff).default(1),
    /** Overrides of the plant model's parameters (hil/plant/params.ts). */
    plant: z
      .object({
        cylinderTempC: z.number().optional(),
        liquidChargeG: z.number().optional(),
        probePresent: z.boolean().optional(),
        probeId: ProbeIdSchema.nullable().optional(),
      })
      .strict()
      .default({}),
  })
  .strict()
  .superRefine(checkPlant);

export type SimBoard = z.infer<typeof SimBoardSchema>;

/** The plant model's own range checks, here so `cryo boards check` refuses what `cryo run` would. */
function checkPlant(board: { plant: Parameters<typeof resolvePlantParams>[0] }, ctx: z.RefinementCtx): void {
  try {
    resolvePlantParams(board.plant);
  } catch (err) {
    if (!(err instanceof PlantParamsError)) throw err;
    ctx.addIssue({ code: 'custom', path: ['plant'], message: err.message.replace(/^plant: /, '') });
  }
}

/** Every digital channel a hardware board must wire; a board file names a pin for each. */
export const DIGITAL_CHANNELS = [
  'supplyValve',
  'safetyValve',
  'heartbeat',
  'start',
  'stop',
  'acknowledge',
  'footswitch',
  'estop',
  'probePresent',
  'lampHigh',
  'lampMedium',
  'lampLow',
  'buzzer',
] as const;
export type DigitalChannel = (typeof DIGITAL_CHANNELS)[number];

/** A pin: an Uno digital pin number, an Uno analog pin ('A0'-'A5'), or a Pi GPIO ('GPIO17'). */
const PinSchema = z.union([z.number().int(), z.string().min(1)]);
export type PinName = z.infer<typeof PinSchema>;


const polarity = z.enum(['active-high', 'active-low']);
export type Polarity = z.infer<typeof polarity>;

const TransducerSchema = z
  .object({
    pin: PinSchema,
    /** Output voltage at minBar and at maxBar (a ratiometric 0.5-4.5 V sensor: 0.5 and 4.5). */
    minV: z.number().min(0).max(5),
    maxV: z.number().min(0).max(5),
    minBar: z.number().min(-1).max(400),
    maxBar: z.number().min(-1).max(400),
    /** A reading this close to 0 V or to the reference is a broken wire or sensor, not a pressure. */
    railMarginV: z.number().min(0.01).max(1),
  })
  .strict();
export type TransducerConfig = z.infer<typeof TransducerSchema>;

export const HardwareBoardSchema = z
  .object({
    $schema: z.string().optional(),
    name: z.string().min(1),
    backend: z.literal('hardware'),
    /** Wiring notes for the engineer; never read by the software. */
    notes: z.array(z.string()).default([]),
    thermocoupleType: z.enum(['T', 'K']).default('T'),
    /** The fitted probe's id, for probes without an ID chip: its calibration record is found by it. */
    probeId: ProbeIdSchema.nullable().default(null),
    /** Present on an emulated board: `cryo rig` (hil/rig/) serves both ports as pseudo-terminals
     * at the paths the board gives, from its own process; `cryo run` starts it when none runs. */
    rig: z
      .object({
        /** Seeds the plant's sensor noise. */
        seed: z.number().int().min(0).max(0xffff_ffff).default(1),
        /** A rig that `cryo run` starts exits after this long with no host on either port. */
        exitWhenIdleS: z.number().int().min(1).max(86_400).default(600),
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
    firmata: z
      .object({
        /** Serial device of the Uno; null = the first USB serial port found. */
        port: z.string().min(1).nullable(),
        /** StandardFirmata talks at 57600 baud. */
        baud: z.number().int().min(9600).max(1_000_000).default(57600),
        /** serial: an Arduino running StandardFirmata; raspi: the Pi's own GPIO (raspi-io plugin). */
        io: z.enum(['serial', 'raspi']).default('serial'),
        /** Firmata analog report period. */
        samplingMs: z.number().int().min(10).max(100).default(20),
        /** No report from the board for this long means the board is lost (HAL_FAULT). */
        dataTimeoutMs: z.number().int().min(100).max(5_000).default(500),
        reconnectMinMs: z.number().int().min(100).max(60_000).default(500),
        reconnectMaxMs: z.number().int().min(100).max(300_000).default(10_000),
      })
      .strict(),
    pins: z.record(z.string(), PinSchema),
    /** active-high: pin HIGH energises (opens) the valve. Closed = de-energised either way. */
    valvePolarity: polarity,
    buttons: z
      .object({
        /** Momentary buttons and footswitch; active-low uses the board's pull-up. */
        polarity,
        /** An e-stop's normally-closed contact to ground with a pull-up reads HIGH when pressed or
         * when its wire breaks: active-high makes a broken wire read as pressed (fail-safe). */
        estopPolarity: polarity.default('active-high'),
        probePolarity: polarity.default('active-low'),
        debounceMs: z.number().int().min(1).max(200),
      })
      .strict(),
    pressure: z
      .object({
        /** ADC reference: 5 V on the Uno (10-bit ADC). */
        referenceV: z.number().min(1).max(6).default(5),
        adcBits: z.number().int().min(8).max(16).default(10),
        /** board: the Uno's ADC. ads1115: an I2C ADC on the Pi (the Pi has no analog inputs). */
        adc: z.enum(['board', 'ads1115']).default('board'),
        supply: TransducerSchema,
        /** The return line must read bar absolute (an absolute transducer, or minBar offset by 1.013). */
        return: TransducerSchema.nullable(),
      })
      .strict(),
    frontend: z
      .object({
        /** Serial device of the thermocouple front-end. */
        port: z.string().min(1),
        baud: z.number().int().min(9600).max(1_000_000).default(115200),
        channels: z.number().int().min(1).max(4).default(1),
      })
      .strict(),
  })
  .strict()
  .superRefine((board, ctx) => {
    checkPins(board, ctx);
    checkInputPolarity(board, ctx);
    checkPorts(board, ctx);
  });

export type HardwareBoard = z.infer<typeof HardwareBoardSchema>;
export type Board = SimBoard | HardwareBoard;

type Ctx = z.RefinementCtx;
type HardwareInput = Omit<HardwareBoard, 'pins'> & { pins: Record<string, PinName> };

const UNO_ANALOG = /^A([0-5])$/;
const PI_GPIO = /^GPIO([0-9]{1,2})$/;

/** A pin's identity on the board, or a problem text. Both board kinds are checked here. */
function pinKey(io: 'serial' | 'raspi', pin: PinName, analogOnly: boolean): string | { problem: string } {
  if (io === 'raspi') {
    if (analogOnly) {
      return typeof pin === 'string' && /^A[0-3]$/.test(pin) ? `ads1115:${pin}` : { problem: 'must be an ADS1115 channel A0-A3' };
    }
    const m = typeof pin === 'string' ? PI_GPIO.exec(pin) : null;
    const gpio = m === null ? NaN : Number(m[1]);
    // GPIO2/3 carry I2C (the pressure ADC), GPIO14/15 the UART (the front-end may use it).
    if (!(gpio >= 4 && gpio <= 27) || gpio === 14 || gpio === 15) {
      return { problem: "must be a Raspberry Pi GPIO 'GPIO4'-'GPIO27' except GPIO14/15 (UART)" };
    }
    return `GPIO${gpio}`;
  }
  if (typeof pin === 'string') {
    const m = UNO_ANALOG.exec(pin);
    return m === null ? { problem: "must be an Uno pin 2-13 or 'A0'-'A5'" } : pin;
  }
  if (analogOnly) return { problem: "must be an Uno analog pin 'A0'-'A5'" };
  if (pin === 0 || pin === 1) return { problem: 'pins 0 and 1 carry the USB serial link to the host' };
  if (pin < 2 || pin > 13) return { problem: "must be an Uno pin 2-13 or 'A0'-'A5'" };
  return String(pin);
}

/** StandardFirmata's fixed serial rate (hal/firmata/io-source.ts refuses any other). */
const STANDARD_FIRMATA_BAUD = 57_600;

function checkPins(board: HardwareInput, ctx: Ctx): void {
  // StandardFirmata makes every digital pin an output driven LOW at boot and after any reset, long
  // before the host can write: an active-low valve would be powered open all that time.
  if (board.firmata.io === 'serial' && board.valvePolarity === 'active-low') {
    ctx.addIssue({
      code: 'custom',
      path: ['valvePolarity'],
      message: 'active-low valves are refused with StandardFirmata: it drives every pin LOW (open) from boot until the host connects; use active-high drivers',
    });
  }
  if (board.firmata.io === 'serial' && board.firmata.baud !== STANDARD_FIRMATA_BAUD) {
    ctx.addIssue({ code: 'custom', path: ['firmata', 'baud'], message: `StandardFirmata talks at ${STANDARD_FIRMATA_BAUD} baud only (got ${board.firmata.baud})` });
  }
  if (board.calibration.autoCalibrate && board.rig === null) {
    ctx.addIssue({
      code: 'custom',
      path: ['calibration', 'autoCalibrate'],
      message: 'true only for emulated (rig) boards: a real probe must be calibrated in real baths (cryo calibrate)',
    });
  }
  const io = board.firmata.io;
  const used = new Map<string, string>();
  const use = (field: (string | number)[], pin: PinName, analogOnly: boolean): void => {
    const key = pinKey(io, pin, analogOnly);
    const name = field.join('.');
    if (typeof key !== 'string') {
      ctx.addIssue({ code: 'custom', path: field, message: `pin ${JSON.stringify(pin)} ${key.problem}` });
      return;
    }
    const other = used.get(key);
    if (other !== undefined) {
      ctx.addIssue({ code: 'custom', path: field, message: `pin ${JSON.stringify(pin)} is used twice (also ${other})` });
      return;
    }
    used.set(key, name);
  };
  for (const channel of DIGITAL_CHANNELS) {
    const pin = board.pins[channel];
    if (pin === undefined) {
      ctx.addIssue({ code: 'custom', path: ['pins', channel], message: `missing channel: every board wires ${DIGITAL_CHANNELS.join(', ')}` });
    } else {
      use(['pins', channel], pin, false);
    }
  }
  for (const [key, pin] of Object.entries(board.pins)) {
    if (!(DIGITAL_CHANNELS as readonly string[]).includes(key)) {
      ctx.addIssue({ code: 'custom', path: ['pins', key], message: `unknown channel (known: ${DIGITAL_CHANNELS.join(', ')}) (got ${JSON.stringify(pin)})` });
    }
  }
  // The Uno's bootloader blinks pin 13 at every reset: a valve or the heartbeat there would pulse.
  for (const channel of ['supplyValve', 'safetyValve', 'heartbeat'] as const) {
    if (io === 'serial' && board.pins[channel] === 13) {
      ctx.addIssue({ code: 'custom', path: ['pins', channel], message: 'pin 13 blinks during the Uno bootloader at every reset: use another pin' });
    }
  }
  const transducers = [['supply', board.pressure.supply] as const, ['return', board.pressure.return] as const];
  for (const [line, t] of transducers) {
    if (t === null) continue;
    use(['pressure', line, 'pin'], t.pin, true);
    checkTransducer(['pressure', line], t, board.pressure.referenceV, ctx);
  }
  if (io === 'raspi' && board.pressure.adc !== 'ads1115') {
    ctx.addIssue({ code: 'custom', path: ['pressure', 'adc'], message: 'the Raspberry Pi has no analog inputs: use "ads1115"' });
  }
  if (io === 'serial' && board.pressure.adc !== 'board') {
    ctx.addIssue({ code: 'custom', path: ['pressure', 'adc'], message: 'an Uno reads its transducers on its own ADC: use "board"' });
  }
  if (board.firmata.reconnectMinMs > board.firmata.reconnectMaxMs) {
    ctx.addIssue({ code: 'custom', path: ['firmata', 'reconnectMinMs'], message: `must not exceed firmata.reconnectMaxMs (${board.firmata.reconnectMaxMs})` });
  }
}

/** The polarities that make a broken wire read as the unsafe state are refused. Both inputs use a
 * pull-up, so a broken wire reads HIGH: the e-stop's normally-closed contact to ground must read
 * HIGH as pressed (active-high), the probe contact that closes to ground when a probe is fitted
 * must read LOW as present (active-low). */
function checkInputPolarity(board: HardwareInput, ctx: Ctx): void {
  if (board.buttons.estopPolarity !== 'active-high') {
    ctx.addIssue({
      code: 'custom',
      path: ['buttons', 'estopPolarity'],
      message: `"${board.buttons.estopPolarity}" is refused: a broken e-stop wire reads HIGH (pull-up) and would read as released; wire a normally-closed contact to ground and use "active-high"`,
    });
  }
  if (board.buttons.probePolarity !== 'active-low') {
    ctx.addIssue({
      code: 'custom',
      path: ['buttons', 'probePolarity'],
      message: `"${board.buttons.probePolarity}" is refused: a broken probe-presence wire reads HIGH (pull-up) and would read as a probe fitted; wire the contact to close to ground and use "active-low"`,
    });
  }
}

/** A port name as the system sees it: '/dev/./ttyUSB0' is '/dev/ttyUSB0'; 'com3' is 'COM3'. */
function portIdentity(port: string): string {
  return port.startsWith('/') ? posix.normalize(port) : port.toUpperCase();
}

function checkPorts(board: HardwareInput, ctx: Ctx): void {
  const firmata = board.firmata;
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

function checkTransducer(path: string[], t: TransducerConfig, referenceV: number, ctx: Ctx): void {
  if (!(t.minV < t.maxV)) ctx.addIssue({ code: 'custom', path: [...path, 'minV'], message: `must be below maxV (${t.maxV})` });
  if (!(t.minBar < t.maxBar)) ctx.addIssue({ code: 'custom', path: [...path, 'minBar'], message: `must be below maxBar (${t.maxBar})` });
  if (t.maxV > referenceV) ctx.addIssue({ code: 'custom', path: [...path, 'maxV'], message: `must not exceed pressure.referenceV (${referenceV})` });
  // Otherwise a valid reading at the ends of the span would be taken for a broken transducer.
  if (t.minV <= t.railMarginV || t.maxV >= referenceV - t.railMarginV) {
    ctx.addIssue({ code: 'custom', path: [...path, 'railMarginV'], message: `the span ${t.minV}-${t.maxV} V must lie inside the rail margins (${t.railMarginV} V from 0 and from ${referenceV} V)` });
  }
}

/** A bad board file; `problems` holds one line per problem, each naming file, field and value. */
export class BoardError extends Error {
  readonly problems: readonly string[];
  constructor(problems: string | readonly string[]) {
    const list = typeof problems === 'string' ? [problems] : problems;
    super(list.join('\n'));
    this.problems = list;
  }
}

function parseWith<T>(schema: z.ZodType<T>, input: unknown, source: string): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  // Custom issues already carry the value in their message; describeIssues appends it to the rest.
  const problems = result.error.issues.map((issue) =>
    issue.code === 'custom'
      ? `${source}: ${issue.path.map(String).join('.')}: ${issue.message}`
      : describeIssues(source, new z.ZodError([issue]), input),
  );
  throw new BoardError(problems);
}

/** Any board: simulated or hardware. Throws BoardError naming every bad field. */
export function parseAnyBoard(input: unknown, source: string): Board {
  const backend = typeof input === 'object' && input !== null ? (input as Record<string, unknown>).backend : undefined;
  if (backend === 'sim') return parseWith(SimBoardSchema, input, source);
  if (backend === 'hardware') return parseWith(HardwareBoardSchema, input, source);
  throw new BoardError(`${source}: backend: unknown back-end ${JSON.stringify(backend)} (supported: "sim", "hardware")`);
}

/** A simulated board (tests and sim-only helpers); any other back-end is refused, naming it. */
export function parseBoard(input: unknown, source: string): SimBoard {
  const board = parseAnyBoard(input, source);
  if (board.backend !== 'sim') throw new BoardError(`${source}: backend: expected a simulated board ("sim"), got "${board.backend}"`);
  return board;
}

function readBoardJson(path: string): unknown {
  return readJsonFile(path, 'board file', (message) => new BoardError(message));
}

export function loadAnyBoardFile(path: string): Board {
  return parseAnyBoard(readBoardJson(path), path);
}


export interface BoardCheck {
  readonly file: string;
  readonly ok: boolean;
  readonly problems: readonly string[];
}

/** Validates each file; never throws for a bad file (its problems are in the result). It loads
 * through loadAnyBoardFile, as `cryo run` does: a file that passes here is one run accepts. */
export function checkBoardFiles(paths: readonly string[]): BoardCheck[] {
  return paths.map((file) => {
    try {
      loadAnyBoardFile(file);
      return { file, ok: true, problems: [] };
    } catch (err) {
      if (err instanceof BoardError) return { file, ok: false, problems: err.problems };
      throw err;
    }
  });
}
