// A debounced digital input (operator buttons, footswitch, e-stop, probe presence). Firmata
// reports a port only when it changes, so debouncing is judged lazily against the clock: a new
// level counts once it has held for debounceMs.
import type { IoPin, Level, PinIo } from './pin-io.js';

export interface DebounceOptions {
  readonly polarity: 'active-high' | 'active-low';
  readonly debounceMs: number;
  /** The value before the board has reported the pin: true for the e-stop (assume pressed). */
  readonly initial: boolean;
}

export class DebouncedInput {
  readonly #options: DebounceOptions;
  #stable: boolean;
  #raw: boolean;
  #rawSinceMs = 0;
  #reported = false;

  constructor(options: DebounceOptions) {
    this.#options = options;
    this.#stable = options.initial;
    this.#raw = options.initial;
  }

  /** Sets the pin up as an input (pull-up when active-low) and subscribes to its reports. */
  attach(io: PinIo, pin: IoPin, nowMs: () => number): void {
    io.pinMode(pin, this.#options.polarity === 'active-low' ? 'pullup' : 'input');
    io.digitalRead(pin, (level) => {
      this.sample(level, nowMs());
    });
  }

  sample(level: Level, atMs: number): void {
    const active = (level === 1) === (this.#options.polarity === 'active-high');
    if (!this.#reported) {
      // The first report is the level at connect: nothing to debounce against.
      this.#reported = true;
      this.#stable = active;
    } else if (active !== this.#raw) {
      // The level that is ending may already have held long enough: promote it now, or a press
      // held for the debounce time but released between two reads would never be seen.
      this.value(atMs);
    }
    if (active !== this.#raw) this.#rawSinceMs = atMs;
    this.#raw = active;
  }

  /** The debounced value at `nowMs`. */
  value(nowMs: number): boolean {
    if (this.#raw !== this.#stable && nowMs - this.#rawSinceMs >= this.#options.debounceMs) this.#stable = this.#raw;
    return this.#stable;
  }
}
