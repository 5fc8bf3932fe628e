// The step's invariants, asserted at the end of every step in production (TigerBeetle's rule:
// assertions in the code, not only in tests). A failed one is a bug in the step: it throws, and
// the runtime puts the outputs in their safe state and latches (src/runtime/loop.ts).
import type { Outputs } from '../../hal/contract.js';
import { AssertionError } from '../../kernel/assert.js';
import { anyTripped } from './interlocks.js';
import type { ControllerReadings } from './probe-calibration.js';
import { WITHDRAW_FLOOR_C, tipUncertaintyC } from './probe-calibration.js';
import type { Settings } from './settings.js';
import type { ControllerState } from './state.js';

/** The withdrawal verdict's floor on the true tip, 0 C (src/controller/probe-calibration.ts). The
 * step asserts that no channel reads below it plus the reading's uncertainty (tipUncertaintyC);
 * the withdrawal logic itself asks more: every channel fresh, usable and above withdrawReadingC
 * (0 C plus thaw.withdrawMarginC, never less than the uncertainty) for thaw.withdrawDwellMs. */
export { WITHDRAW_FLOOR_C };

/**
 * Throws an AssertionError naming the broken invariant and the values that break it:
 * - a tripped interlock means both valves commanded closed;
 * - an open gas path (both valves) means Freezing with nothing tripped;
 * - within a cycle the freeze time never falls, and while the gas path is open it is within its
 *   limit (protocol.freezeS plus freezeLimit.perCycleGraceMs);
 * - safe to withdraw is never set while any tip channel the step used reads below 0 C plus the
 *   calibrated reading's uncertainty (the true tip may be that much colder), is faulted or is not
 *   a number;
 * - during an audio pause the buzzer is silent, and the pause is no longer than
 *   alarms.audioPauseS (IEC 60601-1-8: its maximum is the configured one).
 * `untripped` is the step's workspace's set of status records known to hold no acting trip
 * (anyTripped); without it the statuses are walked.
 */
/** The message is built only when an invariant fails: this runs every step, and building five
 * strings per step cost more than the checks themselves (measured with bench/sim.ts). */
function fail(message: string): never {
  throw new AssertionError(`invariant: ${message}`);
}

export function assertStepInvariants(
  settings: Settings,
  readings: ControllerReadings,
  prev: ControllerState,
  state: ControllerState,
  outputs: Outputs,
  untripped?: WeakSet<object>,
): void {
  const tripped = anyTripped(state, untripped);
  const { supplyValveOpen, safetyValveOpen } = outputs;
  const gasPathOpen = supplyValveOpen && safetyValveOpen;
  if (tripped && (supplyValveOpen || safetyValveOpen)) {
    fail(`an interlock is tripped but a valve is commanded open (supply ${supplyValveOpen}, safety ${safetyValveOpen})`);
  }
  // With an interlock tripped an open gas path has already failed the check above: the phase alone.
  if (gasPathOpen && state.phase !== 'Freezing') {
    fail(`the gas path is commanded open in ${state.phase}`);
  }
  if (state.cyclesBegun === prev.cyclesBegun && state.cycleFreezeMs < prev.cycleFreezeMs) {
    fail(`the cycle's freeze time fell from ${prev.cycleFreezeMs} ms to ${state.cycleFreezeMs} ms`);
  }
  if (gasPathOpen) {
    const limitMs = settings.protocol.freezeS * 1000 + settings.freezeLimit.perCycleGraceMs;
    if (state.cycleFreezeMs > limitMs) fail(`the gas path is open with the cycle's freeze time ${state.cycleFreezeMs} ms over its limit ${limitMs} ms`);
  }
  const pause = state.audioPause;
  if (pause !== null) {
    if (outputs.buzzer) fail(`the buzzer sounds during the audio pause that began at ${pause.startMs} ms`);
    if (pause.untilMs - pause.startMs > settings.alarms.audioPauseS * 1000) {
      fail(`an audio pause of ${pause.untilMs - pause.startMs} ms is longer than alarms.audioPauseS ${settings.alarms.audioPauseS} s`);
    }
  }
  if (state.safeToWithdraw) {
    if (readings.tips.length === 0) fail('safe to withdraw declared with no tip channel');
    const floorC = WITHDRAW_FLOOR_C + tipUncertaintyC(readings.calibration);
    for (let channel = 0; channel < readings.tips.length; channel++) {
      const tip = readings.tips[channel];
      if (tip === undefined) fail(`safe to withdraw declared with tip channel ${channel} missing`);
      const usable = tip.fault === null && Number.isFinite(tip.tipC) && tip.tipC >= floorC;
      if (!usable) fail(`safe to withdraw declared with tip channel ${channel} at ${tip.tipC} C (fault ${tip.fault ?? 'none'}), below ${floorC} C (${WITHDRAW_FLOOR_C} C plus the reading's uncertainty) or unusable`);
    }
  }
}
