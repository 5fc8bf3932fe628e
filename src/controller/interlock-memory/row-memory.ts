// What a stateful interlock row keeps between ticks. The row owns its memory's type, its initial
// value and its update; the controller state stores it under the row's id (ControllerState.memory)
// and the step updates every row's memory in one generic pass (interlocks.ts), before the checks.
import type { AbsPressureSample, Readings, TipSample } from '../../../hal/contract.js';
import type { Settings } from '../settings.js';
import type { ControllerState } from '../state.js';
import type { Recycling } from '../workspace.js';

/** What a row's memory update may look at: the tick's time and readings and the state the
 * previous tick ended with (its phase and sub-step not yet advanced by this tick). */
export interface MemoryInput {
  readonly nowMs: number;
  readonly settings: Settings;
  readonly readings: Readings;
  readonly prev: ControllerState;
  /** Time since the previous step (0 on the first). */
  readonly gapMs: number;
  /** The control channel's sample when it is usable (its `tipC`: the context's `tip`); null
   * otherwise. */
  readonly tip: TipSample | null;
  /** The return-line sample when it reads a finite pressure; null otherwise (not measured, or a
   * corrupt number). Judged once a tick, for the rows: asked in a row's update, the question cost
   * a heap number a tick (bench/sim-alloc.ts). */
  readonly finiteReturnLine: AbsPressureSample | null;
  /** Gas is flowing, judged by the return-line pressure (false when not measured). */
  readonly flow: boolean;
  /** The calibrated reading above which the tip counts as thawed: thaw.endTipC plus the probe's
   * reading uncertainty (src/controller/probe-calibration.ts thawEndReadingC). */
  readonly thawEndC: number;
  /** A recycling workspace's pairs (src/controller/workspace.ts Recycling), which a row writes its
   * new memory into instead of a new object; null: new objects. */
  readonly recycle: Recycling | null;
}

export interface RowMemory<S> {
  /** The memory at power-up. Immutable: every fresh state shares it. */
  readonly initial: S;
  /** The memory after this tick. Returns `prev` itself when nothing changed, so a quiet tick
   * allocates nothing. (A method, so rows with different memories share one table type.) */
  update(input: MemoryInput, prev: S): S;
}

/** Gas path open for a freeze: Freezing with the supply commanded open (the previous tick's phase). */
export function freezeOpenBefore(input: MemoryInput): boolean {
  return input.prev.phase === 'Freezing' && input.prev.sub === 'freeze-open';
}
