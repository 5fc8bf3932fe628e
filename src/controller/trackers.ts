// Per-tick trackers: loop timing, freeze time and the last gas flow, then every stateful
// interlock row's memory (each row owns its own: src/controller/interlock-memory/). Pure:
// previous state in, updated state out.
import type { Readings } from '../../hal/contract.js';
import { flowSeen, periodMs, tipProblem } from './context.js';
import { updateInterlockMemory } from './interlocks.js';
import type { ControllerReadings } from './probe-calibration.js';
import { thawEndReadingC } from './probe-calibration.js';
import type { Settings } from './settings.js';
import type { ControllerState } from './state.js';

export { periodMs };

/** The control channel's temperature when it is usable; null otherwise. */
export function controlTipC(readings: Readings, settings: Settings): number | null {
  const control = readings.tips[0];
  return control !== undefined && tipProblem(control, 0, settings) === null ? control.tipC : null;
}

export function updateTrackers(nowMs: number, settings: Settings, readings: ControllerReadings, prev: ControllerState): ControllerState {
  // Stryker disable next-line ConditionalExpression: equivalent — a first-step gap of nowMs instead of 0 reaches only LOOP_OVERRUN, which is not armed in Idle (the power-up phase) and judges afresh next tick
  const gapMs = prev.lastStepMs === null ? 0 : nowMs - prev.lastStepMs;
  // Freeze time counts while the gas path was commanded open (both valves) since the last step.
  const gasPathOpen = prev.outputs.supplyValveOpen && prev.outputs.safetyValveOpen;
  const openMs = gasPathOpen ? Math.max(0, gapMs) : 0;
  const flow = flowSeen(readings, settings);
  const memory = updateInterlockMemory({ nowMs, settings, readings, prev, gapMs, tipC: controlTipC(readings, settings), flow, thawEndC: thawEndReadingC(settings.thaw.endTipC, readings.calibration) });
  // Every field named, in initialState's order: this runs every tick, and a spread of this many
  // fields cost about a microsecond where the literal costs a few tens of nanoseconds (bench/sim.ts).
  return {
    phase: prev.phase,
    sub: prev.sub,
    cycle: prev.cycle,
    cyclesBegun: prev.cyclesBegun,
    phaseSinceMs: prev.phaseSinceMs,
    subSinceMs: prev.subSinceMs,
    startRequested: prev.startRequested,
    inputs: prev.inputs,
    interlocks: prev.interlocks,
    alarms: prev.alarms,
    audioPause: prev.audioPause,
    audioResumedMs: prev.audioResumedMs,
    info: prev.info,
    outputs: prev.outputs,
    supplyClosedSinceMs: prev.supplyClosedSinceMs,
    safetyClosedSinceMs: prev.safetyClosedSinceMs,
    freezeOpenedMs: prev.freezeOpenedMs,
    cycleFreezeMs: prev.cycleFreezeMs + openMs,
    cumulativeFreezeMs: prev.cumulativeFreezeMs + openMs,
    gasLastFlowedMs: gasPathOpen || flow ? nowMs : prev.gasLastFlowedMs,
    warm: prev.warm,
    tipDistrust: prev.tipDistrust,
    tipAtSubStartC: prev.tipAtSubStartC,
    tickCount: prev.tickCount + 1,
    lastStepMs: nowMs,
    lastGapMs: gapMs,
    memory,
    safeToWithdraw: prev.safeToWithdraw,
    iceBall: prev.iceBall,
    iceBallTrack: prev.iceBallTrack,
    freezeVerdicts: prev.freezeVerdicts,
  };
}
