// RETURN_LINE_BLOCKED's memory: the return-pressure trend over pressure.trendWindowMs during an
// open freeze. A blockage shows as the return pressure rising while the tip warms.
import type { AbsPressureSample, TipSample } from '../../../hal/contract.js';
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
    const { nowMs, tip, settings } = input;
    // The samples are held, and their numbers read only where a window ends: a pressure or a
    // temperature that may be null, or read on every tick of the window, or passed to a call the
    // compiler does not inline, is a heap number each time (bench/sim-alloc.ts).
    const returnLine = input.finiteReturnLine;
    if (!freezeOpenBefore(input) || tip === null || returnLine === null) return NO_TREND;
    const ref = prev.ref;
    if (ref !== null && nowMs - ref.refMs < settings.pressure.trendWindowMs) return prev;
    const p = settings.pressure;
    const risingWhileWarming = ref !== null && returnLine.barAbs - ref.returnBar > p.returnRiseBar && tip.tipC - ref.tipC > p.tipWarmingC;
    // A new window from now, written here rather than in a helper: a window starts once every
    // pressure.trendWindowMs, too seldom for a helper to be compiled, and the interpreter makes a
    // heap number of each number it reads.
    const recycle = input.recycle;
    const t = recycle?.returnTrend.spare(prev) ?? null;
    const into = recycle?.returnTrendRef.spare(ref) ?? null;
    if (t === null || into === null) return newTrend(recycle, prev, nowMs, returnLine, tip, risingWhileWarming);
    into.refMs = nowMs;
    into.returnBar = returnLine.barAbs;
    into.tipC = tip.tipC;
    t.ref = into;
    t.risingWhileWarming = risingWhileWarming;
    return t;
  },
};

/** A new trend from a window starting at `refMs` at these samples, kept by a recycling workspace as
 * the spares of `held` and its ref (none: as it is). */
function newTrend(recycle: Recycling | null, held: ReturnTrend, refMs: number, returnLine: AbsPressureSample, tip: TipSample, risingWhileWarming: boolean): ReturnTrend {
  const next: ReturnTrend = { ref: { refMs, returnBar: returnLine.barAbs, tipC: tip.tipC }, risingWhileWarming };
  if (next.ref !== null) recycle?.returnTrendRef.keep(held.ref, next.ref);
  recycle?.returnTrend.keep(held, next);
  return next;
}
