// The contract shared by the real-time and virtual schedulers, and the timeline arithmetic both
// use, so that the runtime code above them cannot tell which one it runs on.

import type { Clock } from '../clock.js';

// Supported control rates (project brief). At 200 Hz the 5 ms period is still well above the
// ~0.1 ms idle p99 timing error of the setImmediate finish (domain.md section 7); under GC load
// (p99 8-14 ms) only the slower end of the range keeps ticks from being missed.
export const MIN_RATE_HZ = 10;
export const MAX_RATE_HZ = 200;
/** 20 ms period: longer than the 8-14 ms GC-loaded p99 of domain.md section 7, so load makes ticks late, not missed. */
export const DEFAULT_RATE_HZ = 50;

export const MS_PER_S = 1000;

export interface TickInfo {
  /** Position of this tick on the scheduler's timeline; skipped (missed) ticks consume indices. */
  index: number;
  /** When this tick should have started: t0 + index * period, on the scheduler's clock. */
  targetMs: number;
  /** When onTick was actually called, on the scheduler's clock. */
  startedMs: number;
  /** startedMs - targetMs; never negative (a tick never starts early). */
  lateMs: number;
  /** Ticks skipped immediately before this one because they could no longer be met. */
  missedBefore: number;
}

export interface SchedulerStats {
  ticks: number;
  /** Ticks that started more than the late threshold after their target. */
  late: number;
  /** Ticks skipped because the loop fell a whole period or more behind. */
  missed: number;
  maxLateMs: number;
}

/** Returning false stops the scheduler after this tick; returning nothing carries on. */
// `void` (not `undefined`) so any existing `() => void` function can be passed as a tick body.
// eslint-disable-next-line @typescript-eslint/no-invalid-void-type
export type TickHandler = (tick: TickInfo) => boolean | void;

export interface Scheduler {
  readonly periodMs: number;
  readonly clock: Clock;
  stats(): SchedulerStats;
  /** Run `onTick` at every period until stop() or onTick returns false. Resolves when stopped. */
  run(onTick: TickHandler): Promise<void>;
  stop(): void;
}

/** Checks a control rate at the boundary; throws a RangeError naming the value and the range. */
export function validateRateHz(rateHz: number): number {
  if (!Number.isFinite(rateHz) || rateHz < MIN_RATE_HZ || rateHz > MAX_RATE_HZ) {
    throw new RangeError(
      `scheduler: rateHz ${rateHz} is out of range (must be ${MIN_RATE_HZ}-${MAX_RATE_HZ} Hz)`,
    );
  }
  return rateHz;
}

/**
 * Target time of tick `index`, computed from the index rather than by adding the period
 * repeatedly: `index * 1000` is an exact integer, so the only rounding is one division and
 * one addition, and tick 180 000 is as exact as tick 1 (no accumulated drift).
 */
export function tickTargetMs(originMs: number, index: number, rateHz: number): number {
  return originMs + (index * MS_PER_S) / rateHz;
}

/** Index of the latest tick whose target is not after `nowMs` (never below `fromIndex`). */
export function latestDueIndex(originMs: number, nowMs: number, rateHz: number, fromIndex: number): number {
  let index = Math.max(fromIndex, Math.floor(((nowMs - originMs) * rateHz) / MS_PER_S));
  // The floor above can land one past the due tick when the division rounds up.
  while (index > fromIndex && tickTargetMs(originMs, index, rateHz) > nowMs) index -= 1;
  return index;
}

export function zeroStats(): SchedulerStats {
  return { ticks: 0, late: 0, missed: 0, maxLateMs: 0 };
}
