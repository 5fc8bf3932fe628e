// One table per chip a hardware board can be built on: how its pins are named in a board file,
// which of them may be used for what, its serial rate and its ADC. The board-file schema
// (hal/hardware-board.ts), the Firmata driver (hal/firmata/) and the emulated Uno (hil/uno/) all
// read it, so a pin rule lives in one place.

/** A pin as a board file names it: an Uno digital pin number, an Uno analog pin ('A0'-'A5'), a Pi
 * GPIO ('GPIO17'), or an ADS1115 channel ('A0'-'A3') on the Pi. */
export type PinName = number | string;

/** The pin as the IO plugin addresses it (johnny-five / firmata.js numbers, raspi-io names). */
export type IoPin = number | string;

export type PinCheck<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

export interface Chip {
  readonly name: string;
  /** A digital channel's pin: its identity (to find a pin used twice) and its IO-plugin name. */
  digital(pin: PinName): PinCheck<{ readonly key: string; readonly ioPin: IoPin }>;
  /** An analog input's pin: its identity and the ADC channel number. */
  analog(pin: PinName): PinCheck<{ readonly key: string; readonly channel: number }>;
  /** Firmata's serial rate, or null when the chip is the host itself (Pi GPIO). */
  readonly firmataBaud: number | null;
  /** Where the transducers are read: the chip's own ADC, or an I2C ADS1115. */
  readonly adc: 'board' | 'ads1115';
  /** The bits of that ADC's counts, which a board file's pressure.adcBits must give: counts read
   * against another full scale are wrong pressures (an Uno's 10-bit counts taken as 11-bit read a
   * blocked return line's 3 bar as 0.9 bar). Null: the board file says (an external ADC). */
  readonly adcBits: number | null;
  /** Pins that pulse by themselves at every reset (a valve or the heartbeat there would pulse). */
  readonly resetBlinkPins: readonly number[];
  /** Who blinks them, for the error message. */
  readonly resetBlinker: string;
  /** StandardFirmata drives every pin LOW from boot until the host connects: active-low valve
   * drivers would hold the valves open all that time. */
  readonly drivesPinsLowAtBoot: boolean;
}

const ok = <T>(value: T): PinCheck<T> => ({ ok: true, value });
const bad = <T>(problem: string): PinCheck<T> => ({ ok: false, problem });

/** The ATmega328P as an Arduino Uno names it. */
export const UNO = {
  /** Digital pins 0-13, then A0-A5 as 14-19. */
  pinCount: 20,
  /** A0-A5 are digital pins 14-19 in Firmata's numbering. */
  firstAnalogPin: 14,
  analogChannels: 6,
  /** Pins 0 and 1 carry the USB serial link to the host. */
  serialPins: [0, 1] as readonly number[],
  /** The bootloader blinks the LED on pin 13 at every reset. */
  ledPin: 13,
  /** StandardFirmata's fixed serial rate. */
  firmataBaud: 57_600,
  adcBits: 10,
  referenceV: 5,
} as const;

const UNO_ANALOG = /^A([0-5])$/;
const PI_GPIO = /^GPIO([0-9]{1,2})$/;
const ADS1115_CHANNEL = /^A([0-3])$/;
const UNO_PIN_RULE = "must be an Uno pin 2-13 or 'A0'-'A5'";

/** An Uno pin name ('A3' or 7) as the chip's pin number 0-19, or null if it is not an Uno pin. */
export function unoPinNumber(pin: PinName): number | null {
  if (typeof pin === 'string') {
    const m = UNO_ANALOG.exec(pin);
    return m === null ? null : UNO.firstAnalogPin + Number(m[1]);
  }
  return Number.isInteger(pin) && pin >= 0 && pin < UNO.pinCount ? pin : null;
}

const unoChip: Chip = {
  name: 'Arduino Uno (StandardFirmata)',
  digital(pin) {
    const n = unoPinNumber(pin);
    // Numbers name digital pins only: 14-19 are written 'A0'-'A5', so each pin has one name.
    if (n === null || (typeof pin === 'number' && n >= UNO.firstAnalogPin)) return bad(UNO_PIN_RULE);
    if (UNO.serialPins.includes(n)) return bad('pins 0 and 1 carry the USB serial link to the host');
    return ok({ key: typeof pin === 'string' ? pin : String(n), ioPin: n });
  },
  analog(pin) {
    if (typeof pin !== 'string') return bad("must be an Uno analog pin 'A0'-'A5'");
    const n = unoPinNumber(pin);
    return n === null ? bad(UNO_PIN_RULE) : ok({ key: pin, channel: n - UNO.firstAnalogPin });
  },
  firmataBaud: UNO.firmataBaud,
  adc: 'board',
  adcBits: UNO.adcBits,
  resetBlinkPins: [UNO.ledPin],
  resetBlinker: 'the Uno bootloader',
  drivesPinsLowAtBoot: true,
};

/** The lowest and highest GPIO a board may use; GPIO2/3 carry I2C (the pressure ADC). */
const PI_FIRST_GPIO = 4;
const PI_LAST_GPIO = 27;
/** GPIO14/15 are the UART (the front-end may use it). */
const PI_UART_GPIOS: readonly number[] = [14, 15];

const piChip: Chip = {
  name: 'Raspberry Pi GPIO (raspi-io) with an ADS1115',
  digital(pin) {
    const m = typeof pin === 'string' ? PI_GPIO.exec(pin) : null;
    const gpio = m === null ? NaN : Number(m[1]);
    if (!(gpio >= PI_FIRST_GPIO && gpio <= PI_LAST_GPIO) || PI_UART_GPIOS.includes(gpio)) {
      return bad("must be a Raspberry Pi GPIO 'GPIO4'-'GPIO27' except GPIO14/15 (UART)");
    }
    return ok({ key: `GPIO${gpio}`, ioPin: pin });
  },
  analog(pin) {
    const m = typeof pin === 'string' ? ADS1115_CHANNEL.exec(pin) : null;
    return m === null ? bad('must be an ADS1115 channel A0-A3') : ok({ key: `ads1115:${String(pin)}`, channel: Number(m[1]) });
  },
  firmataBaud: null,
  adc: 'ads1115',
  adcBits: null,
  resetBlinkPins: [],
  resetBlinker: 'nothing',
  drivesPinsLowAtBoot: false,
};

/** The chip behind each `firmata.io` of a board file. */
export const CHIPS = { serial: unoChip, raspi: piChip } as const satisfies Record<string, Chip>;
export type FirmataIo = keyof typeof CHIPS;
export const FIRMATA_IOS = Object.keys(CHIPS) as [FirmataIo, ...FirmataIo[]];
