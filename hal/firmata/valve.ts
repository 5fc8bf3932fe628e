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
    // The closed level before and after the mode change: no library or firmware default is trusted.
    // (StandardFirmata itself drives every pin LOW from boot, which is why board files refuse
    // active-low valves with it; active-low remains for io plugins that start pins as inputs.)
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
