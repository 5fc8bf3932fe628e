// SENSOR_STUCK's memory: the tip reading's range over the current window, and the suspicion once
// raised (it stays until the probe is disconnected).
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
  update({ nowMs, settings, readings, prev, tipC, flow, thawEndC, recycle }, memory) {
    if (!readings.probe.present) return NOT_STUCK;
    let suspect = memory.suspect;
    // In a thaw, or in Ready waiting for the tip to thaw before a freeze, the reading must warm until
    // it is above the thaw's end (thaw.endTipC plus the reading's uncertainty, as the phase logic
    // asks); once above, nothing is left to judge.
    const warming = prev.phase === 'Thawing' || (prev.phase === 'Ready' && prev.cyclesBegun > 0);
    const judged = prev.phase === 'Freezing' || warming;
    const thawed = warming && tipC !== null && tipC > thawEndC;
    let window: StuckWindow | null = judged && !thawed ? memory.window : null;
    if (judged && !thawed && tipC !== null) {
      if (window === null) {
        window = windowOf(recycle, memory.window, nowMs, tipC, tipC);
      } else {
        const minC = Math.min(window.minC, tipC);
        const maxC = Math.max(window.maxC, tipC);
        if (nowMs - window.startMs >= settings.tip.stuckWindowMs) {
          if (maxC - minC < settings.tip.stuckMinSpanC) {
            suspect ??= `tip reading spanned only ${(maxC - minC).toFixed(3)} C over ${nowMs - window.startMs} ms in ${prev.phase}`;
          }
          window = windowOf(recycle, memory.window, nowMs, tipC, tipC);
        } else if (minC !== window.minC || maxC !== window.maxC) {
          window = windowOf(recycle, memory.window, window.startMs, minC, maxC);
        }
      }
    }
    const verifyDone = prev.sub === 'freeze-verify-closed' && nowMs - prev.subSinceMs >= settings.valves.closeVerifyMs;
    if (verifyDone && readings.returnLine !== null && !flow && tipC !== null && prev.tipAtSubStartC !== null) {
      const warmedC = tipC - prev.tipAtSubStartC;
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

/** A window from `startMs` spanning minC..maxC: new, or written into a recycling workspace's (the
 * one the state passed in does not hold, `held`). */
function windowOf(recycle: Recycling | null, held: StuckWindow | null, startMs: number, minC: number, maxC: number): StuckWindow {
  const t = recycle?.stuckWindow.spare(held) ?? null;
  if (t === null) {
    const window: StuckWindow = { startMs, minC, maxC };
    recycle?.stuckWindow.keep(held, window);
    return window;
  }
  t.startMs = startMs;
  t.minC = minC;
  t.maxC = maxC;
  return t;
}
