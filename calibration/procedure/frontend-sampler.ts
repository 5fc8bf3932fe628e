// The hardware tip sampler: the thermocouple front-end (a TipSource, hal/serial) read in real
// time, one sample per period. The probe goes into real baths: probeInBath does nothing here.
import type { TipSample, TipSource } from '../../hal/contract.js';
import type { Clock } from '../../src/runtime/clock.js';
import type { TipSampler } from './types.js';

/** A front-end that reports nothing usable presents as an open thermocouple (the procedure's fault path). */
const NO_DATA: Omit<TipSample, 'atMs'> = { tipC: Number.NaN, coldJunctionC: Number.NaN, fault: 'open' };

export class FrontendTipSampler implements TipSampler {
  #latest: TipSample | null = null;

  constructor(
    private readonly source: TipSource,
    private readonly clock: Clock,
    readonly periodMs: number,
  ) {}

  nowMs(): number {
    return this.clock.nowMs();
  }

  latest(): TipSample | null {
    return this.#latest;
  }

  async next(): Promise<TipSample> {
    await new Promise((resolve) => setTimeout(resolve, this.periodMs));
    const sample = this.source.fault() === null ? this.source.tips()[0] : undefined;
    this.#latest = sample ?? { ...NO_DATA, atMs: this.clock.nowMs() };
    return this.#latest;
  }

  /** Real baths: the engineer moves the probe; nothing to do here but note where it went. */
  probeInBath(bathC: number | null): void {
    this.bathC = bathC;
  }

  /** The bath the engineer last confirmed (for the record of a session; not used to read). */
  bathC: number | null = null;
}
