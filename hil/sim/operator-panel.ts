// Simulated operator inputs: momentary buttons, footswitch and the latching emergency stop.

import type { OperatorSample } from '../../hal/contract.js';

export type OperatorButton = 'start' | 'stop' | 'acknowledge' | 'audioPause' | 'newSite';

export class OperatorPanel {
  /** Buttons pressed since the last sample: each press is seen by exactly one read. */
  readonly #pending = new Set<OperatorButton>();
  #footswitchDown = false;
  #estopPressed = false;

  press(button: OperatorButton): void {
    this.#pending.add(button);
  }

  setFootswitch(down: boolean): void {
    this.#footswitchDown = down;
  }

  setEstop(pressed: boolean): void {
    this.#estopPressed = pressed;
  }

  /** The mushroom switch pressed in by the operator (not by fault injection). */
  get estopPressed(): boolean {
    return this.#estopPressed;
  }

  /** Sample every input; consumes pending button presses. */
  sample(atMs: number, estopFault: boolean): OperatorSample {
    const pending = this.#pending.size > 0;
    const sample: OperatorSample = {
      start: pending && this.#pending.has('start'),
      stop: pending && this.#pending.has('stop'),
      acknowledge: pending && this.#pending.has('acknowledge'),
      audioPause: pending && this.#pending.has('audioPause'),
      newSite: pending && this.#pending.has('newSite'),
      footswitch: this.#footswitchDown,
      estop: this.#estopPressed || estopFault,
      atMs,
    };
    if (pending) this.#pending.clear();
    return sample;
  }
}
