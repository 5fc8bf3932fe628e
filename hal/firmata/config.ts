// The Firmata back-end's part of a hardware board file (`firmata`, `pins`, `valvePolarity`,
// `buttons`, `pressure`), owned by its driver. Pin rules come from the chip table (hal/chips.ts).
import { z } from 'zod';
import { CHIPS, FIRMATA_IOS, UNO, type PinName } from '../chips.js';

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

const PinSchema = z.union([z.number().int(), z.string().min(1)]);

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

/** The fields of a board file the Firmata back-end reads, spread into the hardware board schema. */
export const FirmataFields = {
  firmata: z
    .object({
      /** Serial device of the Uno; null = the one USB serial port found that is not the front-end's. */
      port: z.string().min(1).nullable(),
      /** StandardFirmata talks at 57600 baud (refused otherwise, see checkFirmataFields). */
      baud: z.number().int().min(9600).max(1_000_000).default(UNO.firmataBaud),
      /** serial: an Arduino running StandardFirmata; raspi: the Pi's own GPIO (raspi-io plugin). */
      io: z.enum(FIRMATA_IOS).default('serial'),
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
      referenceV: z.number().min(1).max(6).default(UNO.referenceV),
      adcBits: z.number().int().min(8).max(16).default(UNO.adcBits),
      /** board: the Uno's ADC. ads1115: an I2C ADC on the Pi (the Pi has no analog inputs). */
      adc: z.enum(['board', 'ads1115']).default('board'),
      supply: TransducerSchema,
      /** The return line must read bar absolute (an absolute transducer, or minBar offset by 1.013);
       * a negative minBar is refused (checkReturnIsAbsolute). */
      return: TransducerSchema.nullable(),
    })
    .strict(),
};

type FirmataFieldsInput = z.infer<z.ZodObject<typeof FirmataFields>>;

type Ctx = z.RefinementCtx;

/** The checks that need more than one field: pins against the chip table, polarities, ADC. */
export function checkFirmataFields(board: FirmataFieldsInput, ctx: Ctx): void {
  const chip = CHIPS[board.firmata.io];
  if (chip.drivesPinsLowAtBoot && board.valvePolarity === 'active-low') {
    ctx.addIssue({
      code: 'custom',
      path: ['valvePolarity'],
      message: 'active-low valves are refused with StandardFirmata: it drives every pin LOW (open) from boot until the host connects; use active-high drivers',
    });
  }
  if (chip.firmataBaud !== null && board.firmata.baud !== chip.firmataBaud) {
    ctx.addIssue({ code: 'custom', path: ['firmata', 'baud'], message: `StandardFirmata talks at ${chip.firmataBaud} baud only (got ${board.firmata.baud})` });
  }
  const used = new Map<string, string>();
  const claim = (field: (string | number)[], pin: PinName, key: string): void => {
    const other = used.get(key);
    if (other !== undefined) {
      ctx.addIssue({ code: 'custom', path: field, message: `pin ${JSON.stringify(pin)} is used twice (also ${other})` });
      return;
    }
    used.set(key, field.join('.'));
  };
  for (const channel of DIGITAL_CHANNELS) {
    const pin = board.pins[channel];
    if (pin === undefined) {
      ctx.addIssue({ code: 'custom', path: ['pins', channel], message: `missing channel: every board wires ${DIGITAL_CHANNELS.join(', ')}` });
      continue;
    }
    const check = chip.digital(pin);
    if (!check.ok) ctx.addIssue({ code: 'custom', path: ['pins', channel], message: `pin ${JSON.stringify(pin)} ${check.problem}` });
    else claim(['pins', channel], pin, check.value.key);
  }
  for (const [key, pin] of Object.entries(board.pins)) {
    if (!(DIGITAL_CHANNELS as readonly string[]).includes(key)) {
      ctx.addIssue({ code: 'custom', path: ['pins', key], message: `unknown channel (known: ${DIGITAL_CHANNELS.join(', ')}) (got ${JSON.stringify(pin)})` });
    }
  }
  for (const channel of ['supplyValve', 'safetyValve', 'heartbeat'] as const) {
    const pin = board.pins[channel];
    if (typeof pin === 'number' && chip.resetBlinkPins.includes(pin)) {
      ctx.addIssue({ code: 'custom', path: ['pins', channel], message: `pin ${pin} blinks during ${chip.resetBlinker} at every reset: use another pin` });
    }
  }
  const transducers = [['supply', board.pressure.supply] as const, ['return', board.pressure.return] as const];
  for (const [line, t] of transducers) {
    if (t === null) continue;
    const check = chip.analog(t.pin);
    if (!check.ok) ctx.addIssue({ code: 'custom', path: ['pressure', line, 'pin'], message: `pin ${JSON.stringify(t.pin)} ${check.problem}` });
    else claim(['pressure', line, 'pin'], t.pin, check.value.key);
    checkTransducer(['pressure', line], t, board.pressure.referenceV, ctx);
  }
  checkReturnIsAbsolute(board.pressure.return, ctx);
  if (board.pressure.adc !== chip.adc) {
    const why = chip.adc === 'ads1115' ? 'the Raspberry Pi has no analog inputs' : 'an Uno reads its transducers on its own ADC';
    ctx.addIssue({ code: 'custom', path: ['pressure', 'adc'], message: `${why}: use "${chip.adc}"` });
  }
  if (chip.adcBits !== null && board.pressure.adc === chip.adc && board.pressure.adcBits !== chip.adcBits) {
    ctx.addIssue({ code: 'custom', path: ['pressure', 'adcBits'], message: `the ${chip.name}'s ADC gives ${chip.adcBits}-bit counts (got ${board.pressure.adcBits}): read against another full scale every pressure would be wrong` });
  }
  if (board.firmata.reconnectMinMs > board.firmata.reconnectMaxMs) {
    ctx.addIssue({ code: 'custom', path: ['firmata', 'reconnectMinMs'], message: `must not exceed firmata.reconnectMaxMs (${board.firmata.reconnectMaxMs})` });
  }
  checkInputPolarity(board, ctx);
}

/** The polarities that make a broken wire read as the unsafe state are refused. Both inputs use a
 * pull-up, so a broken wire reads HIGH: the e-stop's normally-closed contact to ground must read
 * HIGH as pressed (active-high), the probe contact that closes to ground when a probe is fitted
 * must read LOW as present (active-low). */
function checkInputPolarity(board: FirmataFieldsInput, ctx: Ctx): void {
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

/** The return line reads bar absolute (the sublimation floor and the blockage checks take it so),
 * and no absolute pressure is below 0 bar: a negative minBar is a gauge (compound) transducer's
 * range, and read as absolute every return pressure would be about 1 bar low (a blocked exhaust's
 * pressure too). The supply transducer reads gauge and keeps the schema's -1 bar. */
function checkReturnIsAbsolute(t: TransducerConfig | null, ctx: Ctx): void {
  if (t === null || t.minBar >= 0) return;
  ctx.addIssue({
    code: 'custom',
    path: ['pressure', 'return', 'minBar'],
    message: `the return line reads bar absolute, which is never below 0 (got ${t.minBar}): give an absolute transducer's range, or a gauge one's offset by 1.013 bar`,
  });
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
