// The treatment state machine: Idle -> SelfTest -> Ready -> Freezing(k) -> Thawing(k) ... ->
// Complete, with Stopped and Fault entered by trips (see step.ts). Time- and input-driven
// transitions only; interlocks are evaluated before this runs.
import type { TickContext } from './context.js';
import type { TipSample } from '../../hal/contract.js';
import { closeVerifyWindowMs, conditionBlocksFreeze } from './interlocks.js';
import type { ControllerState } from './state.js';
import { withChanges } from './state.js';
import { thawEndReadingC } from './probe-calibration.js';
import type { ControllerEvent, Phase, SubStep } from './types.js';
import { fellRecently, isWithdrawn } from './withdrawal.js';

/** Both valves stay closed this long between the two single-valve self-test windows, so the
 * valve response delays can never overlap into an open gas path. */
export const SELF_TEST_VALVE_PAUSE_MS = 200;

export interface Edges {
  readonly start: boolean;
  readonly stop: boolean;
  readonly acknowledge: boolean;
  readonly audioPause: boolean;
  readonly newSite: boolean;
}

export function enterPhase(
  s: ControllerState,
  nowMs: number,
  phase: Phase,
  sub: SubStep,
  events: ControllerEvent[],
  cycle = s.cycle,
): ControllerState {
  const changed =
    phase !== s.phase ||
    // Stryker disable next-line ConditionalExpression: equivalent — no caller enters the phase it is in with another cycle (only a trip re-enters Fault, keeping the cycle)
    cycle !== s.cycle;
  if (changed) events.push({ kind: 'phase', atMs: nowMs, from: s.phase, to: phase, cycle });
  const phaseSinceMs = changed ? nowMs : s.phaseSinceMs;
  return withChanges(s, { phase, sub, cycle, phaseSinceMs, subSinceMs: nowMs, subSinceTick: s.tickCount });
}

/** Into `sub`, noting the control tip's reading (`tip`, the context's; null when unusable). */
function enterSub(s: ControllerState, nowMs: number, sub: SubStep, tip: TipSample | null): ControllerState {
  return withChanges(s, { sub, subSinceMs: nowMs, subSinceTick: s.tickCount, tipAtSubStartC: tip === null ? null : tip.tipC });
}

/** A protocol run starts with the self-test. The tip is trusted again: every trip that distrusted
 * it needed its condition gone and an acknowledge to get here (SENSOR_STUCK a probe change). */
function beginSelfTest(s: ControllerState, nowMs: number, events: ControllerEvent[]): ControllerState {
  return enterPhase(withChanges(s, { startRequested: true, tipDistrust: null }), nowMs, 'SelfTest', 'selftest-settle', events, 0);
}

/** The next freeze is the site's next cycle: a stop or fault and a new start resume, never repeat. */
function beginFreeze(s: ControllerState, nowMs: number, events: ControllerEvent[]): ControllerState {
  const cycle = s.cyclesBegun + 1;
  const next = enterPhase(s, nowMs, 'Freezing', 'freeze-open', events, cycle);
  // Stryker disable next-line BooleanLiteral: equivalent — startRequested is read only in Ready, reached only through a self-test, whose start sets it again
  return withChanges(next, { cyclesBegun: cycle, startRequested: false, freezeOpenedMs: nowMs, cycleFreezeMs: 0 });
}

/** Why start is refused in Idle, Complete or Stopped; null when it may begin. Stop is a level:
 * while it is held nothing starts, and a start and a stop in the same tick is a stop. */
function startRefusal(ctx: TickContext): string | null {
  const { state: s, settings } = ctx;
  if (ctx.readings.operator.stop) return 'stop is held';
  if (s.cyclesBegun >= settings.protocol.cycles) {
    return `all ${settings.protocol.cycles} cycles have been given at this site: withdraw the probe and choose new site first`;
  }
  return null;
}

/** New site: the probe has moved, so the site's freeze total and cycle count start again. Only
 * once the probe may have come out (safe to withdraw, or the unknown-tip wait is over). */
