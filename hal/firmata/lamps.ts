// The alarm lamps and the buzzer: active-high outputs, off at connect.
import type { AlarmLamps } from '../contract.js';
import type { IoPin, PinIo } from './pin-io.js';

export interface LampPins {
  readonly high: IoPin;
  readonly medium: IoPin;
  readonly low: IoPin;
  readonly buzzer: IoPin;
}

type Output = keyof LampPins;
const OUTPUTS: readonly Output[] = ['high', 'medium', 'low', 'buzzer'];

export class Lamps {
  readonly #io: PinIo;
  readonly #pins: LampPins;
  readonly #on: Record<Output, boolean> = { high: false, medium: false, low: false, buzzer: false };

  constructor(io: PinIo, pins: LampPins) {
    this.#io = io;
    this.#pins = pins;
    for (const out of OUTPUTS) {
      io.digitalWrite(pins[out], 0);
      io.pinMode(pins[out], 'output');
      io.digitalWrite(pins[out], 0);
    }
  }

  set(lamps: AlarmLamps, buzzer: boolean): void {
    this.#drive('high', lamps.high);
    this.#drive('medium', lamps.medium);
    this.#drive('low', lamps.low);
    this.#drive('buzzer', buzzer);
  }

  get state(): { lamps: AlarmLamps; buzzer: boolean } {
    return { lamps: { high: this.#on.high, medium: this.#on.medium, low: this.#on.low }, buzzer: this.#on.buzzer };
  }

  allOff(): void {
    for (const out of OUTPUTS) {
      this.#on[out] = false;
      this.#io.digitalWrite(this.#pins[out], 0);
    }
  }

  #drive(out: Output, on: boolean): void {
    if (this.#on[out] === on) return;
    this.#on[out] = on;
    this.#io.digitalWrite(this.#pins[out], on ? 1 : 0);
  }
}
