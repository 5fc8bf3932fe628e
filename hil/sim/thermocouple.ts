// The simulated tip thermocouple and its MAX31856-style front-end, including its failure modes.

import type { TcFault, TipSample } from '../../hal/contract.js';
import type { FaultFlags } from '../faults.js';
import type { Random } from '../../kernel/random.js';
import { FirstOrderLag } from '../plant/index.js';
import { quantise, type SensorParams } from './sensor-params.js';

/**
 * Open thermocouple: the linearised register pins at its positive full scale ((2^18 - 1) / 128 C),
 * a rail value a controller that ignores the fault bit would read as very hot.
 */
export const TC_OPEN_READING_C = 2047.9921875;
/** Shorted thermocouple: the conversion is garbage; NaN catches comparisons that forget it. */
export const TC_SHORT_READING_C = Number.NaN;
/** Wrong gas (N2O boils at -88.5 C) or a bad sensor: colder than CO2 can physically make it. */
export const TIP_READS_COLD_C = -95;

export class ThermocoupleModel {
  readonly #params: SensorParams;
  readonly #random: Random;
  /** Junction and sheath lag (tcLagMs). */
  readonly #lag: FirstOrderLag;
  // Initialised with a number, then set by the constructor: a field declared without an initializer
  // starts undefined, and V8 then boxes every number stored in it afresh (16 bytes a store,
  // bench/sim-alloc.ts).
  #laggedC = Number.NaN;
  /** Reading held by a stuck sensor; null while it is not stuck. */
  #stuckC: number | null = null;
  /** The last sample delivered: a stale front-end keeps returning it. */
  #lastSample: TipSample | null = null;
  #frozenSample: TipSample | null = null;

  constructor(params: SensorParams, initialTipC: number, random: Random) {
    this.#params = params;
    this.#random = random;
    this.#lag = new FirstOrderLag(params.tcLagMs);
    this.#laggedC = initialTipC;
  }

  /** Follow the true tip temperature over one plant substep; latch the value if it sticks now. */
  track(trueTipC: number, dtMs: number, stuck: boolean): void {
    this.#laggedC = this.#lag.step(this.#laggedC, trueTipC, dtMs);
    if (!stuck) this.#stuckC = null;
    else this.#stuckC ??= quantise(this.#probeReadingC(this.#laggedC), this.#params.tcResolutionC);
  }

  /** What the probe reports for a junction at `trueC`, with its configured gain and offset error. */
  #probeReadingC(trueC: number): number {
    return this.#params.probeGainError * trueC + this.#params.probeOffsetErrorC;
  }

  /** The sample the front-end delivers at `atMs` with `faults` active. */
  sample(atMs: number, faults: FaultFlags): TipSample {
    if (!faults['sensor-stale']) {
      this.#frozenSample = null;
    } else {
      // Conversions have stopped: the register keeps its last value and timestamp.
      this.#frozenSample ??= this.#lastSample ?? this.#fresh(atMs, faults);
      return this.#frozenSample;
    }
    this.#lastSample = this.#fresh(atMs, faults);
    return this.#lastSample;
  }

  /** A reading of `valueC` with the front-end's noise, quantised to its register. */
  #noisy(valueC: number): number {
    return quantise(valueC + this.#params.tcNoiseSdC * this.#random.gaussian(), this.#params.tcResolutionC);
  }

  #fresh(atMs: number, faults: FaultFlags): TipSample {
    const p = this.#params;
    const coldJunctionC = quantise(p.coldJunctionC + p.cjNoiseSdC * this.#random.gaussian(), p.cjResolutionC);
    let tipC: number;
    let fault: TcFault | null = null;
    if (faults['probe-disconnect'] || faults['tc-open']) {
      tipC = TC_OPEN_READING_C;
      fault = 'open';
    } else if (faults['tc-short']) {
      tipC = TC_SHORT_READING_C;
      fault = 'short-gnd';
    } else if (this.#stuckC !== null) {
      tipC = this.#stuckC;
    } else if (faults['tip-reads-cold']) {
      tipC = this.#noisy(TIP_READS_COLD_C);
    } else {
      tipC = this.#noisy(this.#probeReadingC(this.#laggedC));
    }
    return { tipC, coldJunctionC, fault, atMs };
  }
}
