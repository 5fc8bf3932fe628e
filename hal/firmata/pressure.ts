// An analog pressure transducer (e.g. 0.5-4.5 V for 0-100 bar). A reading within railMarginV of
// 0 V or of the reference is a broken wire, a short or a dead sensor: it reads NaN bar with a
// fault text, never a plausible-looking pressure.
import type { TransducerConfig } from '../hardware-board.js';

/** ADC noise allowed beyond the transducer's output range: 0.05 V is ten counts of the Uno's ADC. */
export const OUTPUT_RANGE_SLACK_V = 0.05;

export interface PressureReading {
  readonly bar: number;
  readonly volts: number;
  readonly atMs: number;
  /** Non-null when the reading is implausible (at a rail) or missing. */
  readonly fault: string | null;
}

export class PressureInput {
  readonly #name: string;
  readonly #t: TransducerConfig;
  readonly #referenceV: number;
  readonly #fullScaleCount: number;
  #reading: PressureReading;

  constructor(name: string, transducer: TransducerConfig, referenceV: number, adcBits: number) {
    this.#name = name;
    this.#t = transducer;
    this.#referenceV = referenceV;
    this.#fullScaleCount = 2 ** adcBits - 1;
    this.#reading = { bar: Number.NaN, volts: Number.NaN, atMs: 0, fault: `${name}: no reading yet` };
  }

  get reading(): PressureReading {
    return this.#reading;
  }

  onRaw(count: number, atMs: number): void {
    const volts = (count / this.#fullScaleCount) * this.#referenceV;
    const t = this.#t;
    if (!Number.isFinite(volts) || volts <= t.railMarginV || volts >= this.#referenceV - t.railMarginV) {
      const fault = `${this.#name}: transducer reads ${volts.toFixed(2)} V, at a rail (broken wire or sensor)`;
      this.#reading = { bar: Number.NaN, volts, atMs, fault };
      return;
    }
    // A working transducer never drives below minV or above maxV (0.5/4.5 V): beyond them (less a
    // little ADC noise) it is damaged and would read an impossible, e.g. negative, pressure.
    if (volts < t.minV - OUTPUT_RANGE_SLACK_V || volts > t.maxV + OUTPUT_RANGE_SLACK_V) {
      const fault = `${this.#name}: transducer reads ${volts.toFixed(2)} V, outside its ${t.minV}-${t.maxV} V output range (damaged sensor)`;
      this.#reading = { bar: Number.NaN, volts, atMs, fault };
      return;
    }
    const bar = t.minBar + ((volts - t.minV) * (t.maxBar - t.minBar)) / (t.maxV - t.minV);
    this.#reading = { bar, volts, atMs, fault: null };
  }
}