function newSite(ctx: TickContext, events: ControllerEvent[]): ControllerState {
  const { nowMs, settings, state: s } = ctx;
  if (!isWithdrawn(s, settings, nowMs)) {
    events.push({ kind: 'refused', atMs: nowMs, input: 'new-site', reason: 'the probe is not yet safe to withdraw' });
    return s;
  }
  return withChanges(s, { cyclesBegun: 0, cumulativeFreezeMs: 0, cycle: 0 });
}

/** Every tip channel reads usable and above thaw.endTipC plus the calibrated reading's
 * uncertainty (thawEndReadingC: the true tip is above thaw.endTipC even when the calibration reads
 * warm): the coldest one decides, as for withdrawal (a probe thawed at its control junction may
 * still be frozen at another). */
function allChannelsThawed(ctx: TickContext): boolean {
  if (ctx.tcProblem !== null) return false;
  // Stryker disable next-line ConditionalExpression,BooleanLiteral: equivalent — with no channel problem some channel is usable, so this type guard never holds
  if (ctx.coldestTip === null) return false;
  return ctx.coldestTip.tipC > thawEndReadingC(ctx.settings.thaw.endTipC, ctx.readings.calibration);
}

/** A freeze never begins on a tip that has not thawed (every channel above thawEndReadingC) and, when
 * resuming a site, before the protocol's thaw time since gas last flowed, nor while the warm
 * reading is still falling (withdrawal.ts fellRecently: a lagging thermocouple reads a tip colder
 * than it shows; the same wait SAFE TO WITHDRAW makes). */
function tipThawed(ctx: TickContext): boolean {
  const { nowMs, settings, state: s } = ctx;
  if (!allChannelsThawed(ctx)) return false;
  // A new site's first freeze: the probe is in other tissue, whatever flowed before. Not a site
  // frozen before a restart (its freeze total from the records, no cycle begun since): the probe
  // may still be in that ice, and its reading still falling onto it.
  if (s.cyclesBegun === 0 && s.cumulativeFreezeMs === 0) return true;
  if (fellRecently(s.warmFellMs, s.gasLastFlowedMs, nowMs)) return false;
  // No gas since power-up: a site from the records before a restart, whose last gas time is not
  // known. The reading must then have read warm (the warm span, in which a fall is seen) for the
  // protocol's thaw time: a reading lagging a tip still in that ice, between thaw.endTipC plus its
  // uncertainty and the warm threshold, sets no new low there (a review found the freeze begun 2.7 s
  // after power-up on a reading at 1.2 C, the true tip at -3 C).
  if (s.gasLastFlowedMs === null) return s.warm !== null && nowMs - s.warm.spanFromMs >= settings.protocol.thawS * 1000;
  return nowMs - s.gasLastFlowedMs >= settings.protocol.thawS * 1000;
}

/**
 * The gas path may open for a freeze only when the dead-man footswitch (if configured) is down
 * and no interlock armed in Freezing has its condition present, even before its debounce ends:
 * a freeze never starts into a condition that is about to trip.
 */
function mayBeginFreeze(ctx: TickContext): boolean {
  const footOk = !ctx.settings.footswitch.deadman || ctx.readings.operator.footswitch;
  return footOk && !conditionBlocksFreeze(ctx.state);
}

/** Float slack for a window whose length is a whole number of periods (500 ms at 50 Hz: 25 steps). */
const WHOLE_STEPS_SLACK = 1e-9;

/**
 * A single-valve self-test window is over after valves.selfTestValveMs and as many steps as that
 * holds at loop.rateHz: VALVE_FAILURE's debounce counts samples, and the window's floor (settings.ts,
 * selfTestFlowShowsMs) assumes each period sampled. A late step, or a stall under loop.maxGapMs
 * (which trips nothing), ended the window on time with samples missing, and a supply valve stuck
 * open from the start went through to a freeze (tests/controller-self-test-late-steps.test.ts).
 * On time, the steps and the time end the window on the same step.
 */
function singleValveWindowOver(ctx: TickContext): boolean {
  const { nowMs, settings, state: s } = ctx;
  const windowMs = settings.valves.selfTestValveMs;
  const steps = Math.ceil((windowMs * settings.loop.rateHz) / 1000 - WHOLE_STEPS_SLACK);
  return nowMs - s.subSinceMs >= windowMs && s.tickCount - s.subSinceTick >= steps;
}

