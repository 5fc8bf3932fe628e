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
    const sample: OperatorSample = {
      start: this.#pending.has('start'),
      stop: this.#pending.has('stop'),
      acknowledge: this.#pending.has('acknowledge'),
      audioPause: this.#pending.has('audioPause'),
      newSite: this.#pending.has('newSite'),
      footswitch: this.#footswitchDown,
      estop: this.#estopPressed || estopFault,
      atMs,
    };
    this.#pending.clear();
    return sample;
  }
}
