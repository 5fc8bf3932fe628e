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
   * recycling workspace (as the simulation's loop steps: src/controller/workspace.ts Recycling):
   * the median of REPLAY_ROUNDS replays less the replay harness's own (a replay of a step that
   * does nothing). The meter's resolution is about 20 bytes a tick either way (code the compiler
   * installs during a window counts), so a figure within that of 0 is 0. */
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

/** Replays of the step alone measured per mode, after REPLAY_WARMUPS of each: the median is taken
 * (the meter counts anything the heap holds more of, such as code the optimising compiler
 * installs meanwhile, which one window may catch and the next not). */
export const REPLAY_ROUNDS = 5;
/** Replays of each mode before measuring: the optimising compiler settles within a few (a replay
 * is QUIET_TICKS steps); measured before it has, the step boxes every number it passes. */
export const REPLAY_WARMUPS = 10;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? Number.NaN) + (sorted[mid] ?? Number.NaN)) / 2;
}

/** A function of the step's signature that does nothing but return `result`: the replay harness's
 * own cost, measured with it, is taken off the step's. */
function doingNothing(result: ReturnType<StepFunction>): StepFunction {
  return () => result;
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
  // The step alone, on the same window's inputs, recorded in another run of the same seed, kept in
  // arrays the replay indexes (iterating an array of tuples allocated in the harness itself until
  // the compiler optimised it, and was counted as the step's).
  const nows: number[] = [];
  const settingsAt: Settings[] = [];
  const readingsAt: Parameters<StepFunction>[2][] = [];
  const prevs: Parameters<StepFunction>[3][] = [];
  const recording: StepFunction = (nowMs, s, readings, prev, work) => {
    if (nowMs >= QUIET_FROM_MS && nowMs < toMs) {
      nows.push(nowMs);
      settingsAt.push(s);
      readingsAt.push(readings);
      prevs.push(prev);
    }
    return step(nowMs, s, readings, prev, work);
  };
  simulateTreatment({ settings, seed: 1, step: recording });
  if (nows.length !== QUIET_TICKS) throw new Error(`bench: the quiet window has ${nows.length} ticks, expected ${QUIET_TICKS}`);
  // Replayed with a workspace of its own, as the loop steps (src/controller/workspace.ts): one
  // that recycles, as the simulation's loop keeps, and one that does not, as `cryo run`'s.
  const replayOn = (stepFn: StepFunction, work: StepWorkspace) => (): void => {
    for (let i = 0; i < QUIET_TICKS; i++) stepFn(nows[i] as number, settingsAt[i] as Settings, readingsAt[i] as Parameters<StepFunction>[2], prevs[i] as Parameters<StepFunction>[3], work);
  };
  const replay = replayOn(step, createStepWorkspace({ recycle: true }));
  const replayFresh = replayOn(step, createStepWorkspace());
  const replayNothing = replayOn(doingNothing(step(nows[0] as number, settings, readingsAt[0] as Parameters<StepFunction>[2], prevs[0] as Parameters<StepFunction>[3], createStepWorkspace())), createStepWorkspace());
  for (let i = 0; i < REPLAY_WARMUPS; i++) {
    replay();
    replayFresh();
    replayNothing();
  }
  const recycled: number[] = [];
  const fresh: number[] = [];
  const harness: number[] = [];
  let collections = whole.collections;
  for (let i = 0; i < REPLAY_ROUNDS; i++) {
    for (const [body, into] of [
      [replay, recycled],
      [replayFresh, fresh],
      [replayNothing, harness],
    ] as const) {
      const measured = bytesOf(body);
      into.push(measured.bytes);
      collections += measured.collections;
    }
  }
  const harnessBytes = median(harness);
  const perTick = (bytes: number): number => Number((bytes / QUIET_TICKS).toFixed(1));
  return {
    tickBytes: perTick(whole.bytes - emptyMeter.meterBytes),
    stepBytes: perTick(median(recycled) - harnessBytes),
    stepFreshBytes: perTick(median(fresh) - harnessBytes),
    ticks: QUIET_TICKS,
    fromS: QUIET_FROM_MS / 1000,
    meterBytes: emptyMeter.meterBytes,
    collections,
  };
}