export function advancePhase(ctx: TickContext, edges: Edges, events: ControllerEvent[]): ControllerState {
  const { nowMs, settings, state: s } = ctx;
  const inSubMs = nowMs - s.subSinceMs;
  const inPhaseMs = nowMs - s.phaseSinceMs;
  switch (s.phase) {
    case 'Idle':
    case 'Complete':
    case 'Stopped': {
      if (edges.newSite) {
        if (edges.start) events.push({ kind: 'refused', atMs: nowMs, input: 'start', reason: 'new site pressed in the same tick: press start again' });
        return newSite(ctx, events);
      }
      const refusal = edges.start ? startRefusal(ctx) : null;
      if (refusal !== null) events.push({ kind: 'refused', atMs: nowMs, input: 'start', reason: refusal });
      else if (edges.start) return beginSelfTest(s, nowMs, events);
      const leavesForIdle =
        edges.acknowledge &&
        // Stryker disable next-line ConditionalExpression,StringLiteral: equivalent — Idle re-entered is the same Idle (cycle 0, sub none, no event); only subSinceMs, unread in Idle, would move
        s.phase !== 'Idle';
      if (leavesForIdle) return enterPhase(s, nowMs, 'Idle', 'none', events, 0);
      return s;
    }
    case 'SelfTest': {
      const v = settings.valves;
      if (s.sub === 'selftest-settle' && inSubMs >= v.selfTestSettleMs) return enterSub(s, nowMs, 'selftest-safety-only', ctx.tip);
      if (s.sub === 'selftest-safety-only' && singleValveWindowOver(ctx)) return enterSub(s, nowMs, 'selftest-pause', ctx.tip);
      if (s.sub === 'selftest-pause' && inSubMs >= SELF_TEST_VALVE_PAUSE_MS) return enterSub(s, nowMs, 'selftest-supply-only', ctx.tip);
      if (s.sub === 'selftest-supply-only' && singleValveWindowOver(ctx)) return enterPhase(s, nowMs, 'Ready', 'none', events);
      return s;
    }
    case 'Ready': {
      // Ready is entered only from a self-test, whose start set startRequested: wantsStart is
      // always true here, and the copy below never runs (the mutants of these lines are equivalent).
      // Stryker disable next-line ConditionalExpression: equivalent — startRequested is true in Ready (see above)
      const wantsStart = s.startRequested || edges.start;
      if (wantsStart && mayBeginFreeze(ctx) && tipThawed(ctx)) return beginFreeze(s, nowMs, events);
      // Stryker disable next-line ConditionalExpression,EqualityOperator,ObjectLiteral: equivalent — startRequested is true in Ready (see above)
      return wantsStart === s.startRequested ? s : withChanges(s, { startRequested: wantsStart });
    }
    case 'Freezing': {
      if (s.sub === 'freeze-open' && s.cycleFreezeMs >= settings.protocol.freezeS * 1000) {
        return withChanges(enterSub(s, nowMs, 'freeze-verify-closed', ctx.tip), { freezeOpenedMs: null });
      }
      // The verify window lasts long enough for the rows judging the closed valves to see flow and debounce it.
      if (s.sub === 'freeze-verify-closed' && inSubMs >= closeVerifyWindowMs(settings)) return enterPhase(s, nowMs, 'Thawing', 'none', events);
      return s;
    }
    case 'Thawing': {
      // A reading still falling lags a colder tip (withdrawal.ts fellRecently), as before a resumed freeze.
      const thawDone = inPhaseMs >= settings.protocol.thawS * 1000 && allChannelsThawed(ctx) && !fellRecently(s.warmFellMs, s.gasLastFlowedMs, nowMs);
      if (!thawDone) return s;
      if (s.cyclesBegun < settings.protocol.cycles) return mayBeginFreeze(ctx) ? beginFreeze(s, nowMs, events) : s;
      return enterPhase(s, nowMs, 'Complete', 'none', events);
    }
    case 'Fault':
      return s;
  }
}
