// A normally-closed solenoid valve whose seat follows its coil with a fixed delay.

/**
 * The physical state follows the energised state `delayMs` later, both when opening and when
 * closing. A coil change that is undone before the delay elapses never moves the seat.
 */
export class DelayedValve {
  readonly #delayMs: number;
  #open = false;
  #energised = false;
  /** When the seat will reach `#energised`; null when it is already there. */
  #moveAtMs: number | null = null;

  constructor(delayMs: number) {
    this.#delayMs = delayMs;
  }

  /** Physically open (gas can pass this valve). */
  get isOpen(): boolean {
    return this.#open;
  }

  /** Set the coil state at `nowMs`, then move the seat if its delay has elapsed. */
  update(energised: boolean, nowMs: number): void {
    if (energised !== this.#energised) {
      this.#energised = energised;
      this.#moveAtMs = energised === this.#open ? null : nowMs + this.#delayMs;
    }
    if (this.#moveAtMs !== null && nowMs >= this.#moveAtMs) {
      this.#open = this.#energised;
      this.#moveAtMs = null;
    }
  }
}
