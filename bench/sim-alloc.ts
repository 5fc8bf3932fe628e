// What a quiet tick allocates: heap bytes over a window of a steady freeze on the standard preset,
// divided by its ticks. Measured with V8's own figures (used heap before and after, plus what
// each garbage collection in between freed, from v8.GCProfiler), less the meter's own bytes
// measured the same way over an empty window in the same run.
import { GCProfiler, getHeapStatistics } from 'node:v8';
import { simulateTreatment } from '../src/sim/runner.js';
import type { Settings } from '../src/controller/settings.js';
import { step } from '../src/controller/step.js';
import { createStepWorkspace } from '../src/controller/workspace.js';
import type { StepFunction } from '../src/runtime/loop.js';
import type { StepWorkspace } from '../src/controller/workspace.js';

/** The window: 60 to 70 s into the standard preset's first freeze (opened about 2 s after start),
 * far from its start and end: no phase change, no condition, no event. */
export const QUIET_FROM_MS = 60_000;
export const QUIET_TICKS = 500;

export interface QuietTickFigures {
  /** Bytes per tick of the whole simulated tick: sim HAL and plant, loop, step, recorder. */
  tickBytes: number;
  /** Bytes per tick of the control step alone, replayed on the window's recorded inputs with a
   * recycling workspace (as the simulation's loop steps: src/controller/workspace.ts Recycling). */
  stepBytes: number;
  /** The same with a workspace that returns new objects (as `cryo run` steps). */
  stepFreshBytes: number;
  ticks: number;
  fromS: number;
  /** What the meter itself allocates (subtracted from both figures above), bytes. */
  meterBytes: number;
  /** Garbage collections during the measured windows (the figures account for them). */
  collections: number;
}

interface Meter {
  start(): void;
  /** Bytes allocated since start, and the collections seen. */
  stop(): { bytes: number; collections: number };
}

function heapMeter(): Meter {
  let profiler: GCProfiler | null = null;
  let usedBefore = 0;
  return {
    start() {
      profiler = new GCProfiler();
      profiler.start();
      usedBefore = getHeapStatistics().used_heap_size;
    },
    stop() {
      const usedAfter = getHeapStatistics().used_heap_size;
      const stats = profiler?.stop().statistics ?? [];
      let freed = 0;
      for (const gc of stats) freed += gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize;
      return { bytes: usedAfter - usedBefore + freed, collections: stats.length };
    },
  };
}

/** Bytes allocated by `body`, less the meter's own (an empty body, measured just before). */
function bytesOf(body: () => void): { bytes: number; meterBytes: number; collections: number } {
  const meter = heapMeter();
  meter.start();
  const empty = meter.stop();
  meter.start();
  body();
  const measured = meter.stop();
  return { bytes: measured.bytes - empty.bytes, meterBytes: empty.bytes, collections: measured.collections };
}

export function benchQuietTick(settings: Settings): QuietTickFigures {
  const toMs = QUIET_FROM_MS + (QUIET_TICKS * 1000) / settings.loop.rateHz;
  // Warm-up: the optimising compiler removes some allocations, so measure what runs in production.
  simulateTreatment({ settings, seed: 1 });
  simulateTreatment({ settings, seed: 1 });

  // The whole tick: the meter runs from the window's first step to its last, over everything the
  // simulation does in between (the seam only starts and stops it, allocating nothing).
  const meter = heapMeter();
  const emptyMeter = bytesOf(() => undefined);
  let whole = { bytes: Number.NaN, collections: 0 };
  const metered: StepFunction = (nowMs, s, readings, prev, work) => {
    if (nowMs === QUIET_FROM_MS) meter.start();
    if (nowMs === toMs) whole = meter.stop();
    return step(nowMs, s, readings, prev, work);
  };
  simulateTreatment({ settings, seed: 1, step: metered, recycleStates: true });
  // The step alone, on the same window's inputs, recorded in another run of the same seed.
  const inputs: Parameters<StepFunction>[] = [];
  const recording: StepFunction = (nowMs, s, readings, prev, work) => {
    if (nowMs >= QUIET_FROM_MS && nowMs < toMs) inputs.push([nowMs, s, readings, prev]);
    return step(nowMs, s, readings, prev, work);
  };
  simulateTreatment({ settings, seed: 1, step: recording });
  // Replayed with a workspace of its own, as the loop steps (src/controller/workspace.ts): one
  // that recycles, as the simulation's loop keeps, and one that does not, as `cryo run`'s.
  const replayOn = (work: StepWorkspace) => (): void => {
    for (const [nowMs, s, readings, prev] of inputs) step(nowMs, s, readings, prev, work);
  };
  const replay = replayOn(createStepWorkspace({ recycle: true }));
  const replayFresh = replayOn(createStepWorkspace());
  for (let i = 0; i < 3; i++) {
    replay();
    replayFresh();
  }
  const stepOnly = bytesOf(replay);
  const stepFresh = bytesOf(replayFresh);
  if (inputs.length !== QUIET_TICKS) throw new Error(`bench: the quiet window has ${inputs.length} ticks, expected ${QUIET_TICKS}`);
  const perTick = (bytes: number): number => Number((bytes / QUIET_TICKS).toFixed(1));
  return {
    tickBytes: perTick(whole.bytes - emptyMeter.meterBytes),
    stepBytes: perTick(stepOnly.bytes),
    stepFreshBytes: perTick(stepFresh.bytes),
    ticks: QUIET_TICKS,
    fromS: QUIET_FROM_MS / 1000,
    meterBytes: emptyMeter.meterBytes,
    collections: whole.collections + stepOnly.collections + stepFresh.collections,
  };
}
