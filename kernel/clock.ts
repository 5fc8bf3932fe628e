// Time comes in through this interface so that the same controller and runtime code runs on the
// real monotonic clock and on a virtual clock that moves only when told (tests, simulation).

/** A monotonic clock in milliseconds since an arbitrary origin. Never goes backwards. */
export interface Clock {
  nowMs(): number;
}

/** The process's monotonic clock (`process.hrtime.bigint()`), origin at construction. */
export class MonotonicClock implements Clock {
  readonly #originNs: bigint;

  constructor() {
    this.#originNs = process.hrtime.bigint();
  }

  nowMs(): number {
    return Number(process.hrtime.bigint() - this.#originNs) / 1e6;
  }
}

/** A clock that moves only when `advanceMs` or `setMs` is called. */
export class VirtualClock implements Clock {
  #nowMs: number;

  constructor(startMs = 0) {
    this.#nowMs = startMs;
  }

  nowMs(): number {
    return this.#nowMs;
  }

  advanceMs(deltaMs: number): void {
    if (!(deltaMs >= 0) || !Number.isFinite(deltaMs)) {
      throw new RangeError(`virtual clock: cannot advance by ${deltaMs} ms (must be finite and >= 0)`);
    }
    this.#nowMs += deltaMs;
  }

  setMs(targetMs: number): void {
    if (!(targetMs >= this.#nowMs) || !Number.isFinite(targetMs)) {
      throw new RangeError(`virtual clock: cannot move from ${this.#nowMs} ms to ${targetMs} ms (time only goes forward)`);
    }
    this.#nowMs = targetMs;
  }
}

/**
 * A control tick's instant: reads its source only when `latch()` is called and returns that value
 * until the next latch, so everything read inside one tick (the step's time, a simulated board
 * stamping its samples) sees the same instant. Without it a simulated board in real time stamps a
 * sample later than the tick's own time, and a thread descheduled between the two reads makes the
 * sample look "in the future" (SENSOR_STALE), a fault of the simulation, not of the probe.
 */
export class LatchedClock implements Clock {
  readonly #source: Clock;
  #nowMs: number;

  constructor(source: Clock) {
    this.#source = source;
    this.#nowMs = source.nowMs();
  }

  /** Reads the source once; `nowMs()` returns this value until the next latch. */
  latch(): number {
    this.#nowMs = Math.max(this.#nowMs, this.#source.nowMs());
    return this.#nowMs;
  }

  nowMs(): number {
    return this.#nowMs;
  }
}
