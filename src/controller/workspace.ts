// The step's scratch objects, owned by its caller and reused from tick to tick (TigerBeetle's
// preallocated buffers in the loop): the events list a tick builds, the memory update's input, the
// state after the trackers and the tick's context. They live only inside one call of the step:
// every field is written before it is read, and nothing the step returns refers to them (the
// events leave as a copy), so the step's result still depends on (time, settings, readings,
// state) alone and the state passed in is never written. A caller that passes none gets a fresh
// workspace per call: the same result, with the allocation of before.
import type { MemoryInput } from './interlock-memory/row-memory.js';
import type { TickContext } from './context.js';
import type { ControllerState } from './state.js';
import type { ControllerEvent } from './types.js';

/** A type's fields without `readonly`: the workspace writes the scratch in place. */
export type Writable<T> = { -readonly [K in keyof T]: T[K] };

export interface StepWorkspace {
  /** The events of the tick under way; emptied at the start of each step. */
  readonly events: ControllerEvent[];
  /** Built on first use, then rewritten in place every tick. */
  memoryInput: Writable<MemoryInput> | null;
  tracked: Writable<ControllerState> | null;
  context: Writable<TickContext> | null;
  /** Status records found idle (step.ts, statusesIdle) and found with no acting trip
   * (interlocks.ts, anyTripped): facts about a record kept with it, each record deep-frozen when
   * kept so that the fact cannot go stale (a write throws). Not scratch: they carry over from tick
   * to tick, and a record is shared unchanged from tick to tick until a row changes, so most ticks
   * ask one lookup. They change no result (each answer is what a walk of the record gives: the
   * step with a fresh workspace gives the same), and are weak: a record no state holds any more
   * goes with it. Kept here, by the caller, not in the module (conventions: no module state). */
  readonly idleStatuses: WeakSet<object>;
  readonly untrippedStatuses: WeakSet<object>;
  /** A step is using the workspace: a second step on it before the first returns would overwrite
   * the first's scratch (a workspace belongs to one caller, one step at a time). */
  busy: boolean;
}

/** A workspace for one caller of the step (the ControlLoop keeps one for its life). */
export function createStepWorkspace(): StepWorkspace {
  return { events: [], memoryInput: null, tracked: null, context: null, idleStatuses: new WeakSet(), untrippedStatuses: new WeakSet(), busy: false };
}
