// The hardware tip sampler: the thermocouple front-end (a TipSource, hal/serial) read once per
// period. The probe goes into real baths: probeInBath does nothing here. Time comes from the
// injected clock and timers, so tests run it in virtual time.
import type { TipSample, TipSource } from '../../hal/contract.js';
import { realTimers } from '../../kernel/timers.js';
import type { Timers } from '../../kernel/timers.js';
import type { Clock } from '../../kernel/clock.js';
import type { TipSampler } from './types.js';

/** A front-end that reports nothing usable presents as an open thermocouple (the procedure's fault path). */
const NO_DATA: Omit<TipSample, 'atMs'> = { tipC: Number.NaN, coldJunctionC: Number.NaN, fault: 'open' };

export class FrontendTipSampler implements TipSampler {
  #latest: TipSample | null = null;

  /** `clock` must be the front-end's clock: the procedure judges a sample's age against it. */
  constructor(
    private readonly source: TipSource,
    private readonly clock: Clock,
    readonly periodMs: number,
    private readonly timers: Timers = realTimers,
  ) {}

  nowMs(): number {
    return this.clock.nowMs();
  }

  latest(): TipSample | null {
    return this.#latest;
  }

  /**
   * The front-end's latest sample one period from now. It may be the one returned last time (the
   * front-end converts on its own schedule): the procedure counts it once and judges its age.
   */
  async next(): Promise<TipSample> {
    await new Promise<void>((resolve) => {
      this.timers.schedule(this.periodMs, resolve);
    });
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
