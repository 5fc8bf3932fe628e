// The sim board's tip sampler: each next() runs one tick of a VirtualScheduler, so a 10 minute
// wait for stability takes milliseconds of wall time, and the probe can be put in a sim bath.
import type { TipSample } from '../../hal/contract.js';
import { SimHal } from './sim-hal.js';
import type { SensorParams } from './sensor-params.js';
import type { FaultSpec } from '../faults.js';
import type { SimBoard } from './board.js';
import { VirtualClock } from '../../kernel/clock.js';
import { VIRTUAL_TICKS_PER_YIELD, VirtualScheduler } from '../../kernel/scheduler/index.js';
import type { TipSampler } from '../../calibration/procedure/types.js';

export class SimTipSampler implements TipSampler {
  readonly periodMs: number;
  readonly #hal: SimHal;
  readonly #scheduler: VirtualScheduler;
  #latest: TipSample | null = null;
  #sinceYield = 0;

  /** Puts the sim's valves in their safe state: calibration never flows gas. */
  constructor(hal: SimHal, scheduler: VirtualScheduler) {
    this.#hal = hal;
    this.#scheduler = scheduler;
    this.periodMs = scheduler.periodMs;
    hal.toSafeState();
  }

  nowMs(): number {
    return this.#scheduler.clock.nowMs();
  }

  latest(): TipSample | null {
    return this.#latest;
  }

  async next(): Promise<TipSample> {
    this.#sinceYield += 1;
    if (this.#sinceYield >= VIRTUAL_TICKS_PER_YIELD) {
      this.#sinceYield = 0;
      // A macrotask now and then, as VirtualScheduler.run does, so I/O (Ctrl-C, output) is served.
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.#scheduler.runTicks(1, () => {
      this.#latest = this.#hal.read().tips[0] ?? null;
    });
    if (this.#latest === null) throw new Error('sim sampler: the sim HAL returned no tip channel');
    return this.#latest;
  }

  probeInBath(bathC: number | null): void {
    this.#hal.immerseInBath(bathC);
  }
}

export interface SimRigOptions {
  readonly board: SimBoard;
  /** Sensor overrides, e.g. a probe error { probeOffsetErrorC: 1.5, probeGainError: 1.02 }. */
  readonly sensor?: Partial<SensorParams>;
  readonly faults?: readonly FaultSpec[];
}

export interface SimRig {
  readonly hal: SimHal;
  readonly clock: VirtualClock;
  readonly sampler: SimTipSampler;
}

/** A sim board on a virtual clock at the default control rate. Throws the SimHal option errors. */
export function simCalibrationRig(options: SimRigOptions): SimRig {
  const clock = new VirtualClock(0);
  const hal = new SimHal({
    clock,
    seed: options.board.seed,
    plant: options.board.plant,
    ...(options.sensor === undefined ? {} : { sensor: options.sensor }),
    ...(options.faults === undefined ? {} : { faults: options.faults }),
  });
  const sampler = new SimTipSampler(hal, new VirtualScheduler({ clock }));
  return { hal, clock, sampler };
}
