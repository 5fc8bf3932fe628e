// SENSOR_STUCK's memory: the tip reading's range over the current window, and the suspicion once
// raised (it stays until the probe is disconnected).
import type { TipSample } from '../../../hal/contract.js';
import type { Recycling } from '../workspace.js';
import type { RowMemory } from './row-memory.js';

/** After the supply valve closes the tip must warm at least this much within the verify window
 * (a closed probe warms several C in 1.5 s; a stuck-open one keeps cooling). */
export const MIN_WARMING_AFTER_CLOSE_C = 0.5;

export interface StuckWindow {
  readonly startMs: number;
  readonly minC: number;
  readonly maxC: number;
}

export interface StuckSensor {
  readonly window: StuckWindow | null;
  /** Why the tip reading is judged stuck; null while it is not. */
  readonly suspect: string | null;
}

const NOT_STUCK: StuckSensor = Object.freeze({ window: null, suspect: null });

/**
 * The stuck-sensor judgement. While gas flows, or the tip thaws (in Thawing, or in Ready before a
 * resumed freeze) and is not yet above the thaw's end (thawEndC), the reading must move: less than
 * tip.stuckMinSpanC over a tip.stuckWindowMs window is a stuck sensor. A faulted sample is skipped,
 * never a reason to restart the window (a stuck reading with one bad sample every 2 s is still
 * stuck). After the supply closes, a tip that does not warm while the return line shows no flow
 * is a stuck sensor too (with flow it is a stuck valve: VALVE_FAILURE). Once suspected, the
 * sensor stays suspect until the probe is disconnected: without gas flowing it cannot be checked
 * again, so an acknowledge must not clear it.
 */
export const stuckSensorMemory: RowMemory<StuckSensor> = {
  initial: NOT_STUCK,
  update({ nowMs, settings, readings, prev, tip, flow, thawEndC, recycle }, memory) {
    if (!readings.probe.present) return NOT_STUCK;
    let suspect = memory.suspect;
    // In a thaw, or in Ready waiting for the tip to thaw before a freeze, the reading must warm until
    // it is above the thaw's end (thaw.endTipC plus the reading's uncertainty, as the phase logic
    // asks); once above, nothing is left to judge.
    const warming = prev.phase === 'Thawing' || (prev.phase === 'Ready' && prev.cyclesBegun > 0);
    const judged = prev.phase === 'Freezing' || warming;
    const thawed = warming && tip !== null && tip.tipC > thawEndC;
    let window: StuckWindow | null = judged && !thawed ? memory.window : null;
    if (judged && !thawed && tip !== null) {
      if (window === null) {
        window = windowOf(recycle, memory.window, nowMs, null, tip);
      } else if (nowMs - window.startMs >= settings.tip.stuckWindowMs) {
        const spanC = Math.max(window.maxC, tip.tipC) - Math.min(window.minC, tip.tipC);
        if (spanC < settings.tip.stuckMinSpanC) {
          suspect ??= `tip reading spanned only ${spanC.toFixed(3)} C over ${nowMs - window.startMs} ms in ${prev.phase}`;
        }
        window = windowOf(recycle, memory.window, nowMs, null, tip);
      } else if (tip.tipC < window.minC || tip.tipC > window.maxC) {
        window = windowOf(recycle, memory.window, window.startMs, window, tip);
      }
    }
    const verifyDone = prev.sub === 'freeze-verify-closed' && nowMs - prev.subSinceMs >= settings.valves.closeVerifyMs;
    if (verifyDone && readings.returnLine !== null && !flow && tip !== null && prev.tipAtSubStartC !== null) {
      const warmedC = tip.tipC - prev.tipAtSubStartC;
      if (warmedC < MIN_WARMING_AFTER_CLOSE_C) {
        suspect ??= `tip warmed only ${warmedC.toFixed(2)} C in ${nowMs - prev.subSinceMs} ms after the supply valve closed, with no flow in the return line`;
      }
    }
    if (window === memory.window && suspect === memory.suspect) return memory;
    const t = recycle?.stuckSensor.spare(memory) ?? null;
    if (t === null) {
      const next: StuckSensor = { window, suspect };
      recycle?.stuckSensor.keep(memory, next);
      return next;
    }
    t.window = window;
    t.suspect = suspect;
    return t;
  },
};

/** A window from `startMs` spanning `base`'s range (null: none) and the reading `tip`: new, or
 * written into a recycling workspace's (the one the state passed in does not hold, `held`). One
 * helper for a window's start and its widening, which run on most ticks of a freeze, so that it is
 * hot and compiled: a window's start alone, every tip.stuckWindowMs, ran in the interpreter, which
 * makes a heap number of each temperature it reads. It takes the samples and windows, not their
 * temperatures: a temperature passed to a call the compiler does not inline is a heap number too
 * (bench/sim-alloc.ts). */
function windowOf(recycle: Recycling | null, held: StuckWindow | null, startMs: number, base: StuckWindow | null, tip: TipSample): StuckWindow {
  const minC = base === null ? tip.tipC : Math.min(base.minC, tip.tipC);
  const maxC = base === null ? tip.tipC : Math.max(base.maxC, tip.tipC);
  const t = recycle?.stuckWindow.spare(held) ?? null;
  if (t === null) return kept(recycle, held, newWindow(startMs, minC, maxC));
  t.startMs = startMs;
  t.minC = minC;
  t.maxC = maxC;
  return t;
}

/** A new window: every one is built here, in one literal, so that all share one hidden class. */
function newWindow(startMs: number, minC: number, maxC: number): StuckWindow {
  return { startMs, minC, maxC };
}

/** `window`, kept by a recycling workspace as the spare of `held` (none: as it is). */
function kept(recycle: Recycling | null, held: StuckWindow | null, window: StuckWindow): StuckWindow {
  recycle?.stuckWindow.keep(held, window);
  return window;
}
