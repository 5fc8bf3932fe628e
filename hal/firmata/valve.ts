// A normally-closed solenoid valve on a digital output. Its closed level is written explicitly at
// connect: no library or firmware default is trusted (StandardFirmata drives a pin LOW when it
// becomes an output, which opens an active-low valve).
import { levelOf, type IoPin, type Level, type PinIo } from './pin-io.js';

export class Valve {
  readonly #io: PinIo;
  readonly #pin: IoPin;
  readonly #closedLevel: Level;
  readonly #openLevel: Level;
  #open = false;

  /** Drives the pin to its closed level before making it an output, and again after. */
  constructor(io: PinIo, pin: IoPin, polarity: 'active-high' | 'active-low') {
    this.#io = io;
    this.#pin = pin;
    this.#closedLevel = levelOf(false, polarity);
    this.#openLevel = levelOf(true, polarity);
    // While still an input, a HIGH write enables the pull-up, so an active-low pin is held high
    // (closed) up to the mode change; the write after it restores the level Firmata just reset.
    io.digitalWrite(pin, this.#closedLevel);
    io.pinMode(pin, 'output');
    io.digitalWrite(pin, this.#closedLevel);
  }

  get open(): boolean {
    return this.#open;
  }

  set(open: boolean): void {
    if (open === this.#open) return;
    this.#open = open;
    this.#io.digitalWrite(this.#pin, open ? this.#openLevel : this.#closedLevel);
  }

  /** Writes the closed level whatever the last command was. */
  close(): void {
    this.#open = false;
    this.#io.digitalWrite(this.#pin, this.#closedLevel);
  }
}
