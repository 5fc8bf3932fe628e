// RETURN_LINE_BLOCKED's memory: the return-pressure trend over pressure.trendWindowMs during an
// open freeze. A blockage shows as the return pressure rising while the tip warms.
import type { Recycling } from '../workspace.js';
import type { RowMemory } from './row-memory.js';
import { freezeOpenBefore } from './row-memory.js';

export interface ReturnTrend {
  /** The start of the current trend window; null outside an open freeze or without readings. */
  readonly ref: { readonly refMs: number; readonly returnBar: number; readonly tipC: number } | null;
  /** The last completed window saw the return pressure rise by returnRiseBar while the tip
   * warmed by tipWarmingC. */
  readonly risingWhileWarming: boolean;
}

const NO_TREND: ReturnTrend = Object.freeze({ ref: null, risingWhileWarming: false });

export const returnTrendMemory: RowMemory<ReturnTrend> = {
  initial: NO_TREND,
  update(input, prev) {
    const { nowMs, tipC, settings } = input;
    const returnBar = input.readings.returnLine?.barAbs ?? null;
    if (!freezeOpenBefore(input) || tipC === null || returnBar === null || !Number.isFinite(returnBar)) return NO_TREND;
    if (prev.ref === null) return trendOf(input.recycle, prev, nowMs, returnBar, tipC, false);
    if (nowMs - prev.ref.refMs < settings.pressure.trendWindowMs) return prev;
    const p = settings.pressure;
    const risingWhileWarming = returnBar - prev.ref.returnBar > p.returnRiseBar && tipC - prev.ref.tipC > p.tipWarmingC;
    return trendOf(input.recycle, prev, nowMs, returnBar, tipC, risingWhileWarming);
  },
};

/** A trend from a window starting now: new, or written into a recycling workspace's (the one the
 * state passed in does not hold: `held` and its ref). */
function trendOf(recycle: Recycling | null, held: ReturnTrend, refMs: number, returnBar: number, tipC: number, risingWhileWarming: boolean): ReturnTrend {
  const t = recycle?.returnTrend.spare(held) ?? null;
  const ref = recycle?.returnTrendRef.spare(held.ref) ?? null;
  if (t === null || ref === null) {
    const next: ReturnTrend = { ref: { refMs, returnBar, tipC }, risingWhileWarming };
    if (next.ref !== null) recycle?.returnTrendRef.keep(held.ref, next.ref);
    recycle?.returnTrend.keep(held, next);
    return next;
  }
  ref.refMs = refMs;
  ref.returnBar = returnBar;
  ref.tipC = tipC;
  t.ref = ref;
  t.risingWhileWarming = risingWhileWarming;
  return t;
}
