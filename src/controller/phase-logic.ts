// The treatment state machine: Idle -> SelfTest -> Ready -> Freezing(k) -> Thawing(k) ... ->
// Complete, with Stopped and Fault entered by trips (see step.ts). Time- and input-driven
// transitions only; interlocks are evaluated before this runs.
import type { TickContext } from './context.js';
import { INTERLOCKS, debounceFor, interlockById } from './interlocks.js';
import type { ControllerState } from './state.js';
import { periodMs } from './trackers.js';
import type { ControllerEvent, Phase, SubStep } from './types.js';

/** Both valves stay closed this long between the two single-valve self-test windows, so the
 * valve response delays can never overlap into an open gas path. */
export const SELF_TEST_VALVE_PAUSE_MS = 200;

const VALVE_FAILURE_ROW = interlockById('VALVE_FAILURE');

export interface Edges {
  readonly start: boolean;
  readonly stop: boolean;
  readonly acknowledge: boolean;
}

export function enterPhase(
  s: ControllerState,
  nowMs: number,
  phase: Phase,
  sub: SubStep,
  events: ControllerEvent[],
  cycle = s.cycle,
): ControllerState {
  if (phase !== s.phase || cycle !== s.cycle) events.push({ kind: 'phase', atMs: nowMs, from: s.phase, to: phase, cycle });
  return { ...s, phase, sub, cycle, phaseSinceMs: phase === s.phase && cycle === s.cycle ? s.phaseSinceMs : nowMs, subSinceMs: nowMs };
}

function enterSub(s: ControllerState, nowMs: number, sub: SubStep, tipC: number | null): ControllerState {
  return { ...s, sub, subSinceMs: nowMs, tipAtSubStartC: tipC };
}

/** A new protocol run starts with the self-test. A completed site starts its freeze total anew. */
function beginSelfTest(s: ControllerState, nowMs: number, events: ControllerEvent[]): ControllerState {
  const fresh = s.siteComplete ? { ...s, cumulativeFreezeMs: 0, siteComplete: false } : s;
  return enterPhase({ ...fresh, startRequested: true }, nowMs, 'SelfTest', 'selftest-settle', events, 0);
}

function beginFreeze(s: ControllerState, nowMs: number, cycle: number, events: ControllerEvent[]): ControllerState {
  const next = enterPhase(s, nowMs, 'Freezing', 'freeze-open', events, cycle);
  return { ...next, startRequested: false, freezeOpenedMs: nowMs, cycleFreezeMs: 0, coolingReachedAtMs: null };
}

/**
 * The gas path may open for a freeze only when the dead-man footswitch (if configured) is down
 * and no interlock armed in Freezing has its condition present, even before its debounce ends:
 * a freeze never starts into a condition that is about to trip.
 */
function mayBeginFreeze(ctx: TickContext): boolean {
  const footOk = !ctx.settings.footswitch.deadman || ctx.readings.operator.footswitch;
  return footOk && !INTERLOCKS.some((row) => row.armedIn.includes('Freezing') && ctx.state.interlocks[row.id].conditionNow);
}

export function advancePhase(ctx: TickContext, edges: Edges, events: ControllerEvent[]): ControllerState {
  const { nowMs, settings, state: s } = ctx;
  const inSubMs = nowMs - s.subSinceMs;
  const inPhaseMs = nowMs - s.phaseSinceMs;
  switch (s.phase) {
    case 'Idle':
    case 'Complete':
    case 'Stopped':
      if (edges.start) return beginSelfTest(s, nowMs, events);
      if (edges.acknowledge && s.phase !== 'Idle') return enterPhase(s, nowMs, 'Idle', 'none', events, 0);
      return s;
    case 'SelfTest': {
      const v = settings.valves;
      if (s.sub === 'selftest-settle' && inSubMs >= v.selfTestSettleMs) return enterSub(s, nowMs, 'selftest-safety-only', ctx.tipC);
      if (s.sub === 'selftest-safety-only' && inSubMs >= v.selfTestValveMs) return enterSub(s, nowMs, 'selftest-pause', ctx.tipC);
      if (s.sub === 'selftest-pause' && inSubMs >= SELF_TEST_VALVE_PAUSE_MS) return enterSub(s, nowMs, 'selftest-supply-only', ctx.tipC);
      if (s.sub === 'selftest-supply-only' && inSubMs >= v.selfTestValveMs) return enterPhase(s, nowMs, 'Ready', 'none', events);
      return s;
    }
    case 'Ready': {
      const wantsStart = s.startRequested || edges.start;
      if (wantsStart && mayBeginFreeze(ctx)) return beginFreeze(s, nowMs, 1, events);
      return wantsStart === s.startRequested ? s : { ...s, startRequested: wantsStart };
    }
    case 'Freezing': {
      if (s.sub === 'freeze-open' && s.cycleFreezeMs >= settings.protocol.freezeS * 1000) {
        return { ...enterSub(s, nowMs, 'freeze-verify-closed', ctx.tipC), freezeOpenedMs: null };
      }
      // The verify window lasts long enough for VALVE_FAILURE to see flow and debounce it.
      const verifyMs = settings.valves.closeVerifyMs + debounceFor(VALVE_FAILURE_ROW, settings.debounceMs) + 2 * periodMs(settings);
      if (s.sub === 'freeze-verify-closed' && inSubMs >= verifyMs) return enterPhase(s, nowMs, 'Thawing', 'none', events);
      return s;
    }
    case 'Thawing': {
      const thawDone = inPhaseMs >= settings.protocol.thawS * 1000 && ctx.tipC !== null && ctx.tipC > settings.thaw.endTipC;
      if (!thawDone) return s;
      if (s.cycle < settings.protocol.cycles) return mayBeginFreeze(ctx) ? beginFreeze(s, nowMs, s.cycle + 1, events) : s;
      return { ...enterPhase(s, nowMs, 'Complete', 'none', events), siteComplete: true };
    }
    case 'Fault':
      return s;
  }
}
