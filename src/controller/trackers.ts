// Per-tick trackers the interlocks read: loop timing, freeze time, cooling progress, the stuck
// sensor window and the return-pressure trend. Pure: previous state in, updated state out.
import type { Readings } from '../../hal/contract.js';
import { tipProblem } from './context.js';
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

  let stuckWindow = prev.stuckWindow;
  let stuckDetected = false;
  if (!freezeOpen || tipC === null) {
    stuckWindow = null;
  } else if (stuckWindow === null) {
    stuckWindow = { startMs: nowMs, minC: tipC, maxC: tipC };
  } else {
    const minC = Math.min(stuckWindow.minC, tipC);
    const maxC = Math.max(stuckWindow.maxC, tipC);
    if (nowMs - stuckWindow.startMs >= settings.tip.stuckWindowMs) {
      stuckDetected = maxC - minC < settings.tip.stuckMinSpanC;
      stuckWindow = { startMs: nowMs, minC: tipC, maxC: tipC };
    } else {
      stuckWindow = { startMs: stuckWindow.startMs, minC, maxC };
      stuckDetected = prev.stuckDetected;
    }
  }

  const returnBar = readings.returnLine?.bar ?? null;
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
    lastStepMs: nowMs,
    lastGapMs: gapMs,
    lateStepTimesMs,
    cycleFreezeMs: prev.cycleFreezeMs + openMs,
    cumulativeFreezeMs: prev.cumulativeFreezeMs + openMs,
    coolingReachedAtMs,
    stuckWindow,
    stuckDetected,
    trend,
    returnRisingWhileWarming,
  };
}
