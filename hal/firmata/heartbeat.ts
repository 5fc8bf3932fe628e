// The external watchdog's heartbeat: the controller toggles it every tick; when it stops
// toggling, the watchdog cuts valve power. Low at connect (a low, still line lets it trip).
import type { IoPin, PinIo } from './pin-io.js';

export class Heartbeat {
  readonly #io: PinIo;
  readonly #pin: IoPin;
  #level = false;

  constructor(io: PinIo, pin: IoPin) {
    this.#io = io;
    this.#pin = pin;
    io.digitalWrite(pin, 0);
    io.pinMode(pin, 'output');
    io.digitalWrite(pin, 0);
  }

  get level(): boolean {
    return this.#level;
  }

  set(level: boolean): void {
    if (level === this.#level) return;
    this.#level = level;
    this.#io.digitalWrite(this.#pin, level ? 1 : 0);
  }

  low(): void {
    this.#level = false;
    this.#io.digitalWrite(this.#pin, 0);
  }
}
