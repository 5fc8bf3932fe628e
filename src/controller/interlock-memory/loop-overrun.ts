// LOOP_OVERRUN's memory: the times of the late steps within loop.lateWindowMs.
import { periodMs } from '../context.js';
import type { RowMemory } from './row-memory.js';

export type LateStepTimesMs = readonly number[];

const NONE: LateStepTimesMs = Object.freeze([]);

export const lateStepsMemory: RowMemory<LateStepTimesMs> = {
  initial: NONE,
  update({ nowMs, settings, gapMs }, timesMs) {
    const loop = settings.loop;
    // gapMs is 0 on the first step (MemoryInput), so the first step is never late.
    const late = gapMs > periodMs(settings) + loop.lateToleranceMs;
    const windowStartMs = nowMs - loop.lateWindowMs;
    // Copy only when the window drops an entry or gains one: most ticks allocate nothing here.
    // An empty list never expires: nowMs is not at or before nowMs - lateWindowMs (at least 1 s).
    // The length is asked first: reading past the end of an empty list costs a heap number a tick
    // (bench/sim-alloc.ts).
    const first = timesMs.length === 0 ? undefined : timesMs[0];
    const expired = first !== undefined && first <= windowStartMs;
    const kept = expired ? timesMs.filter((t) => t > windowStartMs) : timesMs;
    return late ? [...kept, nowMs] : kept;
  },
};
