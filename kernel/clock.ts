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
