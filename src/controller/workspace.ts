// The step's scratch objects, owned by its caller and reused from tick to tick (TigerBeetle's
// preallocated buffers in the loop): the events list a tick builds, the memory update's input, the
// state after the trackers and the tick's context. They live only inside one call of the step:
// every field is written before it is read, and nothing the step returns refers to them (the
// events leave as a copy), so the step's result still depends on (time, settings, readings,
// state) alone and the state passed in is never written. A caller that passes none gets a fresh
// workspace per call: the same result, with the allocation of before.
import type { BioheatSnapshot } from '../../kernel/bioheat/index.js';
import type { MemoryInput } from './interlock-memory/row-memory.js';
import type { ReturnTrend } from './interlock-memory/return-line-blocked.js';
import type { StuckSensor, StuckWindow } from './interlock-memory/sensor-stuck.js';
import type { TickContext } from './context.js';
import type { IceBallEstimate } from './ice-ball.js';
import { EstimateUpdate } from './ice-ball-estimate.js';
import type { IceBallPart, IceBallTrack } from './ice-ball-estimate.js';
import type { InterlockMemory } from './interlocks.js';
import type { ControllerState } from './state.js';
import { NO_VERDICTS } from './state.js';
import type { StepResult } from './step.js';
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
  /** Null for a workspace whose steps return new objects (the default); the pairs a recycling
   * workspace's steps write their results into otherwise (Recycling). */
  readonly recycle: Recycling | null;
  /** A step is using the workspace: a second step on it before the first returns would overwrite
   * the first's scratch (a workspace belongs to one caller, one step at a time). */
  busy: boolean;
}

export interface StepWorkspaceOptions {
  /** The step writes what a quiet tick changes into objects of the workspace's own, two of each
   * kind used in turn, instead of new ones (Recycling): what a step returns is valid only until
   * the step after next on this workspace. Off by default. */
  readonly recycle?: boolean;
}

/** A workspace for one caller of the step (the ControlLoop keeps one for its life). */
export function createStepWorkspace(options: StepWorkspaceOptions = {}): StepWorkspace {
  const recycle = options.recycle === true ? createRecycling() : null;
  return { events: [], memoryInput: null, tracked: null, context: null, idleStatuses: new WeakSet(), untrippedStatuses: new WeakSet(), recycle, busy: false };
}

/**
 * Two objects of one kind that a recycling step writes in turn: each tick it writes the one the
 * state passed in does not hold, so the state passed in is never written (the step stays pure in
 * that sense) and the state before it, which its caller has let go of, is what gets overwritten.
 * Objects are built on first use (spare answers null; the caller builds one and keeps it).
 */
export class RecyclePair<T extends object, W = Writable<T>> {
  #a: T | null = null;
  #b: T | null = null;
  /** The object handed out last (spare or keep): the one a caller may still be reading. */
  #last: T | null = null;

  /** The pair's object that `held` is not, to be written this tick; null while it is not built.
   * When `held` is neither (a state from outside the workspace), the one not handed out last, so
   * that what the last step returned stays valid for one more. `W`: how it is written (its fields
   * without readonly; a class writes its own). */
  spare(held: unknown): W | null {
    const next = this.#spareIsB(held) ? this.#b : this.#a;
    if (next !== null) this.#last = next;
    return next as W | null;
  }

  /** `built` becomes the object spare(held) answered null for; returns it. */
  keep(held: unknown, built: T): W {
    if (this.#spareIsB(held)) this.#b = built;
    else this.#a = built;
    this.#last = built;
    return built as unknown as W;
  }

  /** `built` takes the place of `old`, one of the pair's objects (one that no longer fits: a
   * snapshot of another grid); returns it. */
  replace(old: T, built: T): W {
    if (old === this.#a) this.#a = built;
    else if (old === this.#b) this.#b = built;
    else throw new Error('RecyclePair.replace: the object replaced is not one of the pair');
    this.#last = built;
    return built as unknown as W;
  }

  /** The object to write next is the second: the first is built, and `held` is it, or `held` is
   * neither and the first was handed out last. */
  #spareIsB(held: unknown): boolean {
    return this.#a !== null && (held === this.#a || (held !== this.#b && this.#last === this.#a));
  }

  /** `value` is one of the pair's objects. */
  owns(value: unknown): boolean {
    return value !== null && (value === this.#a || value === this.#b);
  }
}

/**
 * What a recycling workspace's steps write into (StepWorkspaceOptions.recycle): everything a quiet
 * tick changes (the state, the step's result, the rows' memory, the live estimate's radii, track
 * and tissue snapshot; the estimate's part is scratch). The contract, which no type can enforce:
 * the caller keeps nothing a step returned beyond the step after next, and steps only from the
 * state the last step returned or from a state of its own, built without this workspace's objects
 * (a copy of one of its states, withChanges(state, ...), still holds them: it is not one's own);
 * the step checks the second as far as it cheaply can (stepping from an older state of the
 * workspace, or from a state holding an older one's memory record, ice-ball track or radii,
 * throws), and the first is the caller's to keep: a holder that keeps a state for later reads a later tick's
 * state in its place, silently. The treatment simulation's loop uses it
 * (ControlLoopOptions.recycleStates); every other caller gets new objects.
 * tests/step-recycling.test.ts checks that both give the same results bit for bit, and that the
 * state passed in is never written.
 */
export interface Recycling {
  readonly states: RecyclePair<ControllerState>;
  readonly results: RecyclePair<StepResult>;
  /** The state the last step returned: the only state of this workspace's a step may start from. */
  lastState: ControllerState | null;
  readonly memory: RecyclePair<InterlockMemory>;
  readonly stuckSensor: RecyclePair<StuckSensor>;
  readonly stuckWindow: RecyclePair<StuckWindow>;
  readonly returnTrend: RecyclePair<ReturnTrend>;
  readonly returnTrendRef: RecyclePair<NonNullable<ReturnTrend['ref']>>;
  readonly iceBall: RecyclePair<IceBallEstimate>;
  readonly iceBallTrack: RecyclePair<IceBallTrack>;
  readonly tissue: RecyclePair<BioheatSnapshot, BioheatSnapshot>;
  /** Scratch: the estimate's part of this tick and an update's track and radii (read by the step,
   * never returned). */
  readonly iceBallPart: Writable<IceBallPart>;
  readonly update: EstimateUpdate;
}

function createRecycling(): Recycling {
  return {
    states: new RecyclePair(),
    results: new RecyclePair(),
    lastState: null,
    memory: new RecyclePair(),
    stuckSensor: new RecyclePair(),
    stuckWindow: new RecyclePair(),
    returnTrend: new RecyclePair(),
    returnTrendRef: new RecyclePair(),
    iceBall: new RecyclePair(),
    iceBallTrack: new RecyclePair(),
    tissue: new RecyclePair(),
    iceBallPart: { iceBall: null, iceBallTrack: null, freezeVerdicts: NO_VERDICTS },
    update: new EstimateUpdate(),
  };
}
