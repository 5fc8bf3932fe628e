// Deliberately broken controllers for the fuzzer's own tests, passed through the ControlLoop's
// test seam (`step`). Each wraps the real step and puts one known bug back, so a test can prove
// the fuzzer finds it and shrinks it. Never used outside tests.
import { step } from '../../src/controller/step.js';
import type { StepFunction } from '../../src/runtime/loop.js';
import { tipUncertaintyC } from '../../src/controller/probe-calibration.js';

/**
 * Review H1 put back: safe to withdraw is declared from the raw last tip reading whenever no
 * freeze or thaw is under way, whatever is tripped (a stuck or open thermocouple included).
 */
export const safeFromRawReading: StepFunction = (nowMs, settings, readings, prev) => {
  const result = step(nowMs, settings, readings, prev);
  const tip = readings.tips[0];
  if (tip === undefined || result.state.phase === 'Freezing' || result.state.phase === 'Thawing') return result;
  return { ...result, state: { ...result.state, safeToWithdraw: tip.tipC > settings.thaw.withdrawMarginC } };
};

/**
 * Review H2 put back: any interlock debounce in the settings file swallows the one-tick stop edge
 * (as a debounce on OPERATOR_STOP did), so stop does nothing.
 */
export const debounceSwallowsStop: StepFunction = (nowMs, settings, readings, prev) => {
  const swallowed = Object.keys(settings.debounceMs).length > 0;
  const seen = swallowed ? { ...readings, operator: { ...readings.operator, stop: false } } : readings;
  return step(nowMs, settings, seen, prev);
};

/** A trip that forgets the valves: the tick's outputs keep the gas path as it was. */
export const tripKeepsGasPath: StepFunction = (nowMs, settings, readings, prev) => {
  const result = step(nowMs, settings, readings, prev);
  if (!result.events.some((e) => e.kind === 'trip')) return result;
  const { supplyValveOpen, safetyValveOpen } = prev.outputs;
  return { ...result, outputs: { ...result.outputs, supplyValveOpen, safetyValveOpen } };
};

/** A freeze timer that reads the protocol's freeze time as twice what it is. */
export const freezeRunsDouble: StepFunction = (nowMs, settings, readings, prev) =>
  step(nowMs, { ...settings, protocol: { ...settings.protocol, freezeS: settings.protocol.freezeS * 2 } }, readings, prev);

/** A thaw that never completes: the step's move from Thawing to Complete is dropped (the rest of
 * the tick's state, its timing included, is kept, so only the phase change is lost). */
export const thawNeverEnds: StepFunction = (nowMs, settings, readings, prev) => {
  const result = step(nowMs, settings, readings, prev);
  if (prev.phase !== 'Thawing' || result.state.phase !== 'Complete') return result;
  const state = { ...result.state, phase: prev.phase, sub: prev.sub, phaseSinceMs: prev.phaseSinceMs, subSinceMs: prev.subSinceMs };
  return { ...result, state, events: result.events.filter((e) => e.kind !== 'phase') };
};

/**
 * The unknown-tip wait before issue 11 put back: a fixed thaw.unknownTipWaitS from the last gas
 * flow, whatever the site froze (the step forgets the site's freeze total once the reading is
 * distrusted, so the wait falls to its floor). With the tissue model in the plant a long freeze's
 * passive thaw outlasts it.
 */
export const fixedUnknownTipWait: StepFunction = (nowMs, settings, readings, prev) => {
  const result = step(nowMs, settings, readings, prev);
  if (result.state.tipDistrust === null) return result;
  return { ...result, state: { ...result.state, cumulativeFreezeMs: 0 } };
};

/**
 * A passive thaw bound short for slow tissue (review of issue 11, M1: the table was derived for
 * one plausible fat): once the reading is distrusted the step counts a sixth of the site's freeze,
 * so 60 s of gas waits the 10 s row (550 s), under the old 860 s for fat, which nominal tissue
 * outlasts by far less than a slow corner of the tissue schema does.
 */
export const SHORT_BOUND_FREEZE_DIVISOR = 6;
export const thawBoundShortForSlowTissue: StepFunction = (nowMs, settings, readings, prev) => {
  const result = step(nowMs, settings, readings, prev);
  if (result.state.tipDistrust === null) return result;
  return { ...result, state: { ...result.state, cumulativeFreezeMs: result.state.cumulativeFreezeMs / SHORT_BOUND_FREEZE_DIVISOR } };
};

/**
 * Issue 11's thaw margin taken away: every tip reading is handed to the real step raised by the
 * probe's calibrated reading uncertainty, which the step's own thaw and withdrawal thresholds add
 * back, so the thaw ends (and a refreeze may start) as soon as the reading alone is past
 * thaw.endTipC: a calibration reading warm then refreezes a tip that is still frozen.
 */
export const thawOnReadingAlone: StepFunction = (nowMs, settings, readings, prev) => {
  const u = tipUncertaintyC(readings.calibration);
  const raised = { ...readings, tips: readings.tips.map((t) => ({ ...t, tipC: t.tipC + u })) };
  return step(nowMs, settings, raised, prev);
};

/**
 * A self-test window too short for VALVE_FAILURE's debounce put back (stop 25's finding, now
 * refused by the settings schema): during the self-test the step reads the row's debounce as its
 * longest, 500 ms, with the default 500 ms window, so a supply valve stuck open shows flow for too
 * little of the safety-only window to trip, and the freeze runs on the safety valve alone until
 * the verify at its close.
 */
export const selfTestMissesStuckValve: StepFunction = (nowMs, settings, readings, prev) =>
  prev.phase === 'SelfTest' ? step(nowMs, { ...settings, debounceMs: { ...settings.debounceMs, VALVE_FAILURE: SELF_TEST_BLIND_DEBOUNCE_MS } }, readings, prev) : step(nowMs, settings, readings, prev);

/** The longest debounce the step accepts: the default window is 400 ms short of what it needs. */
const SELF_TEST_BLIND_DEBOUNCE_MS = 500;
