// Per-tick trackers the interlocks read: loop timing, freeze time, cooling progress, the stuck
// sensor window and the return-pressure trend. Pure: previous state in, updated state out.
import type { Readings } from '../../hal/contract.js';
import { flowSeen, tipProblem } from './context.js';
import { MIN_WARMING_AFTER_CLOSE_C } from './interlocks.js';
import type { Settings } from './settings.js';
import type { ControllerState } from './state.js';

export function periodMs(settings: Settings): number {
  return 1000 / settings.loop.rateHz;
}

/** The control channel's temperature when it is usable; null otherwise. */
export function controlTipC(readings: Readings, settings: Settings): number | null {
  const control = readings.tips[0];
  return control !== undefined && tipProblem(control, 0, settings) === null ? control.tipC : null;
}

export function updateTrackers(nowMs: number, settings: Settings, readings: Readings, prev: ControllerState): ControllerState {
  const loop = settings.loop;
  const gapMs = prev.lastStepMs === null ? 0 : nowMs - prev.lastStepMs;
  const late = prev.lastStepMs !== null && gapMs > periodMs(settings) + loop.lateToleranceMs;
  const windowStartMs = nowMs - loop.lateWindowMs;
  // Copy only when the window drops an entry or gains one: most ticks allocate nothing here.
  const expired = prev.lateStepTimesMs.length > 0 && (prev.lateStepTimesMs[0] ?? nowMs) <= windowStartMs;
  let lateStepTimesMs = expired ? prev.lateStepTimesMs.filter((t) => t > windowStartMs) : prev.lateStepTimesMs;
  if (late) lateStepTimesMs = [...lateStepTimesMs, nowMs];

  // Freeze time counts while the gas path was commanded open (both valves) since the last step.
  const gasPathOpen = prev.outputs.supplyValveOpen && prev.outputs.safetyValveOpen;
  const openMs = gasPathOpen ? Math.max(0, gapMs) : 0;

  const freezeOpen = prev.phase === 'Freezing' && prev.sub === 'freeze-open';
  const tipC = controlTipC(readings, settings);

  let coolingReachedAtMs = prev.coolingReachedAtMs;
  if (freezeOpen && coolingReachedAtMs === null && tipC !== null && tipC < settings.cooling.targetC) coolingReachedAtMs = nowMs;

  const flow = flowSeen(readings, settings);
  const stuck = trackStuck(nowMs, settings, readings, prev, tipC, flow);

  const returnBar = readings.returnLine?.barAbs ?? null;
  let trend = prev.trend;
  let returnRisingWhileWarming = false;
  if (!freezeOpen || tipC === null || returnBar === null || !Number.isFinite(returnBar)) {
    trend = null;
  } else if (trend === null) {
    trend = { refMs: nowMs, returnBar, tipC };
  } else if (nowMs - trend.refMs >= settings.pressure.trendWindowMs) {
    const p = settings.pressure;
    returnRisingWhileWarming = returnBar - trend.returnBar > p.returnRiseBar && tipC - trend.tipC > p.tipWarmingC;
    trend = { refMs: nowMs, returnBar, tipC };
  } else {
    returnRisingWhileWarming = prev.returnRisingWhileWarming;
  }

  return {
    ...prev,
    gasLastFlowedMs: gasPathOpen || flow ? nowMs : prev.gasLastFlowedMs,
    tickCount: prev.tickCount + 1,
    lastStepMs: nowMs,
    lastGapMs: gapMs,
    lateStepTimesMs,
    cycleFreezeMs: prev.cycleFreezeMs + openMs,
    cumulativeFreezeMs: prev.cumulativeFreezeMs + openMs,
    coolingReachedAtMs,
    stuckWindow: stuck.window,
    stuckSuspect: stuck.suspect,
    trend,
    returnRisingWhileWarming,
  };
}

type StuckWindow = ControllerState['stuckWindow'];

/**
 * The stuck-sensor judgement. While gas flows, or the tip thaws (in Thawing, or in Ready before a
 * resumed freeze) and is not yet above thaw.endTipC,
 * the reading must move: less than
 * tip.stuckMinSpanC over a tip.stuckWindowMs window is a stuck sensor. A faulted sample is skipped,
 * never a reason to restart the window (a stuck reading with one bad sample every 2 s is still
 * stuck). After the supply closes, a tip that does not warm while the return line shows no flow
 * is a stuck sensor too (with flow it is a stuck valve: VALVE_FAILURE). Once suspected, the
 * sensor stays suspect until the probe is disconnected: without gas flowing it cannot be checked
 * again, so an acknowledge must not clear it.
 */
function trackStuck(
  nowMs: number,
  settings: Settings,
  readings: Readings,
  prev: ControllerState,
  tipC: number | null,
  flow: boolean,
): { window: StuckWindow; suspect: string | null } {
  if (!readings.probe.present) return { window: null, suspect: null };
  let suspect = prev.stuckSuspect;
  // In a thaw, or in Ready waiting for the tip to thaw before a freeze, the reading must warm until
  // it is above thaw.endTipC; once above, nothing is left to judge.
  const warming = prev.phase === 'Thawing' || (prev.phase === 'Ready' && prev.cyclesBegun > 0);
  const judged = prev.phase === 'Freezing' || warming;
  const thawed = warming && tipC !== null && tipC > settings.thaw.endTipC;
  let window: StuckWindow = judged && !thawed ? prev.stuckWindow : null;
  if (judged && !thawed && tipC !== null) {
    if (window === null) {
      window = { startMs: nowMs, minC: tipC, maxC: tipC };
    } else {
      const minC = Math.min(window.minC, tipC);
      const maxC = Math.max(window.maxC, tipC);
      if (nowMs - window.startMs >= settings.tip.stuckWindowMs) {
        if (maxC - minC < settings.tip.stuckMinSpanC) {
          suspect ??= `tip reading spanned only ${(maxC - minC).toFixed(3)} C over ${nowMs - window.startMs} ms in ${prev.phase}`;
        }
        window = { startMs: nowMs, minC: tipC, maxC: tipC };
      } else {
        window = { startMs: window.startMs, minC, maxC };
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
  return { window, suspect };
}
